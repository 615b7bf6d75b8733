// SPDX-License-Identifier: MIT
/*
 * DOC: The rmap picture: the path a KSM rmap walk takes
 *
 * For one KSM page: its stable node, the node's rmap_items, each item's
 * anon_vma with its interval tree of chains, each chain's VMA, and the
 * page-table entries that map the page (the ground truth).  Every chain
 * says what each strategy did with it — not yielded by the query, yielded
 * and skipped (address out of the VMA, wrong mm for the pass), checked
 * and found, checked and missed — and every mapping says which strategies
 * found it:
 *
 *   green border  chain through which every strategy found a mapping /
 *                 mapping every strategy found
 *   red border    found by the full walk, missed by the indexed one: the
 *                 equivalence broken
 *   orange        missed by every walk (a relative ksmd has not visited)
 *
 * Drawn with the shared pieces of dot_common.c, so the anon_vma trees
 * look as in the anon_vma picture and large trees respect the node limit.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ksmsim/rmap.h"
#include "report/dot_internal.h"

/* What each strategy did with one chain: a bit per outcome, and whether
 * a query yielded it at all. */
#define SEEN_YIELDED (1u << 4)

struct avc_marks {
	const struct anon_vma_chain *avc;
	unsigned seen[RMAP__COUNT];
};

struct marks {
	struct avc_marks *v;
	size_t n;
	enum rmap_strategy current;
};

static int avc_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct avc_marks *)a)->avc;
	uintptr_t y = (uintptr_t)((const struct avc_marks *)b)->avc;

	return x < y ? -1 : x > y;
}

static void visit(void *ctx, int pass, const struct ksm_rmap_item *item,
		  const struct anon_vma_chain *avc, enum rmap_outcome o)
{
	struct marks *m = ctx;
	struct avc_marks key = { .avc = avc }, *hit;

	(void)pass;
	(void)item;
	hit = bsearch(&key, m->v, m->n, sizeof(*m->v), avc_cmp);
	if (hit)
		hit->seen[m->current] |= SEEN_YIELDED | (1u << o);
}

/* Every chain of every anon_vma the node's items hold, sorted. */
static void collect_chains(struct ksm_stable_node *node, struct marks *m)
{
	struct ksm_rmap_item *it;
	size_t cap = 0;

	LIST_FOREACH(it, &node->hlist, hlist) {
		struct anon_vma *av = it->anon_vma;
		bool dup = false;
		struct ksm_rmap_item *prev;

		LIST_FOREACH(prev, &node->hlist, hlist) {
			if (prev == it)
				break;
			dup |= prev->anon_vma == av;
		}
		if (dup)
			continue;
		for (struct itree_node *n = itree_first(&av->rb_root); n; n = itree_next(n)) {
			if (m->n == cap) {
				cap = cap ? 2 * cap : 64;
				m->v = xrealloc(m->v, cap * sizeof(*m->v));
			}
			m->v[m->n++] = (struct avc_marks){
				.avc = (const struct anon_vma_chain *)((const char *)n -
					offsetof(struct anon_vma_chain, rb)) };
		}
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), avc_cmp);
}

static void describe_seen(char *buf, size_t len, unsigned seen)
{
	static const char *const what[] = {
		[RMAP_SKIP_ADDR] = "skip addr", [RMAP_SKIP_MM] = "skip mm",
		[RMAP_MISS] = "miss", [RMAP_FOUND] = "FOUND",
	};
	size_t used = 0;

	buf[0] = '\0';
	if (!(seen & SEEN_YIELDED)) {
		snprintf(buf, len, "not yielded");
		return;
	}
	for (int o = RMAP_SKIP_ADDR; o <= RMAP_FOUND; o++)
		if (seen & (1u << o))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
						 used ? ", " : "", what[o]);
}

static bool found_by(const struct rmap_result *r, const struct mm_struct *mm, uint64_t addr)
{
	for (size_t i = 0; i < r->nfound; i++)
		if (r->found[i].mm == mm && r->found[i].addr == addr)
			return true;
	return false;
}

