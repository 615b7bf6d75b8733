/* SPDX-License-Identifier: MIT */
/*
 * DOC: Arrays: their length, and arrays that grow
 *
 * ARRAY_SIZE(a) is the number of elements of the array @a (not of a
 * pointer).
 *
 * ARRAY_GROW(p, cap, need, first) makes room for @need elements in the
 * array @p of capacity @cap (a size_t), reallocating when @need exceeds
 * it: the capacity becomes @first, then doubles until it holds @need.
 * The usual append is
 *
 *	ARRAY_GROW(v, cap, n + 1, 64);
 *	v[n++] = x;
 *
 * Running out of memory ends the program (core/alloc.h), so it returns
 * nothing to check.
 */
#ifndef KSMSIM_CORE_ARRAY_H
#define KSMSIM_CORE_ARRAY_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ARRAY_GROW(p, cap, need, first)                                     \
	do {                                                                \
		if ((need) > (cap))                                         \
			(p) = sim_grow_array((p), &(cap), (need),           \
					     sizeof(*(p)), (first));        \
	} while (0)

/* ARRAY_GROW()'s reallocation: @p with room for @need elements of @size
 * bytes; *@cap is updated. */
void *sim_grow_array(void *p, size_t *cap, size_t need, size_t size,
		     size_t first);

#endif /* KSMSIM_CORE_ARRAY_H */
