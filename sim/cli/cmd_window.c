// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim window — where the index-guided rmap walk misses a mapping
 *
 *   ksmsim window [--svg FILE] [--json] [--recorded KERNEL=FILE]...
 *                 [--progress|--quiet] TRACE
 *
 * The project's question in one command.  TRACE is replayed on two
 * machines in lockstep, one the baseline kernel (Linux 6.18: the full
 * walk) and one the lpi kernel (the linear_page_index series: the walk
 * asks each rmap_item's anon_vma only for [index, index]), whatever the
 * trace's own `set sim.kernel` says.  After every command every KSM page
 * of the lpi machine is walked both ways; the commands between which the
 * indexed walk finds fewer mappings than the full walk form a *window*.
 * For each window the report names the commands that open and close it,
 * the processes that map the page, the rmap_items on its stable node with
 * the index each carries, and the mappings the indexed walk misses; for
 * each `migrate` command, what each kernel did (a page whose walk misses
 * a mapping cannot move).  --svg draws the rmap picture of the first
 * window's page as the window opens.  --recorded adds, for each `migrate`,
 * what a real kernel did: the migrate record of that line in a snapshot
 * stream recorded by ksmsim-kernel-replay (traces/guest/KERNEL/NAME.jsonl
 * holds them for the guest kernels).
 *
 * Exit status: 0 no window, 1 at least one window, 2 bad usage or input.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/window.h"
#include "core/alloc.h"
#include "core/outfile.h"
#include "ksmsim/dot.h"
#include "ksmsim/ksm.h"
#include "ksmsim/migrate.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap.h"
#include "ksmsim/rmap_check.h"

const char *const window_kernel_name[WIN_NKERNELS] = { "baseline", "lpi" };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim window [--svg FILE] [--json] [--recorded KERNEL=FILE]...\n"
		"                     [--progress|--quiet] TRACE\n"
		"\n"
		"Replays TRACE on the baseline and the lpi kernel side by side and\n"
		"reports every window in which the lpi kernel's index-guided rmap walk\n"
		"misses a mapping of a KSM page that the full walk finds: the commands\n"
		"that open and close it, who maps the page, the rmap_items and their\n"
		"indexes, the missed mappings, and what each `migrate` did on each\n"
		"kernel.  The trace's own `set sim.kernel` is overridden and its `dot`\n"
		"commands draw nothing.\n"
		"\n"
		"  --svg FILE  draw the rmap picture of the first window's KSM page\n"
		"              as the window opens (.svg, .png, .pdf or DOT text)\n"
		"  --json      the report as one JSON object on stdout\n"
		"  --progress  progress on stderr even when it is not a terminal\n"
		"              (on a terminal it is shown for runs over a second)\n"
		"  --quiet     no progress (not with --progress)\n"
		"  --recorded KERNEL=FILE\n"
		"              also show what a real kernel did at each `migrate`: FILE is\n"
		"              TRACE's snapshot stream recorded there by ksmsim-kernel-replay\n"
		"              (e.g. lpi=traces/guest/lpi/NAME.jsonl); repeatable, up to 4\n"
		"\n"
		"Exit status: 0 no window, 1 a window was found, 2 bad usage or input.\n");
}

static void where_of(struct window_where *w, const struct rmap_mapping *m)
{
	snprintf(w->proc, sizeof(w->proc), "%s", m->mm->owner);
	w->addr = m->addr;
	w->pgoff = m->vma->vm_pgoff + ((m->addr - m->vma->vm_start) >> KSM_PAGE_SHIFT);
	w->has_index = false;
}

/* Is @m among the first @n mappings of @r? */
static bool found_in(const struct rmap_result *r, size_t n, const struct rmap_mapping *m)
{
	for (size_t i = 0; i < n; i++)
		if (r->found[i].mm == m->mm && r->found[i].addr == m->addr)
			return true;
	return false;
}

/*
 * Mappings a walk found, each counted once: once a forked child's item has
 * joined the stable node, the full walk reaches the child's mapping from
 * the child's item and from the parent's (pass 1), as the kernel's does.
 */
static size_t distinct(const struct rmap_result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nfound; i++)
		n += !found_in(r, i, &r->found[i]);
	return n;
}

/* Describe @page of the lpi machine: both walks and its rmap_items. */
static void view_page(struct ksm_sim *sim, struct folio *page, struct page_view *v)
{
	struct rmap_item_view items[WIN_MAX_LISTED];
	struct rmap_result full, idx;

	memset(v, 0, sizeof(*v));
	v->token = page->content;
	v->mapcount = page->mapcount;
	rmap_walk_ksm(sim, page, RMAP_FULL, &full);
	rmap_walk_ksm(sim, page, RMAP_INDEXED, &idx);
	v->full_found = distinct(&full);
	v->indexed_found = distinct(&idx);
	for (size_t i = 0; i < full.nfound; i++) {
		if (found_in(&full, i, &full.found[i]))
			continue; /* seen already */
		if (v->nmaps < WIN_MAX_LISTED)
			where_of(&v->maps[v->nmaps++], &full.found[i]);
		if (!found_in(&idx, idx.nfound, &full.found[i])) {
			if (v->nmissed < WIN_MAX_LISTED)
				where_of(&v->missed[v->nmissed], &full.found[i]);
			v->nmissed++;
		}
	}
	v->nitems = rmap_ksm_items(sim, page, items, WIN_MAX_LISTED);
	for (size_t i = 0; i < v->nitems && i < WIN_MAX_LISTED; i++) {
		snprintf(v->items[i].proc, sizeof(v->items[i].proc), "%s", items[i].owner);
		v->items[i].addr = items[i].addr;
		v->items[i].index = items[i].index;
		v->items[i].has_index = items[i].has_index;
	}
	rmap_result_free(&full);
	rmap_result_free(&idx);
}

