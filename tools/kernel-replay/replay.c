// SPDX-License-Identifier: MIT
/*
 * DOC: Applying a trace to the live kernel, command by command
 *
 * Each command becomes real work (docs/kernel-replay.md has the table):
 * process commands go to the process table, mapping and page commands to
 * the trace process's worker as real system calls, `set` to
 * /sys/kernel/mm/ksm, `scan` to the ksmd stepper, `expect` and `snapshot`
 * to an observation, `migrate` to move_pages(2) (migrate.c), which writes
 * a migrate record.  `check`, `rmap` and `dot` are the simulator's and are
 * ignored, as are `sim.` knobs.  A trace with a `migrate` needs a second
 * NUMA node: on a machine with one it is refused before anything runs.
 *
 * Knobs the replayer itself needs for stepping are kept apart from the
 * trace's values:
 *  - run: the trace's value is remembered; the kernel's stays 0 between
 *    scan steps (run=0 and run=1 register new mms the same way, "behind
 *    the cursor"), except that a trace's run=2 is written at once (it
 *    unmerges synchronously) and kept while the trace leaves it at 2, so
 *    registrations meanwhile follow the UNMERGE rule (at the tail).  A
 *    `scan` while the trace's run is not 1 does nothing, as ksmd would.
 *  - pages_to_scan and sleep_millisecs: the trace's value is written once
 *    (so the kernel rejects what it would reject) and remembered; the
 *    stepper then owns the kernel's values.
 *  - every other knob is written and its value read back (so "y" reads 1).
 *
 * Errors: the first failing command stops the replay with
 * "TRACE:LINE:COLUMN: message" on stderr, the column pointing at the
 * argument at fault (the address of a failed mmap, the knob of a failed
 * set).  A failed expect prints one such line per counter that differs and
 * stops the replay too, unless --keep-going.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kr.h"
#include "ksmsim/trace_cmds.h"

struct ctx {
	const struct trace *t;
	const struct trace_cmd *cmd;
	struct kr_state *st;
	const struct kr_options *opt;
	struct ksm_diag err;
	int kernel_run; /* what /sys/kernel/mm/ksm/run holds between steps */
	/* What `expect migrate.*` checks: the last migrate's outcome. */
	bool has_migrate;
	struct ksm_migrate_summary last_migrate;
};

__attribute__((format(printf, 3, 4)))
static int fail_at(struct ctx *x, struct trace_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(&x->err, x->t->file, pos.line, pos.col, fmt, ap);
	va_end(ap);
	return -1;
}

