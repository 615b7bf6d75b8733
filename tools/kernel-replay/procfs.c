// SPDX-License-Identifier: MIT
/*
 * DOC: /proc readers — what a worker's memory looks like from outside
 *
 *  - /proc/PID/ksm_stat: the six per-process KSM fields.
 *  - /proc/PID/maps: VMAs, of which only those overlapping the trace's
 *    ranges are counted (a worker also has its program, libraries, heap
 *    and stack, which the trace knows nothing of).
 *  - /proc/PID/pagemap: for every page of the trace's ranges, whether it is
 *    present and which physical page (PFN) it maps.  Root only: without
 *    CAP_SYS_ADMIN the kernel reports PFN 0 for everything.
 *  - /proc/kpageflags: per PFN, KPF_KSM (a KSM page) and KPF_ZERO_PAGE.
 *
 * The shared zero page is found once at start by mapping a page read-only,
 * reading it (which maps the zero page) and looking up its PFN; the
 * kpageflags ZERO_PAGE bit must agree, which doubles as a check that PFNs
 * are visible.  A page is "zero_pfn" when it maps that PFN — whether it got
 * there by a read fault or because KSM merged it with use_zero_pages.
 *
 * Pages swapped out are not present and are not counted; replays keep far
 * below memory pressure, so none are.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kernel-page-flags.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/array.h"
#include "core/file.h"
#include "kr.h"

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define PAGEMAP_CHUNK 1024

/*
 * Each KSM_F_PROCFS row of ksm_snap_proc_fields is a "name value" line of
 * ksm_stat (booleans are "yes"/"no"); every one must be there.
 */
int kr_read_ksm_stat(pid_t pid, struct ksm_snap_proc *sp, struct ksm_diag *err)
{
	char path[64], *buf, *line, *save = NULL;
	size_t len;
	unsigned seen = 0, want = 0;
	int r;

	snprintf(path, sizeof(path), "/proc/%ld/ksm_stat", (long)pid);
	r = sim_read_file(path, &buf, &len);
	if (r)
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	memset(&sp->stat, 0, sizeof(sp->stat));
	for (unsigned i = 0; ksm_snap_proc_fields[i].name; i++)
		if (ksm_snap_proc_fields[i].flags & KSM_F_PROCFS)
			want |= 1u << i;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const struct ksm_snap_field *f;
		char key[64], val[32];
		char *m;

		if (sscanf(line, "%63[^: ]%*[: ]%31s", key, val) != 2)
			continue;
		f = ksm_field_find(ksm_snap_proc_fields, key);
		if (!f || !(f->flags & KSM_F_PROCFS))
			continue;
		m = (char *)sp + f->offset;
		if (f->type == KSM_SNAP_BOOL)
			*(bool *)m = !strcmp(val, "yes");
		else
			*(int64_t *)m = strtoll(val, NULL, 10);
		seen |= 1u << (f - ksm_snap_proc_fields);
	}
	free(buf);
	if (seen != want)
		return ksm_diag_set(err, path, 0, 0,
				    "unexpected format (this kernel's ksm_stat lacks fields)");
	return 0;
}

int kr_count_vmas(pid_t pid, const struct kr_ranges *rs, int64_t *out,
		  struct ksm_diag *err)
{
	char path[64], *buf, *line, *save = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
	r = sim_read_file(path, &buf, &len);
	if (r)
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	*out = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx", &s, &e) == 2 &&
		    kr_ranges_overlaps(rs, s, e))
			(*out)++;
	}
	free(buf);
	return 0;
}

static int kpageflags(struct kr_pageinfo *pi, uint64_t pfn, uint64_t *flags)
{
	ssize_t k = pread(pi->kpageflags_fd, flags, sizeof(*flags),
			  (off_t)(pfn * sizeof(*flags)));

	return k == (ssize_t)sizeof(*flags) ? 0 : -1;
}

