/* SPDX-License-Identifier: MIT */
/*
 * DOC: Assertions of the model's invariants
 *
 * SIM_BUG_ON(cond) states an invariant the code relies on at that point
 * (the kernel's BUG_ON): if @cond holds, the program prints
 * "ksmsim: internal error: FILE:LINE: BUG_ON(cond)" and aborts.  It is on
 * in every build, Release too — unlike assert(), NDEBUG does not remove
 * it — because a model that went on past a broken invariant would report
 * wrong results instead of crashing.  @cond is evaluated exactly once.
 *
 * It is for states no input can produce.  What a trace, a flag or a file
 * can cause is an error with a message (struct ksm_diag, struct
 * sim_error), and what the checkers of sim/check find is an invariant
 * violation reported with exit status 1.
 */
#ifndef KSMSIM_CORE_BUG_H
#define KSMSIM_CORE_BUG_H

#define SIM_BUG_ON(cond)                                                \
	do {                                                            \
		if (__builtin_expect(!!(cond), 0))                      \
			sim_bug(__FILE__, __LINE__, #cond);             \
	} while (0)

_Noreturn void sim_bug(const char *file, int line, const char *cond);

#endif /* KSMSIM_CORE_BUG_H */
