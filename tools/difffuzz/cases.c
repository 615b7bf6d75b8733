// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-difffuzz — a disagreement, written as a case
 *
 * fz_handle() takes one trace on which the simulator and the kernel
 * disagree: it replays it again on the kernel (a result the kernel does
 * not repeat is unstable, not a disagreement), shrinks it with ddmin
 * (shrink.c) unless enough of its kind were shrunk already, groups it by
 * the first difference, and writes DIR/NAME/: the original and shrunk
 * traces, both sides' records and logs, the differences and
 * explanation.txt, a paragraph saying what differs and how to see it
 * again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/alloc.h"
#include "run.h"

struct shrink_ctx {
	const struct opts *o;
	const struct stats *s;
	const char *name;
};

static void shrink_progress(void *ctx, size_t from, size_t now, unsigned long tried)
{
	struct shrink_ctx *c = ctx;
	char what[256];

	snprintf(what, sizeof(what), "shrinking %s: %zu -> %zu commands, %lu candidates",
		 c->name, from, now, tried);
	fz_progress(c->o, c->s, what);
}

/* ---- disagreements ---- */

static struct group *group_of(struct stats *s, const char *name)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	if (s->ngroups == MAX_GROUPS)
		return &s->groups[MAX_GROUPS - 1]; /* "other" from here on */
	snprintf(s->groups[s->ngroups].name, sizeof(s->groups[0].name), "%s", name);
	return &s->groups[s->ngroups++];
}

static const char *kernel_desc(const struct opts *o, char *buf, size_t len)
{
	struct utsname u;

	if (o->guest)
		snprintf(buf, len, "the %s guest kernel", o->guest);
	else if (!uname(&u))
		snprintf(buf, len, "Linux %s on this host", u.release);
	else
		snprintf(buf, len, "this host's kernel");
	return buf;
}

static void where(char *buf, size_t len, const struct fz_verdict *v)
{
	if (!strcmp(v->field, "status") || !strcmp(v->field, "error-position"))
		snprintf(buf, len, "how the replay ended");
	else if (!strcmp(v->field, "record-count"))
		snprintf(buf, len, "the number of snapshot records");
	else if (v->label[0])
		snprintf(buf, len, "%s in the snapshot record of trace line %u (label %s)",
			 v->field, v->trace_line, v->label);
	else
		snprintf(buf, len, "%s in the snapshot record of trace line %u", v->field,
			 v->trace_line);
}

/* Replay @text on both sides once: its outcomes and verdict. */
static int replay_one(struct fz_backend *b, const struct opts *o, const char *name,
		      const char *text, size_t len, struct fz_outcome *sim, struct fz_outcome *ker, struct fz_verdict *v)
{
	struct fz_batch bt;
	int r;

	memset(ker, 0, sizeof(*ker));
	fz_sim_run(name, text, len, o->sim_kernel, sim);
	if (fz_batch_begin(b, &bt))
		return -1;
	if (fz_batch_add(b, &bt, name, text, len)) {
		fz_batch_end(&bt);
		return -1;
	}
	r = fz_backend_run(b, &bt);
	if (!r) {
		*ker = bt.jobs[0].out;
		memset(&bt.jobs[0].out, 0, sizeof(bt.jobs[0].out));
		fz_compare(name, sim, ker, &o->ign, v);
	}
	fz_batch_end(&bt);
	return r;
}

static void write_outputs(const char *dir, const char *prefix, const struct fz_outcome *sim,
			  const struct fz_outcome *ker, const struct fz_verdict *v)
{
	char file[64];

	snprintf(file, sizeof(file), "%s.sim.jsonl", prefix);
	if (sim->jsonl)
		fz_put_file(dir, file, sim->jsonl, sim->jsonl_len);
	snprintf(file, sizeof(file), "%s.sim.log", prefix);
	if (sim->log)
		fz_put_file(dir, file, sim->log, sim->log_len);
	snprintf(file, sizeof(file), "%s.kernel.jsonl", prefix);
	if (ker->jsonl)
		fz_put_file(dir, file, ker->jsonl, ker->jsonl_len);
	snprintf(file, sizeof(file), "%s.kernel.log", prefix);
	fz_put_file(dir, file, ker->log ? ker->log : "", ker->log ? ker->log_len : 0);
	snprintf(file, sizeof(file), "%s.diff", prefix);
	fz_put_str(dir, file, v->diff ? v->diff : "(no difference)\n");
}

