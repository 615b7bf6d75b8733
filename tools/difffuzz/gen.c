// SPDX-License-Identifier: MIT
/*
 * DOC: Random traces that the simulator and a real kernel both accept
 *
 * Like `ksmsim explore` (sim/explore/explore.c, random_line()), a trace is
 * built one command at a time on a live simulated machine: a command the
 * machine refuses is dropped and another one is drawn, so the trace ends
 * up valid.  What differs from explore is the vocabulary: only commands
 * and knobs of the ksmtrace contract that ksmsim-kernel-replay replays
 * exactly — no `check`, `rmap`, `dot`, `migrate`, `sim.*`, no `run`,
 * advisor or merge_across_nodes, no `expect` — at the corpus addresses
 * (0x100000000000 and 0x200000000000, the latter reached by mmap and by
 * mremap moves), a few pages at a time, and with
 * stable_node_chains_prune_millisecs 0 or huge so that wall-clock time
 * cannot matter.  Ranges are drawn mostly inside the process's own VMAs,
 * so that they split, merge, move and COW rather than miss.
 *
 * With --refused P, P% of the traces end with one command the simulator
 * refuses (a valid line that cannot be applied; never a scan: one the
 * kernel cannot finish costs it 5 s),
 * which stops both replays: there the comparison is of where each side
 * stopped, TRACE:LINE:COL.  Which traces get one is drawn from a stream
 * of its own, so the others are the same bytes as without --refused.
 *
 * A trace is a function of (seed, index, steps, refused) alone: its RNG is seeded
 * from the seed and the index, and the machine it is checked on is
 * deterministic.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/rng.h"
#include "difffuzz.h"
#include "ksmsim/replay.h"
#include "ksmsim/sim.h"
#include "mm/internal.h"

#define A_BASE 0x100000000000ULL
#define B_BASE 0x200000000000ULL
#define WINDOW 24 /* pages in each of the two windows */
#define NPROCS 4

/* ---- lines ---- */

void fz_lines_push(struct fz_lines *l, const char *s)
{
	ARRAY_GROW(l->v, l->cap, l->n + 1, 64);
	l->v[l->n++] = xstrdup(s);
}

void fz_lines_free(struct fz_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

char *fz_lines_text(const struct fz_lines *l, const bool *keep, const char *comment,
		    size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f) {
		fprintf(stderr, "ksmsim-difffuzz: out of memory\n");
		exit(3);
	}
	fputs("ksmtrace 1\n", f);
	if (comment)
		fprintf(f, "# %s\n", comment);
	for (size_t i = 0; i < l->n; i++)
		if (!keep || keep[i])
			fprintf(f, "%s\n", l->v[i]);
	if (fclose(f)) {
		fprintf(stderr, "ksmsim-difffuzz: out of memory\n");
		exit(3);
	}
	*len = n;
	return buf;
}

void fz_lines_from_text(struct fz_lines *l, const char *text)
{
	bool header = false;

	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *line = xmalloc(len + 1);
		char *s = line;

		memcpy(line, text, len);
		line[len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s && *s != '#') {
			if (header)
				fz_lines_push(l, line);
			header = true; /* the first such line is "ksmtrace 1" */
		}
		free(line);
		text += len + (nl ? 1 : 0);
	}
}

void fz_trace_name(char *buf, size_t len, uint64_t seed, unsigned index)
{
	snprintf(buf, len, "fz-%" PRIu64 "-%04u", seed, index);
}

/* ---- the machine the trace is checked on ---- */

/* Apply one command line to @sim: 0 accepted, -1 refused, -2 does not parse. */
static int apply(struct ksm_sim *sim, const char *line)
{
	struct replay_opts opts = { .invariants = REPLAY_CHECK_NONE };
	struct replay_result res = { 0 };
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char text[512];
	enum replay_status st;

	snprintf(text, sizeof(text), "ksmtrace 1\n%s\n", line);
	if (trace_parse_string("difffuzz", text, strlen(text), &t, &err)) {
		trace_free(&t);
		return -2;
	}
	st = replay_command(sim, &t, 0, &opts, &res, &err);
	trace_free(&t);
	return st == REPLAY_OK ? 0 : -1;
}

static const char *const procs[NPROCS] = { "a", "b", "c", "d" };

static unsigned nlive(struct ksm_sim *sim)
{
	unsigned n = 0;

	for (unsigned k = 0; k < NPROCS; k++)
		n += sim_find_task(sim, procs[k]) != NULL;
	return n;
}

