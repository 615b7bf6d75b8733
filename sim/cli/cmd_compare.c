// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim compare — two kernels side by side on one trace
 *
 *   ksmsim compare [--a NAME=VALUE]... [--b NAME=VALUE]... [--max N] TRACE
 *
 * Builds two machines in this process, applies the --a settings to the
 * first and the --b settings to the second (any knob `set` accepts; by
 * default A is sim.kernel=baseline and B sim.kernel=lpi), then replays
 * TRACE on both in lockstep.  After every command it compares the two
 * machines' snapshot records field by field — every global counter, every
 * process's fields, the sharing partition — and prints each command after
 * which they differ, with the differing fields:
 *
 *   TRACE:LINE: after 'scan rounds=1': global.pages_volatile: 0 != 1
 *
 * Only changes in the set of differences are printed (a divergence that
 * persists is reported once), at most N commands (--max, default 20).
 * Exit status: 0 the machines never differed, 1 they did, 2 bad input.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/alloc.h"
#include "ksmsim/ksm.h"
#include "ksmsim/replay.h"
#include "ksmsim/sim_snapshot.h"

#define MAX_SETTINGS 16

struct side {
	const char *settings[MAX_SETTINGS];
	int n;
	struct ksm_sim *sim;
	struct replay_result res;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim compare [--a NAME=VALUE]... [--b NAME=VALUE]... [--max N] TRACE\n"
		"\n"
		"Replays TRACE on two machines in lockstep and reports where their\n"
		"snapshot records differ.  Default: --a sim.kernel=baseline --b sim.kernel=lpi.\n");
}

static int apply_settings(struct side *s, const char *tag)
{
	for (int i = 0; i < s->n; i++) {
		const char *eq = strchr(s->settings[i], '=');
		struct sim_error e;
		char name[128];

		if (!eq || eq == s->settings[i] || (size_t)(eq - s->settings[i]) >= sizeof(name)) {
			fprintf(stderr, "ksmsim compare: --%s takes NAME=VALUE, not '%s'\n",
				tag, s->settings[i]);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - s->settings[i]), s->settings[i]);
		if (ksm_set_knob(s->sim, name, eq + 1, &e)) {
			fprintf(stderr, "ksmsim compare: --%s %s: %s\n", tag, s->settings[i], e.msg);
			return -1;
		}
	}
	return 0;
}

/* The field @f of the object at @obj, as 64 bits. */
static uint64_t field_u64(const struct ksm_snap_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->offset;

	switch (f->type) {
	case KSM_SNAP_BOOL:
		return *(const bool *)p;
	case KSM_SNAP_ADVISOR:
		return *(const enum ksm_advisor_mode *)p;
	case KSM_SNAP_HASH:
		return *(const uint64_t *)p;
	case KSM_SNAP_ADDR:
		return *(const uint64_t *)p;
	case KSM_SNAP_FRAME:
		return *(const enum ksm_migrate_frame *)p;
	case KSM_SNAP_NAME:
	case KSM_SNAP_MAPPINGS:
		return 0; /* not in the tables compared here */
	case KSM_SNAP_INT:
	case KSM_SNAP_SIZES:
	case KSM_SNAP_NODE:
		break;
	}
	return (uint64_t)*(const int64_t *)p;
}

/* Append "where.field: a != b" for each differing field of one object. */
static void diff_fields(const struct ksm_snap_field *tab, const char *where,
			const void *a, const void *b, char *out, size_t len)
{
	for (; tab->name; tab++) {
		char va[32], vb[32];
		uint64_t x, y;
		size_t used;

		if (tab->type == KSM_SNAP_SIZES)
			continue; /* follow from groups, grouped and the hash */
		x = field_u64(tab, a);
		y = field_u64(tab, b);
		if (x == y)
			continue;
		ksm_snapshot_format_value(tab, x, va, sizeof(va));
		ksm_snapshot_format_value(tab, y, vb, sizeof(vb));
		used = strlen(out);
		snprintf(out + used, len - used, "%s%s.%s: %s != %s",
			 used ? ", " : "", where, tab->name, va, vb);
	}
}

