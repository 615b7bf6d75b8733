/* SPDX-License-Identifier: MIT */
/*
 * DOC: Graphviz pictures of the machine's structures
 *
 * sim_dot() draws one structure of a machine as a Graphviz graph built
 * with cgraph (so quoting is the library's job) and writes it to a file:
 * the DOT text by default, or, when the file name ends in .svg, .png or
 * .pdf, a picture rendered in-process through gvc.  The file is written
 * under a temporary name in the same folder and renamed only when
 * complete, so it is never left half written.
 *
 * What is drawn (enum trace_dot_what; docs/dot.md shows each picture):
 *
 *   stable          the stable tree as the red-black tree it is, chains
 *                   with their dups, each KSM page's rmap_items
 *   unstable        the unstable tree and its rmap_items (only while the
 *                   scan cursor is inside a round; between rounds the
 *                   tree is dead and only a note and the finished round's
 *                   unstable items are drawn)
 *   anon_vma P ADDR the anon_vma of P's VMA at ADDR, its root, and their
 *                   interval trees of anon_vma_chains with their VMAs
 *   mm P            P's VMAs in address order with their page counts
 *   all             all of the above for every process, clustered by kind
 *                   and stacked in rows
 *   rmap P ADDR     the rmap walks of the KSM page P maps at ADDR: its
 *                   stable node, items, anon_vmas and chains, and what
 *                   each strategy found (also sim_dot_rmap_folio())
 *
 * The output is deterministic: nodes are named after the objects' ids,
 * never their addresses, and drawn in the structures' own order, so one
 * machine state always gives byte-identical DOT text.
 *
 * Large structures stay readable and within what Graphviz can lay out:
 * runs of alike VMAs, anon_vmas, chains and rmap_items are folded into
 * one node each ("256 VMAs like this"), a red-black tree of more than
 * DOT_TREE_FULL nodes is drawn to depth DOT_TREE_DEPTH with each deeper
 * subtree folded into a summary, and at most opts->limit nodes are drawn
 * at all, with a note that says how many of each kind were left out.
 * What the picture is about (the VMA or KSM page asked for, a focused
 * process's objects, a mapping the walks disagree on) is never folded.
 */
#ifndef KSMSIM_DOT_H
#define KSMSIM_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/sim.h"
#include "ksmsim/trace.h"

/*
 * Structure nodes drawn at most, unless dot_opts.limit says otherwise.
 * Measured on Graphviz 2.43 (docs/dot.md, "How big a picture can be"):
 * the layout time grows much faster than the node count once clusters
 * hold thousands of nodes, and some such graphs crash it; this keeps
 * every picture well inside what it lays out in a second or two.
 */
#define DOT_DEFAULT_LIMIT 600
/* Runs of at least this many alike objects are folded, by default. */
#define DOT_DEFAULT_FOLD 4
/* A tree of more nodes than this is drawn to depth DOT_TREE_DEPTH only,
 * each deeper subtree folded into one summary node (unless folding is
 * off: dot_opts.fold == DOT_FOLD_NEVER). */
#define DOT_TREE_FULL 31
#define DOT_TREE_DEPTH 3
/* dot_opts.fold: draw every object, however many. */
#define DOT_FOLD_NEVER (~0u)

struct dot_opts {
	/* Most structure nodes (tree nodes, rmap_items, VMAs, anon_vmas,
	 * chains) to draw; 0 means DOT_DEFAULT_LIMIT. */
	unsigned limit;
	/* stable, unstable, anon_vma, all: draw only what concerns this
	 * process (its rmap_items, the tree nodes above them, its VMAs,
	 * anon_vmas and chains); NULL draws every process.  mm and rmap
	 * are of one process or page already: sim_dot() refuses it. */
	const char *focus;
	/* stable, all: draw only the KSM page mapped at page_proc:page_addr
	 * (its tree entry, the path to it, its rmap_items); NULL: every one. */
	const char *page_proc;
	uint64_t page_addr;
	/* Only objects at addresses in [range_lo, range_hi): rmap_items,
	 * VMAs overlapping it, chains of such VMAs.  range_hi == 0: no range.
	 * stable, unstable, anon_vma, mm, all. */
	uint64_t range_lo, range_hi;
	/* Fold runs of at least this many alike objects into one node; 0
	 * means DOT_DEFAULT_FOLD, DOT_FOLD_NEVER draws each object. */
	unsigned fold;
	/* A line added under the picture's heading (say "x.trace, line 12"),
	 * or NULL.  Any text: it is escaped. */
	const char *title;
	/* What the library has to say as it goes (what the budget cut, the
	 * size of a layout about to start and the time it took), one line
	 * without its end each; NULL: nothing is said.  The library never
	 * prints. */
	void (*note)(void *ctx, const char *line);
	void *note_ctx;
	/* Through note(), say "laying out N nodes" before a layout and the
	 * time it took after: DOT_PROGRESS_NONE, DOT_PROGRESS_BIG (graphs of
	 * more than DOT_PROGRESS_NODES nodes, the ones that may take a
	 * second) or DOT_PROGRESS_ALL.  What was cut or folded is said
	 * whatever this is. */
	unsigned progress;
};

enum { DOT_PROGRESS_NONE, DOT_PROGRESS_BIG, DOT_PROGRESS_ALL };

/* Graphs of more nodes than this say when their layout starts and ends. */
#define DOT_PROGRESS_NODES 300

/*
 * sim_dot() - draw @what of @sim into @file.
 * @proc, @addr: P and ADDR for anon_vma (both) and mm (@proc only).
 * @opts: may be NULL (every default).
 * @err: on failure, why; err->arg is the argument of
 *       `dot WHAT [P [ADDR]] FILE` at fault (SIM_ARG_DOT_WHAT, SIM_ARG_P,
 *       SIM_ARG_ADDR, SIM_ARG_DOT_FILE), SIM_ARG_CMD for a problem with
 *       @opts; the replayer finds its word (replay_word_of()).
 * Errors: an unknown process, no VMA at ADDR, no KSM page at the focused
 * page (or at P:ADDR for rmap), an option the picture has no use for, a
 * file that cannot be written, a failed layout or rendering.  Nothing is
 * written then.
 * Return: 0 or -1.
 */
int sim_dot(struct ksm_sim *sim, enum trace_dot_what what, const char *proc,
	    uint64_t addr, const char *file, const struct dot_opts *opts,
	    struct sim_error *err);

/*
 * sim_dot_rmap_folio() - the rmap picture of the KSM page @folio (as
 * `dot rmap` draws it), for the checker, which knows the page rather
 * than an address.  @title may be NULL.
 */
int sim_dot_rmap_folio(struct ksm_sim *sim, struct folio *folio, const char *file,
		       const char *title, struct sim_error *err);

/* What sim_dot() writes, from the file name's extension. */
enum dot_format {
	DOT_FORMAT_DOT, /* anything else: the DOT text */
	DOT_FORMAT_SVG, /* .svg */
	DOT_FORMAT_PNG, /* .png */
	DOT_FORMAT_PDF, /* .pdf */
};

enum dot_format dot_format_of(const char *file);

/*
 * dot_escape() - @text as a Graphviz escString: labels interpret a
 * backslash as the start of an escape (\n, \l, \N, ...), so every
 * backslash of plain text is doubled.  Writes at most @outlen bytes
 * including the terminating NUL (nothing if @outlen is 0), never half an
 * escape, and returns the length the whole escaped text needs, as
 * snprintf() does.
 */
size_t dot_escape(char *out, size_t outlen, const char *text);

#endif /* KSMSIM_DOT_H */
