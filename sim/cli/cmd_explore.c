// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim explore — look for traces that break the equivalence
 *
 * Options are checked before anything runs: a contradiction (an option of
 * the other mode, --progress with --quiet, an option given twice), a run
 * that would explore nothing (--depth 0, --traces 0, --steps 0), a number
 * that is not one, and an --out that is not a writable folder are usage
 * errors (exit 2), so that a search never ends in an error it could have
 * had at its start.  SIGINT, SIGTERM and SIGHUP only raise a flag: the
 * search stops at the next command or sequence, the statistics so far are
 * printed (marked interrupted) and the exit status is 128 + the signal, as
 * shells report it; a signal ignored when explore starts stays ignored.
 * Failing traces are written when found, so an interrupted run has
 * already written them.  See usage() for the rest.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/explore_cli.h"
#include "cli/opts.h"
#include "core/array.h"
#include "ksmsim/explore.h"

/* More workers than this is a typing mistake, not a machine. */
#define EXPLORE_MAX_JOBS 1024

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim explore [--seed S] [--traces N] [--steps M] [COMMON...]\n"
		"       ksmsim explore --exhaustive [--depth D] [--alphabet default|mprotect] [COMMON...]\n"
		"\n"
		"Random search (the default) builds N traces (default 100) of M commands each\n"
		"(default 200) from seed S (default 1), checking after every command; a failing\n"
		"trace is shrunk and written.  --exhaustive enumerates every sequence of a\n"
		"13-command alphabet up to depth D (1 to %u, default 4): depth 6 finds the\n"
		"divergence in 0.5 s, depth 7 takes minutes, depth 8 most of an hour.\n"
		"--alphabet mprotect replaces its two mremaps by mprotect splits.\n"
		"\n"
		"COMMON options:\n"
		"  --target T     what fails: divergence (default: an invariant breaks or the full\n"
		"                 and indexed walks differ), naive (also a naive-walk miss: the\n"
		"                 negative control) or any (any finding)\n"
		"  --out DIR      where failing traces are written (default .; must exist and be\n"
		"                 writable, checked before the search)\n"
		"  --keep-going   do not stop at the first failure; write every failing trace\n"
		"                 (the second and later get -2, -3, ... in their names)\n"
		"  --json         the final report as one JSON object on stdout (no timings:\n"
		"                 the same options give the same bytes)\n"
		"  --progress     progress lines on stderr even when it is not a terminal (one\n"
		"                 every 5 s; on a terminal one line is updated 4 times a second,\n"
		"                 which is the default there)\n"
		"  --quiet        no progress and no long-run warning\n"
		"  --jobs N       run the search on N worker processes (1 to %u, default 1); the\n"
		"                 report and the traces are those of --jobs 1, byte for byte\n"
		"  --shard K/N    run only part K (0 to N-1) of N of the search and print its\n"
		"                 result as JSON for 'ksmsim explore-merge', which merges the\n"
		"                 N parts into the report of the whole run; a shard writes no\n"
		"                 traces (explore-merge does)\n"
		"\n"
		"A run estimated at over an hour is warned about after its first second.\n"
		"SIGINT, SIGTERM or SIGHUP stop the search at the next command or sequence and\n"
		"print the statistics so far; traces found were already written.\n"
		"\n"
		"Exit status: 0 nothing failed, 1 a failing trace was found (and written),\n"
		"2 bad usage, 128+N stopped by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).\n",
		EXPLORE_MAX_DEPTH, EXPLORE_MAX_JOBS);
}

#define STR_(x) #x
#define STR(x) STR_(x)

static volatile sig_atomic_t stop_signal;

/* The first signal is the one reported. */
static void on_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP (ARRAY_SIZE(stop_signals))

