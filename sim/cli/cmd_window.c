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
#include "cli/progress.h"
#include "core/alloc.h"
#include "ksmsim/dot.h"
#include "core/json.h"
#include "ksmsim/ksm.h"
#include "ksmsim/migrate.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/snapshot.h"

enum { BASE, LPI, NKERNELS };

static const char *const kernel_name[NKERNELS] = { "baseline", "lpi" };

#define MAX_LISTED 8 /* mappings and items named per page; the rest counted */

/* What the report says of one process:address pair. */
struct where {
	char proc[40];
	uint64_t addr;
	uint64_t pgoff;  /* the page offset its VMA gives the address */
	uint64_t index;  /* rmap_items: the stored index              */
	bool has_index;
};

struct page_view {
	uint64_t token;
	size_t mapcount;
	struct where maps[MAX_LISTED];   /* what the full walk finds */
	size_t nmaps;
	struct where items[MAX_LISTED];  /* rmap_items on the node   */
	size_t nitems;
	struct where missed[MAX_LISTED]; /* full finds, indexed does not */
	size_t nmissed;                  /* all of them (listed: MAX_LISTED) */
	size_t full_found, indexed_found; /* distinct mappings */
};

struct window {
	size_t open_cmd, close_cmd; /* close_cmd == SIZE_MAX: open at the end */
	struct page_view page;
};

struct migrate_view {
	size_t cmd;
	bool in_window;
	struct {
		bool moved;
		size_t found, mapcount;
	} k[NKERNELS];
};

/* A snapshot stream recorded on a real kernel (--recorded KERNEL=FILE). */
struct recording {
	char kernel[32];
	const char *file;
	struct ksm_snapshot *rec;
	size_t n;
};

#define MAX_RECORDINGS 4

struct report {
	const struct trace *t;
	struct recording recorded[MAX_RECORDINGS];
	int nrecorded;
	struct window *win;
	size_t nwin;
	struct migrate_view *mig;
	size_t nmig;
	const char *svg;       /* NULL: no picture */
	bool svg_written;
	struct cli_progress progress;
};

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
		"kernel.  The trace's own `set sim.kernel` is overridden.\n"
		"\n"
		"  --svg FILE  draw the rmap picture of the first window's KSM page\n"
		"              as the window opens (.svg, .png, .pdf or DOT text)\n"
		"  --json      the report as one JSON object on stdout\n"
		"  --progress  progress on stderr even when it is not a terminal\n"
		"              (on a terminal it is shown for runs over a second)\n"
		"  --quiet     no progress\n"
		"  --recorded KERNEL=FILE\n"
		"              also show what a real kernel did at each `migrate`: FILE is\n"
		"              TRACE's snapshot stream recorded there by ksmsim-kernel-replay\n"
		"              (e.g. lpi=traces/guest/lpi/NAME.jsonl); repeatable, up to 4\n"
		"\n"
		"Exit status: 0 no window, 1 a window was found, 2 bad usage or input.\n");
}

