// SPDX-License-Identifier: MIT
/* ksmsim-difffuzz's files: --out made and tried, cases written whole. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/outfile.h"
#include "run.h"

int fz_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -1;
	return 0;
}

int fz_check_out_dir(const char *dir)
{
	char probe[PATH_MAX + 64];
	struct stat sb;
	int fd;

	if (fz_mkdir_p(dir) || stat(dir, &sb)) {
		fprintf(stderr, "ksmsim-difffuzz: --out %s: cannot create: %s\n", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "ksmsim-difffuzz: --out %s: not a folder\n", dir);
		return -1;
	}
	snprintf(probe, sizeof(probe), "%s/.difffuzz-probe.XXXXXX", dir);
	fd = mkstemp(probe);
	if (fd < 0) {
		fprintf(stderr, "ksmsim-difffuzz: --out %s: cannot write: %s\n", dir, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(probe);
	return 0;
}

int fz_put_file(const char *dir, const char *file, const char *text, size_t len)
{
	char path[PATH_MAX + 128];
	struct outfile of;
	struct ksm_diag err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (outfile_open(&of, path, &err)) {
		ksm_diag_print(stderr, &err);
		return -1;
	}
	if (len && fwrite(text, 1, len, of.f) != len) {
		outfile_abort(&of);
		fprintf(stderr, "ksmsim-difffuzz: %s: cannot write\n", path);
		return -1;
	}
	if (outfile_commit(&of, &err)) {
		ksm_diag_print(stderr, &err);
		return -1;
	}
	return 0;
}

int fz_put_str(const char *dir, const char *file, const char *text)
{
	return fz_put_file(dir, file, text ? text : "", text ? strlen(text) : 0);
}
