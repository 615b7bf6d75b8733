// SPDX-License-Identifier: MIT
/*
 * DOC: The replayer: trace commands applied to a machine
 *
 * One case per command kind turns the parsed arguments into a call of
 * the machine's API (include/ksmsim/sim.h) and turns a refusal into a
 * diagnostic pointing at the argument at fault.  The process of a command
 * whose row in the command table (include/ksmsim/trace_cmds.h) says
 * TCF_PROCESS is looked up before anything else.  The replayer owns no
 * state beyond the loop: everything lives in the machine.
 */
#include <string.h>

#include "ksmsim/check.h"
#include "ksmsim/dot.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/trace_cmds.h"
#include "replay/replay_internal.h"

int replay_fail_at(struct replay *r, const struct trace_cmd *c, unsigned arg,
		   const char *fmt, ...)
{
	struct trace_pos pos = arg < c->nargs ? c->argpos[arg] : c->argpos[0];
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(r->err, r->file, pos.line, pos.col, fmt, ap);
	va_end(ap);
	return -1;
}

unsigned replay_word_of(const struct trace_cmd *c, enum sim_arg a)
{
	const struct trace_cmd_info *info = trace_cmd_info(c->kind);
	enum trace_arg_kind want;

	if (c->kind == TC_DOT) {
		/* dot WHAT [P [ADDR]] FILE: one argument kind, several words. */
		switch (a) {
		case SIM_ARG_DOT_WHAT:
			return 1;
		case SIM_ARG_P:
			return 2;
		case SIM_ARG_ADDR:
			return 3;
		case SIM_ARG_DOT_FILE:
			return c->nargs ? c->nargs - 1 : 0;
		default:
			return 0;
		}
	}
	switch (a) {
	case SIM_ARG_P:
		want = TARG_PROC;
		break;
	case SIM_ARG_CHILD:
		want = TARG_CHILD;
		break;
	case SIM_ARG_ADDR:
		want = TARG_ADDR;
		break;
	case SIM_ARG_NPAGES:
		want = TARG_NPAGES;
		break;
	case SIM_ARG_NEW_ADDR:
		want = TARG_NEW_ADDR;
		break;
	case SIM_ARG_NEW_NPAGES:
		want = TARG_NEW_NPAGES;
		break;
	default:
		return 0; /* the command as a whole */
	}
	for (unsigned i = 0; info && i < info->nargs; i++)
		if (info->args[i].kind == want ||
		    (want == TARG_PROC && info->args[i].kind == TARG_NEW_PROC))
			return i + 1;
	return 0;
}

static int sim_failed(struct replay *r, const struct trace_cmd *c,
		      const struct sim_error *e)
{
	return replay_fail_at(r, c, replay_word_of(c, e->arg), "%s", e->msg);
}

static struct task *task_arg(struct replay *r, const struct trace_cmd *c,
			     unsigned which)
{
	struct task *t = sim_find_task(r->sim, c->proc[which]);

	if (!t)
		replay_fail_at(r, c, 1 + which, "no live process named '%s'", c->proc[which]);
	return t;
}

static enum sim_prot sim_prot_of(enum trace_prot p)
{
	return p == TPROT_RW ? SIM_PROT_RW : p == TPROT_R ? SIM_PROT_R : SIM_PROT_NONE;
}

static uint64_t content_token(const void *ctx, uint64_t i)
{
	return trace_content_token(ctx, i);
}

static int do_set(struct replay *r, const struct trace_cmd *c)
{
	for (size_t i = 0; i < c->nkvs; i++) {
		const struct trace_kv *kv = &c->kvs[i];
		struct sim_error e = { 0 };

		if (ksm_set_knob(r->sim, kv->name, kv->text, &e)) {
			const struct trace_pos *pos = e.arg == SIM_ARG_KNOB_NAME ?
						      &kv->name_pos : &kv->value_pos;

			ksm_diag_set(r->err, r->file, pos->line, pos->col, "%s", e.msg);
			return -1;
		}
	}
	return 0;
}

/*
 * The failure goes into the snapshot stream as a record too, so that the
 * stream says where and why the replay stopped, and the records before it
 * are kept (docs/trace-format.md, "The expect_failed record").
 */
static int write_expect_failed(struct replay *r, const struct trace_kv *kv,
			       const char *want, const char *got)
{
	struct ksm_snapshot rec = { .kind = KSM_RECORD_EXPECT_FAILED,
				    .line = kv->name_pos.line, .label = (char *)"" };

	if (!r->opts->snapshots)
		return 0;
	snprintf(rec.expect_failed.field, sizeof(rec.expect_failed.field), "%s", kv->name);
	snprintf(rec.expect_failed.want, sizeof(rec.expect_failed.want), "%s", want);
	snprintf(rec.expect_failed.got, sizeof(rec.expect_failed.got), "%s", got);
	if (ksm_snapshot_write(r->opts->snapshots, &rec))
		return ksm_diag_set(r->err, r->file, kv->name_pos.line, kv->name_pos.col,
				    "cannot write the expect_failed record");
	return 0;
}