static void where_of(struct where *w, const struct rmap_mapping *m)
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
	struct rmap_item_view items[MAX_LISTED];
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
		if (v->nmaps < MAX_LISTED)
			where_of(&v->maps[v->nmaps++], &full.found[i]);
		if (!found_in(&idx, idx.nfound, &full.found[i])) {
			if (v->nmissed < MAX_LISTED)
				where_of(&v->missed[v->nmissed], &full.found[i]);
			v->nmissed++;
		}
	}
	v->nitems = rmap_ksm_items(sim, page, items, MAX_LISTED);
	for (size_t i = 0; i < v->nitems && i < MAX_LISTED; i++) {
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

static void draw(struct report *rep, struct ksm_sim *sim, struct folio *page, size_t cmd)
{
	char title[256];
	struct sim_error e;

	snprintf(title, sizeof(title), "%s, after line %u: the lpi kernel's indexed walk misses a mapping",
		 rep->t->file, rep->t->cmds[cmd].argpos[0].line);
	if (sim_dot_rmap_folio(sim, page, rep->svg, title, &e))
		fprintf(stderr, "ksmsim window: cannot draw %s: %s\n", rep->svg, e.msg);
	else
		rep->svg_written = true;
}

/* Replay every command on both machines; fill @rep.  0, or 2 on bad input. */
static int run(struct ksm_sim *sim[NKERNELS], struct report *rep)
{
	const struct trace *t = rep->t;
	struct replay_opts opts = { .invariants = REPLAY_CHECK_END };
	struct replay_result res[NKERNELS] = { { 0 } };
	struct window *open = NULL;
	struct ksm_diag err = { 0 };

	for (size_t i = 0; i < t->ncmds; i++) {
		const struct trace_cmd *c = &t->cmds[i];
		struct migrate_view mv = { .cmd = i, .in_window = open != NULL };
		struct folio *page;

		for (int k = 0; k < NKERNELS; k++) {
			enum replay_status st;

			if (c->kind == TC_MIGRATE)
				migrate_walk(sim[k], c, &mv.k[k].found, &mv.k[k].mapcount);
			st = replay_command(sim[k], t, i, &opts, &res[k], &err);
			if (st == REPLAY_ERROR || st == REPLAY_BROKEN) {
				fprintf(stderr, "ksmsim window: on the %s kernel: ", kernel_name[k]);
				ksm_diag_print(stderr, &err);
				return KSMSIM_EXIT_USAGE;
			}
			mv.k[k].moved = res[k].has_migrate && res[k].last_migrate.moved;
		}
		if (c->kind == TC_MIGRATE) {
			rep->mig = xrealloc(rep->mig, (rep->nmig + 1) * sizeof(*rep->mig));
			rep->mig[rep->nmig++] = mv;
		}
		page = divergent_page(sim[LPI]);
		cli_progress_step(&rep->progress, i + 1, t->ncmds, c->argpos[0].line);
		if (page && !open) {
			rep->win = xrealloc(rep->win, (rep->nwin + 1) * sizeof(*rep->win));
			open = &rep->win[rep->nwin++];
			open->open_cmd = i;
			open->close_cmd = SIZE_MAX;
			view_page(sim[LPI], page, &open->page);
			if (rep->svg && rep->nwin == 1)
				draw(rep, sim[LPI], page, i);
		} else if (!page && open) {
			open->close_cmd = i;
			open = NULL;
		}
	}
	return KSMSIM_EXIT_OK;
}

static void print_where(FILE *out, const struct where *w, size_t n, size_t total, bool index)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s%s:0x%" PRIx64, i ? ", " : "", w[i].proc, w[i].addr);
		if (index && w[i].has_index)
			fprintf(out, " (index 0x%" PRIx64 ")", w[i].index);
		else if (!index)
			fprintf(out, " (page offset 0x%" PRIx64 ")", w[i].pgoff);
	}
	if (total > n)
		fprintf(out, " and %zu more", total - n);
	if (!total)
		fprintf(out, "(none)");
}

static void print_cmd(FILE *out, const struct trace *t, size_t i)
{
	fprintf(out, "line %u: ", t->cmds[i].argpos[0].line);
	trace_write_cmd(out, &t->cmds[i]);
}

/* The migrate record of trace line @line in @r, or NULL. */
static const struct ksm_migrate_rec *recorded_migrate(const struct recording *r, unsigned line)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->rec[i].kind == KSM_RECORD_MIGRATE && r->rec[i].line == line)
			return &r->rec[i].migrate;
	return NULL;
}

