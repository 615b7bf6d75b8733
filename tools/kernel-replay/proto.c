// SPDX-License-Identifier: MIT
/*
 * DOC: Controller <-> worker messages
 *
 * Each worker has a pipe pair: requests flow controller -> worker, replies
 * worker -> controller.  A request is a fixed struct kr_req, followed for
 * WRITE by its tokens (one uint64_t per page, at most KR_WRITE_CHUNK per
 * request, so a request is at most ~4 KiB and the worker reads it into a
 * static buffer).  Every request but EXIT gets exactly one struct kr_rep.
 * Both ends run on the same machine and binary, so structs travel as raw
 * bytes.
 *
 * The exchange is strictly one request then one reply, so a message never
 * interleaves with another and no framing beyond the fixed sizes is needed.
 * Pipes may split a transfer; the helpers below loop until the whole
 * message has moved, and retry after EINTR only while no stop signal is
 * pending (the controller must notice SIGINT even while it waits).
 *
 * These helpers use no heap memory: workers call them after set-up, when
 * any allocation could grow the worker's own mappings.
 */
#include <errno.h>
#include <unistd.h>

#include "kr.h"

int kr_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR && !kr_stop_signal)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int kr_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, p + got, n - got);

		if (k < 0) {
			if (errno == EINTR && !kr_stop_signal)
				continue;
			return -1;
		}
		if (k == 0) {
			if (got == 0)
				return 1;
			errno = EPIPE;
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}