static void catch_signals(struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSTOP; i++) {
		sigaction(stop_signals[i], NULL, &old[i]);
		/*
		 * A signal ignored from the start (nohup; SIGINT in a background
		 * job of a script) stays ignored, as the caller asked.
		 */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

static void restore_signals(const struct sigaction *old)
{
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

/*
 * A decimal (or 0x hexadecimal) number in [@min, @max], nothing else: no
 * sign, no blanks, no trailing text.  @empty says why @min is the least.
 */
static int number(const char *flag, const char *s, uint64_t min, uint64_t max,
		  const char *empty, uint64_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	unsigned long long v;
	char *end;

	if (!(hex ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0]))) {
		fprintf(stderr, "ksmsim explore: %s takes a number, not '%s'\n", flag, s);
		return -1;
	}
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (*end) {
		fprintf(stderr, "ksmsim explore: %s takes a number, not '%s'\n", flag, s);
		return -1;
	}
	if (errno == ERANGE || v > max) {
		fprintf(stderr, "ksmsim explore: %s %s is too large: at most %" PRIu64 "\n", flag, s,
			max);
		return -1;
	}
	if (v < min) {
		fprintf(stderr, "ksmsim explore: %s %s %s\n", flag, s, empty);
		return -1;
	}
	*out = v;
	return 0;
}

/* --out must be a folder we can create files in, before the search starts. */
static int check_out_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st)) {
		fprintf(stderr, "ksmsim explore: --out %s: %s%s\n", dir, strerror(errno),
			errno == ENOENT ? " (explore writes into an existing folder)" : "");
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ksmsim explore: --out %s: not a directory\n", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK)) {
		fprintf(stderr, "ksmsim explore: --out %s: cannot write there: %s\n", dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

enum flag {
	F_EXHAUSTIVE, F_DEPTH, F_ALPHABET,       /* exhaustive only */
	F_SEED, F_TRACES, F_STEPS,               /* random only     */
	F_TARGET, F_OUT, F_KEEP_GOING, F_JSON, F_PROGRESS, F_QUIET,
	F_JOBS, F_SHARD,
	F_COUNT
};

/* Indexed by enum flag: the key of each row is its index. */
static const struct cli_option options[F_COUNT + 1] = {
	[F_EXHAUSTIVE] = { "--exhaustive", NULL, CLI_VAL_NONE, F_EXHAUSTIVE, NULL },
	[F_DEPTH] = { "--depth", NULL, CLI_VAL_NEXT, F_DEPTH, NULL },
	[F_ALPHABET] = { "--alphabet", NULL, CLI_VAL_NEXT, F_ALPHABET, NULL },
	[F_SEED] = { "--seed", NULL, CLI_VAL_NEXT, F_SEED, NULL },
	[F_TRACES] = { "--traces", NULL, CLI_VAL_NEXT, F_TRACES, NULL },
	[F_STEPS] = { "--steps", NULL, CLI_VAL_NEXT, F_STEPS, NULL },
	[F_TARGET] = { "--target", NULL, CLI_VAL_NEXT, F_TARGET, NULL },
	[F_OUT] = { "--out", NULL, CLI_VAL_NEXT, F_OUT, NULL },
	[F_KEEP_GOING] = { "--keep-going", NULL, CLI_VAL_NONE, F_KEEP_GOING, NULL },
	[F_JSON] = { "--json", NULL, CLI_VAL_NONE, F_JSON, NULL },
	[F_PROGRESS] = { "--progress", NULL, CLI_VAL_NONE, F_PROGRESS, NULL },
	[F_QUIET] = { "--quiet", NULL, CLI_VAL_NONE, F_QUIET, NULL },
	[F_JOBS] = { "--jobs", NULL, CLI_VAL_NEXT, F_JOBS, NULL },
	[F_SHARD] = { "--shard", NULL, CLI_VAL_NEXT, F_SHARD, NULL },
	[F_COUNT] = { NULL, NULL, CLI_VAL_NONE, 0, NULL },
};

/* K/N with 0 <= K < N: decimal numbers, nothing else. */
static int shard_value(const char *s, struct explore_opts *o)
{
	const char *slash = strchr(s, '/');
	char k[32];
	uint64_t kv, nv;

	if (!slash || (size_t)(slash - s) >= sizeof(k) || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)slash[1])) {
		fprintf(stderr, "ksmsim explore: --shard takes K/N (part K of N, 0 <= K < N), not '%s'\n",
			s);
		return -1;
	}
	memcpy(k, s, (size_t)(slash - s));
	k[slash - s] = '\0';
	if (number("--shard", k, 0, UINT32_MAX, "", &kv) ||
	    number("--shard", slash + 1, 1, UINT32_MAX, "has no parts: N is at least 1", &nv))
		return -1;
	if (kv >= nv) {
		fprintf(stderr, "ksmsim explore: --shard %s: K must be less than N (parts are 0 to %" PRIu64 ")\n",
			s, nv - 1);
		return -1;
	}
	o->shard = (unsigned)kv;
	o->shards = (unsigned)nv;
	return 0;
}

