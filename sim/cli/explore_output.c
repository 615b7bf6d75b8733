// SPDX-License-Identifier: MIT
/*
 * DOC: explore's final report, as text or as one JSON object
 *
 * Both hold only what the seed (or depth) determines — counts, failures,
 * trace paths — and no timing, so that two runs with the same options
 * print the same bytes; timings are on stderr (the progress lines).  A
 * trace that could not be written is printed in full instead: a failure
 * found is never lost.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli/explore_cli.h"
#include "core/json.h"

void explore_print_text(FILE *out, const struct explore_opts *o, bool exhaustive,
			const struct explore_report *rep)
{
	if (exhaustive)
		fprintf(out, "exhaustive: %lu sequences up to depth %u, %lu distinct state fingerprints; "
			     "naive misses in %lu, other findings in %lu\n",
			rep->traces, rep->depth, rep->states, rep->naive_misses, rep->findings);
	else
		fprintf(out, "random: seed %" PRIu64 ", %lu traces, %lu commands tried (%lu refused); "
			     "naive misses in %lu checks, other findings in %lu\n",
			o->seed, rep->traces, rep->commands, rep->refused, rep->naive_misses,
			rep->findings);
	for (size_t i = 0; i < rep->failures; i++) {
		const struct explore_failure *f = &rep->failure[i];

		fprintf(out, "failure: %s: %s\n", f->kind, f->why);
		if (!exhaustive)
			fprintf(out, "shrunk from %zu to %zu commands%s\n", f->shrunk_from, f->shrunk_to,
				f->shrink_interrupted ? " (shrinking interrupted)" : "");
		if (f->path[0]) {
			fprintf(out, "trace: %s\n", f->path);
			continue;
		}
		fprintf(out, "trace: not written (%s); its commands:\nksmtrace 1\n", f->error);
		for (size_t k = 0; k < f->nlines; k++)
			fprintf(out, "%s\n", f->lines[k]);
	}
	if (!rep->failures)
		fprintf(out, rep->interrupted ? "no failure so far\n" : "no failure\n");
	if (rep->interrupted)
		fprintf(out, "interrupted by %s: the search is incomplete; the figures above are of "
			     "the part searched\n",
			explore_signal_name(rep->interrupted));
}

static void json_failure(FILE *out, bool exhaustive, const struct explore_failure *f)
{
	fputs("{\"kind\": ", out);
	json_string(out, f->kind);
	fputs(", \"why\": ", out);
	json_string(out, f->why);
	fprintf(out, exhaustive ? ", \"sequence\": %lu" : ", \"trace_index\": %lu", f->at);
	if (!exhaustive)
		fprintf(out, ", \"shrunk_from\": %zu, \"shrunk_to\": %zu, \"shrink_complete\": %s",
			f->shrunk_from, f->shrunk_to, f->shrink_interrupted ? "false" : "true");
	fputs(", \"trace\": ", out);
	if (f->path[0]) {
		json_string(out, f->path);
		fputs(", \"write_error\": null", out);
	} else {
		fputs("null, \"write_error\": ", out);
		json_string(out, f->error);
	}
	fputs(", \"lines\": [", out);
	for (size_t k = 0; k < f->nlines; k++) {
		if (k)
			fputs(", ", out);
		json_string(out, f->lines[k]);
	}
	fputs("]}", out);
}

/* The options that decide the search: the report's and a shard's. */
static void json_options(FILE *out, const struct explore_opts *o, bool exhaustive,
			 const struct explore_report *rep)
{
	if (exhaustive)
		fprintf(out, "\"mode\": \"exhaustive\", \"depth\": %u, \"alphabet\": \"%s\", ", o->depth,
			o->alphabet == EXPLORE_ALPHABET_MPROTECT ? "mprotect" : "default");
	else
		fprintf(out, "\"mode\": \"random\", \"seed\": %" PRIu64 ", \"traces_asked\": %u, "
			     "\"steps\": %u, ",
			o->seed, o->traces, o->steps);
	fprintf(out, "\"target\": \"%s\", \"keep_going\": %s, \"interrupted_by\": ",
		explore_target_name(o->target), o->keep_going ? "true" : "false");
	if (rep->interrupted)
		fprintf(out, "\"%s\", ", explore_signal_name(rep->interrupted));
	else
		fputs("null, ", out);
}

void explore_print_json(FILE *out, const struct explore_opts *o, bool exhaustive,
			const struct explore_report *rep)
{
	fputs("{\"command\": \"explore\", ", out);
	json_options(out, o, exhaustive, rep);
	if (exhaustive)
		fprintf(out, "\"sequences\": %lu, \"deepest\": %u, \"states\": %lu, ", rep->traces,
			rep->depth, rep->states);
	else
		fprintf(out, "\"traces\": %lu, \"commands\": %lu, \"refused\": %lu, ", rep->traces,
			rep->commands, rep->refused);
	fprintf(out, "\"naive_misses\": %lu, \"findings\": %lu, \"failures\": [", rep->naive_misses,
		rep->findings);
	for (size_t i = 0; i < rep->failures; i++) {
		if (i)
			fputs(", ", out);
		json_failure(out, exhaustive, &rep->failure[i]);
	}
	fputs("]}\n", out);
}

void explore_print_shard(FILE *out, const struct explore_opts *o, bool exhaustive,
			 const struct explore_report *rep, const char *tasks, size_t len)
{
	fprintf(out, "{\"command\": \"explore-shard\", \"shard\": %u, \"shards\": %u, ", o->shard,
		o->shards);
	json_options(out, o, exhaustive, rep);
	fputs("\"tasks\": [", out);
	fwrite(tasks, 1, len, out);
	fputs("\n]}\n", out);
}
