// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim compare — what differs after one command
 *
 * The two machines' snapshot records compared by the differ of `ksmsim
 * diff`, the outcome of the last migrate, and the rmap check of every KSM
 * page on each machine, its findings matched between the two by kind and
 * page.  See compare.h.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/compare.h"
#include "core/alloc.h"
#include "ksmsim/rmap.h"
#include "ksmsim/snapshot_diff.h"
#include "mm/internal.h"

static void add_diff(struct field_diff **v, size_t *n, size_t *cap, const char *field,
		     const char *a, const char *b)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	snprintf((*v)[*n].field, sizeof((*v)[*n].field), "%s", field);
	snprintf((*v)[*n].a, sizeof((*v)[*n].a), "%s", a);
	snprintf((*v)[*n].b, sizeof((*v)[*n].b), "%s", b);
	(*n)++;
}

static void on_field_diff(void *ctx, const struct ksm_snapshot *a,
			  const struct ksm_snapshot *b, const char *field,
			  const char *va, const char *vb)
{
	struct diffs *d = ctx;

	(void)a;
	(void)b;
	add_diff(&d->fd, &d->nfd, &d->capfd, field, va, vb);
}

static void on_migrate_diff(void *ctx, const struct ksm_snapshot *a,
			    const struct ksm_snapshot *b, const char *field,
			    const char *va, const char *vb)
{
	struct diffs *d = ctx;

	(void)a;
	(void)b;
	add_diff(&d->md, &d->nmd, &d->capmd, field, va, vb);
}

/*
 * The two machines' records, compared by the differ of `ksmsim diff`
 * (sim/report/snapshot_diff.c) with the values as `expect` prints them.
 * The sizes of the sharing groups are left out: they follow from groups,
 * grouped and the hash.  Line and label are the same on both by
 * construction, and so are the processes (one trace made them).
 */
void diff_snapshots(const struct ksm_snapshot *a, const struct ksm_snapshot *b,
			   struct diffs *d)
{
	static const char *const ignore[] = { "sharing.sizes" };
	struct ksm_snapdiff_opts o = { .ignore = ignore, .nignore = 1, .expect_values = true,
				       .on_diff = on_field_diff, .ctx = d };

	ksm_snapdiff_compare(a, 1, b, 1, &o);
}

/* What `expect migrate.*` sees of the last migrate on each machine. */
void diff_migrations(const struct ksm_migrate_summary *a,
			    const struct ksm_migrate_summary *b, struct diffs *d)
{
	struct ksm_snapdiff_opts o = { .expect_values = true, .on_diff = on_migrate_diff,
				       .ctx = d };

	ksm_snapdiff_fields("migrate", ksm_snap_migrate_summary_fields, a, b, &o);
}

/* ---- the rmap check of each machine ---- */

static void on_finding(void *ctx, enum rmap_finding_kind kind, struct folio *page,
		       const char *text)
{
	struct side *s = ctx;

	if (s->nf == s->capf) {
		s->capf = s->capf ? s->capf * 2 : 16;
		s->f = xrealloc(s->f, s->capf * sizeof(*s->f));
	}
	s->f[s->nf++] = (struct finding){ .kind = kind, .pfn = page->pfn, .text = xstrdup(text) };
}

void drop_findings(struct side *s)
{
	for (size_t i = 0; i < s->nf; i++)
		free(s->f[i].text);
	s->nf = 0;
}

/*
 * Check every KSM page of @s's machine.  Findings are matched between the
 * machines by kind and page: their texts differ where the kernels do
 * (lpi's lists each item's index), which is not a difference of outcome.
 */
void check_side(struct side *s)
{
	struct rmap_check_summary sum = { .on_finding = on_finding, .ctx = s, .anon = false };
	struct rmap_truth gt;

	drop_findings(s);
	rmap_check(s->sim, &sum);
	if (!s->nf)
		return;
	rmap_truth_build(s->sim, &gt);
	for (size_t i = 0; i < s->nf; i++) {
		struct finding *f = &s->f[i];
		const struct rmap_truth_entry *best = NULL;
		size_t first, count;

		rmap_truth_of(&gt, f->pfn, &first, &count);
		for (size_t j = first; j < first + count; j++) {
			const struct rmap_truth_entry *e = &gt.e[j];
			int c = best ? strcmp(e->task->name, best->task->name) : -1;

			if (c < 0 || (c == 0 && e->addr < best->addr))
				best = e;
		}
		if (best)
			snprintf(f->page, sizeof(f->page), "%s:0x%llx", best->task->name,
				 (unsigned long long)best->addr);
		else
			snprintf(f->page, sizeof(f->page), "pfn %u", f->pfn);
	}
	rmap_truth_free(&gt);
}

void diff_findings(struct side side[2], struct diffs *d)
{
	for (int k = 0; k < 2; k++) {
		d->only[k] = xcalloc(side[k].nf + 1, sizeof(*d->only[k]));
		for (size_t i = 0; i < side[k].nf; i++)
			side[k].f[i].matched = false;
	}
	for (size_t i = 0; i < side[0].nf; i++)
		for (size_t j = 0; j < side[1].nf; j++) {
			struct finding *x = &side[0].f[i], *y = &side[1].f[j];

			if (!y->matched && x->kind == y->kind && !strcmp(x->page, y->page)) {
				x->matched = y->matched = true;
				break;
			}
		}
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < side[k].nf; i++)
			if (!side[k].f[i].matched)
				d->only[k][d->nonly[k]++] = &side[k].f[i];
}

void diffs_free(struct diffs *d)
{
	free(d->fd);
	free(d->md);
	free(d->only[0]);
	free(d->only[1]);
	memset(d, 0, sizeof(*d));
}

bool diffs_empty(const struct diffs *d)
{
	return !d->nfd && !d->nmd && !d->nonly[0] && !d->nonly[1];
}
