/* SPDX-License-Identifier: MIT */
/*
 * DOC: Writing JSON for scripts (--json outputs, snapshot records)
 *
 * The programs print JSON with fprintf; the one thing that needs care is a
 * string, whose bytes may be anything a trace or a file name holds.
 */
#ifndef KSMSIM_JSON_H
#define KSMSIM_JSON_H

#include <stdio.h>

/* json_write_string() - @s as a JSON string, quotes included (control
 * characters escaped; other bytes, UTF-8 included, as they are). */
void json_write_string(FILE *out, const char *s);

#endif /* KSMSIM_JSON_H */
