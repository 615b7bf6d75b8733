// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim compare — two kernels side by side on one trace
 *
 *   ksmsim compare [--a NAME=VALUE]... [--b NAME=VALUE]... [--max N] [--json] TRACE
 *
 * Builds two machines in this process, applies the --a settings to the
 * first and the --b settings to the second (any knob `set` accepts; by
 * default A is sim.kernel=baseline and B sim.kernel=lpi), then replays
 * TRACE on both in lockstep.  sim.* settings are pinned, as `replay
 * --set` pins them, so a trace's own `set sim.kernel=lpi` cannot make
 * both machines the same kernel; other knobs are set before the trace
 * runs and the trace may change them.  After every command it compares:
 *
 *  - the two machines' snapshot records field by field — every global
 *    counter, every process's fields, the sharing partition;
 *  - the rmap check of every KSM page (sim/check/rmap_check.c) on each
 *    machine: a finding (a full/indexed divergence, a mapping every walk
 *    misses, ...) that one machine has for a page and the other has not;
 *  - after a `migrate`, its outcome on each (moved, mappings left on the
 *    old frame, ...: what `expect migrate.*` sees),
 *
 * and prints each command after which they differ, with what differs:
 *
 *   TRACE:LINE: after 'scan rounds=1': global.pages_volatile: 0 != 1
 *   TRACE:LINE: after 'scan batches=1': rmap: divergence of the page at
 *       c:0x100000000000 on b only
 *       b: KSM page pfn 2 (token 9): full walk finds 3 mappings, indexed 2; ...
 *
 * Only changes in the set of differences are printed (a divergence that
 * persists is reported once), at most N commands (--max, default 20); a
 * last line counts the commands after which they differed, by kind, and
 * names the first.  --json writes one JSON object with the same content
 * instead.  Exit status: 0 the machines never differed, 1 they did (also
 * when only their rmap walks or migrations did), 2 bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "core/alloc.h"
#include "core/json.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/rmap_check.h"
#include "ksmsim/sim_snapshot.h"
#include "ksmsim/snapshot_diff.h"
#include "ksmsim/rmap.h"
#include "mm/internal.h"

#define MAX_SETTINGS 16

/*
 * One rmap finding of one machine after one command.  @page names the
 * page by its first mapping (process, address), which both machines
 * share while their PFNs may not (a page one kernel migrated and the
 * other could not sits on different frames).
 */
struct finding {
	enum rmap_finding_kind kind;
	uint32_t pfn;
	char page[KSM_SNAP_NAME_MAX + 24]; /* "P:0xADDR", or "pfn N" unmapped */
	char *text;
	bool matched;
};

struct side {
	const char *settings[MAX_SETTINGS];
	int n;
	struct ksm_sim *sim;
	struct replay_result res;
	struct finding *f;
	size_t nf, capf;
};

/* A field that differs: where.field, and both values. */
struct field_diff {
	char field[96];
	char a[40], b[40];
};

/* What differs after one command. */
struct diffs {
	struct field_diff *fd;   /* counters, knobs, procs, sharing */
	size_t nfd, capfd;
	struct field_diff *md;   /* the migrate outcome            */
	size_t nmd, capmd;
	struct finding **only[2]; /* findings of one machine only   */
	size_t nonly[2];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim compare [--a NAME=VALUE]... [--b NAME=VALUE]... [--max N] [--json]\n"
		"                      [--progress|--quiet] TRACE\n"
		"\n"
		"Replays TRACE on two machines in lockstep and reports, after each command,\n"
		"where they differ: snapshot fields (counters, processes, sharing), the rmap\n"
		"check of every KSM page (a divergence or other finding on one machine only)\n"
		"and the outcome of each `migrate`.  The trace's own `dot` commands draw\n"
		"nothing (both machines would write the same file).\n"
		"  --a NAME=VALUE, --b NAME=VALUE  a knob of machine a or b (repeatable);\n"
		"                  sim.* knobs are pinned (the trace's own `set` of them is\n"
		"                  ignored).  A side that does not set sim.kernel gets\n"
		"                  sim.kernel=baseline (a) or sim.kernel=lpi (b)\n"
		"  --max N         print at most N commands after which they differ (default 20)\n"
		"  --json          one JSON object on stdout with the same content\n"
		"  --progress      progress on stderr even when it is not a terminal (on a\n"
		"                  terminal it is shown for runs over a second)\n"
		"  --quiet         no progress\n"
		"Exit status: 0 the machines never differed, 1 they did, 2 bad input.\n");
}