static const char *pick_live(struct ksm_sim *sim, struct ksm_rng *rng)
{
	unsigned start = (unsigned)ksm_rng_below(rng, NPROCS);

	for (unsigned k = 0; k < NPROCS; k++)
		if (sim_find_task(sim, procs[(start + k) % NPROCS]))
			return procs[(start + k) % NPROCS];
	return NULL;
}

static const char *pick_free(struct ksm_sim *sim, struct ksm_rng *rng)
{
	unsigned start = (unsigned)ksm_rng_below(rng, NPROCS);

	for (unsigned k = 0; k < NPROCS; k++)
		if (!sim_find_task(sim, procs[(start + k) % NPROCS]))
			return procs[(start + k) % NPROCS];
	return NULL;
}

static uint64_t window_addr(struct ksm_rng *rng, bool far)
{
	return (far ? B_BASE : A_BASE) + (ksm_rng_below(rng, WINDOW) << 12);
}

/*
 * A range for a command on @p: six times out of seven inside one of its
 * VMAs (sometimes running past its end), otherwise anywhere in a window.
 */
static void pick_range(struct ksm_sim *sim, const char *p, struct ksm_rng *rng,
		       uint64_t *addr, uint64_t *npages)
{
	struct task *t = sim_find_task(sim, p);
	unsigned nvma = 0;

	if (t)
		for (struct vm_area_struct *v = vma_first(t->mm); v; v = vma_next(t->mm, v))
			nvma++;
	if (nvma && ksm_rng_below(rng, 7)) {
		unsigned k = (unsigned)ksm_rng_below(rng, nvma);
		struct vm_area_struct *v = vma_first(t->mm);
		uint64_t pages, off, room;

		while (k--)
			v = vma_next(t->mm, v);
		pages = vma_pages(v);
		off = ksm_rng_below(rng, pages);
		room = pages - off;
		*addr = v->vm_start + (off << 12);
		*npages = 1 + ksm_rng_below(rng, room < 8 ? room : 8);
		if (!ksm_rng_below(rng, 8))
			*npages += 1 + ksm_rng_below(rng, 2);
		return;
	}
	*addr = window_addr(rng, !ksm_rng_below(rng, 5));
	*npages = 1 + ksm_rng_below(rng, 4);
}

static void content(struct ksm_rng *rng, char *buf, size_t len)
{
	unsigned k = (unsigned)ksm_rng_below(rng, 20);

	if (k < 14)
		snprintf(buf, len, "token=%u", 1 + (unsigned)ksm_rng_below(rng, 3));
	else if (k < 16)
		snprintf(buf, len, "zero");
	else if (k < 18)
		snprintf(buf, len, "mod=2,%u", 1 + (unsigned)ksm_rng_below(rng, 2));
	else
		snprintf(buf, len, "seq=%u", 100 + 10 * (unsigned)ksm_rng_below(rng, 3));
}

static const char *const knob_values[] = {
	"pages_to_scan=1", "pages_to_scan=2", "pages_to_scan=3", "pages_to_scan=5",
	"pages_to_scan=8", "pages_to_scan=100",
	"smart_scan=0", "smart_scan=1",
	"max_page_sharing=2", "max_page_sharing=3", "max_page_sharing=4",
	"max_page_sharing=256",
	"use_zero_pages=0", "use_zero_pages=1",
	"stable_node_chains_prune_millisecs=0",
	"stable_node_chains_prune_millisecs=3600000000",
};

