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

#include "ksmsim/replay.h"
#include "ksmsim/sim.h"

#define CLI_PINS_MAX 8

struct cli_pins {
	char v[CLI_PINS_MAX][80]; /* "sim.NAME=VALUE" */
	int n;
};

/*
 * cli_pins_option() - if argv[*i] is --kernel or --set, take it and its
 * value (advancing *i).  Return: 1 taken, 0 not one of ours, -1 bad
 * value (said on stderr, prefixed "ksmsim CMD: ").
 */
int cli_pins_option(struct cli_pins *p, const char *cmd, int argc, char **argv, int *i);

/* cli_pins_apply() - pin each on @sim; -1 (said on stderr) on a refusal. */
int cli_pins_apply(const struct cli_pins *p, const char *cmd, struct ksm_sim *sim);

/*
 * cli_invariants_option() - if @arg is --check-invariants=none|end|each,
 * set *@out.  Return: 1 taken, 0 not this option, -1 bad value (said on
 * stderr, prefixed "ksmsim CMD: ").
 */
int cli_invariants_option(const char *cmd, const char *arg, enum replay_check *out);

#endif /* KSMSIM_CLI_PINS_H */
