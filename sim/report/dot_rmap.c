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
 *   thick green border        chain through which every strategy found
 *                             a mapping / mapping every strategy found
 *   thick red dashed border   found by the full walk, missed by the
 *                             indexed one: the equivalence broken
 *   orange dashed border      missed by every walk (a relative ksmd has
 *                             not visited)
 *
 * These borders are the divergence's own language: tree colours are
 * grey shades and words (dot_rb_colour()), and the legend says so.
 *
 * A page of a big family (256 mappings in one-page VMAs, an anon_vma of
 * 20,000 chains) is folded: the interval trees are cut at a fixed depth
 * except for the chains through which a walk found the page, and runs of
 * mappings that every walk found alike are one node; a divergent mapping
 * or one no walk found is always drawn alone.
 *
 * Drawn with the shared pieces (dot_objects.c, dot_tree.c, dot_items.c),
 * so the anon_vma trees look as in the anon_vma picture and large trees respect the node limit.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
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
	bool ran[RMAP__COUNT];  /* the strategies this kernel has */
	unsigned nran;
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

static struct avc_marks *marks_of(struct marks *m, const struct anon_vma_chain *avc)
{
	struct avc_marks key = { .avc = avc };

	return bsearch(&key, m->v, m->n, sizeof(*m->v), avc_cmp);
}

/*
 * A chain through which some walks found the page and others did not is
 * the divergence: it stays in the picture however big its tree.  Chains
 * through which every walk found it are many in a big family and alike.
 */
static bool chain_found(struct dot *d, const struct anon_vma_chain *avc)
{
	struct marks *m = d->pin_ctx;
	struct avc_marks *am = marks_of(m, avc);
	unsigned found = 0;

	if (!am)
		return false;
	for (int k = 0; k < RMAP__COUNT; k++)
		if (m->ran[k] && (am->seen[k] & (1u << RMAP_FOUND)))
			found++;
	return found && found != m->nran;
}

/* One page-table entry mapping the page, and the walks that found it. */
struct truth_row {
	const struct rmap_truth_entry *e;
	unsigned found;      /* bit per strategy */
	bool divergent;      /* full found it, indexed did not */
};

struct truth_ctx {
	struct truth_row *row;
	unsigned all;        /* bits of the strategies that ran */
};

static bool row_same(void *ctx, size_t i, size_t j)
{
	struct truth_ctx *x = ctx;
	const struct truth_row *a = &x->row[i], *b = &x->row[j];

	/* Only the unremarkable fold: found by every walk that ran. */
	return a->e->task == b->e->task && a->found == x->all && b->found == x->all;
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

/* Found by the full walk, missed by the indexed one. */
static void divergent(struct dot *d, Agnode_t *n)
{
	const char *style = agxget(n, d->sym[DA_N_STYLE]);
	char st[64];

	d->uses |= DOT_USES_WALKS;
	snprintf(st, sizeof(st), "%s%sdashed", style, style[0] ? "," : "");
	dot_set(d, n, DA_N_STYLE, st);
	dot_set(d, n, DA_N_COLOR, "red");
	dot_set(d, n, DA_N_PENWIDTH, "4");
}

static void draw_truth(struct dot *d, Agraph_t *procs, struct folio *f,
		       const struct rmap_truth *gt, size_t first, size_t count,
		       const struct rmap_result *r, const bool *ok, size_t *nfound)
{
	struct truth_ctx x = { .row = xcalloc(count + 1, sizeof(*x.row)) };
	struct dot_run *runs = xmalloc(sizeof(*runs) * (count + 1));
	size_t nruns;
	char text[256];

	for (int k = 0; k < RMAP__COUNT; k++)
		if (ok[k])
			x.all |= 1u << k;
	for (size_t i = 0; i < count; i++) {
		const struct rmap_truth_entry *e = &gt->e[first + i];
		struct truth_row *row = &x.row[i];

		row->e = e;
		for (int k = 0; k < RMAP__COUNT; k++) {
			if (!ok[k] || !found_by(&r[k], e->task->mm, e->addr))
				continue;
			row->found |= 1u << k;
			nfound[k]++;
		}
		row->divergent = (row->found & (1u << RMAP_FULL)) && ok[RMAP_INDEXED] &&
				 !(row->found & (1u << RMAP_INDEXED));
	}
	nruns = dot_runs(count, d->fold, row_same, &x, runs);
	for (size_t ri = 0; ri < nruns; ri++) {
		for (unsigned p = 0; p < runs[ri].period; p++) {
			size_t i0 = runs[ri].start + p;
			size_t cnt = (runs[ri].len - p + runs[ri].period - 1) / runs[ri].period;
			size_t il = i0 + (cnt - 1) * runs[ri].period;
			const struct truth_row *row = &x.row[i0];
			const struct rmap_truth_entry *e = row->e;
			Agraph_t *home = dot_vma_home(d, procs, e->vma);
			char who[96] = "";
			size_t used = 0;
			Agnode_t *pn, *vn = NULL;

			for (int k = 0; k < RMAP__COUNT; k++)
				if (row->found & (1u << k))
					used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s",
								 used ? ", " : "",
								 rmap_strategy_name((enum rmap_strategy)k));
			if (runs[ri].len > 1) {
				pn = dot_fold_node(d, home, DOTK_VMA, cnt);
				if (!pn)
					continue;
				d->uses |= DOT_USES_FOLD;
				snprintf(text, sizeof(text), "%zu mappings like this (%s)\n"
					 "pte %s 0x%llx ... 0x%llx -> pfn %u\nfound by: %s",
					 cnt, e->task->name, e->task->name, (unsigned long long)e->addr,
					 (unsigned long long)x.row[il].e->addr, f->pfn, who);
			} else {
				char name[64];

				vn = dot_vma(d, home, e->vma);
				snprintf(name, sizeof(name), "pte_%llu_%llx",
					 (unsigned long long)e->task->mm->id,
					 (unsigned long long)e->addr);
				pn = dot_node(d, home, name);
				snprintf(text, sizeof(text), "pte %s 0x%llx -> pfn %u\nfound by: %s",
					 e->task->name, (unsigned long long)e->addr, f->pfn,
					 used ? who : "no walk");
			}
			dl_reset(&d->lb);
			for (const char *t = text; *t;) {
				size_t len = strcspn(t, "\n");

				dl_line(&d->lb, "%.*s", (int)len, t);
				t += len + (t[len] == '\n');
			}
			dot_set(d, pn, DA_N_LABEL, d->lb.s);
			dot_set(d, pn, DA_N_SHAPE, "note");
			dot_set(d, pn, DA_N_PENWIDTH, "3");
			if (!used) {
				dot_mark(d, pn);
				dot_set(d, pn, DA_N_STYLE, "dashed");
			} else if (row->divergent) {
				divergent(d, pn);
			} else {
				d->uses |= DOT_USES_WALKS;
				dot_set(d, pn, DA_N_COLOR, "darkgreen");
			}
			if (vn)
				dot_edge(d, home, vn, pn, "maps", NULL, NULL);
		}
	}
	free(runs);
	free(x.row);
}

