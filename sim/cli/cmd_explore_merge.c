// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim explore-merge — the report of a search run in shards
 *
 * Reads the results of `explore --shard K/N` (every K from 0 to N-1, each
 * once, all of one search: the same mode, depth or seed, target and
 * --keep-going) and merges their tasks in task order (explore_merge), so
 * that it prints what the unsharded run prints — the same counts, the
 * same failures in the same order — and writes the failing traces to
 * --out as that run would have.  A task missing from the results is an
 * error unless its shard was interrupted (the merged report is then
 * interrupted too) or an earlier failure ended the search.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/explore_cli.h"
#include "cli/opts.h"
#include "core/file.h"
#include "core/json_parse.h"
#include "ksmsim/diag.h"
#include "ksmsim/explore.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim explore-merge [--out DIR] [--json] RESULT.json...\n"
		"\n"
		"Merge the results of 'ksmsim explore --shard K/N' (all N of them, K from 0 to\n"
		"N-1) into the report the whole search gives in one run: the same counts and the\n"
		"same failures in the same order.  The failing traces are written to --out\n"
		"(default .) as that run would have written them.\n"
		"\n"
		"  --out DIR   where failing traces are written (an existing, writable folder)\n"
		"  --json      the report as JSON, as 'explore --json' prints it\n"
		"\n"
		"Exit status as explore's: 0 nothing failed, 1 a failure, 2 bad usage or a bad\n"
		"or missing result, 128+N a shard was stopped by signal N.\n");
}

enum { O_OUT, O_JSON, O_HELP };

static const struct cli_option options[] = {
	{ "--out", NULL, true, O_OUT },
	{ "--json", NULL, false, O_JSON },
	{ "--help", "-h", false, O_HELP },
	{ NULL, NULL, false, 0 },
};

struct shard {
	const char *file;
	struct json_value doc;
	struct explore_opts o;
	bool exhaustive;
	int interrupted;
};

static int fail_at(const char *file, const struct json_value *v, const char *msg)
{
	fprintf(stderr, "%s:%u:%u: %s\n", file, v ? v->line : 1, v ? v->col : 1, msg);
	return -1;
}

static int str_of(const struct shard *s, const char *key, const char **out)
{
	const struct json_value *v = json_get(&s->doc, key);

	if (!v || v->type != JSON_STRING) {
		char msg[128];

		snprintf(msg, sizeof(msg), "\"%s\" must be a string", key);
		return fail_at(s->file, v ? v : &s->doc, msg);
	}
	*out = v->s;
	return 0;
}

static int num_of(const struct shard *s, const char *key, uint64_t max, uint64_t *out)
{
	const struct json_value *v = json_get(&s->doc, key);

	if (!v || json_u64(v, out) || *out > max) {
		char msg[128];

		snprintf(msg, sizeof(msg), "\"%s\" must be a whole number up to %" PRIu64, key, max);
		return fail_at(s->file, v ? v : &s->doc, msg);
	}
	return 0;
}