static int set_value(enum flag f, const char *s, struct explore_opts *o)
{
	uint64_t v;

	switch (f) {
	case F_SEED:
		return number("--seed", s, 0, UINT64_MAX, "", &o->seed);
	case F_TRACES:
	case F_STEPS:
		if (number(options[f].name, s, 1, UINT32_MAX, "explores nothing: give at least 1", &v))
			return -1;
		*(f == F_TRACES ? &o->traces : &o->steps) = (unsigned)v;
		return 0;
	case F_DEPTH:
		if (number("--depth", s, 1, EXPLORE_MAX_DEPTH,
			   "explores nothing: give 1 to " STR(EXPLORE_MAX_DEPTH), &v))
			return -1;
		o->depth = (unsigned)v;
		return 0;
	case F_TARGET:
		if (!strcmp(s, "divergence"))
			o->target = EXPLORE_TARGET_DIVERGENCE;
		else if (!strcmp(s, "naive"))
			o->target = EXPLORE_TARGET_NAIVE;
		else if (!strcmp(s, "any"))
			o->target = EXPLORE_TARGET_ANY;
		else
			break;
		return 0;
	case F_ALPHABET:
		if (!strcmp(s, "default"))
			o->alphabet = EXPLORE_ALPHABET_DEFAULT;
		else if (!strcmp(s, "mprotect"))
			o->alphabet = EXPLORE_ALPHABET_MPROTECT;
		else
			break;
		return 0;
	case F_JOBS:
		if (number("--jobs", s, 1, EXPLORE_MAX_JOBS, "runs nothing: give at least 1", &v))
			return -1;
		o->jobs = (unsigned)v;
		return 0;
	case F_SHARD:
		return shard_value(s, o);
	case F_OUT:
		if (!*s) {
			fprintf(stderr, "ksmsim explore: --out needs a folder, not ''\n");
			return -1;
		}
		o->out_dir = s;
		return 0;
	default:
		return 0;
	}
	fprintf(stderr, "ksmsim explore: %s takes %s, not '%s'\n", options[f].name,
		f == F_TARGET ? "divergence, naive or any" : "default or mprotect", s);
	return -1;
}

/* Options of one mode are contradictions in the other. */
static int check_modes(const bool *seen)
{
	static const enum flag random_only[] = { F_SEED, F_TRACES, F_STEPS };
	static const enum flag exhaustive_only[] = { F_DEPTH, F_ALPHABET };

	if (seen[F_EXHAUSTIVE]) {
		for (size_t i = 0; i < ARRAY_SIZE(random_only); i++)
			if (seen[random_only[i]]) {
				fprintf(stderr, "ksmsim explore: %s is for random search; --exhaustive "
						"enumerates every sequence and takes --depth\n",
					options[random_only[i]].name);
				return -1;
			}
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(exhaustive_only); i++)
			if (seen[exhaustive_only[i]]) {
				fprintf(stderr, "ksmsim explore: %s needs --exhaustive (a random search "
						"takes --seed, --traces and --steps)\n",
					options[exhaustive_only[i]].name);
				return -1;
			}
	}
	if (seen[F_PROGRESS] && seen[F_QUIET]) {
		fprintf(stderr, "ksmsim explore: --progress and --quiet contradict each other\n");
		return -1;
	}
	return 0;
}

/* @w's row of options[], or F_COUNT: @w is no option of explore. */
static enum flag lookup(const char *w)
{
	enum flag f;

	for (f = 0; f < F_COUNT; f++)
		if (!strcmp(w, options[f].name))
			break;
	return f;
}

/* @f is given for the first time; the second time is a usage error. */
static int first_time(enum flag f, bool *seen)
{
	if (seen[f]) {
		fprintf(stderr, "ksmsim explore: %s given twice\n", options[f].name);
		return -1;
	}
	seen[f] = true;
	return 0;
}