/* Re-locate an error that has no position yet at @pos. */
static int relocate(struct ctx *x, struct trace_pos pos)
{
	if (!x->err.line) {
		char msg[KSM_DIAG_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", x->err.msg);
		fail_at(x, pos, "%s", msg);
	}
	return -1;
}

static struct kr_proc *live_proc(struct ctx *x, unsigned which, unsigned arg)
{
	struct kr_proc *p = kr_ctl_find(x->st->ctl, x->cmd->proc[which]);

	if (!p)
		fail_at(x, x->cmd->argpos[arg], "no live process named %s",
			x->cmd->proc[which]);
	return p;
}

/* ---- set ---- */

static int set_run(struct ctx *x, const struct trace_kv *kv)
{
	int want;

	if (!kv->is_num || kv->num > 2)
		return fail_at(x, kv->value_pos, "set run=%s: %s", kv->text, strerror(EINVAL));
	if (kv->num == 2) {
		int r;

		/* Synchronous unmerge of everything; full_scans becomes 0. */
		if (x->opt->foreign)
			fprintf(stderr, "ksmsim-kernel-replay: %s:%u: set run=2 unmerges every KSM "
				"page, the other KSM users' too (--allow-foreign)\n", x->t->file,
				kv->value_pos.line);
		r = kr_sysfs_write("run", "2");
		if (r)
			return fail_at(x, kv->value_pos, "set run=2: %s", strerror(-r));
		x->kernel_run = 2;
		x->st->ksmd->base_full = 0;
		if (kr_ksmd_resync(x->st->ksmd, &x->err))
			return relocate(x, kv->name_pos);
	} else if (x->kernel_run == 2) {
		int r = kr_sysfs_write("run", "0");

		if (r)
			return fail_at(x, kv->value_pos, "set run=%s: %s", kv->text, strerror(-r));
		x->kernel_run = 0;
	}
	want = (int)kv->num;
	x->st->knobs.run = want;
	return 0;
}

/* Write the trace's value, then give the kernel knob back to the stepper. */
static int set_stepper_knob(struct ctx *x, const struct trace_kv *kv, uint64_t *logical,
			    const char *park_value)
{
	int r = kr_sysfs_write(kv->name, kv->text);
	int64_t v;

	if (r)
		return fail_at(x, kv->value_pos, "set %s=%s: %s", kv->name, kv->text,
			       strerror(-r));
	if (kr_sysfs_read_i64(kv->name, &v))
		return fail_at(x, kv->name_pos, "cannot read back %s", kv->name);
	*logical = (uint64_t)v;
	if (park_value && (r = kr_sysfs_write(kv->name, park_value)))
		return fail_at(x, kv->name_pos, "cannot restore %s: %s", kv->name,
			       strerror(-r));
	return 0;
}

static int set_one(struct ctx *x, const struct trace_kv *kv)
{
	struct ksm_knobs *k = &x->st->knobs;
	const struct ksm_snap_field *f;
	char park[32];
	int r;

	if (!strncmp(kv->name, "sim.", 4))
		return 0;
	if (!strcmp(kv->name, "run"))
		return set_run(x, kv);
	if (!strcmp(kv->name, "pages_to_scan"))
		return set_stepper_knob(x, kv, &k->pages_to_scan,
					k->advisor_mode == KSM_ADVISOR_NONE ? "0" : NULL);
	if (!strcmp(kv->name, "sleep_millisecs")) {
		snprintf(park, sizeof(park), "%u", x->st->ksmd->park_ms);
		return set_stepper_knob(x, kv, &k->sleep_millisecs, park);
	}
	if (!strcmp(kv->name, "advisor_mode")) {
		enum ksm_advisor_mode m;

		if (ksm_advisor_mode_parse(kv->text, &m))
			return fail_at(x, kv->value_pos, "set advisor_mode=%s: %s", kv->text,
				       strerror(EINVAL));
		r = kr_sysfs_write("advisor_mode", kv->text);
		if (r)
			return fail_at(x, kv->value_pos, "set advisor_mode=%s: %s", kv->text,
				       strerror(-r));
		if (m != k->advisor_mode) {
			int64_t v;

			/* The kernel reset pages_to_scan (100, or the advisor's minimum). */
			if (kr_sysfs_read_i64("pages_to_scan", &v))
				return fail_at(x, kv->name_pos, "cannot read pages_to_scan");
			k->pages_to_scan = (uint64_t)v;
			k->advisor_mode = m;
			if (m == KSM_ADVISOR_NONE && (r = kr_sysfs_write("pages_to_scan", "0")))
				return fail_at(x, kv->name_pos, "cannot park pages_to_scan: %s",
					       strerror(-r));
		}
		return 0;
	}
	f = ksm_field_find(ksm_snap_knob_fields, kv->name);
	if (f && f->type == KSM_SNAP_INT)
		return set_stepper_knob(x, kv, (uint64_t *)((char *)k + f->offset), NULL);
	return fail_at(x, kv->name_pos, "unknown knob %s", kv->name);
}

/* ---- mapping and page commands ---- */

static int request(struct ctx *x, struct kr_proc *p, struct kr_req *req,
		   const void *payload, size_t plen, struct trace_pos pos)
{
	struct kr_rep rep;

	if (kr_ctl_request(x->st->ctl, p, req, payload, plen, &rep, &x->err))
		return relocate(x, x->cmd->argpos[0]);
	if (rep.err) {
		/*
		 * A refused mremap points where the simulator does: the
		 * in-place growth that finds no room (ENOMEM) at NEW_NPAGES, a
		 * destination overlapping the source (EINVAL) at NEW_ADDR; a
		 * source that is not one mapping (EFAULT) at OLD_ADDR.
		 */
		if (rep.op == KR_OP_MREMAP && rep.err == ENOMEM && req->addr2 == req->addr)
			pos = x->cmd->argpos[5];
		else if (rep.op == KR_OP_MREMAP && rep.err == EINVAL && req->addr2 != req->addr)
			pos = x->cmd->argpos[4];
		if (rep.err == EFAULT && (rep.op == KR_OP_WRITE || rep.op == KR_OP_READ))
			return fail_at(x, pos, "%s: page %#" PRIx64 " is not mapped or not %s "
				       "(a real process would get SIGSEGV)", rep.what, rep.addr,
				       rep.op == KR_OP_WRITE ? "writable" : "readable");
		if (rep.addr)
			return fail_at(x, pos, "%s (%#" PRIx64 "): %s", rep.what, rep.addr,
				       strerror(rep.err));
		return fail_at(x, pos, "%s: %s", rep.what, strerror(rep.err));
	}
	return 0;
}

static int do_write(struct ctx *x, struct kr_proc *p)
{
	const struct trace_cmd *c = x->cmd;
	uint64_t tokens[KR_WRITE_CHUNK];

	for (uint64_t i = 0; i < c->npages; i += KR_WRITE_CHUNK) {
		uint64_t n = c->npages - i < KR_WRITE_CHUNK ? c->npages - i : KR_WRITE_CHUNK;
		struct kr_req req;

		memset(&req, 0, sizeof(req));
		req.op = KR_OP_WRITE;
		req.addr = c->addr + i * KR_PAGE_SIZE;
		req.npages = n;
		for (uint64_t j = 0; j < n; j++)
			tokens[j] = trace_content_token(&c->content, i + j);
		if (request(x, p, &req, tokens, n * sizeof(tokens[0]), c->argpos[2]))
			return -1;
	}
	return 0;
}

/* A command flagged TCF_ADDRESS_SPACE: a system call in @p's worker. */
static int do_mapping(struct ctx *x, struct kr_proc *p)
{
	const struct trace_cmd *c = x->cmd;
	struct kr_req req;
	uint64_t end = c->addr + c->npages * KR_PAGE_SIZE;

	memset(&req, 0, sizeof(req));
	req.addr = c->addr;
	req.npages = c->npages;
	switch (c->kind) {
	case TC_MMAP:
		req.op = KR_OP_MMAP;
		req.arg = c->prot;
		if (request(x, p, &req, NULL, 0, c->argpos[2]))
			return -1;
		kr_ranges_add(&p->ranges, c->addr, end);
		return 0;
	case TC_MUNMAP:
		req.op = KR_OP_MUNMAP;
		if (request(x, p, &req, NULL, 0, c->argpos[2]))
			return -1;
		kr_ranges_remove(&p->ranges, c->addr, end);
		return 0;
	case TC_MPROTECT:
		req.op = KR_OP_MPROTECT;
		req.arg = c->prot;
		return request(x, p, &req, NULL, 0, c->argpos[2]);
	case TC_MREMAP: {
		uint64_t end2 = c->addr2 + c->npages2 * KR_PAGE_SIZE;

		req.op = KR_OP_MREMAP;
		req.addr2 = c->addr2;
		req.npages2 = c->npages2;
		if (request(x, p, &req, NULL, 0, c->argpos[2]))
			return -1;
		if (c->addr2 == c->addr) {
			if (c->npages2 < c->npages)
				kr_ranges_remove(&p->ranges, end2, end);
			else
				kr_ranges_add(&p->ranges, end, end2);
		} else {
			/* MREMAP_FIXED replaced whatever was at the destination. */
			kr_ranges_remove(&p->ranges, c->addr, end);
			kr_ranges_add(&p->ranges, c->addr2, end2);
		}
		return 0;
	}
	case TC_MADVISE:
		req.op = KR_OP_MADVISE;
		req.arg = c->advice;
		return request(x, p, &req, NULL, 0, c->argpos[2]);
	case TC_PRCTL:
		req.op = KR_OP_PRCTL;
		req.arg = c->merge_any;
		return request(x, p, &req, NULL, 0, c->argpos[2]);
	case TC_WRITE:
		return do_write(x, p);
	case TC_READ:
		req.op = KR_OP_READ;
		return request(x, p, &req, NULL, 0, c->argpos[2]);
	default:
		return fail_at(x, c->argpos[0], "internal error: not a mapping command");
	}
}

/* ---- observation ---- */

/*
 * A failed pair's record in the stream, as the simulator writes it
 * (docs/trace-format.md, "The expect_failed record"), so that the records
 * before a failed expect are kept and the two streams still compare.
 */
static int write_expect_failed(struct ctx *x, FILE *out, const struct trace_kv *kv,
			       const char *want, const char *got)
{
	struct ksm_snapshot rec = { .kind = KSM_RECORD_EXPECT_FAILED,
				    .line = kv->name_pos.line, .label = (char *)"" };

	if (!out)
		return 0;
	snprintf(rec.expect_failed.field, sizeof(rec.expect_failed.field), "%s", kv->name);
	snprintf(rec.expect_failed.want, sizeof(rec.expect_failed.want), "%s", want);
	snprintf(rec.expect_failed.got, sizeof(rec.expect_failed.got), "%s", got);
	if (ksm_snapshot_write(out, &rec))
		return fail_at(x, kv->name_pos, "cannot write the expect_failed record");
	return 0;
}

/* Check every pair of an `expect` line; each failed one is reported. */
static int do_expect(struct ctx *x, FILE *out, bool *failed)
{
	const struct trace_cmd *c = x->cmd;
	struct ksm_snapshot s;
	int nfail = 0;

	if (kr_observe(x->st, c->argpos[0].line, NULL, &s, &x->err))
		return relocate(x, c->argpos[0]);
	for (size_t i = 0; i < c->nkvs; i++) {
		const struct trace_kv *kv = &c->kvs[i];
		const struct ksm_snap_field *f;
		char want[32], got[32];
		uint64_t v;
		int r = ksm_snapshot_lookup(&s, x->has_migrate ? &x->last_migrate : NULL, kv,
					    &v, &f);

		if (r == -2) {
			ksm_snapshot_free(&s);
			return fail_at(x, kv->name_pos, "expect: no live process named '%s'",
				       kv->proc);
		}
		if (r == -3) {
			ksm_snapshot_free(&s);
			return fail_at(x, kv->name_pos, "expect: %s has no value: no migrate has run yet",
				       kv->name);
		}
		if (r) {
			ksm_snapshot_free(&s);
			return fail_at(x, kv->name_pos, "expect: '%s' is not a field of the snapshot record",
				       kv->name);
		}
		if (v != kv->num) {
			struct ksm_diag d;

			ksm_snapshot_format_value(f, kv->num, want, sizeof(want));
			ksm_snapshot_format_value(f, v, got, sizeof(got));
			ksm_diag_set(&d, x->t->file, kv->name_pos.line, kv->name_pos.col,
				     "expect %s=%s failed: the value is %s", kv->name, want, got);
			ksm_diag_print(stderr, &d);
			nfail++;
			if (write_expect_failed(x, out, kv, want, got)) {
				ksm_snapshot_free(&s);
				return -1;
			}
		}
	}
	ksm_snapshot_free(&s);
	*failed = nfail > 0;
	return 0;
}

static int do_snapshot(struct ctx *x, FILE *out)
{
	struct ksm_snapshot s;
	int r;

	if (kr_observe(x->st, x->cmd->argpos[0].line, x->cmd->label, &s, &x->err))
		return relocate(x, x->cmd->argpos[0]);
	r = ksm_snapshot_write(out, &s);
	ksm_snapshot_free(&s);
	if (r || fflush(out))
		return fail_at(x, x->cmd->argpos[0], "cannot write the snapshot: %s",
			       strerror(errno));
	return 0;
}

/* `migrate P ADDR`: move_pages(2), then its record to the stream. */
static int do_migrate(struct ctx *x, FILE *out, struct kr_proc *p)
{
	const struct trace_cmd *c = x->cmd;
	struct ksm_snapshot rec;
	unsigned arg;
	long ret = 0;
	int r;

	if (kr_migrate(x->st, p, c->addr, c->argpos[0].line, &rec, &arg, &ret, &x->err))
		return relocate(x, c->argpos[arg]);
	if (x->opt->verbose)
		fprintf(stderr, "ksmsim-kernel-replay: migrate %s:%#" PRIx64 ": %s node %" PRId64
			" (move_pages returned %ld), %zu mappings\n", p->name, c->addr,
			rec.migrate.moved ? "moved to" : "not moved to", rec.migrate.target_node,
			ret, rec.migrate.nmappings);
	ksm_migrate_summarize(&rec.migrate, &x->last_migrate);
	x->has_migrate = true;
	r = ksm_snapshot_write(out, &rec);
	ksm_snapshot_free(&rec);
	if (r || fflush(out))
		return fail_at(x, c->argpos[0], "cannot write the migrate record: %s",
			       strerror(errno));
	return 0;
}

/*
 * Nothing can migrate on a machine with one NUMA node: refuse a trace
 * with a migrate before it changes anything, at its first migrate.
 */
static int check_migrate_possible(struct ctx *x)
{
	int nodes[KR_MAX_NODES];
	size_t n;

	for (size_t i = 0; i < x->t->ncmds; i++) {
		if (x->t->cmds[i].kind != TC_MIGRATE)
			continue;
		n = kr_numa_nodes(nodes, KR_MAX_NODES);
		if (n >= 2)
			return 0;
		x->cmd = &x->t->cmds[i];
		return fail_at(x, x->cmd->argpos[0], "migrate needs a second NUMA node; this machine "
			       "has %zu: replay on a guest kernel (ksmsim-kernel-replay --guest ...)", n);
	}
	return 0;
}

/* ---- the loop ---- */

/*
 * What the command table (include/ksmsim/trace_cmds.h) says decides the
 * simulator's commands, which are skipped, the lookup of P, and the
 * system calls of P's worker; every other command has its case below.
 */
_Static_assert(TC__COUNT == 19, "a new trace command: give apply() a case or a flag that "
	       "covers it (docs/architecture.md, \"Adding a command\"), then count it here");

static int apply(struct ctx *x, FILE *out, bool *expect_failed)
{
	const struct trace_cmd *c = x->cmd;
	unsigned flags = trace_cmd_flags(c->kind);
	struct kr_state *st = x->st;
	struct kr_proc *p = NULL;

	if (flags & TCF_SIM_ONLY)
		return 0; /* the simulator's business */
	if ((flags & TCF_PROCESS) && !(p = live_proc(x, 0, 1)))
		return -1;
	if (flags & TCF_ADDRESS_SPACE)
		return do_mapping(x, p);
	switch (c->kind) {
	case TC_SET:
		for (size_t i = 0; i < c->nkvs; i++)
			if (set_one(x, &c->kvs[i]))
				return -1;
		return 0;
	case TC_SPAWN:
		if (kr_ctl_find(st->ctl, c->proc[0]))
			return fail_at(x, c->argpos[1], "process %s is already alive", c->proc[0]);
		if (kr_ctl_spawn(st->ctl, c->proc[0], &x->err))
			return relocate(x, c->argpos[0]);
		return 0;
	case TC_FORK:
		if (kr_ctl_find(st->ctl, c->proc[1]))
			return fail_at(x, c->argpos[2], "process %s is already alive", c->proc[1]);
		if (kr_ctl_fork(st->ctl, p, c->proc[1], &x->err))
			return relocate(x, c->argpos[0]);
		return 0;
	case TC_EXIT:
		if (kr_ctl_exit(st->ctl, p, &x->err))
			return relocate(x, c->argpos[0]);
		return 0;
	case TC_SCAN:
		/* ksmd does not scan unless run is 1 (T61): nothing to do. */
		if (st->knobs.run != 1)
			return 0;
		if (kr_ksmd_scan(st->ksmd, c->scan_unit == TSCAN_ROUNDS, c->scan_count,
				 (uint64_t)st->knobs.pages_to_scan,
				 st->knobs.advisor_mode != KSM_ADVISOR_NONE, &x->err))
			/* The scan as a whole cannot happen (nothing registered,
			 * no budget), as the simulator reports it: at the command. */
			return relocate(x, c->argpos[0]);
		return 0;
	case TC_EXPECT:
		return do_expect(x, out, expect_failed);
	case TC_SNAPSHOT:
		return do_snapshot(x, out);
	case TC_MIGRATE:
		return do_migrate(x, out, p);
	default:
		return fail_at(x, c->argpos[0], "unsupported command");
	}
}

int kr_replay(const struct trace *t, struct kr_state *st, FILE *out,
	      const struct kr_options *opt)
{
	struct ctx x = { .t = t, .st = st, .opt = opt, .kernel_run = 0 };
	bool any_failed = false;

	if (check_migrate_possible(&x)) {
		ksm_diag_print(stderr, &x.err);
		return KR_EXIT_REPLAY;
	}
	/* Pages are born on the first node, as in the simulator (migrate.c). */
	kr_numa_prefer_first(opt->verbose);

	for (size_t i = 0; i < t->ncmds; i++) {
		bool failed = false;

		x.cmd = &t->cmds[i];
		memset(&x.err, 0, sizeof(x.err));
		if (kr_stop_signal)
			return KR_EXIT_REPLAY;
		if (opt->verbose) {
			fprintf(stderr, "ksmsim-kernel-replay: %s:%u: ", t->file,
				x.cmd->argpos[0].line);
			trace_write_cmd(stderr, x.cmd);
			fputc('\n', stderr);
		}
		if (apply(&x, out, &failed)) {
			if (kr_stop_signal)
				return KR_EXIT_REPLAY;
			ksm_diag_print(stderr, &x.err);
			return KR_EXIT_REPLAY;
		}
		if (failed) {
			any_failed = true;
			if (!opt->keep_going)
				return KR_EXIT_EXPECT;
		}
	}
	/* The last check: ksmd stayed parked to the end. */
	if (kr_ksmd_check_quiet(st->ksmd, &x.err)) {
		ksm_diag_print(stderr, &x.err);
		return KR_EXIT_REPLAY;
	}
	return any_failed ? KR_EXIT_EXPECT : KR_EXIT_OK;
}
