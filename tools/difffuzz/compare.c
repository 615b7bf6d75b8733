// SPDX-License-Identifier: MIT
/*
 * DOC: Judging two outcomes of one trace
 *
 * In order, the first of these that differs is the verdict:
 *
 *  1. how the replay ended: ok, an error at a command, an expect that
 *     failed, a broken invariant (the simulator), could not start or was
 *     killed (the replayer) — group "status:SIM/KERNEL";
 *  2. for two errors, where: the TRACE:LINE:COL of the messages (the
 *     wording differs between the two and is not compared) — group
 *     "error-position";
 *  3. for two complete replays, the snapshot records, field by field with
 *     the library's comparison (sim/report/snapshot_diff.c, what `ksmsim
 *     diff` prints), less the --ignore'd fields — group: the first
 *     differing field with the process name replaced by `*`
 *     ("procs.*.vmas"), or "record-count".
 *
 * The group is what disagreements are counted by and what shrinking
 * must preserve.
 */
#include <stdlib.h>
#include <string.h>

#include "difffuzz.h"
#include "ksmsim/snapshot_diff.h"

struct collect {
	struct fz_verdict *v;
	FILE *f;
};

static void first(struct collect *c, const struct ksm_snapshot *r, const char *field,
		  const char *va, const char *vb)
{
	struct fz_verdict *v = c->v;
	const char *dot;

	if (v->field[0])
		return;
	snprintf(v->field, sizeof(v->field), "%s", field);
	snprintf(v->sim_value, sizeof(v->sim_value), "%s", va);
	snprintf(v->kernel_value, sizeof(v->kernel_value), "%s", vb);
	if (r) {
		v->trace_line = r->line;
		snprintf(v->label, sizeof(v->label), "%s", r->label ? r->label : "");
	}
	if (!strncmp(field, "procs.", 6)) {
		dot = strchr(field + 6, '.');
		snprintf(v->group, sizeof(v->group), "procs.*%s", dot ? dot : "");
	} else {
		snprintf(v->group, sizeof(v->group), "%s", field);
	}
}

static void head(FILE *f, const char *file, unsigned src_line, const struct ksm_snapshot *r)
{
	fprintf(f, "%s:%u: record for trace line %u ", file, src_line, r->line);
	if (r->label && r->label[0])
		fprintf(f, "(label %s)", r->label);
	else
		fprintf(f, "(no label)");
}

static void on_diff(void *ctx, const struct ksm_snapshot *a, const struct ksm_snapshot *b,
		    const char *field, const char *va, const char *vb)
{
	struct collect *c = ctx;

	first(c, a, field, va, vb);
	head(c->f, "kernel.jsonl", b->src_line, a);
	fprintf(c->f, ": %s: %s != %s\n", field, va, vb);
	c->v->ndiff++;
}

static void on_count(void *ctx, size_t na, size_t nb)
{
	struct collect *c = ctx;
	char va[32], vb[32];

	snprintf(va, sizeof(va), "%zu", na);
	snprintf(vb, sizeof(vb), "%zu", nb);
	first(c, NULL, "record-count", va, vb);
	fprintf(c->f, "kernel.jsonl: record count: %zu != %zu\n", na, nb);
	c->v->ndiff++;
}

static void on_unmatched(void *ctx, bool in_b, const struct ksm_snapshot *r)
{
	struct collect *c = ctx;
	const char *file = in_b ? "kernel.jsonl" : "sim.jsonl";

	head(c->f, file, r->src_line, r);
	fprintf(c->f, ": only in %s\n", file);
	c->v->ndiff++;
}

static void describe(char *buf, size_t len, const struct fz_outcome *o)
{
	if (o->st == FZ_ST_OK)
		snprintf(buf, len, "exit %d (ok)", o->rc);
	else if (o->line)
		snprintf(buf, len, "exit %d (%s at %u:%u: %.180s)", o->rc,
			 fz_status_name(o->st), o->line, o->col, o->msg);
	else
		snprintf(buf, len, "exit %d (%s%s%.180s)", o->rc, fz_status_name(o->st),
			 o->msg[0] ? ": " : "", o->msg);
}

