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
#include "cli/compare.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "core/alloc.h"
#include "core/json.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"

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