static void print_text(const struct report *rep)
{
	const struct trace *t = rep->t;

	printf("%s: %zu commands replayed on the baseline and lpi kernels\n", t->file, t->ncmds);
	if (!rep->nwin)
		printf("no window: after every command the indexed walk (lpi) found every mapping the full walk found\n");
	for (size_t w = 0; w < rep->nwin; w++) {
		const struct window *win = &rep->win[w];
		const struct page_view *p = &win->page;

		printf("\nwindow %zu: the indexed walk (lpi) misses a mapping of a KSM page\n", w + 1);
		printf("  opens after   ");
		print_cmd(stdout, t, win->open_cmd);
		printf("\n  closes after  ");
		if (win->close_cmd == SIZE_MAX)
			printf("(still open at the end of the trace)");
		else
			print_cmd(stdout, t, win->close_cmd);
		printf("\n  the KSM page (token %" PRIu64 ") is mapped by ", p->token);
		print_where(stdout, p->maps, p->nmaps, p->full_found, false);
		printf("\n  rmap_items on its stable node: ");
		print_where(stdout, p->items, p->nitems < MAX_LISTED ? p->nitems : MAX_LISTED,
			    p->nitems, true);
		printf("\n  full walk (both kernels) finds %zu of %zu; indexed walk (lpi) finds %zu, misses ",
		       p->full_found, p->mapcount, p->indexed_found);
		print_where(stdout, p->missed, p->nmissed < MAX_LISTED ? p->nmissed : MAX_LISTED,
			    p->nmissed, false);
		printf("\n");
	}
	if (rep->nmig) {
		printf("\nmigrate (move the page to the other NUMA node):\n");
		for (int r = 0; r < rep->nrecorded; r++)
			printf("  real %s kernel: recorded in %s\n", rep->recorded[r].kernel,
			       rep->recorded[r].file);
	}
	for (size_t m = 0; m < rep->nmig; m++) {
		const struct migrate_view *mv = &rep->mig[m];
		unsigned line = t->cmds[mv->cmd].argpos[0].line;

		printf("  ");
		print_cmd(stdout, t, mv->cmd);
		printf(" (%s)\n", mv->in_window ? "inside a window" : "outside any window");
		printf("    %-10s %-36s %s\n", "kernel", "simulator",
		       rep->nrecorded ? "real kernel" : "");
		for (int k = 0; k < NKERNELS; k++) {
			char sim_says[64];

			snprintf(sim_says, sizeof(sim_says), "%s (walk found %zu of %zu)",
				 mv->k[k].moved ? "moved" : "NOT moved", mv->k[k].found,
				 mv->k[k].mapcount);
			printf("    %-10s %-36s", kernel_name[k], sim_says);
			for (int r = 0; r < rep->nrecorded; r++) {
				const struct ksm_migrate_rec *real;

				if (strcmp(rep->recorded[r].kernel, kernel_name[k]))
					continue;
				real = recorded_migrate(&rep->recorded[r], line);
				printf(" %s", !real ? "(no record at this line)" :
					      real->moved ? "moved" : "NOT moved");
			}
			printf("\n");
		}
		/* Recordings of other kernels (say a 6.12 guest) get rows of their own. */
		for (int r = 0; r < rep->nrecorded; r++) {
			const struct ksm_migrate_rec *real;

			if (!strcmp(rep->recorded[r].kernel, kernel_name[BASE]) ||
			    !strcmp(rep->recorded[r].kernel, kernel_name[LPI]))
				continue;
			real = recorded_migrate(&rep->recorded[r], line);
			printf("    %-10s %-36s %s\n", rep->recorded[r].kernel, "-",
			       !real ? "(no record at this line)" : real->moved ? "moved" : "NOT moved");
		}
	}
	if (rep->svg_written)
		printf("\nrmap picture of window 1's page as it opens: %s\n", rep->svg);
	if (rep->nwin)
		printf("\nwhy: docs/rmap.md, \"The divergence\"\n");
}

static void json_where(const struct where *w, size_t n, bool index)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"proc\":", i ? "," : "");
		json_string(stdout, w[i].proc);
		printf(",\"addr\":\"0x%" PRIx64 "\"", w[i].addr);
		if (index && w[i].has_index)
			printf(",\"index\":\"0x%" PRIx64 "\"", w[i].index);
		else if (!index)
			printf(",\"pgoff\":\"0x%" PRIx64 "\"", w[i].pgoff);
		printf("}");
	}
	printf("]");
}

static void json_cmd(const struct trace *t, size_t i)
{
	printf("{\"line\":%u,\"command\":\"", t->cmds[i].argpos[0].line);
	/* Canonical commands hold no quotes, backslashes or control bytes
	 * (docs/trace-format.md), so they need no escaping. */
	trace_write_cmd(stdout, &t->cmds[i]);
	printf("\"}");
}