static int apply_settings(struct side *s, const char *tag)
{
	for (int i = 0; i < s->n; i++) {
		const char *eq = strchr(s->settings[i], '=');
		struct sim_error e;
		char name[128];
		int r;

		if (!eq || eq == s->settings[i] || (size_t)(eq - s->settings[i]) >= sizeof(name)) {
			fprintf(stderr, "ksmsim compare: --%s takes NAME=VALUE, not '%s'\n",
				tag, s->settings[i]);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - s->settings[i]), s->settings[i]);
		/* Pinned: the machine is what the command line says it is. */
		r = strncmp(name, "sim.", 4) ? ksm_set_knob(s->sim, name, eq + 1, &e) :
		    ksm_pin_sim_knob(s->sim, name, eq + 1, &e);
		if (r) {
			fprintf(stderr, "ksmsim compare: --%s %s: %s\n", tag, s->settings[i], e.msg);
			return -1;
		}
	}
	return 0;
}

static void add_diff(struct field_diff **v, size_t *n, size_t *cap, const char *field,
		     const char *a, const char *b)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	snprintf((*v)[*n].field, sizeof((*v)[*n].field), "%s", field);
	snprintf((*v)[*n].a, sizeof((*v)[*n].a), "%s", a);
	snprintf((*v)[*n].b, sizeof((*v)[*n].b), "%s", b);
	(*n)++;
}

static void on_field_diff(void *ctx, const struct ksm_snapshot *a,
			  const struct ksm_snapshot *b, const char *field,
			  const char *va, const char *vb)
{
	struct diffs *d = ctx;

	(void)a;
	(void)b;
	add_diff(&d->fd, &d->nfd, &d->capfd, field, va, vb);
}

static void on_migrate_diff(void *ctx, const struct ksm_snapshot *a,
			    const struct ksm_snapshot *b, const char *field,
			    const char *va, const char *vb)
{
	struct diffs *d = ctx;

	(void)a;
	(void)b;
	add_diff(&d->md, &d->nmd, &d->capmd, field, va, vb);
}

/*
 * The two machines' records, compared by the differ of `ksmsim diff`
 * (sim/report/snapshot_diff.c) with the values as `expect` prints them.
 * The sizes of the sharing groups are left out: they follow from groups,
 * grouped and the hash.  Line and label are the same on both by
 * construction, and so are the processes (one trace made them).
 */
static void diff_snapshots(const struct ksm_snapshot *a, const struct ksm_snapshot *b,
			   struct diffs *d)
{
	static const char *const ignore[] = { "sharing.sizes" };
	struct ksm_snapdiff_opts o = { .ignore = ignore, .nignore = 1, .expect_values = true,
				       .on_diff = on_field_diff, .ctx = d };

	ksm_snapdiff_compare(a, 1, b, 1, &o);
}

/* What `expect migrate.*` sees of the last migrate on each machine. */
static void diff_migrations(const struct ksm_migrate_summary *a,
			    const struct ksm_migrate_summary *b, struct diffs *d)
{
	struct ksm_snapdiff_opts o = { .expect_values = true, .on_diff = on_migrate_diff,
				       .ctx = d };

	ksm_snapdiff_fields("migrate", ksm_snap_migrate_summary_fields, a, b, &o);
}

/* ---- the rmap check of each machine ---- */

static void on_finding(void *ctx, enum rmap_finding_kind kind, struct folio *page,
		       const char *text)
{
	struct side *s = ctx;

	if (s->nf == s->capf) {
		s->capf = s->capf ? s->capf * 2 : 16;
		s->f = xrealloc(s->f, s->capf * sizeof(*s->f));
	}
	s->f[s->nf++] = (struct finding){ .kind = kind, .pfn = page->pfn, .text = xstrdup(text) };
}

static void drop_findings(struct side *s)
{
	for (size_t i = 0; i < s->nf; i++)
		free(s->f[i].text);
	s->nf = 0;
}

/*
 * Check every KSM page of @s's machine.  Findings are matched between the
 * machines by kind and page: their texts differ where the kernels do
 * (lpi's lists each item's index), which is not a difference of outcome.
 */