static void set_text(struct fz_verdict *v, const char *fmt1, const char *a, const char *b)
{
	size_t n = strlen(fmt1) + strlen(a) + strlen(b) + 16;

	v->diff = malloc(n);
	if (v->diff) {
		snprintf(v->diff, n, fmt1, a, b);
		v->ndiff = 1;
	}
}

void fz_compare(const char *name, const struct fz_outcome *sim, const struct fz_outcome *ker,
		const struct fz_ignore *ign, struct fz_verdict *v)
{
	struct ksm_snapshot *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0, len = 0;
	struct ksm_diag err;
	struct collect c = { .v = v };

	(void)name;
	memset(v, 0, sizeof(*v));
	if (sim->st != ker->st) {
		describe(v->sim_value, sizeof(v->sim_value), sim);
		describe(v->kernel_value, sizeof(v->kernel_value), ker);
		snprintf(v->group, sizeof(v->group), "status:%s/%s", fz_status_name(sim->st),
			 fz_status_name(ker->st));
		snprintf(v->field, sizeof(v->field), "status");
		v->trace_line = sim->line ? sim->line : ker->line;
		set_text(v, "status: simulator %s != kernel %s\n", v->sim_value, v->kernel_value);
		return;
	}
	if (sim->st != FZ_ST_OK) {
		if (sim->line == ker->line && sim->col == ker->col) {
			v->agree = true;
			return;
		}
		describe(v->sim_value, sizeof(v->sim_value), sim);
		describe(v->kernel_value, sizeof(v->kernel_value), ker);
		snprintf(v->group, sizeof(v->group), "error-position");
		snprintf(v->field, sizeof(v->field), "error-position");
		v->trace_line = sim->line < ker->line && sim->line ? sim->line : ker->line;
		set_text(v, "error position: simulator %s != kernel %s\n", v->sim_value,
			 v->kernel_value);
		return;
	}
	if (sim->jsonl_len == ker->jsonl_len &&
	    !memcmp(sim->jsonl, ker->jsonl, sim->jsonl_len)) {
		v->agree = true;
		return;
	}
	if (ksm_snapshot_read_buffer("sim.jsonl", sim->jsonl, sim->jsonl_len, &ra, &na, &err) ||
	    ksm_snapshot_read_buffer("kernel.jsonl", ker->jsonl, ker->jsonl_len, &rb, &nb, &err)) {
		char where[600];

		snprintf(where, sizeof(where), "%.60s:%u:%u: %.400s", err.file, err.line, err.col,
			 err.msg);
		snprintf(v->group, sizeof(v->group), "malformed-records");
		snprintf(v->field, sizeof(v->field), "malformed-records");
		snprintf(v->kernel_value, sizeof(v->kernel_value), "%.250s", where);
		set_text(v, "malformed snapshot records: %s%s\n", where, "");
		ksm_snapshot_array_free(ra, na);
		return;
	}
	c.f = open_memstream(&v->diff, &len);
	if (!c.f) {
		fprintf(stderr, "ksmsim-difffuzz: out of memory\n");
		exit(3);
	}
	{
		struct ksm_snapdiff_opts o = {
			.ignore = ign ? ign->v : NULL, .nignore = ign ? ign->n : 0,
			.on_diff = on_diff, .on_count = on_count, .on_unmatched = on_unmatched,
			.ctx = &c,
		};

		v->agree = ksm_snapdiff_compare(ra, na, rb, nb, &o) == 0;
	}
	fclose(c.f);
	if (v->agree) {
		free(v->diff);
		v->diff = NULL;
		v->ndiff = 0;
	}
	ksm_snapshot_array_free(ra, na);
	ksm_snapshot_array_free(rb, nb);
}

void fz_verdict_free(struct fz_verdict *v)
{
	free(v->diff);
	memset(v, 0, sizeof(*v));
}
