/* SPDX-License-Identifier: MIT */
/*
 * DOC: Diagnostics
 *
 * Every failure that a user can cause (a malformed trace line, an
 * impossible operation, an unreadable file, a bad flag) is reported as one
 * struct ksm_diag: the file, 1-based line and column it points at, and one
 * sentence saying what is wrong.  Functions that can fail this way return
 * an int (0 on success, -1 on failure) and fill a caller-owned ksm_diag;
 * they never print and never exit.  Only the command-line front end turns
 * a ksm_diag into "FILE:LINE:COLUMN: message" on stderr and an exit status.
 */
#ifndef KSMSIM_DIAG_H
#define KSMSIM_DIAG_H

#include <stdarg.h>
#include <stdio.h>

#define KSM_DIAG_MSG_MAX 512

struct ksm_diag {
	char file[256];              /* trace or input file name, "" if none */
	unsigned line;               /* 1-based; 0 when not about a line */
	unsigned col;                /* 1-based; 0 when not about a column */
	char msg[KSM_DIAG_MSG_MAX];  /* what is wrong, without a final period */
};

/*
 * ksm_diag_set() - fill @d with a location and a printf-style message.
 * Always returns -1 so that callers can write `return ksm_diag_set(...)`.
 * @d may be NULL (the failure is then only signalled by the return value).
 */
int ksm_diag_set(struct ksm_diag *d, const char *file, unsigned line,
		 unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

int ksm_diag_vset(struct ksm_diag *d, const char *file, unsigned line,
		  unsigned col, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

/*
 * ksm_diag_print() - print @d as "FILE:LINE:COLUMN: message\n" (parts that
 * are unknown are left out, so a message about a whole file reads
 * "FILE: message").
 */
void ksm_diag_print(FILE *out, const struct ksm_diag *d);

#endif /* KSMSIM_DIAG_H */
