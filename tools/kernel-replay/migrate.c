// SPDX-License-Identifier: MIT
/*
 * DOC: `migrate P ADDR` on the live kernel — move_pages(2)
 *
 * The simulator's `migrate` (sim/rmap/migrate.c) moves a page to the other
 * node of its two-node model after an rmap walk.  Here the kernel does it:
 * move_pages(2) of the page at ADDR in P's worker to another NUMA node,
 * with MPOL_MF_MOVE_ALL (a KSM page is mapped by several processes; root
 * has CAP_SYS_NICE), which runs do_pages_move -> migrate_pages ->
 * migrate_folio_unmap -> try_to_migrate -> rmap_walk (rmap_walk_ksm for a
 * KSM page), the path the simulator models.  The record written is the
 * simulator's migrate record (include/ksmsim/snapshot.h), made the same
 * way:
 *
 *  1. ksmd is parked (checked, as for every observation); P:ADDR must map
 *     a page of the trace's ranges that is not the zero page — the
 *     simulator's precondition, with its message;
 *  2. before: every (process, address) of the trace's ranges whose
 *     pagemap PFN is the page's: the page's mappings, sorted by process
 *     name, then address;
 *  3. the page's node (move_pages with nodes NULL is a status query) and
 *     the target: the next node with memory after it, wrapping, so that on
 *     two nodes a page goes 0, 1, 0 as in the simulator;
 *  4. the per-CPU LRU batches are drained (ksmd.c): a folio still in a
 *     batch holds an extra reference and is not on the LRU, so isolating
 *     it fails and the migration fails for a reason that has nothing to do
 *     with rmap.  do_pages_move() calls lru_cache_disable() itself (6.18
 *     and later); the drain keeps the replay from depending on that, as
 *     before ksmd batches.  --no-drain leaves it out;
 *  5. move_pages(MPOL_MF_MOVE_ALL).  A failed migration — the page still
 *     mapped after try_to_migrate() because the walk missed a mapping, or
 *     an unexpected reference — is a positive return (the number of pages
 *     not migrated) and may leave the status entry unwritten: it starts at
 *     a sentinel, and a positive return means "not moved".  A negative
 *     status (the page could not even be queued) is an error;
 *  6. after: each mapping's PFN again — the old one, the one P:ADDR maps
 *     now ("new"), another one, or none — and the node of what it maps (a
 *     status query per mapping; -1 for none and for the zero page, which
 *     move_pages reports as -EFAULT).
 *
 * With a single NUMA node nothing can move, and kr_replay() refuses a
 * trace with a migrate before it runs anything (kr_numa_nodes()).
 *
 * Where pages are born: the simulator allocates every page on node 0.
 * On a machine with several nodes the kernel allocates on the node of
 * the CPU that faults, so the replay sets its memory policy to prefer the
 * first node with memory before it spawns any worker (workers inherit
 * it): pages are born there, and a migrate record's target_node and
 * nodes do not depend on where the scheduler ran a worker.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/array.h"
#include "kr.h"

/* include/uapi/linux/mempolicy.h */
#ifndef MPOL_MF_MOVE_ALL
#define MPOL_MF_MOVE_ALL (1 << 2)
#endif
#ifndef MPOL_PREFERRED
#define MPOL_PREFERRED 1
#endif

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define NO_PFN UINT64_MAX      /* nothing present                    */
#define STATUS_UNSET INT_MIN   /* a status move_pages did not write  */

static long move_pages(pid_t pid, unsigned long n, void **pages, const int *nodes,
		       int *status, int flags)
{
	return syscall(SYS_move_pages, (long)pid, n, pages, nodes, status, flags);
}