static void check_side(struct side *s)
{
	struct rmap_check_summary sum = { .on_finding = on_finding, .ctx = s, .anon = false };
	struct rmap_truth gt;

	drop_findings(s);
	rmap_check(s->sim, &sum);
	if (!s->nf)
		return;
	rmap_truth_build(s->sim, &gt);
	for (size_t i = 0; i < s->nf; i++) {
		struct finding *f = &s->f[i];
		const struct rmap_truth_entry *best = NULL;
		size_t first, count;

		rmap_truth_of(&gt, f->pfn, &first, &count);
		for (size_t j = first; j < first + count; j++) {
			const struct rmap_truth_entry *e = &gt.e[j];
			int c = best ? strcmp(e->task->name, best->task->name) : -1;

			if (c < 0 || (c == 0 && e->addr < best->addr))
				best = e;
		}
		if (best)
			snprintf(f->page, sizeof(f->page), "%s:0x%llx", best->task->name,
				 (unsigned long long)best->addr);
		else
			snprintf(f->page, sizeof(f->page), "pfn %u", f->pfn);
	}
	rmap_truth_free(&gt);
}

static void diff_findings(struct side side[2], struct diffs *d)
{
	for (int k = 0; k < 2; k++) {
		d->only[k] = xcalloc(side[k].nf + 1, sizeof(*d->only[k]));
		for (size_t i = 0; i < side[k].nf; i++)
			side[k].f[i].matched = false;
	}
	for (size_t i = 0; i < side[0].nf; i++)
		for (size_t j = 0; j < side[1].nf; j++) {
			struct finding *x = &side[0].f[i], *y = &side[1].f[j];

			if (!y->matched && x->kind == y->kind && !strcmp(x->page, y->page)) {
				x->matched = y->matched = true;
				break;
			}
		}
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < side[k].nf; i++)
			if (!side[k].f[i].matched)
				d->only[k][d->nonly[k]++] = &side[k].f[i];
}

static void diffs_free(struct diffs *d)
{
	free(d->fd);
	free(d->md);
	free(d->only[0]);
	free(d->only[1]);
	memset(d, 0, sizeof(*d));
}

static bool diffs_empty(const struct diffs *d)
{
	return !d->nfd && !d->nmd && !d->nonly[0] && !d->nonly[1];
}

/* ---- output ---- */

/* Host memory exhaustion ends the program (docs/architecture.md, Errors). */
static FILE *memstream(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f) {
		fprintf(stderr, "ksmsim: out of memory\n");
		exit(3);
	}
	return f;
}

/* A finding's text on one line (the checker breaks long lists). */
static void print_flat(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			fputc(' ', out);
			while (p[1] == ' ')
				p++;
		} else {
			fputc(*p, out);
		}
	}
}

/*
 * The human text of @d: what is printed after "after 'CMD': ", and what
 * two successive commands are compared by to print only changes.
 */
static char *diffs_text(const struct diffs *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = memstream(&buf, &len);
	bool first = true;

	for (size_t i = 0; i < d->nfd; i++, first = false)
		fprintf(f, "%s%s: %s != %s", first ? "" : ", ", d->fd[i].field, d->fd[i].a, d->fd[i].b);
	for (size_t i = 0; i < d->nmd; i++, first = false)
		fprintf(f, "%s%s: %s != %s", first ? "" : ", ", d->md[i].field, d->md[i].a, d->md[i].b);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++, first = false)
			fprintf(f, "%srmap: %s of the page at %s on %c only", first ? "" : ", ",
				rmap_finding_name(d->only[k][i]->kind), d->only[k][i]->page, 'a' + k);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++) {
			fprintf(f, "\n    %c: ", 'a' + k);
			print_flat(f, d->only[k][i]->text);
		}
	fclose(f);
	return buf;
}

static void json_field_diffs(const char *key, const struct field_diff *v, size_t n)
{
	printf(",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"field\":" : "{\"field\":", stdout);
		json_string(stdout, v[i].field);
		fputs(",\"a\":", stdout);
		json_string(stdout, v[i].a);
		fputs(",\"b\":", stdout);
		json_string(stdout, v[i].b);
		fputc('}', stdout);
	}
	fputc(']', stdout);
}

