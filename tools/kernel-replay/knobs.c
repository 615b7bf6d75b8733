// SPDX-License-Identifier: MIT
/*
 * DOC: /sys/kernel/mm/ksm — reading, writing, saving and restoring
 *
 * A replay changes machine-wide settings, so it must leave them as it
 * found them.  At start every writable file of /sys/kernel/mm/ksm is
 * saved (whatever the kernel offers, not only the knobs the trace format
 * knows), and a copy is written next to the lock as a journal.  At exit —
 * normal, error or signal — the settings are restored and the journal
 * removed.  If the replayer is killed outright (SIGKILL, a crash), the
 * journal survives and the next replay, once it holds the lock, restores
 * from it before saving anew, so a killed replay never becomes the
 * machine's new normal.
 *
 * Restore order matters:
 *  - run=2 first: it unmerges every KSM page and empties the stable tree,
 *    which max_page_sharing and merge_across_nodes need (EBUSY otherwise);
 *  - advisor_mode before pages_to_scan: changing the mode resets
 *    pages_to_scan, and with the advisor on pages_to_scan is not writable;
 *  - sleep_millisecs late: writing a different value wakes ksmd from the
 *    long sleep the replay parked it in;
 *  - run last, with the saved value (1 restarts ksmd, 0 leaves it stopped).
 * Values already equal to the saved ones are not rewritten.
 *
 * With other KSM users present (--allow-foreign, foreign.c) run=2 would
 * unmerge their pages too, so the restore starts with run=0 instead (ksmd
 * stops, merges stay) and writes run=2 only if max_page_sharing or
 * merge_across_nodes must change while pages are shared — saying so.  The
 * trace's own pages are gone by then (its processes were killed); their
 * stale stable nodes are dropped by ksmd's next visit, as after any exit.
 *
 * If the controller dies without restoring, its guardian (guardian.c)
 * restores at once; the journal is the backup for when even that fails.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kr.h"

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%.200s", KR_SYSFS_DIR, name);
}

int kr_sysfs_read(const char *name, char *buf, size_t size)
{
	char path[256];
	ssize_t k;
	int fd;
	char *lb, *rb;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		k = read(fd, buf, size - 1);
	} while (k < 0 && errno == EINTR);
	if (k < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	buf[k] = '\0';
	while (k > 0 && (buf[k - 1] == '\n' || buf[k - 1] == ' '))
		buf[--k] = '\0';
	/* "[none] scan-time": the choice in force is the bracketed one */
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (lb && rb) {
		memmove(buf, lb + 1, (size_t)(rb - lb - 1));
		buf[rb - lb - 1] = '\0';
	}
	return 0;
}

