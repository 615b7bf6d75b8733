// SPDX-License-Identifier: MIT
/*
 * DOC: The replayer's rmap commands: check, rmap, migrate
 *
 *   check          compare every KSM page's walks with each other and
 *                  with the ground truth (sim/check/rmap_check.c); a
 *                  divergence between full and indexed fails the replay,
 *                  other findings are reported (and fail with --strict)
 *   rmap P ADDR    walk the page at P:ADDR with every strategy and print
 *                  what each visited, skipped and found
 *   migrate P ADDR migrate that page with the machine's walk strategy;
 *                  its migrate record goes to the snapshot stream and its
 *                  summary is what `expect migrate.*` checks
 *
 * Reports go to opts->report as lines that start with the command's
 * FILE:LINE:COL.  With --check=each the check runs after every command;
 * a finding is printed at the first command after which it appears, not
 * again while it persists.
 */
#include <inttypes.h>
#include <string.h>

#include "ksm/ksm_state.h"
#include "ksmsim/dot.h"
#include "ksmsim/migrate.h"
#include "ksmsim/rmap.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/snapshot.h"
#include "mm/internal.h"
#include "replay/replay_internal.h"

struct check_ctx {
	struct replay *r;
	const struct trace_cmd *c;
	bool after_each;
	uint64_t now[64];    /* hashes of this check's findings */
	unsigned nnow;
};

static uint64_t text_hash(enum rmap_finding_kind kind, const char *text)
{
	uint64_t h = KSM_FNV1A64_INIT;

	h = ksm_fnv1a64(h, &kind, sizeof(kind));
	return ksm_fnv1a64(h, text, strlen(text));
}

static bool seen_last_time(const struct replay_result *res, uint64_t h)
{
	for (unsigned i = 0; i < res->nlast; i++)
		if (res->last_findings[i] == h)
			return true;
	return false;
}

/* The rmap picture of a page the checker reports, next to the report. */
static void draw_finding(struct check_ctx *x, enum rmap_finding_kind kind,
			 struct folio *page)
{
	const struct trace_cmd *c = x->c;
	char file[4096], title[128];
	struct sim_error e;

	snprintf(file, sizeof(file), "%s/check-line%u-pfn%u-%s.dot", x->r->opts->check_dot_dir,
		 c->argpos[0].line, page->pfn, rmap_finding_name(kind));
	snprintf(title, sizeof(title), "check at %s line %u: %s", x->r->file,
		 c->argpos[0].line, rmap_finding_name(kind));
	if (sim_dot_rmap_folio(x->r->sim, page, file, title, &e) && x->r->opts->report)
		fprintf(x->r->opts->report, "%s:%u:%u: check: cannot draw %s: %s\n",
			x->r->file, c->argpos[0].line, c->argpos[0].col, file, e.msg);
	else if (x->r->opts->report)
		fprintf(x->r->opts->report, "%s:%u:%u: check: drew %s\n", x->r->file,
			c->argpos[0].line, c->argpos[0].col, file);
}

static void on_finding(void *ctx, enum rmap_finding_kind kind, struct folio *page,
		       const char *text)
{
	struct check_ctx *x = ctx;
	const struct trace_cmd *c = x->c;
	uint64_t h = text_hash(kind, text);
	FILE *out = x->r->opts->report;

	if (x->nnow < sizeof(x->now) / sizeof(x->now[0]))
		x->now[x->nnow++] = h;
	if (x->after_each && seen_last_time(x->r->res, h))
		return;
	x->r->res->reported[kind]++;
	if (x->r->opts->on_check_finding)
		x->r->opts->on_check_finding(x->r->opts->ctx, c, kind, text);
	if (out)
		fprintf(out, "%s:%u:%u: check%s: %s: %s\n", x->r->file,
			c->argpos[0].line, c->argpos[0].col,
			x->after_each ? " (after this command)" : "",
			rmap_finding_name(kind), text);
	if (x->r->opts->check_dot_dir && (page->flags & FOLIO_KSM))
		draw_finding(x, kind, page);
}

int replay_check(struct replay *r, const struct trace_cmd *c, bool after_each)
{
	struct check_ctx x = { .r = r, .c = c, .after_each = after_each };
	struct rmap_check_summary sum = { .on_finding = on_finding, .ctx = &x, .anon = true };
	unsigned long total = 0;

	rmap_check(r->sim, &sum);
	r->res->checks++;
	/* The checker compares full with indexed only where the kernel has
	 * the indexed walk; the summary says so instead of passing silently. */
	if (r->sim->ksm->kernel != KSM_KERNEL_LPI)
		r->res->checks_without_index++;
	r->res->ksm_pages_checked += sum.ksm_pages;
	r->res->anon_pages_checked += sum.anon_pages;
	for (int k = 0; k < RMAP_FINDING__COUNT; k++) {
		r->res->findings[k] += sum.count[k];
		total += sum.count[k];
	}
	memcpy(r->res->last_findings, x.now, x.nnow * sizeof(x.now[0]));
	r->res->nlast = x.nnow;
	if (sum.count[RMAP_FINDING_PHANTOM]) {
		replay_fail_at(r, c, 0, "check%s: a walk reports a mapping that no page table has (a model bug)",
			       after_each ? " (after this command)" : "");
		return 1;
	}
	if (sum.count[RMAP_FINDING_DIVERGENCE]) {
		replay_fail_at(r, c, 0, "check%s: the full and indexed rmap walks reach different mappings: %s",
			       after_each ? " (after this command)" : "", sum.first_divergence);
		return 1;
	}
	if (r->opts->strict && total) {
		replay_fail_at(r, c, 0, "check%s: %lu findings, and --strict makes any finding fail",
			       after_each ? " (after this command)" : "", total);
		return 1;
	}
	return 0;
}

