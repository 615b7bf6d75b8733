/* SPDX-License-Identifier: MIT */
/*
 * DOC: Output files that are never left half written
 *
 * A regular file is written under a temporary name in the same folder and
 * renamed over the destination only on commit, so a run that fails leaves
 * the old file (or none), never a partial one.  Anything else — standard
 * output ("-"), a device such as /dev/null, a FIFO — is written in place:
 * renaming over a device node would replace it with a regular file.
 *
 * The temporary name is registered with core/cleanup.h while it exists,
 * so that no way out of the program (a signal, a crash, running out of
 * memory) leaves it behind.
 */
#ifndef KSMSIM_CORE_OUTFILE_H
#define KSMSIM_CORE_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "ksmsim/diag.h"

struct outfile {
	FILE *f;
	char *path; /* destination                        */
	char *tmp;  /* temporary name, NULL when in place */
	int cleanup; /* its slot in core/cleanup.h, or -1  */
};

/* Open @path for writing; on failure @err says "PATH: cannot write: …". */
int outfile_open(struct outfile *o, const char *path, struct ksm_diag *err);
/*
 * outfile_check() - could @path be written?  Its folder exists and is
 * writable, and @path is not a folder; nothing is created (a FIFO is not
 * opened).  For commands that must say so before a long run, not after.
 * 0, or -1 with @err as outfile_open() would set it.
 */
int outfile_check(const char *path, struct ksm_diag *err);
/* Close and move into place.  0, or -1 with @err set. */
int outfile_commit(struct outfile *o, struct ksm_diag *err);
/* Close and drop what was written (in-place outputs stay as written). */
void outfile_abort(struct outfile *o);

#endif /* KSMSIM_CORE_OUTFILE_H */