static void diff_snapshots(const struct ksm_snapshot *a, const struct ksm_snapshot *b,
			   char *out, size_t len)
{
	out[0] = '\0';
	diff_fields(ksm_snap_global_fields, "global", &a->global, &b->global, out, len);
	diff_fields(ksm_snap_knob_fields, "knobs", &a->knobs, &b->knobs, out, len);
	for (size_t i = 0; i < a->nprocs && i < b->nprocs; i++) {
		char where[64];

		snprintf(where, sizeof(where), "procs.%s", a->procs[i].name);
		diff_fields(ksm_snap_proc_fields, where, &a->procs[i], &b->procs[i], out, len);
	}
	diff_fields(ksm_snap_sharing_fields, "sharing", &a->sharing, &b->sharing, out, len);
}

int cmd_compare(int argc, char **argv)
{
	struct side side[2] = { { .n = 0 }, { .n = 0 } };
	struct replay_opts opts = { .invariants = REPLAY_CHECK_END };
	const char *file = NULL;
	struct ksm_diag err = { 0 };
	struct trace t = { 0 };
	char last[4096] = "", now[4096];
	unsigned long max = 20, printed = 0, diverged = 0;
	int rc = KSMSIM_EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return KSMSIM_EXIT_OK;
		} else if ((!strcmp(argv[i], "--a") || !strcmp(argv[i], "--b")) && i + 1 < argc) {
			struct side *s = &side[argv[i][2] == 'b'];

			if (s->n == MAX_SETTINGS) {
				fprintf(stderr, "ksmsim compare: at most %d settings per side\n", MAX_SETTINGS);
				return KSMSIM_EXIT_USAGE;
			}
			s->settings[s->n++] = argv[++i];
		} else if (!strcmp(argv[i], "--max") && i + 1 < argc) {
			char *end;

			max = strtoul(argv[++i], &end, 10);
			if (*end || !max) {
				fprintf(stderr, "ksmsim compare: --max takes a number >= 1\n");
				return KSMSIM_EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' || file) {
			fprintf(stderr, "ksmsim compare: unexpected argument '%s'\n", argv[i]);
			usage(stderr);
			return KSMSIM_EXIT_USAGE;
		} else {
			file = argv[i];
		}
	}
	if (!file) {
		usage(stderr);
		return KSMSIM_EXIT_USAGE;
	}
	if (!side[0].n && !side[1].n) {
		side[0].settings[side[0].n++] = "sim.kernel=baseline";
		side[1].settings[side[1].n++] = "sim.kernel=lpi";
	}
	if (trace_parse_file(file, &t, &err)) {
		ksm_diag_print(stderr, &err);
		trace_free(&t);
		return KSMSIM_EXIT_USAGE;
	}
	for (int k = 0; k < 2; k++)
		side[k].sim = ksm_sim_create();
	if (apply_settings(&side[0], "a") || apply_settings(&side[1], "b")) {
		rc = KSMSIM_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < t.ncmds; i++) {
		struct ksm_snapshot snap[2];

		for (int k = 0; k < 2; k++) {
			enum replay_status st = replay_command(side[k].sim, &t, i, &opts,
							       &side[k].res, &err);

			if (st == REPLAY_ERROR || st == REPLAY_BROKEN) {
				fprintf(stderr, "machine %c: ", 'a' + k);
				ksm_diag_print(stderr, &err);
				rc = KSMSIM_EXIT_USAGE;
				goto out;
			}
		}
		for (int k = 0; k < 2; k++)
			sim_snapshot_take(side[k].sim, t.cmds[i].argpos[0].line, "", true, &snap[k]);
		diff_snapshots(&snap[0], &snap[1], now, sizeof(now));
		if (now[0])
			diverged++;
		if (strcmp(now, last) && printed < max) {
			printf("%s:%u: after '", t.file, t.cmds[i].argpos[0].line);
			trace_write_cmd(stdout, &t.cmds[i]);
			printf("': %s\n", now[0] ? now : "the machines agree again");
			printed += now[0] != 0;
		}
		snprintf(last, sizeof(last), "%s", now);
		ksm_snapshot_free(&snap[0]);
		ksm_snapshot_free(&snap[1]);
	}
	printf("%s: %zu commands, the machines differed after %lu of them\n",
	       t.file, t.ncmds, diverged);
	rc = diverged ? KSMSIM_EXIT_FAIL : KSMSIM_EXIT_OK;
out:
	for (int k = 0; k < 2; k++)
		ksm_sim_destroy(side[k].sim, NULL, 0);
	trace_free(&t);
	return rc;
}
