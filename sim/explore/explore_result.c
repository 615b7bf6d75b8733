// SPDX-License-Identifier: MIT
/*
 * DOC: A task's result as JSON
 *
 * How a --jobs worker hands a task's result to its parent (one line per
 * task on a pipe) and how a shard's result file lists its tasks for
 * explore-merge: every count, every failure with its commands, and the
 * fingerprints of the states reached (in hexadecimal: JSON numbers are
 * not exact beyond 2^53).  Reading checks every field, so that a damaged
 * or foreign file is named with its line and column, never merged.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/json.h"
#include "core/json_parse.h"
#include "explore/explore_internal.h"
#include "ksmsim/diag.h"
#include "ksmsim/explore.h"

void explore_task_write_json(FILE *out, const struct explore_task *t)
{
	const struct explore_report *r = &t->r;

	fprintf(out, "{\"task\": %lu, \"traces\": %lu, \"commands\": %lu, \"refused\": %lu, "
		     "\"deepest\": %u, \"naive_misses\": %lu, \"findings\": %lu, \"interrupted\": %d, "
		     "\"failures\": [",
		t->index, r->traces, r->commands, r->refused, r->depth, r->naive_misses, r->findings,
		r->interrupted);
	for (size_t i = t->committed; i < r->failures; i++) {
		const struct explore_failure *f = &r->failure[i];

		fputs(i > t->committed ? ", {\"kind\": " : "{\"kind\": ", out);
		json_string(out, f->kind);
		fputs(", \"why\": ", out);
		json_string(out, f->why);
		fprintf(out, ", \"at\": %lu, \"shrunk_from\": %zu, \"shrunk_to\": %zu, "
			     "\"shrink_interrupted\": %s, \"lines\": [",
			f->at, f->shrunk_from, f->shrunk_to, f->shrink_interrupted ? "true" : "false");
		for (size_t k = 0; k < f->nlines; k++) {
			if (k)
				fputs(", ", out);
			json_string(out, f->lines[k]);
		}
		fputs("]}", out);
	}
	fputs("], \"states\": [", out);
	for (size_t i = 0; i < t->nstates; i++)
		fprintf(out, i ? ", \"%016" PRIx64 "\"" : "\"%016" PRIx64 "\"", t->states[i]);
	fputs("]}", out);
}

static int bad(struct ksm_diag *err, const char *file, const struct json_value *v,
	       const char *what)
{
	return ksm_diag_set(err, file, v->line, v->col, "%s", what);
}

/* @key of @obj as a whole number no larger than @max. */
static int get_num(const char *file, const struct json_value *obj, const char *key,
		   uint64_t max, uint64_t *out, struct ksm_diag *err)
{
	const struct json_value *v = json_get(obj, key);

	if (!v)
		return ksm_diag_set(err, file, obj->line, obj->col, "task result lacks \"%s\"", key);
	if (json_u64(v, out) || *out > max)
		return ksm_diag_set(err, file, v->line, v->col,
				    "\"%s\" must be a whole number up to %" PRIu64, key, max);
	return 0;
}

static int get_str(const char *file, const struct json_value *obj, const char *key, char *buf,
		   size_t len, struct ksm_diag *err)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type != JSON_STRING || strlen(v->s) >= len)
		return ksm_diag_set(err, file, v ? v->line : obj->line, v ? v->col : obj->col,
				    "\"%s\" must be a string of fewer than %zu bytes", key, len);
	memcpy(buf, v->s, strlen(v->s) + 1);
	return 0;
}

static const struct json_value *get_array(const char *file, const struct json_value *obj,
					  const char *key, struct ksm_diag *err)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type != JSON_ARRAY) {
		ksm_diag_set(err, file, v ? v->line : obj->line, v ? v->col : obj->col,
			     "\"%s\" must be an array", key);
		return NULL;
	}
	return v;
}

static int failure_from_json(const char *file, const struct json_value *v,
			     struct explore_failure *f, struct ksm_diag *err)
{
	const struct json_value *lines, *si;
	uint64_t n;

	if (v->type != JSON_OBJECT)
		return bad(err, file, v, "a failure must be an object");
	if (get_str(file, v, "kind", f->kind, sizeof(f->kind), err) ||
	    get_str(file, v, "why", f->why, sizeof(f->why), err) ||
	    get_num(file, v, "at", ULONG_MAX, &n, err))
		return -1;
	f->at = (unsigned long)n;
	if (get_num(file, v, "shrunk_from", SIZE_MAX, &n, err))
		return -1;
	f->shrunk_from = (size_t)n;
	if (get_num(file, v, "shrunk_to", SIZE_MAX, &n, err))
		return -1;
	f->shrunk_to = (size_t)n;
	si = json_get(v, "shrink_interrupted");
	if (!si || si->type != JSON_BOOL)
		return bad(err, file, si ? si : v, "\"shrink_interrupted\" must be true or false");
	f->shrink_interrupted = si->b;
	lines = get_array(file, v, "lines", err);
	if (!lines)
		return -1;
	f->lines = xcalloc(lines->n ? lines->n : 1, sizeof(*f->lines));
	for (size_t k = 0; k < lines->n; k++) {
		if (lines->v[k].type != JSON_STRING)
			return bad(err, file, &lines->v[k], "a trace line must be a string");
		f->lines[f->nlines++] = xstrdup(lines->v[k].s);
	}
	return 0;
}

int explore_task_from_json(const char *file, const struct json_value *v, struct explore_task *t,
			   struct ksm_diag *err)
{
	const struct json_value *fails, *states;
	struct explore_report *r = &t->r;
	uint64_t n;

	memset(t, 0, sizeof(*t));
	if (v->type != JSON_OBJECT)
		return bad(err, file, v, "a task result must be an object");
	if (get_num(file, v, "task", ULONG_MAX, &n, err))
		return -1;
	t->index = (unsigned long)n;
#define NUM(key, field, max)                                          \
	do {                                                          \
		if (get_num(file, v, key, max, &n, err))              \
			goto fail;                                    \
		field = n;                                            \
	} while (0)
	NUM("traces", r->traces, ULONG_MAX);
	NUM("commands", r->commands, ULONG_MAX);
	NUM("refused", r->refused, ULONG_MAX);
	NUM("deepest", r->depth, EXPLORE_MAX_DEPTH);
	NUM("naive_misses", r->naive_misses, ULONG_MAX);
	NUM("findings", r->findings, ULONG_MAX);
	NUM("interrupted", r->interrupted, 64);
#undef NUM
	fails = get_array(file, v, "failures", err);
	states = fails ? get_array(file, v, "states", err) : NULL;
	if (!states)
		goto fail;
	if (fails->n) {
		r->failure = xcalloc(fails->n, sizeof(*r->failure));
		for (size_t i = 0; i < fails->n; i++) {
			r->failures++;
			if (failure_from_json(file, &fails->v[i], &r->failure[i], err))
				goto fail;
		}
	}
	t->states = xmalloc((states->n ? states->n : 1) * sizeof(*t->states));
	t->states_cap = states->n ? states->n : 1;
	for (size_t i = 0; i < states->n; i++) {
		const struct json_value *s = &states->v[i];
		char *end;

		if (s->type != JSON_STRING || strlen(s->s) != 16 ||
		    (t->states[t->nstates++] = strtoull(s->s, &end, 16), *end)) {
			bad(err, file, s, "a state fingerprint must be 16 hexadecimal digits");
			goto fail;
		}
	}
	return 0;
fail:
	explore_task_free(t);
	return -1;
}