static void print_json(const struct report *rep)
{
	const struct trace *t = rep->t;

	printf("{\"trace\":");
	json_string(stdout, t->file);
	printf(",\"commands\":%zu,\"windows\":[", t->ncmds);
	for (size_t w = 0; w < rep->nwin; w++) {
		const struct window *win = &rep->win[w];
		const struct page_view *p = &win->page;

		printf("%s{\"opens_after\":", w ? "," : "");
		json_cmd(t, win->open_cmd);
		printf(",\"closes_after\":");
		if (win->close_cmd == SIZE_MAX)
			printf("null");
		else
			json_cmd(t, win->close_cmd);
		printf(",\"page\":{\"token\":%" PRIu64 ",\"mapcount\":%zu,\"full_found\":%zu,"
		       "\"indexed_found\":%zu,\"mappings\":",
		       p->token, p->mapcount, p->full_found, p->indexed_found);
		json_where(p->maps, p->nmaps, false);
		printf(",\"rmap_items\":");
		json_where(p->items, p->nitems < MAX_LISTED ? p->nitems : MAX_LISTED, true);
		printf(",\"missed\":");
		json_where(p->missed, p->nmissed < MAX_LISTED ? p->nmissed : MAX_LISTED, false);
		printf("}}");
	}
	printf("],\"migrates\":[");
	for (size_t m = 0; m < rep->nmig; m++) {
		const struct migrate_view *mv = &rep->mig[m];

		printf("%s{\"at\":", m ? "," : "");
		json_cmd(t, mv->cmd);
		printf(",\"in_window\":%s", mv->in_window ? "true" : "false");
		for (int k = 0; k < NKERNELS; k++)
			printf(",\"%s\":{\"moved\":%s,\"found\":%zu,\"mappings\":%zu}", kernel_name[k],
			       mv->k[k].moved ? "true" : "false", mv->k[k].found, mv->k[k].mapcount);
		printf(",\"recorded\":[");
		for (int r = 0; r < rep->nrecorded; r++) {
			const struct ksm_migrate_rec *real =
				recorded_migrate(&rep->recorded[r], t->cmds[mv->cmd].argpos[0].line);

			printf("%s{\"kernel\":", r ? "," : "");
			json_string(stdout, rep->recorded[r].kernel);
			printf(",\"file\":");
			json_string(stdout, rep->recorded[r].file);
			printf(",\"moved\":%s}", !real ? "null" : real->moved ? "true" : "false");
		}
		printf("]}");
	}
	printf("],\"picture\":");
	if (rep->svg_written)
		json_string(stdout, rep->svg);
	else
		printf("null");
	printf("}\n");
}

/* --recorded KERNEL=FILE; -1 with a message when malformed. */
static int add_recording(struct report *rep, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct recording *r = &rep->recorded[rep->nrecorded];

	if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof(r->kernel)) {
		fprintf(stderr, "ksmsim window: --recorded takes KERNEL=FILE, not '%s'\n", arg);
		return -1;
	}
	if (rep->nrecorded == MAX_RECORDINGS) {
		fprintf(stderr, "ksmsim window: at most %d --recorded\n", MAX_RECORDINGS);
		return -1;
	}
	snprintf(r->kernel, sizeof(r->kernel), "%.*s", (int)(eq - arg), arg);
	r->file = eq + 1;
	rep->nrecorded++;
	return 0;
}

int cmd_window(int argc, char **argv)
{
	struct ksm_sim *sim[NKERNELS] = { NULL };
	struct report rep = { 0 };
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	const char *file = NULL;
	bool json = false, progress = false, quiet = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--progress")) {
			progress = true;
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else if (!strcmp(argv[i], "--svg")) {
			if (i + 1 == argc) {
				fprintf(stderr, "ksmsim window: --svg needs a FILE\n");
				return KSMSIM_EXIT_USAGE;
			}
			rep.svg = argv[++i];
		} else if (!strcmp(argv[i], "--recorded")) {
			if (i + 1 == argc || add_recording(&rep, argv[++i]))
				goto usage_error;
		} else if ((argv[i][0] == '-' && argv[i][1]) || file) {
			fprintf(stderr, "ksmsim window: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		usage(stderr);
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
	for (int k = 0; k < NKERNELS; k++) {
		struct sim_error e;

		sim[k] = ksm_sim_create();
		if (ksm_pin_sim_knob(sim[k], "sim.kernel", kernel_name[k], &e)) {
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
			print_json(&rep);
		else
			print_text(&rep);
		if (fflush(stdout)) {
			fprintf(stderr, "ksmsim window: cannot write standard output\n");
			rc = KSMSIM_EXIT_USAGE;
		} else if (rep.nwin) {
			rc = KSMSIM_EXIT_FAIL;
		}
	}
out:
	for (int k = 0; k < NKERNELS; k++)
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