/* 0 it holds, 1 it failed (@err says how), -1 an error. */
static int expect_one(struct replay *r, const struct trace_kv *kv,
		      const struct ksm_snapshot *s)
{
	const struct ksm_snap_field *f;
	char want[32], got[32];
	uint64_t v;
	int found = ksm_snapshot_lookup(s, r->res->has_migrate ? &r->res->last_migrate : NULL,
					kv, &v, &f);

	if (found == -2) {
		ksm_diag_set(r->err, r->file, kv->name_pos.line,
			     kv->name_pos.col, "expect: no live process named '%s'",
			     kv->proc);
		return -1;
	}
	if (found == -3) {
		ksm_diag_set(r->err, r->file, kv->name_pos.line, kv->name_pos.col,
			     "expect: %s has no value: no migrate has run yet", kv->name);
		return -1;
	}
	if (found) {
		ksm_diag_set(r->err, r->file, kv->name_pos.line, kv->name_pos.col,
			     "expect: '%s' is not a field of the snapshot record", kv->name);
		return -1;
	}
	if (v == kv->num)
		return 0;
	ksm_snapshot_format_value(f, kv->num, want, sizeof(want));
	ksm_snapshot_format_value(f, v, got, sizeof(got));
	if (write_expect_failed(r, kv, want, got))
		return -1;
	ksm_diag_set(r->err, r->file, kv->name_pos.line, kv->name_pos.col,
		     "expect %s=%s failed: the value is %s", kv->name, want, got);
	r->res->failed_expects++;
	if (r->opts->keep_going && r->opts->on_expect_failure)
		r->opts->on_expect_failure(r->opts->ctx, r->err);
	return 1;
}

/*
 * Every pair of the line is checked, as the kernel replayer does, so the
 * stream has one record for each that failed; the first failure stays in
 * @err.  0 all held (or keep_going), 1 a pair failed, -1 an error.
 */
static int do_expect(struct replay *r, const struct trace_cmd *c)
{
	struct ksm_snapshot s;
	struct ksm_diag first = { 0 };
	bool sharing = false, failed = false;
	int ret = 0;

	for (size_t i = 0; i < c->nkvs; i++)
		sharing |= c->kvs[i].kind == TKV_SHARING;
	sim_snapshot_take(r->sim, c->argpos[0].line, "", sharing, &s);
	for (size_t i = 0; i < c->nkvs && ret >= 0; i++) {
		ret = expect_one(r, &c->kvs[i], &s);
		if (ret > 0 && !failed)
			first = *r->err;
		failed |= ret > 0;
	}
	ksm_snapshot_free(&s);
	if (ret < 0)
		return -1;
	if (!failed)
		return 0;
	*r->err = first;
	return r->opts->keep_going ? 0 : 1;
}

static int do_snapshot(struct replay *r, const struct trace_cmd *c)
{
	struct ksm_snapshot s;
	int ret = 0;

	sim_snapshot_take(r->sim, c->argpos[0].line, c->label, true, &s);
	if (r->opts->snapshots && ksm_snapshot_write(r->opts->snapshots, &s))
		ret = replay_fail_at(r, c, 0, "cannot write the snapshot record");
	else
		r->res->snapshots++;
	ksm_snapshot_free(&s);
	return ret;
}

static enum sim_advice sim_advice_of(enum trace_advice a)
{
	return a == TADV_MERGEABLE ? SIM_MADV_MERGEABLE :
	       a == TADV_UNMERGEABLE ? SIM_MADV_UNMERGEABLE : SIM_MADV_DONTNEED;
}

/*
 * Apply one command: 0 done, -1 error (r->err set), 1 failed expect.
 * The switch has a case for every kind and no default, so that a new
 * command does not build until it has one.
 */
