// SPDX-License-Identifier: MIT
/* Output files written under a temporary name; see outfile.h. */
#include "core/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/cleanup.h"

int outfile_open(struct outfile *o, const char *path, struct ksm_diag *err)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	o->cleanup = -1;
	o->path = xstrdup(path);
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "w");
	} else {
		size_t n = strlen(path) + 32;

		o->tmp = xmalloc(n);
		snprintf(o->tmp, n, "%s.tmp.%ld", path, (long)getpid());
		/* Registered before it exists: no instant when a signal
		 * could leave it behind. */
		o->cleanup = cleanup_register(o->tmp);
		o->f = o->cleanup < 0 ? NULL : fopen(o->tmp, "w");
	}
	if (!o->f) {
		bool full = o->tmp && o->cleanup < 0 && errno == EMFILE;

		ksm_diag_set(err, path, 0, 0, "cannot write: %s",
			     full ? "too many outputs open at once" : strerror(errno));
		cleanup_unregister(o->cleanup);
		free(o->tmp);
		free(o->path);
		memset(o, 0, sizeof(*o));
		o->cleanup = -1;
		return -1;
	}
	return 0;
}

int outfile_check(const char *path, struct ksm_diag *err)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	char *dir;
	int ok;

	if (!strcmp(path, "-"))
		return 0;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(EISDIR));
		if (!S_ISREG(st.st_mode))
			return access(path, W_OK) ?
			       ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno)) : 0;
	}
	/* A regular file is written through a temporary name beside it. */
	dir = slash ? xstrdup(path) : xstrdup(".");
	if (slash)
		dir[slash == path ? 1 : slash - path] = '\0';
	ok = access(dir, W_OK | X_OK) == 0;
	free(dir);
	if (!ok)
		return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
	return 0;
}

int outfile_commit(struct outfile *o, struct ksm_diag *err)
{
	int ret = 0;

	if (o->f == stdout) {
		if (fflush(stdout))
			ret = ksm_diag_set(err, "<stdout>", 0, 0, "cannot write: %s", strerror(errno));
	} else if (fclose(o->f)) {
		ret = ksm_diag_set(err, o->path, 0, 0, "cannot write: %s", strerror(errno));
		if (o->tmp)
			unlink(o->tmp);
	} else if (o->tmp && rename(o->tmp, o->path)) {
		ret = ksm_diag_set(err, o->path, 0, 0, "cannot write: %s", strerror(errno));
		unlink(o->tmp);
	}
	/* Only now that the name is gone (renamed or removed). */
	cleanup_unregister(o->cleanup);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->cleanup = -1;
	return ret;
}

void outfile_abort(struct outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	cleanup_unregister(o->cleanup);
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->cleanup = -1;
}