void dot_draw_rmap(struct dot *d, Agraph_t *g, struct folio *f)
{
	struct ksm_sim *sim = d->sim;
	struct ksm_stable_node *node = folio_stable_node(f);
	struct rmap_result r[RMAP__COUNT];
	bool ok[RMAP__COUNT];
	struct marks m = { 0 };
	struct rmap_truth gt;
	struct ksm_rmap_item *it;
	Agraph_t *page, *procs;
	Agnode_t *nn;
	size_t first, count, nfound[RMAP__COUNT] = { 0 };
	char text[256];

	d->vma_parent = procs = dot_cluster(d, g, "rmap_processes", "mappings");
	page = dot_cluster(d, g, "rmap_page", "KSM page");
	if (!node) {
		dot_note(d, page, "this KSM page has no stable node:\nno rmap walk can find its mappings");
		return;
	}
	collect_chains(node, &m);
	for (int k = 0; k < RMAP__COUNT; k++) {
		m.current = (enum rmap_strategy)k;
		ok[k] = !rmap_walk_ksm_visit(sim, f, (enum rmap_strategy)k, &r[k], visit, &m);
	}

	nn = dot_stable_node(d, page, node);
	LIST_FOREACH(it, &node->hlist, hlist) {
		Agnode_t *in = dot_rmap_item(d, page, it), *avn;

		dot_edge(d, page, nn, in, NULL, NULL, NULL);
		snprintf(text, sizeof(text), "av_%llu", (unsigned long long)it->anon_vma->id);
		if (!agnode(d->g, text, 0))
			dot_draw_one_anon_vma(d, g, it->anon_vma);
		avn = agnode(d->g, text, 0);
		if (in && avn)
			dot_edge(d, g, in, avn, "anon_vma", "bold", "blue");
	}

	/* What each strategy did with each drawn chain. */
	for (size_t i = 0; i < m.n; i++) {
		const struct anon_vma_chain *avc = m.v[i].avc;
		bool full = m.v[i].seen[RMAP_FULL] & (1u << RMAP_FOUND);
		bool indexed = m.v[i].seen[RMAP_INDEXED] & (1u << RMAP_FOUND);
		Agnode_t *cn;

		snprintf(text, sizeof(text), "avc_%llu_%llu", (unsigned long long)avc->vma->id,
			 (unsigned long long)avc->anon_vma->id);
		cn = agnode(d->g, text, 0);
		if (!cn)
			continue;
		for (int k = 0; k < RMAP__COUNT; k++) {
			char seen[96];

			if (!ok[k])
				continue;
			describe_seen(seen, sizeof(seen), m.v[i].seen[k]);
			snprintf(text, sizeof(text), "%s: %s", rmap_strategy_name((enum rmap_strategy)k), seen);
			dot_label_add(d, cn, text);
		}
		if (full && ok[RMAP_INDEXED] && !indexed) {
			dot_set(d, cn, DA_N_COLOR, "red");
			dot_set(d, cn, DA_N_PENWIDTH, "3");
		} else if (full && (!ok[RMAP_INDEXED] || indexed)) {
			dot_set(d, cn, DA_N_COLOR, "darkgreen");
			dot_set(d, cn, DA_N_PENWIDTH, "2");
		}
	}

	/* The truth: every entry that maps the page, and who found it. */
	rmap_truth_build(sim, &gt);
	rmap_truth_of(&gt, f->pfn, &first, &count);
	for (size_t i = 0; i < count; i++) {
		const struct rmap_truth_entry *e = &gt.e[first + i];
		Agnode_t *vn = dot_vma(d, dot_vma_home(d, procs, e->vma), e->vma), *pn;
		char name[64], who[96] = "";
		bool by_full = ok[RMAP_FULL] && found_by(&r[RMAP_FULL], e->task->mm, e->addr);
		bool by_indexed = ok[RMAP_INDEXED] && found_by(&r[RMAP_INDEXED], e->task->mm, e->addr);
		size_t used = 0;

		for (int k = 0; k < RMAP__COUNT; k++) {
			if (!ok[k] || !found_by(&r[k], e->task->mm, e->addr))
				continue;
			nfound[k]++;
			used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s",
						 used ? ", " : "",
						 rmap_strategy_name((enum rmap_strategy)k));
		}
		snprintf(name, sizeof(name), "pte_%llu_%llx", (unsigned long long)e->task->mm->id,
			 (unsigned long long)e->addr);
		pn = dot_node(d, dot_vma_home(d, procs, e->vma), name);
		snprintf(text, sizeof(text), "pte %s 0x%llx -> pfn %u\nfound by: %s", e->task->name,
			 (unsigned long long)e->addr, f->pfn, used ? who : "no walk");
		dot_set(d, pn, DA_N_LABEL, text);
		dot_set(d, pn, DA_N_SHAPE, "note");
		if (!used)
			dot_set(d, pn, DA_N_COLOR, "orange");
		else if (by_full && ok[RMAP_INDEXED] && !by_indexed)
			dot_set(d, pn, DA_N_COLOR, "red");
		else
			dot_set(d, pn, DA_N_COLOR, "darkgreen");
		dot_set(d, pn, DA_N_PENWIDTH, "2");
		if (vn)
			dot_edge(d, dot_vma_home(d, procs, e->vma), vn, pn, "maps", NULL, NULL);
	}
	{
		char idx[32];

		if (ok[RMAP_INDEXED])
			snprintf(idx, sizeof(idx), "%zu", nfound[RMAP_INDEXED]);
		else
			snprintf(idx, sizeof(idx), "n/a (baseline kernel)");
		snprintf(text, sizeof(text), "page pfn %u, content %llu, mapped %zu times\n"
			 "mappings found: full %zu, indexed %s, naive %zu",
			 f->pfn, (unsigned long long)f->content, count, nfound[RMAP_FULL], idx,
			 nfound[RMAP_NAIVE]);
	}
	dot_note(d, page, text);
	rmap_truth_free(&gt);
	for (int k = 0; k < RMAP__COUNT; k++)
		if (ok[k])
			rmap_result_free(&r[k]);
	free(m.v);
}