struct divergence_scan {
	struct folio *first; /* the first KSM page whose walks differ */
};

static void on_finding(void *ctx, enum rmap_finding_kind kind, struct folio *page,
		       const char *text)
{
	struct divergence_scan *d = ctx;

	(void)text;
	if (kind == RMAP_FINDING_DIVERGENCE && !d->first)
		d->first = page;
}

/* The first KSM page of @sim whose full and indexed walks differ, or NULL. */
static struct folio *divergent_page(struct ksm_sim *sim)
{
	struct divergence_scan d = { NULL };
	struct rmap_check_summary sum = { .on_finding = on_finding, .ctx = &d };

	rmap_check(sim, &sum);
	return d.first;
}

/* Before a `migrate`: how many of its mappings the kernel's walk finds. */
static void migrate_walk(struct ksm_sim *sim, const struct trace_cmd *c,
			 size_t *found, size_t *mapcount)
{
	struct task *task = sim_find_task(sim, c->proc[0]);
	struct folio *page = task ? rmap_folio_at(sim, task, c->addr) : NULL;
	struct rmap_result r;

	*found = *mapcount = 0;
	if (!page)
		return;
	*mapcount = page->mapcount;
	if (page->flags & FOLIO_KSM)
		rmap_walk_ksm(sim, page, ksm_walk_strategy(sim), &r);
	else
		rmap_walk_anon(sim, page, &r);
	*found = distinct(&r);
	rmap_result_free(&r);
}

static void draw(struct window_report *rep, struct ksm_sim *sim, struct folio *page, size_t cmd)
{
	char title[256];
	struct sim_error e;

	snprintf(title, sizeof(title), "%s, after line %u: the lpi kernel's indexed walk misses a mapping",
		 rep->t->file, rep->t->cmds[cmd].argpos[0].line);
	if (sim_dot_rmap_folio(sim, page, rep->svg, title, &e)) {
		fprintf(stderr, "ksmsim window: cannot draw %s: %s\n", rep->svg, e.msg);
		rep->svg_failed = true;
	} else {
		rep->svg_written = true;
	}
}

/* Replay every command on both machines; fill @rep.  0, or 2 on bad input. */
static int run(struct ksm_sim *sim[WIN_NKERNELS], struct window_report *rep)
{
	const struct trace *t = rep->t;
	struct replay_opts opts = { .invariants = REPLAY_CHECK_END, .skip_dot = true };
	struct replay_result res[WIN_NKERNELS] = { { 0 } };
	struct window *open = NULL;
	struct ksm_diag err = { 0 };

	for (size_t i = 0; i < t->ncmds; i++) {
		const struct trace_cmd *c = &t->cmds[i];
		struct migrate_view mv = { .cmd = i, .in_window = open != NULL };
		struct folio *page;

		for (int k = 0; k < WIN_NKERNELS; k++) {
			enum replay_status st;

			if (c->kind == TC_MIGRATE)
				migrate_walk(sim[k], c, &mv.k[k].found, &mv.k[k].mapcount);
			st = replay_command(sim[k], t, i, &opts, &res[k], &err);
			if (st == REPLAY_ERROR || st == REPLAY_BROKEN) {
				fprintf(stderr, "ksmsim window: on the %s kernel: ", window_kernel_name[k]);
				ksm_diag_print(stderr, &err);
				return KSMSIM_EXIT_USAGE;
			}
			mv.k[k].moved = res[k].has_migrate && res[k].last_migrate.moved;
		}
		if (c->kind == TC_MIGRATE) {
			rep->mig = xrealloc(rep->mig, (rep->nmig + 1) * sizeof(*rep->mig));
			rep->mig[rep->nmig++] = mv;
		}
		page = divergent_page(sim[WIN_LPI]);
		cli_progress_step(&rep->progress, i + 1, t->ncmds, c->argpos[0].line);
		if (page && !open) {
			rep->win = xrealloc(rep->win, (rep->nwin + 1) * sizeof(*rep->win));
			open = &rep->win[rep->nwin++];
			open->open_cmd = i;
			open->close_cmd = SIZE_MAX;
			view_page(sim[WIN_LPI], page, &open->page);
			if (rep->svg && rep->nwin == 1)
				draw(rep, sim[WIN_LPI], page, i);
		} else if (!page && open) {
			open->close_cmd = i;
			open = NULL;
		}
	}
	return KSMSIM_EXIT_OK;
}