int kr_pageinfo_open(struct kr_pageinfo *pi, struct ksm_diag *err)
{
	volatile unsigned char *p;
	uint64_t e, flags;
	int fd;

	pi->kpageflags_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (pi->kpageflags_fd < 0)
		return ksm_diag_set(err, "/proc/kpageflags", 0, 0, "cannot read: %s",
				    strerror(errno));
	p = mmap(NULL, KR_PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return ksm_diag_set(err, NULL, 0, 0, "mmap: %s", strerror(errno));
	(void)p[0]; /* a read fault maps the shared zero page */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / KR_PAGE_SIZE * 8)) != 8) {
		int x = errno;

		if (fd >= 0)
			close(fd);
		munmap((void *)p, KR_PAGE_SIZE);
		return ksm_diag_set(err, "/proc/self/pagemap", 0, 0, "cannot read: %s",
				    strerror(x));
	}
	close(fd);
	munmap((void *)p, KR_PAGE_SIZE);
	if (!(e & PM_PRESENT) || !(e & PM_PFN_MASK))
		return ksm_diag_set(err, "/proc/self/pagemap", 0, 0,
				    "physical page numbers are hidden (needs CAP_SYS_ADMIN)");
	pi->zero_pfn = e & PM_PFN_MASK;
	if (kpageflags(pi, pi->zero_pfn, &flags) || !(flags & (1ULL << KPF_ZERO_PAGE)))
		return ksm_diag_set(err, "/proc/kpageflags", 0, 0,
				    "PFN %#" PRIx64 " of a read-faulted page is not flagged ZERO_PAGE",
				    pi->zero_pfn);
	return 0;
}

void kr_pageinfo_close(struct kr_pageinfo *pi)
{
	if (pi->kpageflags_fd >= 0)
		close(pi->kpageflags_fd);
	pi->kpageflags_fd = -1;
}

int kr_collect_pages(struct kr_pageinfo *pi, pid_t pid, const char *name,
		     const struct kr_ranges *rs, struct ksm_page_ref **refs,
		     size_t *n, size_t *cap, int64_t *mapped, int64_t *zero,
		     struct ksm_diag *err)
{
	uint64_t ent[PAGEMAP_CHUNK];
	char path[64];
	int fd;

	*mapped = 0;
	*zero = 0;
	snprintf(path, sizeof(path), "/proc/%ld/pagemap", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	for (size_t i = 0; i < rs->n; i++) {
		for (uint64_t a = rs->v[i].start; a < rs->v[i].end;) {
			uint64_t npg = (rs->v[i].end - a) / KR_PAGE_SIZE;
			ssize_t k;

			if (npg > PAGEMAP_CHUNK)
				npg = PAGEMAP_CHUNK;
			k = pread(fd, ent, npg * 8, (off_t)(a / KR_PAGE_SIZE * 8));
			if (k != (ssize_t)(npg * 8)) {
				close(fd);
				return ksm_diag_set(err, path, 0, 0, "short read at %#" PRIx64, a);
			}
			for (uint64_t j = 0; j < npg; j++) {
				uint64_t pfn, flags = 0;
				struct ksm_page_ref *r;

				if (!(ent[j] & PM_PRESENT))
					continue;
				pfn = ent[j] & PM_PFN_MASK;
				if (pfn != pi->zero_pfn && kpageflags(pi, pfn, &flags)) {
					close(fd);
					return ksm_diag_set(err, "/proc/kpageflags", 0, 0,
							    "cannot read the flags of PFN %#" PRIx64, pfn);
				}
				ARRAY_GROW(*refs, *cap, *n + 1, 1024);
				r = &(*refs)[(*n)++];
				r->name = name;
				r->addr = a + j * KR_PAGE_SIZE;
				r->phys = pfn;
				r->zero = pfn == pi->zero_pfn;
				r->ksm = !!(flags & (1ULL << KPF_KSM));
				(*mapped)++;
				if (r->zero)
					(*zero)++;
			}
			a += npg * KR_PAGE_SIZE;
		}
	}
	close(fd);
	return 0;
}
