// SPDX-License-Identifier: MIT
/*
 * DOC: libFuzzer harness for the ksmtrace parser and writer
 *
 * Any byte string goes to trace_parse_string().  The parser must never
 * crash, leak or hang (the sanitizers and libFuzzer watch that), and a
 * failure must come with a located message.  When parsing succeeds, the
 * trace is written back with trace_write() and parsed again: that must
 * succeed and give equal commands.  This is the round-trip property the
 * writer promises, exercised on inputs nobody thought of.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksmsim/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *text, size_t len)
{
	fprintf(stderr, "fuzz_trace_parser: %s\n--- text (%zu bytes) ---\n",
		what, len);
	fwrite(text, 1, len, stderr);
	fputs("\n---\n", stderr);
	abort();
}

static void check_failure(const struct trace *t, const struct ksm_diag *d,
			  const char *text, size_t len)
{
	if (!d->msg[0] || d->line == 0 || strcmp(d->file, "fuzz"))
		die("failure without a located message", text, len);
	if (t->cmds || t->ncmds || t->file)
		die("failed parse left a partial trace", text, len);
}

static void check_roundtrip(const struct trace *t1)
{
	struct trace t2;
	struct ksm_diag d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	if (trace_write(f, t1) || fclose(f))
		die("trace_write failed", "", 0);
	if (trace_parse_string("rt", buf, len, &t2, &d)) {
		fprintf(stderr, "rt:%u:%u: %s\n", d.line, d.col, d.msg);
		die("written trace does not parse", buf, len);
	}
	if (!trace_equal(t1, &t2))
		die("round trip changed the trace", buf, len);
	trace_free(&t2);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct trace t;
	struct ksm_diag d;

	memset(&d, 0, sizeof(d));
	if (trace_parse_string("fuzz", text, size, &t, &d)) {
		check_failure(&t, &d, text, size);
		return 0;
	}
	check_roundtrip(&t);
	trace_free(&t);
	return 0;
}
