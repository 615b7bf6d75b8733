// SPDX-License-Identifier: MIT
/*
 * DOC: The rmap equivalence checker (`check`)
 *
 * For every KSM page of the machine: walk it with each strategy, read its
 * ground truth, and compare the sets of mappings (process, address):
 *
 *   full != indexed     the equivalence the linear_page_index series
 *                       relies on is broken: a failure
 *   naive != full       the negative control (wrong after mremap): a
 *                       finding
 *   full != truth       a mapping every strategy misses — a forked child
 *                       or parent not yet visited by ksmd, or a KSM page
 *                       with no stable node: a finding
 *
 * and for every ordinary anonymous page, the anon walk against the truth
 * (a miss there is a finding too; the kernel relies on it never
 * happening).  Every finding says which page, which rmap_items, which
 * mappings and why the walk could not reach them.  Only reads.
 */
#include <stdlib.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "ksmsim/rmap.h"
#include "ksmsim/rmap_check.h"
#include "mm/internal.h"

struct mapping_key {
	uint64_t mm_id;
	uint64_t addr;
	struct mm_struct *mm;
};

static int key_cmp(const void *pa, const void *pb)
{
	const struct mapping_key *a = pa, *b = pb;

	if (a->mm_id != b->mm_id)
		return a->mm_id < b->mm_id ? -1 : 1;
	return a->addr < b->addr ? -1 : a->addr > b->addr;
}

struct mapping_set {
	struct mapping_key *k;
	size_t n;
};

/* Sort and drop repeats (a walk may reach one mapping from two items). */
static void set_normalise(struct mapping_set *s)
{
	size_t w = 0;

	if (!s->n)
		return;
	qsort(s->k, s->n, sizeof(*s->k), key_cmp);
	for (size_t i = 1; i < s->n; i++)
		if (key_cmp(&s->k[i], &s->k[w]))
			s->k[++w] = s->k[i];
	s->n = w + 1;
}

static void set_from_result(struct mapping_set *s, const struct rmap_result *r)
{
	s->n = r->nfound;
	s->k = xcalloc(s->n ? s->n : 1, sizeof(*s->k));
	for (size_t i = 0; i < r->nfound; i++)
		s->k[i] = (struct mapping_key){ r->found[i].mm->id, r->found[i].addr, r->found[i].mm };
	set_normalise(s);
}

static void set_from_truth(struct mapping_set *s, const struct rmap_truth *gt,
			   uint64_t pfn)
{
	size_t first, count;

	rmap_truth_of(gt, pfn, &first, &count);
	s->n = count;
	s->k = xcalloc(count ? count : 1, sizeof(*s->k));
	for (size_t i = 0; i < count; i++) {
		const struct rmap_truth_entry *e = &gt->e[first + i];

		s->k[i] = (struct mapping_key){ e->task->mm->id, e->addr, e->task->mm };
	}
	set_normalise(s);
}

static bool set_has(const struct mapping_set *s, const struct mapping_key *k)
{
	return s->n && bsearch(k, s->k, s->n, sizeof(*s->k), key_cmp) != NULL;
}

static bool set_subset(const struct mapping_set *a, const struct mapping_set *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!set_has(b, &a->k[i]))
			return false;
	return true;
}

static bool set_equal(const struct mapping_set *a, const struct mapping_set *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->k, b->k, a->n * sizeof(*a->k)));
}

/* A growing text buffer for one report. */
struct text {
	char *s;
	size_t len, cap;
};

