// SPDX-License-Identifier: MIT
/*
 * DOC: What a guest run left in its job folder, taken home
 *
 * The guest's init writes JOB/out/NAME.{jsonl,rc,log} for each trace and
 * JOB/out/done (the guest's release and the batch's status) when it has
 * finished; guest.c boots the guest, these functions copy the results to
 * where the user asked for them, with the guest's paths in messages
 * replaced by the user's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/outfile.h"
#include "kr.h"

int kr_copy_file(const char *from, const char *to, struct ksm_diag *err)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return ksm_diag_set(err, from, 0, 0, "cannot read: %s", strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return ksm_diag_set(err, to, 0, 0, "cannot write: %s", strerror(errno));
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (kr_write_full(out, buf, (size_t)n)) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) || n < 0)
		return ksm_diag_set(err, to, 0, 0, "cannot copy %s: %s", from, strerror(errno));
	return 0;
}

/*
 * Copy the file @from to @to; with @guest_path, every occurrence of it
 * becomes @host_path (a message's trace name as the user gave it).
 */
static int copy_log(const char *from, FILE *to, const char *guest_path, const char *host_path)
{
	char *line = NULL;
	size_t cap = 0, glen = guest_path ? strlen(guest_path) : 0;
	FILE *f = fopen(from, "re");

	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		for (char *p = line, *hit; *p; p = hit + glen) {
			hit = guest_path ? strstr(p, guest_path) : NULL;
			if (!hit) {
				fputs(p, to);
				break;
			}
			fwrite(p, 1, (size_t)(hit - p), to);
			fputs(host_path, to);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

static int read_rc(const char *path)
{
	FILE *f = fopen(path, "re");
	int rc = -1;

	if (f) {
		if (fscanf(f, "%d", &rc) != 1)
			rc = -1;
		fclose(f);
	}
	return rc;
}

int kr_guest_take_batch(const char *job, char *const *traces, size_t n, const char *out_dir,
		      struct ksm_diag *err)
{
	char from[PATH_MAX], to[PATH_MAX], guest[PATH_MAX], name[NAME_MAX + 1];
	static const char *const ext[] = { "jsonl", "rc" };

	if (mkdir(out_dir, 0755) && errno != EEXIST)
		return ksm_diag_set(err, out_dir, 0, 0, "cannot create the output folder: %s",
				    strerror(errno));
	for (size_t i = 0; i < n; i++) {
		struct outfile o;

		kr_trace_name(traces[i], name, sizeof(name));
		for (size_t k = 0; k < 2; k++) {
			snprintf(from, sizeof(from), "%s/out/%s.%s", job, name, ext[k]);
			snprintf(to, sizeof(to), "%s/%s.%s", out_dir, name, ext[k]);
			unlink(to);
			if (!access(from, F_OK) && kr_copy_file(from, to, err))
				return -1;
		}
		snprintf(from, sizeof(from), "%s/out/%s.log", job, name);
		snprintf(to, sizeof(to), "%s/%s.log", out_dir, name);
		snprintf(guest, sizeof(guest), "/mnt/in/%s.trace", name);
		if (outfile_open(&o, to, err))
			return -1;
		copy_log(from, o.f, guest, traces[i]);
		if (outfile_commit(&o, err))
			return -1;
	}
	return 0;
}

int kr_guest_take_single(const char *job, const char *trace, const char *snap_path,
		       struct ksm_diag *err)
{
	char path[PATH_MAX], guest[PATH_MAX], name[NAME_MAX + 1];
	int rc;

	kr_trace_name(trace, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/out/%s.log", job, name);
	snprintf(guest, sizeof(guest), "/mnt/in/%s.trace", name);
	copy_log(path, stderr, guest, trace);
	snprintf(path, sizeof(path), "%s/out/%s.rc", job, name);
	rc = read_rc(path);
	if (rc < 0)
		return ksm_diag_set(err, path, 0, 0, "the guest left no exit status for %s", trace);
	snprintf(path, sizeof(path), "%s/out/%s.jsonl", job, name);
	if (!access(path, F_OK)) {
		if (snap_path) {
			struct outfile o;

			if (outfile_open(&o, snap_path, err))
				return -1;
			copy_log(path, o.f, NULL, NULL);
			if (outfile_commit(&o, err))
				return -1;
		} else {
			copy_log(path, stdout, NULL, NULL);
			fflush(stdout);
		}
	}
	return rc;
}

int kr_guest_read_done(const char *job, char *release, size_t len)
{
	char path[PATH_MAX], key[32], val[256];
	FILE *f;
	int status = -1;

	snprintf(path, sizeof(path), "%s/out/done", job);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%31s %255s", key, val) == 2) {
		if (!strcmp(key, "release"))
			snprintf(release, len, "%s", val);
		else if (!strcmp(key, "status"))
			status = atoi(val);
	}
	fclose(f);
	return status;
}
