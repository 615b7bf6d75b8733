/* SPDX-License-Identifier: MIT */
/*
 * DOC: Writing JSON text
 *
 * The reports' --json forms (check, rmap, compare) and the snapshot
 * records print JSON by hand, keys in a fixed order, so that the same
 * input gives the same bytes.  This is the one piece they share: a
 * string, quoted and escaped (", \\, the control characters; UTF-8 passes
 * through as it is).
 */
#ifndef KSMSIM_CORE_JSON_H
#define KSMSIM_CORE_JSON_H

#include <stdio.h>

void json_string(FILE *out, const char *s);

#endif /* KSMSIM_CORE_JSON_H */
