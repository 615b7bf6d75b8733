/* SPDX-License-Identifier: MIT */
/*
 * The options shared by the subcommands that replay one machine (replay,
 * check): `--kernel K` and `--set sim.NAME=VALUE` — knobs pinned for the
 * whole replay, so that the trace's own `set` of the same knob is ignored
 * and one trace can be replayed as either kernel — and
 * `--check-invariants=W`.
 */
#ifndef KSMSIM_CLI_PINS_H
#define KSMSIM_CLI_PINS_H

#include "cli/opts.h"
#include "ksmsim/replay.h"
#include "ksmsim/sim.h"

#define CLI_PINS_MAX 8

struct cli_pins {
	char v[CLI_PINS_MAX][80]; /* "sim.NAME=VALUE" */
	int n;
};

/*
 * The rows of these options in a subcommand's option table
 * (cli/opts.h), with the subcommand's keys for them.
 */
#define CLI_PINS_OPTIONS(kernel_key, set_key, invariants_key)			\
	{ "--kernel", NULL, CLI_VAL_NEXT, (kernel_key), NULL },			\
	{ "--set", NULL, CLI_VAL_NEXT, (set_key), NULL },			\
	{ "--check-invariants", NULL, CLI_VAL_EQ, (invariants_key), NULL }

/*
 * cli_pins_take() - the value @val of @opt, "--kernel" or "--set".
 * Return: 0, or -1 on a bad value (said on stderr, prefixed "ksmsim CMD: ").
 */
int cli_pins_take(struct cli_pins *p, const char *cmd, const char *opt, const char *val);

/* cli_pins_apply() - pin each on @sim; -1 (said on stderr) on a refusal. */
int cli_pins_apply(const struct cli_pins *p, const char *cmd, struct ksm_sim *sim);

/*
 * cli_invariants_take() - the W of --check-invariants=W (none, end or
 * each) into *@out.  Return: 0, or -1 on a bad value (said on stderr,
 * prefixed "ksmsim CMD: ").
 */
int cli_invariants_take(const char *cmd, const char *w, enum replay_check *out);

#endif /* KSMSIM_CLI_PINS_H */
