// SPDX-License-Identifier: MIT
/*
 * DOC: Other KSM users — who else has memory registered with KSM
 *
 * ksmd scans every mm registered with it, not only the trace's: another
 * process's mergeable pages add to pages_scanned (a trace scanned 7,954
 * pages a round instead of 128), to every global counter, and take part in
 * the trees; and the replay's start-up run=2 would unmerge that process's
 * pages.  So before any knob is touched the replayer looks for them.
 *
 * What is looked at, per process (/proc/PID, every PID of our namespace):
 *
 *  - ksm_stat `ksm_mergeable: yes` — the mm has a VM_MERGEABLE VMA now
 *    (MADV_MERGEABLE, or merge-any).  Exact and cheap, but only on kernels
 *    that print it (6.18 and 7.2 do; older ones print fewer fields);
 *  - ksm_stat `ksm_merge_any: yes` — PR_SET_MEMORY_MERGE is on (every new
 *    VMA will be mergeable) — where printed;
 *  - ksm_stat `ksm_rmap_items` > 0 or `ksm_merging_pages` > 0 — ksmd has
 *    already scanned or merged some of its pages; present on every kernel
 *    with ksm_stat, but 0 for a process that registered while ksmd was
 *    stopped (run=0), so not enough on its own;
 *  - without `ksm_mergeable` (an older kernel): /proc/PID/smaps, VMAs whose
 *    VmFlags contain `mg` (VM_MERGEABLE).  Exact on every kernel, but
 *    reading smaps walks each process's page tables, so it is only the
 *    fallback.
 *
 * Kernel threads and zombies have no mm: their ksm_stat is empty and they
 * are skipped.  So is this process.  Inside a guest (--guest) the only
 * processes are the guest's init (this program, no mergeable memory) and
 * the replay's own, so nothing is found there.
 *
 * What it cannot see: a process of another PID namespace (a container)
 * is not in our /proc.  The global counters catch it once ksmd has
 * scanned it: pages_shared + pages_sharing + pages_unshared +
 * pages_volatile is the number of rmap_items (pages_volatile is defined
 * as the rest), so more items than the visible processes hold is someone
 * unseen — or items of processes that exited while ksmd was stopped:
 * run=0 keeps them, and their stable nodes, until ksmd next visits the
 * dead mm (measured on 6.18: a 64-page user killed with run=0 left
 * pages_shared 1, pages_sharing 63).  The two cannot be told apart by
 * the counters, so the state of ksmd decides: while it runs (run=1) it
 * drops a dead mm's items within a round, and unexplained items are
 * counted as another user (transiently wrong for one round after a user
 * exits); while it is stopped they are most likely leftovers, which the
 * replay's run=2 clears — that is only a warning.  A process that registered and then
 * withdrew every VMA (MADV_UNMERGEABLE) keeps an mm slot that nothing
 * shows on 6.18; it holds no pages, but it is one more mm in ksmd's list.
 *
 * KSMSIM_KR_PROC, when set, is read instead of /proc (for the tests:
 * ksm_stat files of older kernels, smaps without them).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kr.h"

static const char *proc_root(void)
{
	const char *p = getenv("KSMSIM_KR_PROC");

	return p && *p ? p : "/proc";
}

/* Read a small /proc file into @buf (truncated); bytes read, or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -errno;
	while (n + 1 < size) {
		ssize_t k = read(fd, buf + n, size - n - 1);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (!k)
			break;
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/*
 * Parse ksm_stat text ("key value" or "key: value" lines).  Sets
 * *@has_mergeable when the kernel prints ksm_mergeable.  Return: false
 * for an empty file (no mm: a kernel thread or a zombie).
 */
static bool parse_ksm_stat(char *text, struct kr_ksm_user *u, bool *has_mergeable)
{
	char *line, *save = NULL;
	bool any = false;

	*has_mergeable = false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64], val[32];

		if (sscanf(line, "%63[^: ]%*[: ]%31s", key, val) != 2)
			continue;
		any = true;
		if (!strcmp(key, "ksm_rmap_items"))
			u->rmap_items = strtoll(val, NULL, 10);
		else if (!strcmp(key, "ksm_merging_pages"))
			u->merging_pages = strtoll(val, NULL, 10);
		else if (!strcmp(key, "ksm_merge_any"))
			u->merge_any = !strcmp(val, "yes");
		else if (!strcmp(key, "ksm_mergeable")) {
			u->mergeable = !strcmp(val, "yes");
			*has_mergeable = true;
		}
	}
	return any;
}

/* VMAs of /proc/PID/smaps whose VmFlags hold "mg"; -1 if unreadable. */
static long count_mg_vmas(const char *dir)
{
	char path[320], line[512];
	FILE *f;
	long n = 0;

	snprintf(path, sizeof(path), "%s/smaps", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "VmFlags:", 8))
			continue;
		for (char *p = line + 8; (p = strstr(p, "mg"));) {
			/* a whole two-letter flag, not part of another */
			if (p[-1] == ' ' && (p[2] == ' ' || p[2] == '\n' || !p[2])) {
				n++;
				break;
			}
			p += 2;
		}
	}
	fclose(f);
	return n;
}