/* --recorded KERNEL=FILE; -1 with a message when malformed. */
static int add_recording(struct window_report *rep, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct recording *r = &rep->recorded[rep->nrecorded];

	if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof(r->kernel)) {
		fprintf(stderr, "ksmsim window: --recorded takes KERNEL=FILE, not '%s'\n", arg);
		return -1;
	}
	if (rep->nrecorded == WIN_MAX_RECORDINGS) {
		fprintf(stderr, "ksmsim window: at most %d --recorded\n", WIN_MAX_RECORDINGS);
		return -1;
	}
	snprintf(r->kernel, sizeof(r->kernel), "%.*s", (int)(eq - arg), arg);
	r->file = eq + 1;
	rep->nrecorded++;
	return 0;
}

int cmd_window(int argc, char **argv)
{
	struct ksm_sim *sim[WIN_NKERNELS] = { NULL };
	struct window_report rep = { 0 };
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	const char *file = NULL;
	bool json = false, progress = false, quiet = false;
	enum { OPT_HELP, OPT_JSON, OPT_PROGRESS, OPT_QUIET, OPT_SVG, OPT_RECORDED };
	static const struct cli_option options[] = {
		{ "--help", "-h", CLI_VAL_NONE, OPT_HELP, NULL },
		{ "--json", NULL, CLI_VAL_NONE, OPT_JSON, NULL },
		{ "--progress", NULL, CLI_VAL_NONE, OPT_PROGRESS, NULL },
		{ "--quiet", NULL, CLI_VAL_NONE, OPT_QUIET, NULL },
		{ "--svg", NULL, CLI_VAL_NEXT, OPT_SVG, "a value (FILE)" },
		{ "--recorded", NULL, CLI_VAL_NEXT, OPT_RECORDED, "a value (KERNEL=FILE)" },
		{ NULL, NULL, CLI_VAL_NONE, 0, NULL },
	};
	struct cli_args args = { argc, argv, 1, true, false, false, NULL };
	const char *val;
	int rc, key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case OPT_HELP:
			usage(stdout);
			return KSMSIM_EXIT_OK;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PROGRESS:
			progress = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_SVG:
			rep.svg = val;
			break;
		case OPT_RECORDED:
			if (add_recording(&rep, val))
				goto usage_error;
			break;
		case CLI_OPT_NO_VALUE:
			cli_opt_error(&args, "window", key, val);
			goto usage_error;
		case CLI_OPT_ARG:
			if (!file) {
				file = val;
				break;
			}
			/* fall through - a second trace */
		default:
			cli_opt_error(&args, "window", key, val);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		}
	}
	if (progress && quiet) {
		fprintf(stderr, "ksmsim window: --progress and --quiet contradict each other\n");
		goto usage_error;
	}
	if (!file) {
		usage(stderr);
		goto usage_error;
	}
	/* Say now, not after a replay of minutes, that the picture cannot
	 * be written. */
	if (rep.svg && outfile_check(rep.svg, &err)) {
		ksm_diag_print(stderr, &err);
		goto usage_error;
	}
	for (int r = 0; r < rep.nrecorded; r++)
		if (ksm_snapshot_read_file(rep.recorded[r].file, &rep.recorded[r].rec,
					   &rep.recorded[r].n, &err)) {
			ksm_diag_print(stderr, &err);
			goto usage_error;
		}
	if (trace_parse_file(file, &t, &err)) {
		ksm_diag_print(stderr, &err);
		goto usage_error;
	}
	rep.t = &t;
	for (int k = 0; k < WIN_NKERNELS; k++) {
		struct sim_error e;

		sim[k] = ksm_sim_create();
		if (ksm_pin_sim_knob(sim[k], "sim.kernel", window_kernel_name[k], &e)) {
			fprintf(stderr, "ksmsim window: %s\n", e.msg);
			rc = KSMSIM_EXIT_USAGE;
			goto out;
		}
	}
	cli_progress_start(&rep.progress, "ksmsim window", progress, quiet);
	rc = run(sim, &rep);
	cli_progress_end(&rep.progress);
	if (rc == KSMSIM_EXIT_OK) {
		if (json)
			window_print_json(&rep);
		else
			window_print_text(&rep);
		if (fflush(stdout)) {
			fprintf(stderr, "ksmsim window: cannot write standard output\n");
			rc = KSMSIM_EXIT_USAGE;
		} else if (rep.svg_failed) {
			rc = KSMSIM_EXIT_USAGE; /* said by draw() */
		} else if (rep.nwin) {
			rc = KSMSIM_EXIT_FAIL;
		}
	}
out:
	for (int k = 0; k < WIN_NKERNELS; k++)
		if (sim[k])
			ksm_sim_destroy(sim[k], NULL, 0);
	free(rep.win);
	free(rep.mig);
	for (int r = 0; r < rep.nrecorded; r++)
		ksm_snapshot_array_free(rep.recorded[r].rec, rep.recorded[r].n);
	trace_free(&t);
	return rc;
usage_error:
	rc = KSMSIM_EXIT_USAGE;
	goto out;
}
