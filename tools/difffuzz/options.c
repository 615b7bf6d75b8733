// SPDX-License-Identifier: MIT
/* ksmsim-difffuzz's flags: the usage text and their strict parsing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "ksmsim/snapshot_diff.h"
#include "ksmsim/version.h"
#include "run.h"

void fz_usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim-difffuzz [OPTIONS] [TRACE...]\n"
		"       ksmsim-difffuzz --generate N [--seed S] [--steps K] [--refused P] [--migrate P] [--out DIR]\n"
		"\n"
		"Differential fuzzing of the simulator against a real kernel: random traces\n"
		"are replayed on the simulator (in-process) and on the kernel (by\n"
		"ksmsim-kernel-replay, as root); their exit statuses, error positions and\n"
		"snapshot records are compared.  Each disagreement is shrunk (ddmin) and\n"
		"written to DIR/NAME/ with both outputs and an explanation.  Given TRACE\n"
		"files, those are compared (and shrunk) instead of random ones.\n"
		"\n"
		"  --traces N            traces to generate and compare (default 100)\n"
		"  --seed S              seed of the generator (default 1); trace i of seed S\n"
		"                        is always the same bytes\n"
		"  --steps K             random commands per trace (default 40)\n"
		"  --refused P           end P%% of the traces with a command the simulator\n"
		"                        refuses: both sides must stop at the same\n"
		"                        TRACE:LINE:COL (default 0)\n"
		"  --migrate P           after each command, with P%% chance, migrate a mapped\n"
		"                        page to the other NUMA node (default 0; the kernel\n"
		"                        needs two nodes: use --guest)\n"
		"  --out DIR             where cases (or --generate's traces) go\n"
		"                        (default difffuzz-out; created, must be writable)\n"
		"  --generate N          only write N traces DIR/fz-SEED-NNNN.trace and stop\n"
		"  --replayer PATH       the kernel replayer (default: ksmsim-kernel-replay\n"
		"                        next to this program)\n"
		"  --guest baseline|lpi  replay in a QEMU guest of that kernel (batch mode)\n"
		"  --sim-kernel baseline|lpi\n"
		"                        the simulated kernel (default: the guest's, else\n"
		"                        baseline)\n"
		"  --ignore FIELD        leave FIELD of the records out (as ksmsim diff;\n"
		"                        repeatable)\n"
		"  --batch N             traces per kernel-replayer batch (default 50)\n"
		"  --backend MODE        auto (default): the replayer's batch mode if it has\n"
		"                        one; batch; single: one replayer run per trace\n"
		"  --wait S              on the host, wait up to S s for another replay's\n"
		"                        lock and for other KSM users to end (default 60)\n"
		"  --other-ksm-users wait|ignore\n"
		"                        on the host, other processes registered with KSM\n"
		"                        (a QEMU guest...) are waited for, up to --wait, and\n"
		"                        the run stops if they stay (default; the replayer\n"
		"                        itself refuses if one comes meanwhile); or ignored,\n"
		"                        and the replayer runs with --allow-foreign (their\n"
		"                        merges kept, their pages in the global counters)\n"
		"  --allow-foreign       the same as --other-ksm-users ignore\n"
		"  --confirm N           replay a disagreement N more times on the kernel;\n"
		"                        unless it repeats every time it is unstable\n"
		"                        (default 1)\n"
		"  --shrink-per-group N  shrink at most N disagreements of each kind\n"
		"                        (default 3; the rest are written unshrunk)\n"
		"  --json                the summary as JSON on stdout (text on stderr)\n"
		"  --quiet               no progress on stderr\n"
		"  -h, --help            this text\n"
		"  --version             the version and git revision, then exit\n"
		"\n"
		"Exit status: 0 all agreed, 1 disagreements found, 2 bad usage, 3 the\n"
		"replayer failed in mid-run, 77 the replayer cannot run here, 128+N signal N.\n");
}

static int number(const char *flag, const char *s, unsigned long long max,
		  unsigned long long *out)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-') {
		fprintf(stderr, "ksmsim-difffuzz: %s takes a number, not '%s'\n", flag, s ? s : "");
		return -1;
	}
	*out = strtoull(s, &end, 0);
	if (errno || *end) {
		fprintf(stderr, "ksmsim-difffuzz: %s takes a number, not '%s'\n", flag, s);
		return -1;
	}
	if (*out > max) {
		fprintf(stderr, "ksmsim-difffuzz: %s is at most %llu\n", flag, max);
		return -1;
	}
	return 0;
}

static bool kernel_name(const char *s)
{
	return !strcmp(s, "baseline") || !strcmp(s, "lpi");
}

/* 0 ok, 1 --help done, -1 bad usage (message printed). */
int fz_parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *f = argv[i], *val = NULL;
		char flag[64];
		unsigned long long v;
		const char *eq = strncmp(f, "--", 2) ? NULL : strchr(f, '=');

		if (!strcmp(f, "--help") || !strcmp(f, "-h")) {
			fz_usage(stdout);
			return 1;
		}
		if (!strcmp(f, "--version")) {
			printf("ksmsim-difffuzz %s\n", ksmsim_version());
			return 1;
		}
		if (eq) {
			snprintf(flag, sizeof(flag), "%.*s", (int)(eq - f), f);
			val = eq + 1;
		} else {
			snprintf(flag, sizeof(flag), "%s", f);
		}
		if (!strcmp(flag, "--json") || !strcmp(flag, "--quiet") ||
		    !strcmp(flag, "--allow-foreign")) {
			if (val) {
				fprintf(stderr, "ksmsim-difffuzz: %s takes no value\n", flag);
				return -1;
			}
			if (!strcmp(flag, "--json"))
				o->json = true;
			else if (!strcmp(flag, "--quiet"))
				o->quiet = true;
			else
				o->ignore_others = true; /* = --other-ksm-users ignore */
			continue;
		}
		if (strncmp(flag, "--", 2) || !strcmp(f, "--")) {
			/* trace files to compare instead of random ones; "--" ends options */
			bool dashdash = !strcmp(f, "--");

			for (i += dashdash; i < argc; i++) {
				if (!dashdash && !strncmp(argv[i], "--", 2)) {
					fprintf(stderr, "ksmsim-difffuzz: options go before the traces ('%s')\n",
						argv[i]);
					return -1;
				}
				o->files = xrealloc(o->files, (o->nfiles + 1) * sizeof(*o->files));
				o->files[o->nfiles++] = argv[i];
			}
			break;
		}
		{
			static const char *const known[] = {
				"--traces", "--seed", "--steps", "--out", "--replayer", "--guest",
				"--sim-kernel", "--ignore", "--batch", "--backend", "--wait",
				"--shrink-per-group", "--generate", "--refused", "--migrate", "--other-ksm-users",
				"--confirm",
				NULL,
			};
			bool ok = false;

			for (size_t k = 0; known[k]; k++)
				ok |= !strcmp(flag, known[k]);
			if (!ok) {
				fprintf(stderr, "ksmsim-difffuzz: unknown option '%s'\n", flag);
				return -1;
			}
		}
		if (!val) {
			if (i + 1 == argc) {
				fprintf(stderr, "ksmsim-difffuzz: %s needs a value\n", flag);
				return -1;
			}
			val = argv[++i];
		}
		if (!strcmp(flag, "--traces")) {
			if (number(flag, val, 100000000ULL, &v))
				return -1;
			o->traces = (unsigned long)v;
		} else if (!strcmp(flag, "--generate")) {
			if (number(flag, val, 100000000ULL, &v))
				return -1;
			o->generate = (unsigned long)v;
			o->gen_mode = true;
		} else if (!strcmp(flag, "--seed")) {
			if (number(flag, val, UINT64_MAX, &v))
				return -1;
			o->seed = v;
		} else if (!strcmp(flag, "--steps")) {
			if (number(flag, val, 10000, &v))
				return -1;
			o->steps = (unsigned)v;
		} else if (!strcmp(flag, "--confirm")) {
			if (number(flag, val, 100, &v))
				return -1;
			if (!v) {
				fprintf(stderr, "ksmsim-difffuzz: --confirm is at least 1\n");
				return -1;
			}
			o->confirm = (unsigned)v;
		} else if (!strcmp(flag, "--refused")) {
			if (number(flag, val, 100, &v))
				return -1;
			o->refused = (unsigned)v;
		} else if (!strcmp(flag, "--migrate")) {
			if (number(flag, val, 100, &v))
				return -1;
			o->migrate = (unsigned)v;
		} else if (!strcmp(flag, "--batch")) {
			if (number(flag, val, 10000, &v))
				return -1;
			if (!v) {
				fprintf(stderr, "ksmsim-difffuzz: --batch is at least 1\n");
				return -1;
			}
			o->batch = (unsigned)v;
		} else if (!strcmp(flag, "--wait")) {
			if (number(flag, val, 86400, &v))
				return -1;
			o->wait = (unsigned)v;
		} else if (!strcmp(flag, "--shrink-per-group")) {
			if (number(flag, val, 1000000, &v))
				return -1;
			o->shrink_per_group = (unsigned)v;
		} else if (!strcmp(flag, "--out")) {
			if (!*val) {
				fprintf(stderr, "ksmsim-difffuzz: --out needs a folder\n");
				return -1;
			}
			o->out = val;
		} else if (!strcmp(flag, "--replayer")) {
			if (!*val) {
				fprintf(stderr, "ksmsim-difffuzz: --replayer needs a path\n");
				return -1;
			}
			o->replayer = val;
		} else if (!strcmp(flag, "--guest") || !strcmp(flag, "--sim-kernel")) {
			if (!kernel_name(val)) {
				fprintf(stderr, "ksmsim-difffuzz: %s takes baseline or lpi, not '%s'\n",
					flag, val);
				return -1;
			}
			if (!strcmp(flag, "--guest"))
				o->guest = val;
			else
				o->sim_kernel = val;
		} else if (!strcmp(flag, "--other-ksm-users")) {
			if (!strcmp(val, "wait"))
				o->ignore_others = false;
			else if (!strcmp(val, "ignore"))
				o->ignore_others = true;
			else {
				fprintf(stderr, "ksmsim-difffuzz: --other-ksm-users takes wait or ignore, not '%s'\n",
					val);
				return -1;
			}
		} else if (!strcmp(flag, "--backend")) {
			if (!strcmp(val, "auto"))
				o->mode = FZ_BACKEND_AUTO;
			else if (!strcmp(val, "batch"))
				o->mode = FZ_BACKEND_BATCH;
			else if (!strcmp(val, "single"))
				o->mode = FZ_BACKEND_SINGLE;
			else {
				fprintf(stderr, "ksmsim-difffuzz: --backend takes auto, batch or single, not '%s'\n",
					val);
				return -1;
			}
		} else if (!strcmp(flag, "--ignore")) {
			if (!ksm_snapdiff_pattern_valid(val)) {
				fprintf(stderr, "ksmsim-difffuzz: --ignore %s: not a field of the snapshot record\n",
					val);
				return -1;
			}
			if (o->ign.n == sizeof(o->ign.v) / sizeof(o->ign.v[0])) {
				fprintf(stderr, "ksmsim-difffuzz: at most 64 --ignore options\n");
				return -1;
			}
			o->ign.v[o->ign.n++] = val;
		}
	}
	if (o->nfiles && o->gen_mode) {
		fprintf(stderr, "ksmsim-difffuzz: --generate takes no trace files\n");
		return -1;
	}
	if (o->guest && o->mode == FZ_BACKEND_SINGLE) {
		fprintf(stderr, "ksmsim-difffuzz: --guest needs the batch backend, not --backend single\n");
		return -1;
	}
	if (!o->sim_kernel)
		o->sim_kernel = o->guest ? o->guest : "baseline";
	return 0;
}
