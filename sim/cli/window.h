/* SPDX-License-Identifier: MIT */
/*
 * `ksmsim window`'s parts: the analysis (cmd_window.c) fills a struct
 * window_report, which window_output.c prints as text or JSON.
 */
#ifndef KSMSIM_CLI_WINDOW_H
#define KSMSIM_CLI_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/progress.h"
#include "ksmsim/snapshot.h"
#include "ksmsim/trace.h"

enum { WIN_BASE, WIN_LPI, WIN_NKERNELS };

/* "baseline", "lpi" */
extern const char *const window_kernel_name[WIN_NKERNELS];

#define WIN_MAX_LISTED 8 /* mappings and items named per page; the rest counted */

/* What the report says of one process:address pair. */
struct window_where {
	char proc[40];
	uint64_t addr;
	uint64_t pgoff;  /* the page offset its VMA gives the address */
	uint64_t index;  /* rmap_items: the stored index              */
	bool has_index;
};

struct page_view {
	uint64_t token;
	size_t mapcount;
	struct window_where maps[WIN_MAX_LISTED];   /* what the full walk finds */
	size_t nmaps;
	struct window_where items[WIN_MAX_LISTED];  /* rmap_items on the node   */
	size_t nitems;
	struct window_where missed[WIN_MAX_LISTED]; /* full finds, indexed does not */
	size_t nmissed;                  /* all of them (listed: WIN_MAX_LISTED) */
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
	} k[WIN_NKERNELS];
};

/* A snapshot stream recorded on a real kernel (--recorded KERNEL=FILE). */
struct recording {
	char kernel[32];
	const char *file;
	struct ksm_snapshot *rec;
	size_t n;
};

#define WIN_MAX_RECORDINGS 4

struct window_report {
	const struct trace *t;
	struct recording recorded[WIN_MAX_RECORDINGS];
	int nrecorded;
	struct window *win;
	size_t nwin;
	struct migrate_view *mig;
	size_t nmig;
	const char *svg;       /* NULL: no picture */
	bool svg_written, svg_failed;
	struct cli_progress progress;
};

void window_print_text(const struct window_report *rep);
void window_print_json(const struct window_report *rep);

#endif /* KSMSIM_CLI_WINDOW_H */
