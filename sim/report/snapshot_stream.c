// SPDX-License-Identifier: MIT
/*
 * DOC: Snapshot records — JSON Lines streams
 *
 * A stream is one record per line; a missing final newline is accepted,
 * an empty line is not.  ksm_snapshot_read_buffer() reads one held in
 * memory, ksm_snapshot_read_file() a file ("-" is stdin) by reading it
 * whole and then the buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/file.h"
#include "core/array.h"
#include "ksmsim/snapshot_diff.h"

static int read_all(const char *path, char **buf, size_t *len,
		    struct ksm_diag *err)
{
	if (sim_read_file(path, buf, len))
		return ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
	return 0;
}

int ksm_snapshot_read_buffer(const char *file, const char *text, size_t len,
			     struct ksm_snapshot **out, size_t *n,
			     struct ksm_diag *err)
{
	struct ksm_snapshot *recs = NULL;
	size_t nrec = 0, cap = 0, pos = 0;
	unsigned line = 0;

	*out = NULL;
	*n = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;

		line++;
		if (end == pos) {
			ksm_diag_set(err, file, line, 1, "empty line (expected a snapshot record)");
			goto fail;
		}
		ARRAY_GROW(recs, cap, nrec + 1, 16);
		if (ksm_snapshot_parse(file, line, text + pos, end - pos, &recs[nrec], err))
			goto fail;
		nrec++;
		pos = end + 1;
	}
	*out = recs;
	*n = nrec;
	return 0;
fail:
	ksm_snapshot_array_free(recs, nrec);
	return -1;
}

int ksm_snapshot_read_file(const char *path, struct ksm_snapshot **out,
			   size_t *n, struct ksm_diag *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (read_all(path, &buf, &len, err))
		return -1;
	r = ksm_snapshot_read_buffer(path, buf, len, out, n, err);
	free(buf);
	return r;
}