void dot_draw_rmap(struct dot *d, Agraph_t *g, struct folio *f)
{
	struct ksm_sim *sim = d->sim;
	struct ksm_stable_node *node = folio_stable_node(f);
	struct rmap_result r[RMAP__COUNT];
	bool ok[RMAP__COUNT];
	struct marks m = { 0 };
	struct rmap_truth gt;
	struct ksm_rmap_item *it, **items;
	size_t nitems;
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
	d->avc_pinned = chain_found;
	d->pin_ctx = &m;
	for (int k = 0; k < RMAP__COUNT; k++) {
		m.current = (enum rmap_strategy)k;
		ok[k] = !rmap_walk_ksm_visit(sim, f, (enum rmap_strategy)k, &r[k], visit, &m);
		m.ran[k] = ok[k];
		m.nran += ok[k];
	}

	nn = dot_stable_node(d, page, node);
	/* The items, as on the stable tree's picture: a list, runs folded. */
	nitems = 0;
	LIST_FOREACH(it, &node->hlist, hlist)
		nitems++;
	items = xmalloc(sizeof(*items) * (nitems + 1));
	nitems = 0;
	LIST_FOREACH(it, &node->hlist, hlist)
		items[nitems++] = it;
	dot_draw_items(d, page, items, nitems, nn, NULL, NULL, NULL);
	for (size_t i = 0; i < nitems; i++) {
		Agnode_t *in, *avn;

		it = items[i];
		snprintf(text, sizeof(text), "item_%llu", (unsigned long long)it->id);
		in = agnode(d->g, text, 0);
		if (!in)
			in = dot_alias_get(d, it);
		snprintf(text, sizeof(text), "av_%llu", (unsigned long long)it->anon_vma->id);
		if (!agnode(d->g, text, 0))
			dot_draw_one_anon_vma(d, g, it->anon_vma);
		avn = agnode(d->g, text, 0);
		/* A fold of items of one anon_vma points at it once. */
		if (in && avn && !agedge(d->g, in, avn, NULL, 0))
			dot_edge(d, g, in, avn, "anon_vma", "bold", "blue");
	}
	free(items);

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
			divergent(d, cn);
		} else if (full && (!ok[RMAP_INDEXED] || indexed)) {
			d->uses |= DOT_USES_WALKS;
			dot_set(d, cn, DA_N_COLOR, "darkgreen");
			dot_set(d, cn, DA_N_PENWIDTH, "3");
		}
	}

	/* The truth: every entry that maps the page, and who found it. */
	rmap_truth_build(sim, &gt);
	rmap_truth_of(&gt, f->pfn, &first, &count);
	draw_truth(d, procs, f, &gt, first, count, r, ok, nfound);
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
	d->avc_pinned = NULL;
	d->pin_ctx = NULL;
	free(m.v);
}
