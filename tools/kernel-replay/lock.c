// SPDX-License-Identifier: MIT
/*
 * DOC: One replay at a time
 *
 * KSM is one machine-wide engine: two replays driving it at once would
 * scan each other's pages and restore each other's settings.  A replay
 * holds an exclusive flock(2) on a lock file (default
 * /run/ksmsim-kernel-replay.lock) for its whole life; the holder writes
 * its pid into the file so a second replay can say who it is waiting for.
 * flock locks die with the process, so a killed replay never leaves a
 * stale lock (its settings journal is handled in knobs.c).
 *
 * The lock fd must not leak into workers: a worker holding a copy of the
 * open file would keep the lock alive after the controller died.  Workers
 * close every inherited descriptor (worker.c, controller.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "kr.h"

static long holder_pid(int fd)
{
	char buf[32];
	ssize_t k = pread(fd, buf, sizeof(buf) - 1, 0);

	if (k <= 0)
		return 0;
	buf[k] = '\0';
	return strtol(buf, NULL, 10);
}

int kr_lock_acquire(const char *path, unsigned wait_secs, struct ksm_diag *err)
{
	struct timespec start, now;
	bool told = false;
	char pid[32];
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ksm_diag_set(err, path, 0, 0, "cannot open the lock file: %s",
				    strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		long who;

		if (errno != EWOULDBLOCK && errno != EINTR) {
			int e = errno;

			close(fd);
			return ksm_diag_set(err, path, 0, 0, "cannot lock: %s", strerror(e));
		}
		who = holder_pid(fd);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (kr_stop_signal || now.tv_sec - start.tv_sec >= (time_t)wait_secs) {
			close(fd);
			if (kr_stop_signal)
				return ksm_diag_set(err, path, 0, 0, "interrupted while waiting for the lock");
			return ksm_diag_set(err, path, 0, 0,
					    "another replay (pid %ld) is driving KSM%s",
					    who, wait_secs ? "; gave up waiting" :
					    "; use --wait SECONDS to wait for it");
		}
		if (!told) {
			fprintf(stderr, "ksmsim-kernel-replay: waiting up to %u s for the replay "
				"holding %s (pid %ld)\n", wait_secs, path, who);
			told = true;
		}
		usleep(100 * 1000);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0) {
		/* Only the message of a waiting replay suffers. */
	}
	return fd;
}

void kr_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (ftruncate(fd, 0)) {
		/* the pid is informational */
	}
	flock(fd, LOCK_UN);
	close(fd);
}
