/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the checkers of sim/check. */
#ifndef KSMSIM_CHECK_UTIL_H
#define KSMSIM_CHECK_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write a violation into @why; returns -1 for `return check_fail(...)`. */
static inline int check_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int check_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

struct ksm_sim;

/* KSM's invariants (ksm_invariants.c), part of sim_check_invariants(). */
int ksm_check_invariants(struct ksm_sim *sim, char *why, size_t whylen);

/* qsort/bsearch order of an array of pointers, by address. */
static inline int check_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

#endif /* KSMSIM_CHECK_UTIL_H */
