// SPDX-License-Identifier: MIT
/* ksmsim-difffuzz's small utilities: clock, files, other KSM users, tails. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file.h"
#include "difffuzz.h"

double fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fz_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- files ---- */

int fz_write_all(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t k = write(fd, text + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)k;
	}
	return close(fd);
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void fz_rmtree(const char *path)
{
	if (path && *path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int fz_foreign_ksm_users(char *buf, size_t len)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t k = 0;
	int n = 0;

	if (len)
		buf[0] = '\0';
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char path[300], *text = NULL, *comm = NULL;
		size_t tl;
		bool user;

		if (!isdigit((unsigned char)de->d_name[0]) || atoi(de->d_name) == (int)getpid())
			continue;
		fz_fmt(path, sizeof(path), "/proc/%s/ksm_stat", de->d_name);
		if (sim_read_file(path, &text, &tl))
			continue;
		/* "ksm_mergeable: yes" (6.18), also without the colon */
		user = strstr(text, "ksm_mergeable: yes") || strstr(text, "ksm_merge_any: yes") ||
		       strstr(text, "ksm_mergeable yes") || strstr(text, "ksm_merge_any yes");
		{
			const char *r = strstr(text, "ksm_rmap_items ");

			user |= r && atol(r + 15) > 0;
		}
		free(text);
		if (!user)
			continue;
		n++;
		fz_fmt(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (sim_read_file(path, &comm, &tl))
			comm = xstrdup("?");
		comm[strcspn(comm, "\n")] = '\0';
		if (k < len)
			k += (size_t)snprintf(buf + k, len - k, "%s%s (%.40s)", n > 1 ? ", " : "",
					      de->d_name, comm);
		free(comm);
	}
	closedir(d);
	return n;
}

/* The last @max bytes of @text, from a line start, trimmed. */
void fz_tail_of(const char *text, size_t len, char *buf, size_t size, size_t max)
{
	const char *s = text;

	if (len > max) {
		s = text + len - max;
		while (*s && *s != '\n')
			s++;
		if (*s)
			s++;
	}
	snprintf(buf, size, "%s", s);
	for (size_t k = strlen(buf); k && (buf[k - 1] == '\n' || buf[k - 1] == ' '); k--)
		buf[k - 1] = '\0';
}
