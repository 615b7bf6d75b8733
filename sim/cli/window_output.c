// SPDX-License-Identifier: MIT
/* `ksmsim window`'s report as text and as JSON; see window.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/window.h"
#include "core/json.h"

static void print_where(FILE *out, const struct window_where *w, size_t n, size_t total, bool index)
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

void window_print_text(const struct window_report *rep)
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
		print_where(stdout, p->items, p->nitems < WIN_MAX_LISTED ? p->nitems : WIN_MAX_LISTED,
			    p->nitems, true);
		printf("\n  full walk (both kernels) finds %zu of %zu; indexed walk (lpi) finds %zu, misses ",
		       p->full_found, p->mapcount, p->indexed_found);
		print_where(stdout, p->missed, p->nmissed < WIN_MAX_LISTED ? p->nmissed : WIN_MAX_LISTED,
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
		for (int k = 0; k < WIN_NKERNELS; k++) {
			char sim_says[64];

			snprintf(sim_says, sizeof(sim_says), "%s (walk found %zu of %zu)",
				 mv->k[k].moved ? "moved" : "NOT moved", mv->k[k].found,
				 mv->k[k].mapcount);
			printf("    %-10s %-36s", window_kernel_name[k], sim_says);
			for (int r = 0; r < rep->nrecorded; r++) {
				const struct ksm_migrate_rec *real;

				if (strcmp(rep->recorded[r].kernel, window_kernel_name[k]))
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

			if (!strcmp(rep->recorded[r].kernel, window_kernel_name[WIN_BASE]) ||
			    !strcmp(rep->recorded[r].kernel, window_kernel_name[WIN_LPI]))
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

static void json_where(const struct window_where *w, size_t n, bool index)
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

void window_print_json(const struct window_report *rep)
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
		json_where(p->items, p->nitems < WIN_MAX_LISTED ? p->nitems : WIN_MAX_LISTED, true);
		printf(",\"missed\":");
		json_where(p->missed, p->nmissed < WIN_MAX_LISTED ? p->nmissed : WIN_MAX_LISTED, false);
		printf("}}");
	}
	printf("],\"migrates\":[");
	for (size_t m = 0; m < rep->nmig; m++) {
		const struct migrate_view *mv = &rep->mig[m];

		printf("%s{\"at\":", m ? "," : "");
		json_cmd(t, mv->cmd);
		printf(",\"in_window\":%s", mv->in_window ? "true" : "false");
		for (int k = 0; k < WIN_NKERNELS; k++)
			printf(",\"%s\":{\"moved\":%s,\"found\":%zu,\"mappings\":%zu}", window_kernel_name[k],
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
