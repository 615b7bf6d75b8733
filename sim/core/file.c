// SPDX-License-Identifier: MIT
/* Reading a whole file; see file.h. */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"

int sim_read_file(const char *path, char **buf, size_t *len)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	size_t cap = 65536, n = 0;
	char *b;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return -1;
	b = xmalloc(cap + 1);
	for (;;) {
		ssize_t k;

		if (n == cap) {
			if (cap > (SIZE_MAX - 1) / 2)
				sim_out_of_memory(SIZE_MAX);
			cap *= 2;
			b = xrealloc(b, cap + 1);
		}
		k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(b);
			if (fd != STDIN_FILENO)
				close(fd);
			errno = e;
			return -1;
		}
		if (!k)
			break;
		n += (size_t)k;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}