/* One random command line for the machine as it is. */
static void random_line(struct ksm_sim *sim, struct ksm_rng *rng, unsigned *nsnap,
			char *buf, size_t len)
{
	const char *p = pick_live(sim, rng), *q;
	unsigned op = (unsigned)ksm_rng_below(rng, 100);
	static const char *const prots[] = { "r", "none" };
	char c[32];
	uint64_t a, n;

	if (!p || op < 3) {
		q = pick_free(sim, rng);
		if (q) {
			snprintf(buf, len, "spawn %s", q);
			return;
		}
		op = 3 + (unsigned)ksm_rng_below(rng, 97);
	}
	if (op < 8) {
		q = pick_free(sim, rng);
		snprintf(buf, len, "fork %s %s", p, q ? q : "a");
	} else if (op < 10) {
		/* Keep someone alive most of the time. */
		if (nlive(sim) == 1 && ksm_rng_below(rng, 4))
			snprintf(buf, len, "snapshot");
		else
			snprintf(buf, len, "exit %s", p);
	} else if (op < 19) {
		a = window_addr(rng, !ksm_rng_below(rng, 4));
		n = 1 + ksm_rng_below(rng, 8);
		if (ksm_rng_below(rng, 6))
			snprintf(buf, len, "mmap %s 0x%" PRIx64 " %" PRIu64, p, a, n);
		else
			snprintf(buf, len, "mmap %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
				 prots[ksm_rng_below(rng, 2)]);
	} else if (op < 22) {
		pick_range(sim, p, rng, &a, &n);
		snprintf(buf, len, "munmap %s 0x%" PRIx64 " %" PRIu64, p, a, n);
	} else if (op < 26) {
		static const char *const mprots[] = { "rw", "rw", "r", "none" };

		pick_range(sim, p, rng, &a, &n);
		snprintf(buf, len, "mprotect %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
			 mprots[ksm_rng_below(rng, 4)]);
	} else if (op < 33) {
		uint64_t b, n2;

		pick_range(sim, p, rng, &a, &n);
		if (!ksm_rng_below(rng, 3)) {
			/* in place: grow or shrink */
			b = a;
			n2 = 1 + ksm_rng_below(rng, 8);
		} else {
			b = window_addr(rng, ksm_rng_below(rng, 2));
			n2 = ksm_rng_below(rng, 3) ? n : 1 + ksm_rng_below(rng, 8);
		}
		snprintf(buf, len, "mremap %s 0x%" PRIx64 " %" PRIu64 " 0x%" PRIx64 " %" PRIu64,
			 p, a, n, b, n2);
	} else if (op < 45) {
		static const char *const adv[] = { "mergeable", "mergeable", "mergeable",
						   "mergeable", "unmergeable", "dontneed" };

		pick_range(sim, p, rng, &a, &n);
		if (ksm_rng_below(rng, 5) < 2) {
			/* the whole of one window: covers several VMAs */
			a = ksm_rng_below(rng, 3) ? A_BASE : B_BASE;
			n = WINDOW;
		}
		snprintf(buf, len, "madvise %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n,
			 adv[ksm_rng_below(rng, 6)]);
	} else if (op < 47) {
		snprintf(buf, len, "prctl %s merge_any=%d", p, ksm_rng_below(rng, 4) ? 1 : 0);
	} else if (op < 69) {
		pick_range(sim, p, rng, &a, &n);
		content(rng, c, sizeof(c));
		snprintf(buf, len, "write %s 0x%" PRIx64 " %" PRIu64 " %s", p, a, n, c);
	} else if (op < 72) {
		pick_range(sim, p, rng, &a, &n);
		snprintf(buf, len, "read %s 0x%" PRIx64 " %" PRIu64, p, a, n);
	} else if (op < 86) {
		snprintf(buf, len, "scan batches=%u", 1 + (unsigned)ksm_rng_below(rng, 4));
	} else if (op < 93) {
		snprintf(buf, len, "scan rounds=%u", 1 + (unsigned)ksm_rng_below(rng, 3));
	} else if (op < 97) {
		snprintf(buf, len, "set %s",
			 knob_values[ksm_rng_below(rng, ARRAY_SIZE(knob_values))]);
	} else {
		if (ksm_rng_below(rng, 2))
			snprintf(buf, len, "snapshot s%u", ++*nsnap);
		else
			snprintf(buf, len, "snapshot");
	}
}

/*
 * A `migrate` of a page some live process maps (not the zero page), when
 * one is found in a few tries: the simulator must accept it.
 */
static bool random_migrate(struct ksm_sim *sim, struct ksm_rng *rng, char *buf, size_t len)
{
	for (int k = 0; k < 8; k++) {
		const char *p = pick_live(sim, rng);
		uint64_t a, n;

		if (!p)
			return false;
		pick_range(sim, p, rng, &a, &n);
		snprintf(buf, len, "migrate %s 0x%" PRIx64, p, a);
		if (!apply(sim, buf))
			return true;
	}
	return false;
}