static void tprintf(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void describe_items(struct ksm_sim *sim, const struct ksm_stable_node *node,
			   struct text *t)
{
	const struct ksm_rmap_item *it;
	bool first = true;

	tprintf(t, "rmap_items:");
	LIST_FOREACH(it, &node->hlist, hlist) {
		tprintf(t, "%s %s:0x%llx", first ? "" : ",", it->mm->owner,
			(unsigned long long)(it->address & KSM_PAGE_MASK));
		if (sim->ksm->kernel == KSM_KERNEL_LPI)
			tprintf(t, " (index 0x%llx)",
				(unsigned long long)rmap_item_linear_page_index(sim->ksm, it));
		first = false;
	}
	if (first)
		tprintf(t, " none");
}

/* The rmap_item of @mm at @addr, if it has one. */
static struct ksm_rmap_item *item_of(struct mm_struct *mm, uint64_t addr)
{
	if (!mm->ksm_slot)
		return NULL;
	for (struct ksm_rmap_item *it = mm->ksm_slot->rmap_list; it; it = it->rmap_list)
		if ((it->address & KSM_PAGE_MASK) == addr)
			return it;
	return NULL;
}

static bool vma_in_tree(const struct anon_vma *av, const struct vm_area_struct *vma)
{
	const struct anon_vma_chain *avc;

	TAILQ_FOREACH(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == av)
			return true;
	return false;
}

/* Why no walk through @node reaches @k. */
static void explain_miss(const struct ksm_stable_node *node, const struct mapping_key *k,
			 struct text *t)
{
	struct vm_area_struct *vma = vma_lookup(k->mm, k->addr);
	struct ksm_rmap_item *own = item_of(k->mm, k->addr);
	const struct ksm_rmap_item *it;
	const char *why_item;

	if (!own)
		why_item = "has no rmap_item at that address yet";
	else if (own->address & STABLE_FLAG)
		why_item = own->head == node ? "has an rmap_item on this page's node" :
			   "has an rmap_item on another stable node";
	else if (own->address & UNSTABLE_FLAG)
		why_item = "has an unstable rmap_item there (ksmd has not visited it since the page became KSM)";
	else
		why_item = "has a volatile rmap_item there (ksmd has not visited it since the page became KSM)";
	tprintf(t, "\n    %s:0x%llx (VMA [0x%llx,0x%llx) pgoff 0x%llx): %s %s",
		k->mm->owner, (unsigned long long)k->addr,
		(unsigned long long)vma->vm_start, (unsigned long long)vma->vm_end,
		(unsigned long long)vma->vm_pgoff, k->mm->owner, why_item);
	LIST_FOREACH(it, &node->hlist, hlist) {
		uint64_t a = it->address & KSM_PAGE_MASK;

		if (!vma_in_tree(it->anon_vma, vma))
			continue;
		if (a != k->addr)
			tprintf(t, "; its VMA is in the tree of %s:0x%llx's anon_vma, but that item's address is 0x%llx (the page sits elsewhere in %s: moved by mremap)",
				it->mm->owner, (unsigned long long)a, (unsigned long long)a,
				k->mm->owner);
		else
			tprintf(t, "; its VMA is in the tree of %s:0x%llx's anon_vma at that address",
				it->mm->owner, (unsigned long long)a);
		return;
	}
	tprintf(t, "; its VMA is in the tree of none of the items' anon_vmas (not a fork descendant of their owners' VMAs)");
}

static void list_missing(const struct ksm_stable_node *node, const struct mapping_set *want,
			 const struct mapping_set *got, struct text *t, bool explain)
{
	size_t listed = 0;

	for (size_t i = 0; i < want->n; i++)
		listed += !set_has(got, &want->k[i]);
	if (!listed) {
		tprintf(t, " (none)");
		return;
	}
	for (size_t i = 0; i < want->n; i++) {
		if (set_has(got, &want->k[i]))
			continue;
		if (explain)
			explain_miss(node, &want->k[i], t);
		else
			tprintf(t, "\n    %s:0x%llx", want->k[i].mm->owner,
				(unsigned long long)want->k[i].addr);
	}
}

static void emit(struct rmap_check_summary *sum, enum rmap_finding_kind kind,
		 struct folio *page, struct text *t)
{
	sum->count[kind]++;
	if (sum->on_finding)
		sum->on_finding(sum->ctx, kind, page, t->s ? t->s : "");
	if (kind == RMAP_FINDING_DIVERGENCE && !sum->first_divergence[0])
		snprintf(sum->first_divergence, sizeof(sum->first_divergence), "%s",
			 t->s ? t->s : "");
	t->len = 0;
	if (t->s)
		t->s[0] = '\0';
}

static void check_ksm_page(struct ksm_sim *sim, struct folio *f,
			   const struct rmap_truth *gt, struct rmap_check_summary *sum,
			   struct text *t)
{
	struct ksm_stable_node *node = folio_stable_node(f);
	struct rmap_result r[RMAP__COUNT];
	struct mapping_set s[RMAP__COUNT] = { { 0 } }, truth = { 0 };
	bool have_indexed;

	set_from_truth(&truth, gt, f->pfn);
	sum->ksm_pages++;
	if (!node) {
		if (truth.n) {
			tprintf(t, "KSM page pfn %u (token %llu) has no stable node: no walk can find its %zu mappings",
				f->pfn, (unsigned long long)f->content, truth.n);
			list_missing(NULL, &truth, &s[0], t, false);
			emit(sum, RMAP_FINDING_NO_NODE, f, t);
		}
		free(truth.k);
		return;
	}
	for (int k = 0; k < RMAP__COUNT; k++) {
		if (rmap_walk_ksm(sim, f, (enum rmap_strategy)k, &r[k]) == 0)
			set_from_result(&s[k], &r[k]);
		sum->iterations[k] += r[k].pass[0].iterations + r[k].pass[1].iterations;
		rmap_result_free(&r[k]);
	}
	have_indexed = sim->ksm->kernel == KSM_KERNEL_LPI;
	if (have_indexed && !set_equal(&s[RMAP_FULL], &s[RMAP_INDEXED])) {
		tprintf(t, "KSM page pfn %u (token %llu): full walk finds %zu mappings, indexed %zu; ",
			f->pfn, (unsigned long long)f->content, s[RMAP_FULL].n, s[RMAP_INDEXED].n);
		describe_items(sim, node, t);
		tprintf(t, "; found by full only:");
		list_missing(node, &s[RMAP_FULL], &s[RMAP_INDEXED], t, false);
		tprintf(t, "; found by indexed only:");
		list_missing(node, &s[RMAP_INDEXED], &s[RMAP_FULL], t, false);
		emit(sum, RMAP_FINDING_DIVERGENCE, f, t);
	}
	if (!set_equal(&s[RMAP_NAIVE], &s[RMAP_FULL])) {
		tprintf(t, "KSM page pfn %u (token %llu): the naive walk (address >> PAGE_SHIFT) misses %zu of the %zu mappings the full walk finds (page offsets moved by mremap); ",
			f->pfn, (unsigned long long)f->content, s[RMAP_FULL].n - s[RMAP_NAIVE].n,
			s[RMAP_FULL].n);
		describe_items(sim, node, t);
		tprintf(t, "; missed:");
		list_missing(node, &s[RMAP_FULL], &s[RMAP_NAIVE], t, false);
		emit(sum, RMAP_FINDING_NAIVE_MISS, f, t);
	}
	for (int k = 0; k < RMAP__COUNT; k++) {
		/* Walks check the entry they find, so what they report must be
		 * in the truth; say so loudly if it ever is not. */
		if (set_subset(&s[k], &truth))
			continue;
		tprintf(t, "KSM page pfn %u (token %llu): the %s walk reports mappings no page table has:",
			f->pfn, (unsigned long long)f->content,
			rmap_strategy_name((enum rmap_strategy)k));
		list_missing(node, &s[k], &truth, t, false);
		emit(sum, RMAP_FINDING_PHANTOM, f, t);
	}
	if (!set_equal(&s[RMAP_FULL], &truth)) {
		tprintf(t, "KSM page pfn %u (token %llu) is mapped %zu times; every walk misses %zu of them until ksmd visits them; ",
			f->pfn, (unsigned long long)f->content, truth.n, truth.n - s[RMAP_FULL].n);
		describe_items(sim, node, t);
		tprintf(t, "; missed:");
		list_missing(node, &truth, &s[RMAP_FULL], t, true);
		emit(sum, RMAP_FINDING_ALL_MISS, f, t);
	}
	for (int k = 0; k < RMAP__COUNT; k++)
		free(s[k].k);
	free(truth.k);
}

static void check_anon_page(struct ksm_sim *sim, struct folio *f,
			    const struct rmap_truth *gt, struct rmap_check_summary *sum,
			    struct text *t)
{
	struct rmap_result r;
	struct mapping_set found, truth;

	rmap_walk_anon(sim, f, &r);
	set_from_result(&found, &r);
	set_from_truth(&truth, gt, f->pfn);
	sum->anon_pages++;
	if (!set_subset(&found, &truth)) {
		tprintf(t, "anonymous page pfn %u (index 0x%llx): the anon walk reports mappings no page table has:",
			f->pfn, (unsigned long long)f->index);
		list_missing(NULL, &found, &truth, t, false);
		emit(sum, RMAP_FINDING_PHANTOM, f, t);
	}
	if (!set_equal(&found, &truth)) {
		tprintf(t, "anonymous page pfn %u (index 0x%llx) is mapped %zu times, the anon walk finds %zu; missed:",
			f->pfn, (unsigned long long)f->index, truth.n, found.n);
		list_missing(NULL, &truth, &found, t, false);
		emit(sum, RMAP_FINDING_ANON_MISS, f, t);
	}
	rmap_result_free(&r);
	free(found.k);
	free(truth.k);
}

void rmap_check(struct ksm_sim *sim, struct rmap_check_summary *sum)
{
	struct rmap_truth gt;
	struct text t = { 0 };
	bool any = sum->anon;

	/*
	 * Without anonymous pages to check, a machine without KSM pages has
	 * nothing to compare: skip building the truth (compare checks after
	 * every command, and most commands of a long trace come before ksmd
	 * has merged anything).
	 */
	for (uint32_t pfn = 1; !any && pfn < sim->mem.nr_pfns; pfn++)
		any = (pfn_folio(sim, pfn)->flags & (FOLIO_FREE | FOLIO_KSM)) == FOLIO_KSM;
	if (!any)
		return;
	rmap_truth_build(sim, &gt);
	for (uint32_t pfn = 1; pfn < sim->mem.nr_pfns; pfn++) {
		struct folio *f = pfn_folio(sim, pfn);

		if (f->flags & FOLIO_FREE)
			continue;
		if (f->flags & FOLIO_KSM)
			check_ksm_page(sim, f, &gt, sum, &t);
		else if (sum->anon)
			check_anon_page(sim, f, &gt, sum, &t);
	}
	free(t.s);
	rmap_truth_free(&gt);
}

const char *rmap_finding_name(enum rmap_finding_kind kind)
{
	static const char *const names[RMAP_FINDING__COUNT] = {
		[RMAP_FINDING_DIVERGENCE] = "divergence",
		[RMAP_FINDING_NAIVE_MISS] = "naive-miss",
		[RMAP_FINDING_ALL_MISS] = "all-miss",
		[RMAP_FINDING_NO_NODE] = "no-node",
		[RMAP_FINDING_ANON_MISS] = "anon-miss",
		[RMAP_FINDING_PHANTOM] = "phantom",
	};

	return names[kind];
}
