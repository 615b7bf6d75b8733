/* SPDX-License-Identifier: MIT */
/*
 * DOC: Reading JSON text
 *
 * The few JSON documents ksmsim reads back are its own (explore's shard
 * results, read by explore-merge and by the parent of --jobs workers), so
 * this is a small tree parser of RFC 8259 JSON: objects keep their keys in
 * order, numbers keep their text (json_u64() reads the whole numbers the
 * results hold), and every value remembers its line and column so that a
 * bad document is reported as FILE:LINE:COL.  Nesting is limited
 * (JSON_MAX_DEPTH) so that no input can exhaust the stack.
 */
#ifndef KSMSIM_CORE_JSON_PARSE_H
#define KSMSIM_CORE_JSON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/diag.h"

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	unsigned line, col;        /* where the value starts, 1-based      */
	bool b;                    /* JSON_BOOL                            */
	char *s;                   /* JSON_STRING (decoded), JSON_NUMBER (its text) */
	struct json_value *v;      /* JSON_ARRAY elements, JSON_OBJECT values */
	char **keys;               /* JSON_OBJECT keys, v[i] is keys[i]'s  */
	size_t n;
};

/* Parse all of @text (@len bytes) named @name; trailing text is an error. */
int json_parse(const char *name, const char *text, size_t len, struct json_value *out,
	       struct ksm_diag *err);
void json_free(struct json_value *v);
/* The value of @key in the object @obj; NULL if @obj is no object or lacks it. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* A whole number 0..UINT64_MAX without sign, fraction or exponent: 0, else -1. */
int json_u64(const struct json_value *v, uint64_t *out);

#endif /* KSMSIM_CORE_JSON_PARSE_H */