char *fz_generate(uint64_t seed, unsigned index, unsigned steps, unsigned refused_pct,
		  unsigned migrate_pct, unsigned *ncmds, size_t *len)
{
	struct ksm_rng mig;
	static const unsigned scan_values[] = { 1, 2, 3, 5, 8, 100 };
	struct fz_lines l = { 0 };
	struct ksm_rng rng;
	struct ksm_sim *sim = ksm_sim_create();
	unsigned nsnap = 0, attempts = 0;
	char line[256], name[64], comment[256];
	char *text;

	ksm_rng_seed(&rng, seed * 1000003ULL + index + 0x6466667aULL /* "dffz" */);
	/* Its own stream, so traces without migrations stay the same bytes. */
	ksm_rng_seed(&mig, seed * 1000003ULL + index + 0x6d696772ULL /* "migr" */);
	snprintf(line, sizeof(line),
		 "set pages_to_scan=%u smart_scan=%u max_page_sharing=%u use_zero_pages=%u "
		 "stable_node_chains_prune_millisecs=%s",
		 scan_values[ksm_rng_below(&rng, 6)], (unsigned)ksm_rng_below(&rng, 2),
		 ksm_rng_below(&rng, 2) ? 256u : 2u + (unsigned)ksm_rng_below(&rng, 2),
		 ksm_rng_below(&rng, 4) ? 0u : 1u,
		 ksm_rng_below(&rng, 2) ? "0" : "3600000000");
	if (apply(sim, line) || apply(sim, "spawn a")) {
		fprintf(stderr, "ksmsim-difffuzz: internal error: the prologue was refused\n");
		exit(3);
	}
	fz_lines_push(&l, line);
	fz_lines_push(&l, "spawn a");
	/* Most traces start with something to merge. */
	if (ksm_rng_below(&rng, 4)) {
		uint64_t n = 4 + ksm_rng_below(&rng, 9);
		static const char *const first[] = { "token=1", "mod=2,1", "mod=3,1", "zero" };

		snprintf(line, sizeof(line), "mmap a 0x%llx %" PRIu64, A_BASE, n);
		fz_lines_push(&l, line);
		apply(sim, line);
		snprintf(line, sizeof(line), "write a 0x%llx %" PRIu64 " %s", A_BASE, n,
			 first[ksm_rng_below(&rng, 4)]);
		fz_lines_push(&l, line);
		apply(sim, line);
		if (ksm_rng_below(&rng, 4)) {
			snprintf(line, sizeof(line), "madvise a 0x%llx %" PRIu64 " mergeable", A_BASE, n);
			fz_lines_push(&l, line);
			apply(sim, line);
		}
	}
	for (unsigned s = 0; s < steps && attempts < 100 * (steps + 1); attempts++) {
		random_line(sim, &rng, &nsnap, line, sizeof(line));
		if (apply(sim, line)) {
			/* A refused scan may have run part of its batches: rebuild. */
			if (!strncmp(line, "scan", 4)) {
				ksm_sim_destroy(sim, NULL, 0);
				sim = ksm_sim_create();
				for (size_t i = 0; i < l.n; i++)
					apply(sim, l.v[i]);
			}
			continue;
		}
		fz_lines_push(&l, line);
		s++;
		if (migrate_pct && ksm_rng_below(&mig, 100) < migrate_pct &&
		    random_migrate(sim, &mig, line, sizeof(line)))
			fz_lines_push(&l, line);
	}
	if (refused_pct) {
		/* A separate stream decides, so traces without a refusal stay the same. */
		struct ksm_rng pick;

		ksm_rng_seed(&pick, seed * 1000003ULL + index + 0x72656675ULL /* "refu" */);
		if (ksm_rng_below(&pick, 100) < refused_pct) {
			for (unsigned k = 0; k < 500; k++) {
				random_line(sim, &rng, &nsnap, line, sizeof(line));
				/* not scans: a scan the kernel cannot finish costs 5 s there */
				if (strncmp(line, "scan", 4) && strncmp(line, "snapshot", 8) &&
				    apply(sim, line) == -1) {
					fz_lines_push(&l, line);
					break;
				}
			}
		}
	}
	fz_lines_push(&l, "snapshot end");
	ksm_sim_destroy(sim, NULL, 0);
	fz_trace_name(name, sizeof(name), seed, index);
	{
		char extra[64] = "";
		int k = 0;

		if (refused_pct)
			k += snprintf(extra + k, sizeof(extra) - (size_t)k, " --refused %u", refused_pct);
		if (migrate_pct)
			snprintf(extra + k, sizeof(extra) - (size_t)k, " --migrate %u", migrate_pct);
		snprintf(comment, sizeof(comment),
			 "%s: ksmsim-difffuzz --seed %" PRIu64 " --steps %u%s, trace %u", name, seed,
			 steps, extra, index);
	}
	text = fz_lines_text(&l, NULL, comment, len);
	*ncmds = (unsigned)l.n;
	fz_lines_free(&l);
	return text;
}