/* The nodes of a sysfs node list ("0", "0-3,5"), ascending; how many. */
static size_t parse_node_list(const char *s, int *nodes, size_t max)
{
	size_t n = 0;

	while (*s && *s != '\n') {
		char *end;
		long a = strtol(s, &end, 10), b = a;

		if (end == s || a < 0)
			return 0;
		if (*end == '-') {
			const char *q = end + 1;

			b = strtol(q, &end, 10);
			if (end == q || b < a)
				return 0;
		}
		for (long i = a; i <= b && n < max; i++)
			nodes[n++] = (int)i;
		if (*end != ',' && *end != '\n' && *end)
			return 0;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

size_t kr_numa_nodes(int *nodes, size_t max)
{
	/* A migration target needs memory; older kernels lack has_memory. */
	static const char *const files[] = {
		"/sys/devices/system/node/has_memory",
		"/sys/devices/system/node/online",
	};

	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		char buf[512];
		int fd = open(files[f], O_RDONLY | O_CLOEXEC);
		ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		size_t n;

		if (fd >= 0)
			close(fd);
		if (k <= 0)
			continue;
		buf[k] = '\0';
		n = parse_node_list(buf, nodes, max);
		if (n)
			return n;
	}
	nodes[0] = 0; /* no NUMA information (CONFIG_NUMA=n): one node */
	return 1;
}

void kr_numa_prefer_first(bool verbose)
{
	int nodes[KR_MAX_NODES];
	unsigned long mask[KR_MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };
	size_t n = kr_numa_nodes(nodes, KR_MAX_NODES);
	const unsigned bits = 8 * sizeof(unsigned long);

	if (n < 2)
		return; /* nothing to choose */
	mask[(unsigned)nodes[0] / bits] |= 1UL << ((unsigned)nodes[0] % bits);
	if (syscall(SYS_set_mempolicy, MPOL_PREFERRED, mask,
		    (unsigned long)(sizeof(mask) * 8)) < 0) {
		fprintf(stderr, "ksmsim-kernel-replay: set_mempolicy(MPOL_PREFERRED, node %d): %s; "
			"pages are allocated where the scheduler runs the workers\n", nodes[0],
			strerror(errno));
		return;
	}
	if (verbose)
		fprintf(stderr, "ksmsim-kernel-replay: %zu NUMA nodes; workers allocate on node %d\n",
			n, nodes[0]);
}

/* The PFN @pid maps at @addr (pagemap), NO_PFN when nothing is present. */
static int pfn_at(pid_t pid, uint64_t addr, uint64_t *pfn, struct ksm_diag *err)
{
	char path[64];
	uint64_t e;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/pagemap", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	if (pread(fd, &e, sizeof(e), (off_t)(addr / KR_PAGE_SIZE * 8)) != (ssize_t)sizeof(e)) {
		close(fd);
		return ksm_diag_set(err, path, 0, 0, "short read at %#" PRIx64, addr);
	}
	close(fd);
	*pfn = (e & PM_PRESENT) ? (e & PM_PFN_MASK) : NO_PFN;
	return 0;
}

/* The node of the page @pid maps at @addr; -1 for none or the zero page. */
static int node_at(pid_t pid, uint64_t addr, int64_t *node, struct ksm_diag *err)
{
	void *page = (void *)(uintptr_t)addr;
	int status = STATUS_UNSET;

	if (move_pages(pid, 1, &page, NULL, &status, 0) < 0)
		return ksm_diag_set(err, NULL, 0, 0, "move_pages (the node of %#" PRIx64
				    " in pid %ld): %s", addr, (long)pid, strerror(errno));
	if (status >= 0)
		*node = status;
	else if (status == -ENOENT || status == -EFAULT)
		*node = -1;
	else
		return ksm_diag_set(err, NULL, 0, 0, "move_pages (the node of %#" PRIx64
				    " in pid %ld): status %d", addr, (long)pid, status);
	return 0;
}