static int parse(int argc, char **argv, struct explore_opts *o, bool *seen)
{
	struct cli_args args = { argc, argv, 1, false, false, false, NULL };
	const char *val;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		if (key == CLI_OPT_NO_VALUE) {
			/* "--seed 1 --seed" is the repeat before the missing value. */
			if (first_time(lookup(val), seen))
				return -1;
			cli_opt_error(&args, "explore", key, val);
			return -1;
		}
		if (key < 0) {
			cli_opt_error(&args, "explore", key, val);
			usage(stderr);
			return -1;
		}
		if (first_time((enum flag)key, seen))
			return -1;
		if (options[key].value == CLI_VAL_NONE)
			continue;
		/*
		 * "--seed --quiet" forgot the seed: an option of explore is never
		 * taken as a value, so --out cannot create a folder named --json.
		 */
		if (lookup(val) != F_COUNT) {
			fprintf(stderr, "ksmsim explore: %s needs a value\n", options[key].name);
			return -1;
		}
		if (set_value((enum flag)key, val, o))
			return -1;
	}
	return check_modes(seen);
}

/* A shard's task results, gathered as the search goes. */
struct shard_out {
	FILE *f;
	char *buf;
	size_t len;
	unsigned long n;
};

static void shard_task(void *arg, const struct explore_task *t)
{
	struct shard_out *s = arg;

	fputs(s->n++ ? ",\n" : "\n", s->f);
	explore_task_write_json(s->f, t);
}

int cmd_explore(int argc, char **argv)
{
	struct explore_opts o = { .seed = 1, .traces = 100, .steps = 200, .depth = 4,
				  .target = EXPLORE_TARGET_DIVERGENCE, .out_dir = "." };
	struct explore_progress prog = { 0 };
	struct shard_out shard = { 0 };
	struct explore_report rep;
	struct sigaction old[NSTOP];
	bool seen[F_COUNT] = { false }, exhaustive;
	int ret, status;

	/*
	 * --help anywhere wins, even as another option's value or after a bad
	 * word ("--seed -h"), as it always did: so it is looked for before
	 * the option table is walked, not in it.
	 */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		}
	if (parse(argc, argv, &o, seen))
		return KSMSIM_EXIT_USAGE;
	exhaustive = seen[F_EXHAUSTIVE];
	o.keep_going = seen[F_KEEP_GOING];
	/* Catch signals first: the estimate below may take a moment. */
	stop_signal = 0;
	catch_signals(old);
	if (check_out_dir(o.out_dir)) {
		restore_signals(old);
		return KSMSIM_EXIT_USAGE;
	}
	o.stop = &stop_signal;

	prog.exhaustive = exhaustive;
	prog.tty = isatty(STDERR_FILENO);
	prog.show = !seen[F_QUIET] && (seen[F_PROGRESS] || prog.tty);
	prog.warn = !seen[F_QUIET];
	prog.traces_total = o.traces;
	if (prog.show || prog.warn) {
		prog.total = exhaustive ? explore_estimate(&o) : (double)o.traces * o.steps;
		o.progress = explore_progress_tick;
		o.progress_arg = &prog;
	}
	explore_progress_start(&prog);

	if (seen[F_SHARD]) {
		shard.buf = NULL;
		shard.f = open_memstream(&shard.buf, &shard.len);
	}
	ret = explore_run(&o, exhaustive, &rep, seen[F_SHARD] ? shard_task : NULL, &shard);
	restore_signals(old);
	if (seen[F_SHARD])
		fclose(shard.f);
	if (ret < 0) {
		fprintf(stderr, "ksmsim explore: cannot run\n");
		explore_report_free(&rep);
		free(shard.buf);
		return KSMSIM_EXIT_USAGE;
	}
	explore_progress_end(&prog, &rep);
	if (seen[F_SHARD])
		explore_print_shard(stdout, &o, exhaustive, &rep, shard.buf, shard.len);
	else if (seen[F_JSON])
		explore_print_json(stdout, &o, exhaustive, &rep);
	else
		explore_print_text(stdout, &o, exhaustive, &rep);
	if (rep.interrupted)
		status = 128 + rep.interrupted;
	else
		status = ret ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
	explore_report_free(&rep);
	free(shard.buf);
	return status;
}