#define MAX_LISTED 16 /* mappings listed per line; the rest are counted */

static void print_mappings(FILE *out, const char *what, const struct rmap_mapping *m,
			   size_t n)
{
	fprintf(out, "  %-8s", what);
	for (size_t i = 0; i < n && i < MAX_LISTED; i++)
		fprintf(out, " %s:0x%" PRIx64, m[i].mm->owner, m[i].addr);
	if (n > MAX_LISTED)
		fprintf(out, " ... and %zu more", n - MAX_LISTED);
	fprintf(out, "%s\n", n ? "" : " (none)");
}

int replay_rmap(struct replay *r, const struct trace_cmd *c, struct task *t)
{
	FILE *out = r->opts->report;
	struct rmap_truth gt;
	struct folio *f;
	size_t first, count;

	f = rmap_folio_at(r->sim, t, c->addr);
	if (!f)
		return replay_fail_at(r, c, 2, "no page is mapped at 0x%" PRIx64 " (or only the zero page)",
				      c->addr);
	if (!out)
		return 0;
	rmap_truth_build(r->sim, &gt);
	rmap_truth_of(&gt, f->pfn, &first, &count);
	fprintf(out, "%s:%u:%u: rmap %s:0x%" PRIx64 ": %s page pfn %u, token %" PRIu64 ", mapped %zu times\n",
		r->file, c->argpos[0].line, c->argpos[0].col, t->name, c->addr,
		folio_test_ksm(f) ? "KSM" : "anonymous", f->pfn, f->content, count);
	fprintf(out, "  %-8s %4s %10s %10s %8s %8s %6s %9s\n", "strategy", "pass",
		"iterations", "skip_addr", "skip_mm", "rmap_one", "found", "max_item");
	for (int k = 0; k < RMAP__COUNT; k++) {
		struct rmap_result res;

		if (folio_test_ksm(f)) {
			if (rmap_walk_ksm(r->sim, f, (enum rmap_strategy)k, &res)) {
				fprintf(out, "  %-8s (needs sim.kernel=lpi)\n",
					rmap_strategy_name((enum rmap_strategy)k));
				continue;
			}
		} else {
			if (k != RMAP_INDEXED)
				continue;
			rmap_walk_anon(r->sim, f, &res);
		}
		for (int p = 0; p < 2; p++)
			fprintf(out, "  %-8s %4d %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %8" PRIu64
				" %6" PRIu64 " %9" PRIu64 "\n",
				folio_test_ksm(f) ? rmap_strategy_name((enum rmap_strategy)k) : "anon",
				p, res.pass[p].iterations, res.pass[p].skip_addr, res.pass[p].skip_mm,
				res.pass[p].rmap_one, res.pass[p].found, res.pass[p].max_item_iterations);
		print_mappings(out, folio_test_ksm(f) ? rmap_strategy_name((enum rmap_strategy)k) : "anon",
			       res.found, res.nfound);
		rmap_result_free(&res);
	}
	fprintf(out, "  %-8s", "truth");
	for (size_t i = 0; i < count && i < MAX_LISTED; i++)
		fprintf(out, " %s:0x%" PRIx64, gt.e[first + i].task->name, gt.e[first + i].addr);
	if (count > MAX_LISTED)
		fprintf(out, " ... and %zu more", count - MAX_LISTED);
	fprintf(out, "%s\n", count ? "" : " (none)");
	rmap_truth_free(&gt);
	return 0;
}

int replay_migrate(struct replay *r, const struct trace_cmd *c, struct task *t)
{
	struct migrate_result res;
	struct ksm_snapshot rec;
	struct sim_error e;
	int ret = 0;

	if (sim_migrate_record(r->sim, t, c->addr, c->argpos[0].line, &res, &rec, &e)) {
		ksm_snapshot_free(&rec);
		return replay_fail_at(r, c, replay_word_of(c, e.arg), "%s", e.msg);
	}
	ksm_migrate_summarize(&rec.migrate, &r->res->last_migrate);
	r->res->has_migrate = true;
	if (r->opts->snapshots && ksm_snapshot_write(r->opts->snapshots, &rec))
		ret = replay_fail_at(r, c, 0, "cannot write the migrate record");
	ksm_snapshot_free(&rec);
	if (ret || !r->opts->report)
		return ret;
	if (res.moved)
		fprintf(r->opts->report,
			"%s:%u:%u: migrate %s:0x%" PRIx64 ": %s page moved from pfn %" PRIu64
			" to pfn %" PRIu64 " (%s walk found all %u mappings)\n",
			r->file, c->argpos[0].line, c->argpos[0].col, t->name, c->addr,
			res.ksm ? "KSM" : "anonymous", res.old_pfn, res.new_pfn,
			res.ksm ? rmap_strategy_name(res.strategy) : "anon", res.mapcount);
	else
		fprintf(r->opts->report,
			"%s:%u:%u: migrate %s:0x%" PRIx64 ": failed: the %s walk found %zu of the %u mappings of pfn %" PRIu64
			"; the page stays (it could not be compacted, offlined or reclaimed either)\n",
			r->file, c->argpos[0].line, c->argpos[0].col, t->name, c->addr,
			res.ksm ? rmap_strategy_name(res.strategy) : "anon", res.found,
			res.mapcount, res.old_pfn);
	return 0;
}