static struct group *find_group(struct stats *s, const char *name)
{
	for (size_t i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	return NULL;
}

#define APPEND(...)                                                                     \
	do {                                                                            \
		if (k < sizeof(para))                                                   \
			k += (size_t)snprintf(para + k, sizeof(para) - k, __VA_ARGS__); \
	} while (0)

/*
 * A disagreement: replay it again, shrink it, write DIR/NAME/.  A result
 * the kernel does not repeat is counted as unstable, not as a
 * disagreement.  Returns 0, -1 backend failure, -2 interrupted (the case
 * is written as far as it is known).
 */
int fz_handle(struct fz_backend *b, const struct opts *o, struct stats *s, const char *name,
	      const char *text, size_t len, const struct fz_outcome *sim,
	      const struct fz_outcome *ker, const struct fz_verdict *v, const char *foreign)
{
	const struct group *known = find_group(s, v->group);
	struct fz_lines l = { 0 };
	struct fz_shrink sh = { 0 };
	struct shrink_ctx sc = { o, s, name };
	char dir[PATH_MAX], kdesc[128], at[400], para[6144], comment[200];
	size_t orig_n, k = 0;
	bool shrink = (known ? known->shrunk : 0) < o->shrink_per_group;
	bool confirmed = false, unstable = false;
	char *err_line = NULL;
	int r = 0;

	fz_fmt(dir, sizeof(dir), "%s/%s", o->out, name);
	if (fz_mkdir_p(dir)) {
		fprintf(stderr, "ksmsim-difffuzz: %s: %s\n", dir, strerror(errno));
		return 0;
	}
	fz_put_file(dir, "original.trace", text, len);
	write_outputs(dir, "original", sim, ker, v);
	fz_lines_from_text(&l, text);
	orig_n = l.n;
	where(at, sizeof(at), v);
	kernel_desc(o, kdesc, sizeof(kdesc));
	APPEND("%s (%zu commands) disagrees: the first difference is %s: the simulator "
	       "(sim.kernel=%s) has %s, %s has %s.", name, orig_n, at, o->sim_kernel,
	       v->sim_value, kdesc, v->kernel_value);
	if (foreign && *foreign)
		APPEND(" Other processes were registered with KSM around this replay (%s): ksmd "
		       "scans and counts their pages too, so the kernel's figures may include "
		       "theirs.", foreign);

	if (shrink) {
		sh.backend = b;
		sh.sim_kernel = o->sim_kernel;
		sh.ign = &o->ign;
		sh.name = name;
		sh.want = v->group;
		sh.confirm = o->confirm;
		sh.sim_must_pass = sim->st == FZ_ST_OK;
		sh.sim_st = sim->st;
		/* line N of the text is command N - 2 (header, comment) */
		if (sim->st != FZ_ST_OK && sim->line >= 3 && sim->line - 3 < l.n)
			sh.sim_err_line = err_line = xstrdup(l.v[sim->line - 3]);
		sh.progress = shrink_progress;
		sh.ctx = &sc;
		r = fz_shrink_run(&sh, &l);
		free(err_line);
		s->sim_refused += sh.sim_only;
		confirmed = sh.confirmed;
		if (r == 1) {
			unstable = true;
			r = 0;
		}
	} else {
		confirmed = true;
		for (unsigned rep = 0; rep < o->confirm && confirmed && !r; rep++) {
			struct fz_outcome s2, k2;
			struct fz_verdict v2 = { 0 };

			r = replay_one(b, o, name, text, len, &s2, &k2, &v2);
			confirmed = !r && !v2.agree && !strcmp(v2.group, v->group);
			fz_outcome_free(&s2);
			fz_outcome_free(&k2);
			fz_verdict_free(&v2);
		}
		unstable = !r && !confirmed;
	}

	if (unstable) {
		s->unstable++;
		if (!s->unstable_example[0])
			snprintf(s->unstable_example, sizeof(s->unstable_example), "%s", name);
		APPEND(" Replayed again, the kernel did not repeat it, so it is counted as "
		       "unstable, not as a disagreement, and was not shrunk: the kernel's "
		       "result changed between two runs of the same trace (another KSM user, "
		       "timing), which no model can match.\n");
		goto out;
	}
	{
		struct group *g = group_of(s, v->group);

		g->traces++;
		s->disagreed++;
		if (!confirmed)
			APPEND(" (Not replayed again: the run stopped first.)");
		if (shrink && sh.confirmed) {
			struct fz_outcome s2 = { 0 }, k2 = { 0 };
			struct fz_verdict v2 = { 0 };
			char *st;
			size_t sl;
			int r2;

			snprintf(comment, sizeof(comment),
				 "%s shrunk by ksmsim-difffuzz (ddmin) from %zu to %zu commands%s",
				 name, orig_n, l.n, r ? " (interrupted)" : "");
			st = fz_lines_text(&l, NULL, comment, &sl);
			fz_put_file(dir, "shrunk.trace", st, sl);
			r2 = r ? r : replay_one(b, o, "shrunk", st, sl, &s2, &k2, &v2);
			if (!r2) {
				char at2[400];

				write_outputs(dir, "shrunk", &s2, &k2, &v2);
				where(at2, sizeof(at2), &v2);
				APPEND(" ddmin shrank it from %zu to %zu commands (%lu candidates "
				       "replayed on the kernel in %lu batches, %lu more refused by the "
				       "simulator alone); in shrunk.trace the first difference is %s: "
				       "%s != %s.", orig_n, l.n, sh.candidates, sh.batches, sh.sim_only,
				       v2.agree ? "(none: it agreed when replayed again)" : at2,
				       v2.sim_value, v2.kernel_value);
				g->shrunk++;
				s->shrunk++;
				if (!g->example[0] || !g->example_shrunk || l.n < g->example_cmds) {
					snprintf(g->example, sizeof(g->example), "%s", name);
					g->example_cmds = l.n;
					g->example_shrunk = true;
				}
			} else {
				APPEND(" Shrinking was %s at %zu commands (shrunk.trace).",
				       r2 == -2 ? "interrupted" : "stopped by a replayer failure", l.n);
			}
			if (!r)
				r = r2;
			free(st);
			fz_outcome_free(&s2);
			fz_outcome_free(&k2);
			fz_verdict_free(&v2);
			APPEND(" Files: original.trace, shrunk.trace, *.sim.jsonl and *.kernel.jsonl "
			       "(records), *.kernel.log (the replayer's stderr), *.diff (every "
			       "difference). To see it again: ksmsim replay --snapshots sim.jsonl "
			       "shrunk.trace; ksmsim-kernel-replay --snapshots kernel.jsonl "
			       "shrunk.trace; ksmsim diff sim.jsonl kernel.jsonl.\n");
		} else {
			if (!shrink)
				APPEND(" Not shrunk: %u disagreement(s) of this kind were shrunk "
				       "already (--shrink-per-group).", o->shrink_per_group);
			APPEND(" Files: original.trace, original.*.jsonl, original.kernel.log, "
			       "original.diff.\n");
			if (!g->example[0]) {
				snprintf(g->example, sizeof(g->example), "%s", name);
				g->example_cmds = orig_n;
			}
		}
	}
out:
	fz_put_str(dir, "explanation.txt", para);
	if (!o->quiet) {
		fz_progress_done();
		if (unstable)
			fprintf(stderr, "[difffuzz] %s: not repeated by the kernel (unstable); "
				"written to %s\n", name, dir);
		else
			fprintf(stderr, "[difffuzz] %s: %s %zu commands; written to %s\n", name,
				shrink && sh.confirmed ? "shrunk to" : "not shrunk,", l.n, dir);
	}
	s->cases++;
	fz_lines_free(&l);
	return r;
}

#undef APPEND