/* The shard's options, from its header. */
static int read_header(struct shard *s)
{
	const struct json_value *kg, *ib;
	const char *cmd, *mode, *word;
	uint64_t v, k, n;

	if (s->doc.type != JSON_OBJECT || str_of(s, "command", &cmd) || strcmp(cmd, "explore-shard"))
		return fail_at(s->file, &s->doc,
			       "not the result of 'ksmsim explore --shard K/N' (its \"command\" is \"explore-shard\")");
	if (num_of(s, "shard", UINT32_MAX, &k) || num_of(s, "shards", UINT32_MAX, &n))
		return -1;
	if (!n || k >= n)
		return fail_at(s->file, json_get(&s->doc, "shard"), "\"shard\" must be less than \"shards\"");
	s->o.shard = (unsigned)k;
	s->o.shards = (unsigned)n;
	if (str_of(s, "mode", &mode))
		return -1;
	s->exhaustive = !strcmp(mode, "exhaustive");
	if (s->exhaustive) {
		if (num_of(s, "depth", EXPLORE_MAX_DEPTH, &v) || str_of(s, "alphabet", &word))
			return -1;
		if (!v)
			return fail_at(s->file, json_get(&s->doc, "depth"), "\"depth\" must be 1 or more");
		s->o.depth = (unsigned)v;
		if (!strcmp(word, "mprotect"))
			s->o.alphabet = EXPLORE_ALPHABET_MPROTECT;
		else if (strcmp(word, "default"))
			return fail_at(s->file, json_get(&s->doc, "alphabet"),
				       "\"alphabet\" must be \"default\" or \"mprotect\"");
	} else if (!strcmp(mode, "random")) {
		if (num_of(s, "seed", UINT64_MAX, &s->o.seed) ||
		    num_of(s, "traces_asked", UINT32_MAX, &v))
			return -1;
		s->o.traces = (unsigned)v;
		if (num_of(s, "steps", UINT32_MAX, &v))
			return -1;
		s->o.steps = (unsigned)v;
	} else {
		return fail_at(s->file, json_get(&s->doc, "mode"),
			       "\"mode\" must be \"random\" or \"exhaustive\"");
	}
	if (str_of(s, "target", &word))
		return -1;
	if (!strcmp(word, "divergence"))
		s->o.target = EXPLORE_TARGET_DIVERGENCE;
	else if (!strcmp(word, "naive"))
		s->o.target = EXPLORE_TARGET_NAIVE;
	else if (!strcmp(word, "any"))
		s->o.target = EXPLORE_TARGET_ANY;
	else
		return fail_at(s->file, json_get(&s->doc, "target"),
			       "\"target\" must be \"divergence\", \"naive\" or \"any\"");
	kg = json_get(&s->doc, "keep_going");
	if (!kg || kg->type != JSON_BOOL)
		return fail_at(s->file, kg ? kg : &s->doc, "\"keep_going\" must be true or false");
	s->o.keep_going = kg->b;
	ib = json_get(&s->doc, "interrupted_by");
	if (ib && ib->type == JSON_STRING && (s->interrupted = explore_signal_number(ib->s)))
		;
	else if (!ib || ib->type != JSON_NULL)
		return fail_at(s->file, ib ? ib : &s->doc,
			       "\"interrupted_by\" must be null, \"SIGINT\", \"SIGTERM\" or \"SIGHUP\"");
	if (!json_get(&s->doc, "tasks") || json_get(&s->doc, "tasks")->type != JSON_ARRAY)
		return fail_at(s->file, &s->doc, "\"tasks\" must be an array");
	return 0;
}

/* Two shards of one search differ only in their part. */
static bool same_search(const struct shard *a, const struct shard *b)
{
	return a->exhaustive == b->exhaustive && a->o.shards == b->o.shards &&
	       a->o.depth == b->o.depth && a->o.alphabet == b->o.alphabet &&
	       a->o.seed == b->o.seed && a->o.traces == b->o.traces && a->o.steps == b->o.steps &&
	       a->o.target == b->o.target && a->o.keep_going == b->o.keep_going;
}

static int check_out_dir(const char *dir)
{
	struct stat st;

	errno = 0;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK | X_OK)) {
		fprintf(stderr, "ksmsim explore-merge: --out %s: %s\n", dir,
			errno ? strerror(errno) : "not a directory");
		return -1;
	}
	return 0;
}

/*
 * Merge every shard's tasks in task order.  Each shard's tasks are in
 * order already, so a cursor per shard suffices: task i is the next of
 * shard i mod N.
 */
static int merge(struct shard *sh, unsigned n, struct explore_opts *o, bool exhaustive,
		 struct explore_report *rep)
{
	struct explore_merge *m = explore_merge_new(o, exhaustive, true);
	unsigned long ntasks = explore_ntasks(o, exhaustive);
	size_t *cur = calloc(n, sizeof(*cur));
	int ret = 0;

