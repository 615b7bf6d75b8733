/* SPDX-License-Identifier: MIT */
/*
 * The JSON tokens of one snapshot record line (snapshot_json.c), for the
 * record reader (snapshot_read.c).  Every function skips the whitespace
 * before its token; on error it sets @p->err at FILE:LINE:COLUMN (the
 * column 1-based, in bytes) and returns -1.
 */
#ifndef KSMSIM_REPORT_SNAPSHOT_JSON_H
#define KSMSIM_REPORT_SNAPSHOT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/diag.h"

struct jp {
	const char *file;
	unsigned line;
	const char *s;   /* the line, @len bytes */
	size_t len;
	size_t pos;      /* next byte to read    */
	struct ksm_diag *err;
};

/* Report an error at byte @pos; returns -1. */
__attribute__((format(printf, 3, 4)))
int jp_fail_at(struct jp *p, size_t pos, const char *fmt, ...);
/* Skip whitespace. */
void jp_ws(struct jp *p);
/* The next byte after whitespace, or -1 at the end of the line. */
int jp_peek(struct jp *p);
/* What comes next, for messages: "a string", "the end of the line", ... */
const char *jp_describe(struct jp *p);
/* Consume @c, or fail with "expected '@c' @context, found ...". */
int jp_expect_char(struct jp *p, char c, const char *context);
/* A string, decoded; *@out is owned by the caller (NULL on failure). */
int jp_parse_string(struct jp *p, char **out, const char *what);
int jp_parse_int(struct jp *p, int64_t *out, const char *what);
int jp_parse_bool(struct jp *p, bool *out, const char *what);
/*
 * Walk the members of an object: calls @member for each key with the
 * parser positioned at the value.  @where names the object in messages.
 */
int jp_parse_object(struct jp *p, const char *where,
		    int (*member)(struct jp *p, void *ctx, const char *key,
				  size_t keypos),
		    void *ctx);

#endif /* KSMSIM_REPORT_SNAPSHOT_JSON_H */
