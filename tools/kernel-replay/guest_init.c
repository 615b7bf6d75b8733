// SPDX-License-Identifier: MIT
/*
 * DOC: Inside the guest — the replayer as PID 1
 *
 * When the kernel starts this program as init (it is /init of the
 * initramfs that guest.c writes), it:
 *
 *  1. mounts /proc, /sys, /dev (devtmpfs), /run and /tmp (tmpfs), and the
 *     host's job folder over virtio 9p (mount tag "ksmsim") on /mnt;
 *  2. quietens what could move pages behind the replay's back: proactive
 *     compaction off (automatic NUMA balancing is off on the command line);
 *  3. reads /mnt/job — lines "arg OPTION" (passed to every replay) and
 *     "trace NAME" (replay /mnt/in/NAME.trace) — and runs them as a batch
 *     (batch.c) writing /mnt/out/NAME.{jsonl,rc,log};
 *  4. writes /mnt/out/done — "release R", "nodes N", "status S" — which
 *     is how the host tells a finished job from a crashed guest;
 *  5. syncs and powers the machine off.
 *
 * Anything that goes wrong is printed on the console (which the host keeps
 * and shows) and the machine powers off without writing `done`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/array.h"
#include "kr.h"

#define GUEST_MAX_TRACES 100000
#define GUEST_MAX_ARGS 32

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ksmsim-guest: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void __attribute__((noreturn)) power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static int mount_all(void)
{
	static const struct {
		const char *src, *dir, *type, *opts;
	} m[] = {
		{ "proc", "/proc", "proc", NULL },
		{ "sysfs", "/sys", "sysfs", NULL },
		{ "devtmpfs", "/dev", "devtmpfs", NULL },
		{ "tmpfs", "/run", "tmpfs", "mode=0755" },
		{ "tmpfs", "/tmp", "tmpfs", "mode=1777" },
		{ "ksmsim", "/mnt", "9p", "trans=virtio,version=9p2000.L,msize=262144,cache=none" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (mount(m[i].src, m[i].dir, m[i].type, 0, m[i].opts)) {
			say("mount %s on %s: %s", m[i].type, m[i].dir, strerror(errno));
			return -1;
		}
	return 0;
}

static void write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0)
			say("%s: %s", path, strerror(errno));
		close(fd);
	}
}

static void progress(void *ctx, size_t done, size_t total, const char *name, int code)
{
	(void)ctx;
	say("[%zu/%zu] %s: exit %d", done, total, name, code);
}

static int online_nodes(void)
{
	char buf[64] = "";
	int fd = open("/sys/devices/system/node/online", O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return 1;
	buf[len] = '\0';
	/* "0" or "0-1" or "0,2-3": count the nodes of each item. */
	for (char *p = buf; *p;) {
		long a = strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		n += (int)(b - a + 1);
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

void kr_guest_init(void)
{
	static char *traces[GUEST_MAX_TRACES], *args[GUEST_MAX_ARGS];
	char line[PATH_MAX + 16], text[256];
	struct kr_batch b = { 0 };
	struct ksm_diag err;
	struct utsname u;
	size_t nt = 0, na = 0;
	FILE *job;
	int status;

	setvbuf(stderr, NULL, _IOLBF, 0);
	if (mount_all())
		power_off();
	write_sysctl("/proc/sys/vm/compaction_proactiveness", "0");
	job = fopen("/mnt/job", "re");
	if (!job) {
		say("/mnt/job: %s", strerror(errno));
		power_off();
	}
	while (fgets(line, sizeof(line), job)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "arg ", 4) && na < GUEST_MAX_ARGS) {
			args[na++] = strdup(line + 4);
		} else if (!strncmp(line, "trace ", 6) && nt < GUEST_MAX_TRACES) {
			char path[PATH_MAX + 32];

			snprintf(path, sizeof(path), "/mnt/in/%s.trace", line + 6);
			traces[nt++] = strdup(path);
		} else {
			say("/mnt/job: cannot read the line '%s'", line);
			power_off();
		}
	}
	fclose(job);
	uname(&u);
	say("Linux %s, %d NUMA node(s), %zu trace(s)", u.release, online_nodes(), nt);

	b.self = "/init";
	b.traces = traces;
	b.n = nt;
	b.out_dir = "/mnt/out";
	b.pass = args;
	b.npass = na;
	b.progress = progress;
	status = kr_batch_run(&b, &err);
	if (status < 0) {
		say("%s", err.msg);
		power_off();
	}
	snprintf(text, sizeof(text), "release %s\nnodes %d\nstatus %d\n", u.release,
		 online_nodes(), status);
	if (kr_write_small_file("/mnt/out/done", text))
		say("/mnt/out/done: %s", strerror(errno));
	say("done, status %d", status);
	power_off();
}