/* Step 2: the mappings of @pfn in every live process's trace ranges. */
static int collect_mappings(struct kr_state *st, struct kr_proc *p, uint64_t addr,
			    uint64_t pfn, struct ksm_migrate_rec *m, struct ksm_diag *err)
{
	struct kr_ctl *c = st->ctl;
	struct ksm_page_ref *refs = NULL;
	size_t nrefs = 0, cap = 0, n = 0;

	for (size_t i = 0; i < c->n; i++) {
		int64_t mapped, zero;

		if (kr_collect_pages(st->pi, c->procs[i].pid, c->procs[i].name,
				     &c->procs[i].ranges, &refs, &nrefs, &cap, &mapped,
				     &zero, err)) {
			free(refs);
			return -1;
		}
	}
	for (size_t i = 0; i < nrefs; i++)
		n += refs[i].phys == pfn;
	m->mappings = calloc(n ? n : 1, sizeof(*m->mappings));
	if (!m->mappings) {
		free(refs);
		return ksm_diag_set(err, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < nrefs; i++) {
		struct ksm_migrate_mapping *e;

		if (refs[i].phys != pfn)
			continue;
		e = &m->mappings[m->nmappings++];
		snprintf(e->proc, sizeof(e->proc), "%s", refs[i].name);
		e->addr = refs[i].addr;
		if (!strcmp(refs[i].name, p->name) && refs[i].addr == addr)
			m->ksm = refs[i].ksm;
	}
	free(refs);
	ksm_migrate_sort(m);
	return 0;
}

int kr_migrate(struct kr_state *st, struct kr_proc *p, uint64_t addr, unsigned line,
	       struct ksm_snapshot *out, unsigned *arg, long *ret, struct ksm_diag *err)
{
	struct ksm_migrate_rec *m = &out->migrate;
	void *page = (void *)(uintptr_t)addr;
	int nodes[KR_MAX_NODES], target, status = STATUS_UNSET;
	uint64_t old_pfn, new_pfn = NO_PFN, pfn;
	size_t nnodes, k;
	int64_t cur;

	memset(out, 0, sizeof(*out));
	*arg = 0;
	out->kind = KSM_RECORD_MIGRATE;
	out->line = line;
	out->label = strdup("");
	if (!out->label)
		return ksm_diag_set(err, NULL, 0, 0, "out of memory");
	snprintf(m->proc, sizeof(m->proc), "%s", p->name);
	m->addr = addr;
	if (kr_ksmd_check_quiet(st->ksmd, err))
		goto fail;

	/* 1. the page: the simulator's precondition and message */
	old_pfn = NO_PFN;
	if (kr_ranges_overlaps(&p->ranges, addr, addr + KR_PAGE_SIZE) &&
	    pfn_at(p->pid, addr, &old_pfn, err))
		goto fail;
	if (old_pfn == NO_PFN || old_pfn == st->pi->zero_pfn) {
		*arg = 2;
		ksm_diag_set(err, NULL, 0, 0, "no page is mapped at 0x%" PRIx64
			     " (or only the zero page)", addr);
		goto fail;
	}

	/* 2. its mappings */
	if (collect_mappings(st, p, addr, old_pfn, m, err))
		goto fail;

	/* 3. from which node to which */
	nnodes = kr_numa_nodes(nodes, KR_MAX_NODES);
	if (node_at(p->pid, addr, &cur, err))
		goto fail;
	if (cur < 0) {
		ksm_diag_set(err, NULL, 0, 0, "move_pages reports no node for the page at %#" PRIx64,
			     addr);
		goto fail;
	}
	for (k = 0; k < nnodes && nodes[k] <= cur; k++)
		;
	target = k < nnodes ? nodes[k] : nodes[0];
	if (target == cur) {
		ksm_diag_set(err, NULL, 0, 0, "migrate needs a second NUMA node; this machine has %zu",
			     nnodes);
		goto fail;
	}
	m->target_node = target;

	/* 4, 5. drain, migrate */
	kr_drain_lru(st->ksmd);
	*ret = move_pages(p->pid, 1, &page, &target, &status, MPOL_MF_MOVE_ALL);
	if (*ret < 0) {
		ksm_diag_set(err, NULL, 0, 0, "move_pages (%#" PRIx64 " to node %d, MPOL_MF_MOVE_ALL): %s",
			     addr, target, strerror(errno));
		goto fail;
	}
	if (*ret == 0) {
		if (status == target) {
			m->moved = true;
		} else if (status < 0 && status != STATUS_UNSET) {
			ksm_diag_set(err, NULL, 0, 0, "move_pages could not take the page at %#" PRIx64
				     " (status: %s)", addr, strerror(-status));
			goto fail;
		} else {
			ksm_diag_set(err, NULL, 0, 0, "move_pages returned 0 with status %d for the page at %#"
				     PRIx64 " (target node %d)", status, addr, target);
			goto fail;
		}
	}
	/* *ret > 0: not migrated (the status may be unwritten) */

	/* 6. what each mapping maps now, and where */
	if (pfn_at(p->pid, addr, &pfn, err))
		goto fail;
	if (pfn != NO_PFN && pfn != old_pfn && pfn != st->pi->zero_pfn)
		new_pfn = pfn;
	for (size_t i = 0; i < m->nmappings; i++) {
		struct ksm_migrate_mapping *e = &m->mappings[i];
		struct kr_proc *q = kr_ctl_find(st->ctl, e->proc);

		if (!q || pfn_at(q->pid, e->addr, &pfn, err)) {
			if (!q)
				ksm_diag_set(err, NULL, 0, 0, "process %s is gone", e->proc);
			goto fail;
		}
		if (pfn == NO_PFN) {
			e->frame = KSM_FRAME_NONE;
			e->node = -1;
			continue;
		}
		e->frame = pfn == old_pfn ? KSM_FRAME_OLD :
			   pfn == new_pfn ? KSM_FRAME_NEW : KSM_FRAME_OTHER;
		if (node_at(q->pid, e->addr, &e->node, err))
			goto fail;
		if (e->node < 0 && e->frame != KSM_FRAME_OTHER) {
			ksm_diag_set(err, NULL, 0, 0, "move_pages reports no node for the page at %s:%#"
				     PRIx64, e->proc, e->addr);
			goto fail;
		}
	}
	/* Nothing else may have run meanwhile. */
	if (kr_ksmd_check_quiet(st->ksmd, err))
		goto fail;
	return 0;
fail:
	ksm_snapshot_free(out);
	return -1;
}