static int64_t sysfs_or_zero(const char *name)
{
	char path[300], buf[64];
	int64_t v;

	if (!strcmp(proc_root(), "/proc")) {
		if (kr_sysfs_read_i64(name, &v))
			return 0;
		return v > 0 ? v : 0;
	}
	/* A test's fake tree: its counters are under PROC/ksm/NAME. */
	snprintf(path, sizeof(path), "%s/ksm/%s", proc_root(), name);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	v = strtoll(buf, NULL, 10);
	return v > 0 ? v : 0;
}

void kr_foreign_scan(struct kr_foreign *f, pid_t self)
{
	const char *root = proc_root();
	DIR *d = opendir(root);
	struct dirent *de;
	int64_t visible_items = 0;

	memset(f, 0, sizeof(*f));
	if (!d)
		return;
	while ((de = readdir(d))) {
		char dir[280], path[320], text[1024];
		struct kr_ksm_user u = { 0 };
		bool has_mergeable = false;
		ssize_t k;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end || pid == (long)self)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		snprintf(path, sizeof(path), "%s/ksm_stat", dir);
		k = read_small(path, text, sizeof(text));
		if (k == -ENOENT && access(dir, F_OK)) {
			continue; /* gone meanwhile */
		} else if (k > 0) {
			if (!parse_ksm_stat(text, &u, &has_mergeable))
				continue; /* no mm */
		} else if (k == 0) {
			continue; /* no mm */
		} else if (k != -ENOENT) {
			f->unreadable++; /* not root, or it is exiting */
			continue;
		}
		/* No ksm_mergeable (or no ksm_stat at all): VmFlags "mg". */
		if (!has_mergeable) {
			long mg = count_mg_vmas(dir);

			if (mg < 0)
				continue;
			u.mg_vmas = mg;
			f->used_smaps = true;
		}
		visible_items += u.rmap_items;
		if (!u.mergeable && !u.merge_any && !u.rmap_items && !u.merging_pages &&
		    !u.mg_vmas)
			continue;
		u.pid = (pid_t)pid;
		snprintf(path, sizeof(path), "%s/comm", dir);
		if (read_small(path, u.comm, sizeof(u.comm)) <= 0)
			snprintf(u.comm, sizeof(u.comm), "?");
		u.comm[strcspn(u.comm, "\n")] = '\0';
		if (f->n < KR_MAX_FOREIGN)
			f->v[f->n] = u;
		f->n++;
	}
	closedir(d);

	f->pages_shared = sysfs_or_zero("pages_shared");
	f->pages_sharing = sysfs_or_zero("pages_sharing");
	f->pages_unshared = sysfs_or_zero("pages_unshared");
	f->pages_volatile = sysfs_or_zero("pages_volatile");
	f->unexplained = f->pages_shared + f->pages_sharing + f->pages_unshared +
			 f->pages_volatile - visible_items;
	if (f->unexplained < 0)
		f->unexplained = 0;
	f->ksmd_running = sysfs_or_zero("run") == 1;
}

bool kr_foreign_any(const struct kr_foreign *f)
{
	return f->n || (f->unexplained && f->ksmd_running);
}

void kr_foreign_print(FILE *out, const char *prefix, const struct kr_foreign *f)
{
	for (size_t i = 0; i < f->n && i < KR_MAX_FOREIGN; i++) {
		const struct kr_ksm_user *u = &f->v[i];
		const char *sep = "";

		fprintf(out, "%spid %ld (%s):", prefix, (long)u->pid, u->comm);
		if (u->mergeable) {
			fprintf(out, " mergeable memory (ksm_mergeable yes)");
			sep = ",";
		}
		if (u->mg_vmas) {
			fprintf(out, "%s %ld mergeable VMA(s) (smaps VmFlags mg)", sep, u->mg_vmas);
			sep = ",";
		}
		if (u->merge_any) {
			fprintf(out, "%s merge-any (PR_SET_MEMORY_MERGE)", sep);
			sep = ",";
		}
		if (u->merging_pages) {
			fprintf(out, "%s %" PRId64 " merged page(s)", sep, u->merging_pages);
			sep = ",";
		}
		if (u->rmap_items)
			fprintf(out, "%s %" PRId64 " rmap item(s)", sep, u->rmap_items);
		fputc('\n', out);
	}
	if (f->n > KR_MAX_FOREIGN)
		fprintf(out, "%s... and %zu more\n", prefix, f->n - KR_MAX_FOREIGN);
	if (f->unexplained)
		fprintf(out, "%s%" PRId64 " rmap item(s) of KSM's counters (pages_shared %" PRId64
			", pages_sharing %" PRId64 ", pages_unshared %" PRId64 ", pages_volatile %"
			PRId64 ") belong to no process listed in %s, %s\n", prefix, f->unexplained,
			f->pages_shared, f->pages_sharing, f->pages_unshared, f->pages_volatile,
			proc_root(), f->ksmd_running ?
			"with ksmd running: a process of another PID namespace (a container)" :
			"with ksmd stopped: most likely left by processes that exited meanwhile "
			"(run=2 clears them), or a process of another PID namespace (a container)");
}