	for (unsigned long i = 0; i < ntasks && cur; i++) {
		struct shard *s = &sh[i % n];
		const struct json_value *tasks = json_get(&s->doc, "tasks");
		struct explore_task t;
		struct ksm_diag err = { 0 };

		if (cur[i % n] >= tasks->n) {
			/* Never run: the shard was stopped by a signal or by its failure. */
			if (s->interrupted) {
				explore_merge_interrupted(m, s->interrupted);
				continue;
			}
			if (explore_merge_report(m)->failures && !o->keep_going)
				break;
			fprintf(stderr, "%s: shard %u/%u lacks task %lu (its result is incomplete)\n",
				s->file, s->o.shard, n, i);
			ret = -1;
			break;
		}
		if (explore_task_from_json(s->file, &tasks->v[cur[i % n]], &t, &err)) {
			fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
			ret = -1;
			break;
		}
		if (t.index != i) {
			fprintf(stderr, "%s:%u:%u: task %lu where task %lu of shard %u/%u was due\n",
				s->file, tasks->v[cur[i % n]].line, tasks->v[cur[i % n]].col, t.index, i,
				s->o.shard, n);
			explore_task_free(&t);
			ret = -1;
			break;
		}
		cur[i % n]++;
		if (explore_merge_add(m, &t)) {
			explore_task_free(&t);
			break;
		}
		explore_task_free(&t);
	}
	free(cur);
	explore_merge_finish(m, rep);
	return ret;
}

int cmd_explore_merge(int argc, char **argv)
{
	struct cli_args args = { argc, argv, 1, false };
	struct explore_opts o = { .out_dir = "." };
	struct explore_report rep = { 0 };
	struct shard *sh = NULL;
	const char **files = calloc((size_t)argc, sizeof(*files));
	unsigned nfiles = 0, n = 0;
	bool json = false;
	const char *val;
	int key, status = KSMSIM_EXIT_USAGE;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		switch (key) {
		case O_HELP:
			usage(stdout);
			free(files);
			return KSMSIM_EXIT_OK;
		case O_OUT:
			o.out_dir = val;
			break;
		case O_JSON:
			json = true;
			break;
		case CLI_OPT_ARG:
			files[nfiles++] = val;
			break;
		default:
			cli_opt_error(&args, "explore-merge", key, val);
			free(files);
			return KSMSIM_EXIT_USAGE;
		}
	}
	if (!nfiles) {
		fprintf(stderr, "ksmsim explore-merge: no results given (the JSON of explore --shard K/N)\n");
		usage(stderr);
		goto out;
	}
	if (check_out_dir(o.out_dir))
		goto out;
	sh = calloc(nfiles, sizeof(*sh));
	for (unsigned i = 0; i < nfiles; i++) {
		struct ksm_diag err = { 0 };
		char *buf;
		size_t len;

		sh[i].file = files[i];
		if (sim_read_file(files[i], &buf, &len)) {
			fprintf(stderr, "ksmsim explore-merge: %s: %s\n", files[i], strerror(errno));
			goto out;
		}
		if (json_parse(files[i], buf, len, &sh[i].doc, &err)) {
			free(buf);
			fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
			goto out;
		}
		free(buf);
		if (read_header(&sh[i]))
			goto out;
		if (!same_search(&sh[0], &sh[i])) {
			fprintf(stderr, "ksmsim explore-merge: %s and %s are parts of different searches\n",
				files[0], files[i]);
			goto out;
		}
	}
	n = sh[0].o.shards;
	if (nfiles != n) {
		fprintf(stderr, "ksmsim explore-merge: the search has %u parts, %u results given\n", n,
			nfiles);
		goto out;
	}
	/* Order by part; each once. */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i; j < n; j++)
			if (sh[j].o.shard == i) {
				struct shard tmp = sh[i];

				sh[i] = sh[j];
				sh[j] = tmp;
				break;
			}
	for (unsigned i = 0; i < n; i++)
		if (sh[i].o.shard != i) {
			fprintf(stderr, "ksmsim explore-merge: part %u/%u is missing (or another part is given twice)\n",
				i, n);
			goto out;
		}
	{
		const char *out_dir = o.out_dir;

		o = sh[0].o;
		o.out_dir = out_dir;
		o.shard = 0;
		o.shards = 0;
	}
	if (merge(sh, n, &o, sh[0].exhaustive, &rep))
		goto out;
	if (json)
		explore_print_json(stdout, &o, sh[0].exhaustive, &rep);
	else
		explore_print_text(stdout, &o, sh[0].exhaustive, &rep);
	if (rep.interrupted)
		status = 128 + rep.interrupted;
	else
		status = rep.failures ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
out:
	explore_report_free(&rep);
	if (sh)
		for (unsigned i = 0; i < nfiles; i++)
			json_free(&sh[i].doc);
	free(sh);
	free(files);
	return status;
}
