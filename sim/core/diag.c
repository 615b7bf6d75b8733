// SPDX-License-Identifier: MIT
/* Diagnostics: one located message per user-visible failure. */
#include "ksmsim/diag.h"

#include <string.h>

int ksm_diag_vset(struct ksm_diag *d, const char *file, unsigned line,
		  unsigned col, const char *fmt, va_list ap)
{
	if (!d)
		return -1;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	d->col = col;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	return -1;
}

int ksm_diag_set(struct ksm_diag *d, const char *file, unsigned line,
		 unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ksm_diag_vset(d, file, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

void ksm_diag_print(FILE *out, const struct ksm_diag *d)
{
	if (d->file[0])
		fprintf(out, "%s:", d->file);
	if (d->line) {
		fprintf(out, "%u:", d->line);
		if (d->col)
			fprintf(out, "%u:", d->col);
	}
	fprintf(out, "%s%s\n", (d->file[0] || d->line) ? " " : "", d->msg);
}