int kr_sysfs_read_i64(const char *name, int64_t *out)
{
	char buf[64], *end;
	int r = kr_sysfs_read(name, buf, sizeof(buf));

	if (r)
		return r;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int kr_sysfs_write(const char *name, const char *value)
{
	char path[256];
	size_t len = strlen(value);
	ssize_t k;
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * A store can block (run=2 waits for ksmd's batch; the unmerge
	 * itself takes time); EINTR cannot happen for sysfs writes in
	 * practice, but retrying is harmless because every store here is
	 * idempotent.
	 */
	do {
		k = write(fd, value, len);
	} while (k < 0 && errno == EINTR);
	if (k < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int kr_sysfs_write_u64(const char *name, uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return kr_sysfs_write(name, buf);
}

int kr_settings_check_writable(struct ksm_diag *err)
{
	struct stat sb;
	char path[256];
	int fd;

	if (stat(KR_SYSFS_DIR, &sb))
		return ksm_diag_set(err, KR_SYSFS_DIR, 0, 0,
				    "%s (this kernel has no KSM: CONFIG_KSM is off, or /sys is not mounted)",
				    strerror(errno));
	path_of(path, sizeof(path), "run");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ksm_diag_set(err, path, 0, 0,
				    "cannot write the KSM settings: %s (run as root, on a host where /sys is writable)",
				    strerror(errno));
	close(fd);
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ksm_diag_set(err, "/proc/kpageflags", 0, 0,
				    "cannot read page flags: %s (run as root)", strerror(errno));
	close(fd);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int kr_settings_save(struct kr_settings *s, struct ksm_diag *err)
{
	DIR *d = opendir(KR_SYSFS_DIR);
	struct dirent *de;

	s->n = 0;
	if (!d)
		return ksm_diag_set(err, KR_SYSFS_DIR, 0, 0, "%s", strerror(errno));
	while ((de = readdir(d))) {
		char path[256];
		struct stat sb;
		int r;

		if (de->d_name[0] == '.')
			continue;
		path_of(path, sizeof(path), de->d_name);
		if (stat(path, &sb) || !S_ISREG(sb.st_mode) || !(sb.st_mode & S_IWUSR))
			continue;
		if (s->n == KR_MAX_SETTINGS) {
			closedir(d);
			return ksm_diag_set(err, KR_SYSFS_DIR, 0, 0,
					    "more than %d settings", KR_MAX_SETTINGS);
		}
		snprintf(s->v[s->n].name, sizeof(s->v[s->n].name), "%.63s", de->d_name);
		r = kr_sysfs_read(de->d_name, s->v[s->n].value, sizeof(s->v[s->n].value));
		if (r) {
			closedir(d);
			return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(-r));
		}
		s->n++;
	}
	closedir(d);
	/* Sorted: the journal and messages then read the same every time. */
	qsort(s->v, s->n, sizeof(s->v[0]), name_cmp);
	return 0;
}

static const char *saved_value(const struct kr_settings *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return s->v[i].value;
	return NULL;
}

/* Restore one setting unless it already has its value. */
static int restore_one(const struct kr_settings *s, const char *name)
{
	const char *want = saved_value(s, name);
	char cur[64];
	int r;

	if (!want)
		return 0;
	if (!kr_sysfs_read(name, cur, sizeof(cur)) && !strcmp(cur, want))
		return 0;
	r = kr_sysfs_write(name, want);
	if (r) {
		fprintf(stderr, "ksmsim-kernel-replay: cannot restore %s/%s=%s: %s\n",
			KR_SYSFS_DIR, name, want, strerror(-r));
		return -1;
	}
	return 0;
}

/* A knob the scan-time advisor owns (pages_to_scan): not writable with it on. */
static bool advisor_owned(const char *name)
{
	const struct ksm_snap_field *f = ksm_field_find(ksm_snap_knob_fields, name);

	return f && (f->flags & KSM_F_ADVISOR_OWNED);
}

/* Settings with an order of their own; the rest go in between. */
static const char *const early[] = {
	"advisor_mode", "advisor_max_cpu", "advisor_min_pages_to_scan",
	"advisor_max_pages_to_scan", "advisor_target_scan_time",
	"pages_to_scan", "max_page_sharing", "merge_across_nodes", NULL,
};
static const char *const late[] = { "sleep_millisecs", "run", NULL };

static bool listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

/*
 * max_page_sharing and merge_across_nodes (KSM_F_EMPTY_TREE) can only
 * change while no page is shared (EBUSY otherwise).  Without run=2 first (other users' merges are
 * kept), run=2 is the last resort, and said so.
 */
static int restore_needs_empty_tree(const struct kr_settings *s, const char *name,
				    bool *unmerged)
{
	const char *want = saved_value(s, name);
	char cur[64];
	int r;

	if (!want || (!kr_sysfs_read(name, cur, sizeof(cur)) && !strcmp(cur, want)))
		return 0;
	r = kr_sysfs_write(name, want);
	if (r == -EBUSY && !*unmerged) {
		fprintf(stderr, "ksmsim-kernel-replay: restoring %s/%s=%s needs every KSM page "
			"unmerged: writing run=2, which unmerges the other KSM users' pages too\n",
			KR_SYSFS_DIR, name, want);
		*unmerged = true;
		r = kr_sysfs_write("run", "2");
		if (!r)
			r = kr_sysfs_write(name, want);
	}
	if (r) {
		fprintf(stderr, "ksmsim-kernel-replay: cannot restore %s/%s=%s: %s\n",
			KR_SYSFS_DIR, name, want, strerror(-r));
		return -1;
	}
	return 0;
}

bool kr_settings_equal(const struct kr_settings *s)
{
	const char *adv = saved_value(s, "advisor_mode");

	for (size_t i = 0; i < s->n; i++) {
		char cur[64];

		if (advisor_owned(s->v[i].name) && adv && strcmp(adv, "none"))
			continue;
		if (kr_sysfs_read(s->v[i].name, cur, sizeof(cur)) || strcmp(cur, s->v[i].value))
			return false;
	}
	return true;
}

int kr_settings_restore(const struct kr_settings *s, bool keep_merges)
{
	const char *adv = saved_value(s, "advisor_mode");
	bool unmerged = !keep_merges;
	int ret = 0, r;

	/*
	 * Unmerge everything (this also stops ksmd until run is restored) —
	 * or, with other users' merges to keep, only stop ksmd.
	 */
	r = kr_sysfs_write("run", keep_merges ? "0" : "2");
	if (r) {
		fprintf(stderr, "ksmsim-kernel-replay: cannot write %s/run=%s: %s\n",
			KR_SYSFS_DIR, keep_merges ? "0" : "2", strerror(-r));
		ret = -1;
	}
	for (const char *const *n = early; *n; n++) {
		/* With the advisor on, it owns pages_to_scan (EINVAL). */
		const struct ksm_snap_field *f = ksm_field_find(ksm_snap_knob_fields, *n);

		if (advisor_owned(*n) && adv && strcmp(adv, "none"))
			continue;
		if (f && (f->flags & KSM_F_EMPTY_TREE))
			ret |= restore_needs_empty_tree(s, *n, &unmerged);
		else
			ret |= restore_one(s, *n);
	}
	for (size_t i = 0; i < s->n; i++)
		if (!listed(early, s->v[i].name) && !listed(late, s->v[i].name))
			ret |= restore_one(s, s->v[i].name);
	ret |= restore_one(s, "sleep_millisecs");
	/* run=2 again only if it was not written above */
	if (saved_value(s, "run") && (!unmerged || strcmp(saved_value(s, "run"), "2"))) {
		r = kr_sysfs_write("run", saved_value(s, "run"));
		if (r) {
			fprintf(stderr, "ksmsim-kernel-replay: cannot restore %s/run=%s: %s\n",
				KR_SYSFS_DIR, saved_value(s, "run"), strerror(-r));
			ret = -1;
		}
	}

	/* Read everything back: a restore that did not stick is an error. */
	for (size_t i = 0; i < s->n; i++) {
		char cur[64] = "?";

		if (advisor_owned(s->v[i].name) && adv && strcmp(adv, "none"))
			continue;
		if (kr_sysfs_read(s->v[i].name, cur, sizeof(cur)) ||
		    strcmp(cur, s->v[i].value)) {
			fprintf(stderr, "ksmsim-kernel-replay: %s/%s is %s after restoring, not %s\n",
				KR_SYSFS_DIR, s->v[i].name, cur, s->v[i].value);
			ret = -1;
		}
	}
	return ret ? -1 : 0;
}

int kr_journal_write(const char *path, const struct kr_settings *s,
		     struct ksm_diag *err)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return ksm_diag_set(err, tmp, 0, 0, "cannot write: %s", strerror(errno));
	fprintf(f, "# KSM settings saved by ksmsim-kernel-replay (pid %ld); a replay\n"
		   "# that finds this file restores them before it starts.\n",
		(long)getpid());
	for (size_t i = 0; i < s->n; i++)
		fprintf(f, "%s=%s\n", s->v[i].name, s->v[i].value);
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		unlink(tmp);
		return ksm_diag_set(err, tmp, 0, 0, "cannot write: %s", strerror(errno));
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
	}
	return 0;
}

int kr_journal_read(const char *path, struct kr_settings *s)
{
	FILE *f = fopen(path, "r");
	char line[256];

	s->n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && s->n < KR_MAX_SETTINGS) {
		char *eq = strchr(line, '=');

		if (line[0] == '#' || !eq)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*eq = '\0';
		snprintf(s->v[s->n].name, sizeof(s->v[s->n].name), "%.63s", line);
		snprintf(s->v[s->n].value, sizeof(s->v[s->n].value), "%.63s", eq + 1);
		s->n++;
	}
	fclose(f);
	return s->n ? 0 : -1;
}

void kr_journal_remove(const char *path)
{
	unlink(path);
}