static int apply(struct replay *r, const struct trace_cmd *c)
{
	unsigned flags = trace_cmd_flags(c->kind);
	struct sim_error e = { 0 };
	struct task *t = NULL;
	int ret = 0;

	if ((flags & TCF_PROCESS) && !(t = task_arg(r, c, 0)))
		return -1;
	switch (c->kind) {
	case TC_SET:
		return do_set(r, c);
	case TC_SPAWN:
		ret = sim_spawn(r->sim, c->proc[0], &e);
		break;
	case TC_FORK:
		ret = sim_fork(r->sim, t, c->proc[1], &e);
		break;
	case TC_EXIT:
		ret = sim_exit(r->sim, t, &e);
		break;
	case TC_MMAP:
		ret = sim_mmap(r->sim, t->mm, c->addr, c->npages, sim_prot_of(c->prot), &e);
		break;
	case TC_MUNMAP:
		ret = sim_munmap(r->sim, t->mm, c->addr, c->npages, &e);
		break;
	case TC_MPROTECT:
		ret = sim_mprotect(r->sim, t->mm, c->addr, c->npages, sim_prot_of(c->prot), &e);
		break;
	case TC_MREMAP:
		ret = sim_mremap(r->sim, t->mm, c->addr, c->npages, c->addr2, c->npages2, &e);
		break;
	case TC_MADVISE:
		ret = sim_madvise(r->sim, t->mm, c->addr, c->npages, sim_advice_of(c->advice), &e);
		break;
	case TC_PRCTL:
		ret = sim_prctl_merge_any(r->sim, t->mm, c->merge_any, &e);
		break;
	case TC_WRITE:
		ret = sim_write(r->sim, t->mm, c->addr, c->npages, content_token,
				&c->content, &e);
		break;
	case TC_READ:
		ret = sim_read(r->sim, t->mm, c->addr, c->npages, &e);
		break;
	case TC_SCAN:
		ret = c->scan_unit == TSCAN_ROUNDS ?
		      ksm_scan_rounds(r->sim, c->scan_count, &e) :
		      ksm_scan_batches(r->sim, c->scan_count, &e);
		break;
	case TC_EXPECT:
		return do_expect(r, c);
	case TC_SNAPSHOT:
		return do_snapshot(r, c);
	case TC_CHECK:
		return replay_check(r, c, false);
	case TC_RMAP:
		return replay_rmap(r, c, t);
	case TC_MIGRATE:
		return replay_migrate(r, c, t);
	case TC_DOT:
		if (r->opts->skip_dot)
			return 0;
		ret = sim_dot(r->sim, c->dot_what, c->proc[0], c->addr, c->dot_file, NULL, &e);
		break;
	case TC__COUNT:
		return replay_fail_at(r, c, 0, "internal error: bad command kind");
	}
	return ret ? sim_failed(r, c, &e) : 0;
}

static int check_now(struct replay *r, const struct trace_cmd *c)
{
	char why[KSM_DIAG_MSG_MAX - 64];

	if (!sim_check_invariants(r->sim, why, sizeof(why)))
		return 0;
	replay_fail_at(r, c, 0, "invariant violated after this command: %s", why);
	return -1;
}

/* One command, then the checks asked for after it. */
static enum replay_status step(struct replay *r, const struct trace_cmd *c)
{
	int ret = apply(r, c);

	if (ret < 0)
		return REPLAY_ERROR;
	if (ret > 0)
		return REPLAY_EXPECT_FAILED;
	r->res->commands++;
	if (r->opts->invariants == REPLAY_CHECK_EACH && check_now(r, c))
		return REPLAY_BROKEN;
	/* A `check` has just checked every page: not twice. */
	if (r->opts->rmap_check == REPLAY_CHECK_EACH &&
	    !(trace_cmd_flags(c->kind) & TCF_CHECKS_ALL)) {
		ret = replay_check(r, c, true);
		if (ret)
			return ret < 0 ? REPLAY_ERROR : REPLAY_EXPECT_FAILED;
	}
	return REPLAY_OK;
}

enum replay_status replay_cmd(struct ksm_sim *sim, const char *file,
			      const struct trace_cmd *c,
			      const struct replay_opts *opts,
			      struct replay_result *res, struct ksm_diag *err)
{
	struct replay r = { .sim = sim, .file = file, .opts = opts, .res = res, .err = err };

	return step(&r, c);
}

enum replay_status replay_command(struct ksm_sim *sim, const struct trace *t,
				  size_t i, const struct replay_opts *opts,
				  struct replay_result *res, struct ksm_diag *err)
{
	return replay_cmd(sim, t->file, &t->cmds[i], opts, res, err);
}

/* The checks of REPLAY_CHECK_END, blamed on the last command (at @last). */
static enum replay_status check_end(struct replay *r, struct trace_pos last)
{
	struct trace_cmd c = { .nargs = 1 };

	c.argpos[0] = last;
	if (r->opts->invariants == REPLAY_CHECK_END && last.line && check_now(r, &c))
		return REPLAY_BROKEN;
	return r->res->failed_expects ? REPLAY_EXPECT_FAILED : REPLAY_OK;
}

enum replay_status replay_trace(struct ksm_sim *sim, const struct trace *t,
				const struct replay_opts *opts,
				struct replay_result *res, struct ksm_diag *err)
{
	struct replay r = { .sim = sim, .file = t->file, .opts = opts, .res = res, .err = err };
	struct trace_pos last = { 0, 0 };

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < t->ncmds; i++) {
		enum replay_status st = step(&r, &t->cmds[i]);

		if (st != REPLAY_OK)
			return st;
		last = t->cmds[i].argpos[0];
	}
	return check_end(&r, last);
}

enum replay_status replay_stream(struct ksm_sim *sim, struct trace_stream *s,
				 const struct replay_opts *opts,
				 struct replay_result *res, struct ksm_diag *err)
{
	struct replay r = { .sim = sim, .file = trace_stream_file(s), .opts = opts,
			    .res = res, .err = err };
	struct trace_pos last = { 0, 0 };
	struct trace_cmd c;
	int more;

	memset(res, 0, sizeof(*res));
	while ((more = trace_stream_next(s, &c, err)) > 0) {
		enum replay_status st = step(&r, &c);

		last = c.argpos[0];
		trace_cmd_free(&c);
		if (st != REPLAY_OK)
			return st;
	}
	if (more < 0)
		return REPLAY_ERROR;
	return check_end(&r, last);
}
