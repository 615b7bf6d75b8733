/* SPDX-License-Identifier: MIT */
/* Shared by the replayer's files (sim/replay: replay.c, replay_rmap.c). */
#ifndef KSMSIM_REPLAY_REPLAY_INTERNAL_H
#define KSMSIM_REPLAY_REPLAY_INTERNAL_H

#include "ksmsim/replay.h"

struct replay {
	struct ksm_sim *sim;
	const char *file;	/* the trace's name, for diagnostics */
	const struct replay_opts *opts;
	struct replay_result *res;
	struct ksm_diag *err;
};

/* A diagnostic at word @arg of @c; returns -1. */
int replay_fail_at(struct replay *r, const struct trace_cmd *c, unsigned arg,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The word of @c an error of the model is about (0: the command). */
unsigned replay_word_of(const struct trace_cmd *c, enum sim_arg a);

/* replay_rmap.c: 0 done, -1 error, 1 failure (divergence or --strict). */
int replay_check(struct replay *r, const struct trace_cmd *c, bool after_each);
/* @t: the live process P of `rmap P ADDR`, `migrate P ADDR`. */
int replay_rmap(struct replay *r, const struct trace_cmd *c, struct task *t);
int replay_migrate(struct replay *r, const struct trace_cmd *c, struct task *t);

#endif /* KSMSIM_REPLAY_REPLAY_INTERNAL_H */