static void json_change(bool first, const struct trace_cmd *c, const char *cmd,
			const struct diffs *d)
{
	bool any = false;

	printf("%s{\"line\":%u,\"command\":", first ? "" : ",", c->argpos[0].line);
	json_string(stdout, cmd);
	printf(",\"agree\":%s", diffs_empty(d) ? "true" : "false");
	json_field_diffs("fields", d->fd, d->nfd);
	json_field_diffs("migrate", d->md, d->nmd);
	fputs(",\"rmap\":[", stdout);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++) {
			printf("%s{\"kind\":\"%s\",\"page\":", any ? "," : "",
			       rmap_finding_name(d->only[k][i]->kind));
			json_string(stdout, d->only[k][i]->page);
			printf(",\"pfn\":%u,\"only_on\":\"%c\",\"text\":", d->only[k][i]->pfn, 'a' + k);
			json_string(stdout, d->only[k][i]->text);
			fputc('}', stdout);
			any = true;
		}
	fputs("]}", stdout);
}

static char *command_text(const struct trace_cmd *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = memstream(&buf, &len);

	trace_write_cmd(f, c);
	fclose(f);
	return buf;
}

int cmd_compare(int argc, char **argv)
{
	struct side side[2] = { { .n = 0 }, { .n = 0 } };
	struct replay_opts opts = { .invariants = REPLAY_CHECK_END, .skip_dot = true };
	const char *file = NULL;
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char *last = xstrdup("");
	unsigned long max = 20, printed = 0, diverged = 0;
	unsigned long by_fields = 0, by_rmap = 0, by_migrate = 0;
	size_t first_at = 0;
	bool json = false, any_change = false, progress = false, quiet = false;
	struct cli_progress prog;
	int rc = KSMSIM_EXIT_OK;

	enum { OPT_HELP, OPT_A, OPT_B, OPT_MAX, OPT_JSON, OPT_PROGRESS, OPT_QUIET };
	static const struct cli_option options[] = {
		{ "--help", "-h", false, OPT_HELP },
		{ "--a", NULL, true, OPT_A },
		{ "--b", NULL, true, OPT_B },
		{ "--max", NULL, true, OPT_MAX },
		{ "--json", NULL, false, OPT_JSON },
		{ "--progress", NULL, false, OPT_PROGRESS },
		{ "--quiet", NULL, false, OPT_QUIET },
		{ NULL, NULL, false, 0 },
	};
	struct cli_args args = { argc, argv, 1, false };
	const char *val;
	int key;

	while ((key = cli_next_opt(&args, options, &val)) != CLI_OPT_END) {
		struct side *s;

		switch (key) {
		case OPT_HELP:
			usage(stdout);
			free(last);
			return KSMSIM_EXIT_OK;
		case OPT_A:
		case OPT_B:
			s = &side[key == OPT_B];
			if (s->n == MAX_SETTINGS) {
				fprintf(stderr, "ksmsim compare: at most %d settings per side\n", MAX_SETTINGS);
				free(last);
				return KSMSIM_EXIT_USAGE;
			}
			s->settings[s->n++] = val;
			break;
		case OPT_MAX:
			if (cli_parse_count("compare", "--max", val, 1, &max)) {
				free(last);
				return KSMSIM_EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_PROGRESS:
			progress = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case CLI_OPT_ARG:
			if (!file) {
				file = val;
				break;
			}
			/* fall through - a second file */
		default:
			cli_opt_error(&args, "compare", key, val);
			usage(stderr);
			free(last);
			return KSMSIM_EXIT_USAGE;
		}
	}
	if (progress && quiet) {
		fprintf(stderr, "ksmsim compare: --progress and --quiet contradict each other\n");
		free(last);
		return KSMSIM_EXIT_USAGE;
	}
	if (!file) {
		usage(stderr);
		free(last);
		return KSMSIM_EXIT_USAGE;
	}
	/* Each side has its kernel pinned: a's baseline and b's lpi unless
	 * that side says otherwise (never the trace's own sim.kernel). */
	for (int k = 0; k < 2; k++) {
		bool has_kernel = false;

		for (int j = 0; j < side[k].n; j++)
			has_kernel |= !strncmp(side[k].settings[j], "sim.kernel=", 11);
		if (!has_kernel) {
			if (side[k].n == MAX_SETTINGS) {
				fprintf(stderr, "ksmsim compare: at most %d settings per side\n",
					MAX_SETTINGS - 1);
				free(last);
				return KSMSIM_EXIT_USAGE;
			}
			side[k].settings[side[k].n++] = k ? "sim.kernel=lpi" : "sim.kernel=baseline";
		}
	}
	if (trace_parse_file(file, &t, &err)) {
		ksm_diag_print(stderr, &err);
		trace_free(&t);
		free(last);
		return KSMSIM_EXIT_USAGE;
	}
	for (int k = 0; k < 2; k++)
		side[k].sim = ksm_sim_create();
	if (apply_settings(&side[0], "a") || apply_settings(&side[1], "b")) {
		rc = KSMSIM_EXIT_USAGE;
		goto out;
	}
	if (json) {
		fputs("{\"trace\":", stdout);
		json_string(stdout, t.file);
		for (int k = 0; k < 2; k++) {
			printf(",\"%c\":[", 'a' + k);
			for (int i = 0; i < side[k].n; i++) {
				fputs(i ? "," : "", stdout);
				json_string(stdout, side[k].settings[i]);
			}
			fputc(']', stdout);
		}
		fputs(",\"changes\":[", stdout);
	}
	cli_progress_start(&prog, "ksmsim compare", progress, quiet);
	for (size_t i = 0; i < t.ncmds; i++) {
		const struct trace_cmd *c = &t.cmds[i];
		struct ksm_snapshot snap[2];
		struct diffs d = { 0 };
		char *now;

		for (int k = 0; k < 2; k++) {
			enum replay_status st = replay_command(side[k].sim, &t, i, &opts,
							       &side[k].res, &err);

			if (st == REPLAY_ERROR || st == REPLAY_BROKEN) {
				cli_progress_clear(&prog);
				if (json)
					fputs("]}\n", stdout); /* stdout stays one valid object */
				fprintf(stderr, "machine %c: ", 'a' + k);
				ksm_diag_print(stderr, &err);
				rc = KSMSIM_EXIT_USAGE;
				goto out;
			}
		}
		for (int k = 0; k < 2; k++) {
			sim_snapshot_take(side[k].sim, c->argpos[0].line, "", true, &snap[k]);
			check_side(&side[k]);
		}
		diff_snapshots(&snap[0], &snap[1], &d);
		if (c->kind == TC_MIGRATE)
			diff_migrations(&side[0].res.last_migrate, &side[1].res.last_migrate,
					&d);
		diff_findings(side, &d);
		ksm_snapshot_free(&snap[0]);
		ksm_snapshot_free(&snap[1]);
		if (!diffs_empty(&d)) {
			if (!diverged)
				first_at = i;
			diverged++;
			by_fields += d.nfd != 0;
			by_migrate += d.nmd != 0;
			by_rmap += d.nonly[0] || d.nonly[1];
		}
		now = diffs_text(&d);
		cli_progress_step(&prog, i + 1, t.ncmds, c->argpos[0].line);
		if (strcmp(now, last) && printed < max) {
			char *cmd = command_text(c);

			cli_progress_clear(&prog);
			if (json)
				json_change(!any_change, c, cmd, &d);
			else
				printf("%s:%u: after '%s': %s\n", t.file, c->argpos[0].line, cmd,
				       now[0] ? now : "the machines agree again");
			any_change = true;
			printed += now[0] != 0;
			free(cmd);
		}
		free(last);
		last = now;
		diffs_free(&d);
	}
	cli_progress_end(&prog);
	rc = diverged ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
	if (json) {
		printf("],\"commands\":%zu,\"differed\":%lu,\"differed_fields\":%lu,"
		       "\"differed_rmap\":%lu,\"differed_migrate\":%lu,\"first\":",
		       t.ncmds, diverged, by_fields, by_rmap, by_migrate);
		if (diverged) {
			char *cmd = command_text(&t.cmds[first_at]);

			printf("{\"line\":%u,\"command\":", t.cmds[first_at].argpos[0].line);
			json_string(stdout, cmd);
			fputc('}', stdout);
			free(cmd);
		} else {
			fputs("null", stdout);
		}
		printf(",\"exit\":%d}\n", rc);
	} else {
		printf("%s: %zu commands, the machines differed after %lu of them", t.file,
		       t.ncmds, diverged);
		if (diverged) {
			char *cmd = command_text(&t.cmds[first_at]);

			printf(" (fields after %lu, rmap walks after %lu, migrations after %lu);"
			       " first after line %u, '%s'", by_fields, by_rmap, by_migrate,
			       t.cmds[first_at].argpos[0].line, cmd);
			free(cmd);
		}
		printf("\n");
	}
out:
	for (int k = 0; k < 2; k++) {
		drop_findings(&side[k]);
		free(side[k].f);
		ksm_sim_destroy(side[k].sim, NULL, 0);
	}
	free(last);
	trace_free(&t);
	return rc;
}
