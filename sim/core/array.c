// SPDX-License-Identifier: MIT
/* Arrays that grow; see array.h. */
#include "core/array.h"

#include <stdint.h>

#include "core/alloc.h"

void *sim_grow_array(void *p, size_t *cap, size_t need, size_t size,
		     size_t first)
{
	size_t ncap = *cap ? *cap : (first ? first : 1);

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			sim_out_of_memory(SIZE_MAX);
		ncap *= 2;
	}
	if (size && ncap > SIZE_MAX / size)
		sim_out_of_memory(SIZE_MAX);
	p = xrealloc(p, ncap * size);
	*cap = ncap;
	return p;
}
