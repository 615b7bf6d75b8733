// SPDX-License-Identifier: MIT
/*
 * DOC: Traces as streams, and whole traces
 *
 * A trace_stream reads one line at a time (sim/trace/input.c) and parses
 * it (sim/trace/parser.c), so that a trace of any length is read in
 * constant memory; trace_parse_file() and trace_parse_string() are loops
 * over a stream that keep every command.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/array.h"
#include "trace/parser_internal.h"

struct trace_stream {
	char *file;		/* name in diagnostics (owned)        */
	int fd;			/* -1: a text in memory               */
	bool close_fd;		/* opened here (not stdin)            */
	bool regular;		/* a regular file: can be read again  */
	struct tlex_reader in;
	struct parser p;
};

static struct trace_stream *stream_new(const char *name)
{
	struct trace_stream *s = xcalloc(1, sizeof(*s));

	s->fd = -1;
	s->file = xstrdup(name);
	s->p.file = s->file;
	return s;
}

int trace_stream_open_string(const char *name, const char *text, size_t len,
			     struct trace_stream **out, struct ksm_diag *err)
{
	struct trace_stream *s = stream_new(name ? name : "");

	(void)err;	/* nothing can fail: the text is already in memory */
	*out = s;
	tlex_reader_init(&s->in, text, len, s->file);
	s->regular = true;
	return 0;
}

static int cannot_read(const char *path, int errnum, struct ksm_diag *err)
{
	return ksm_diag_set(err, path, 0, 0, "cannot read: %s",
			    strerror(errnum));
}

int trace_stream_open(const char *path, struct trace_stream **out,
		      struct ksm_diag *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct trace_stream *s;
	struct stat st;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return cannot_read(name, errno, err);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		return cannot_read(name, EISDIR, err);
	}
	s = stream_new(name);
	tlex_reader_open_fd(&s->in, fd, s->file);
	s->fd = fd;
	s->close_fd = !is_stdin;
	s->regular = S_ISREG(st.st_mode);
	*out = s;
	return 0;
}

const char *trace_stream_file(const struct trace_stream *s)
{
	return s->file;
}

unsigned trace_stream_header_line(const struct trace_stream *s)
{
	return s->p.header_line;
}

int trace_stream_next(struct trace_stream *s, struct trace_cmd *c,
		      struct ksm_diag *err)
{
	struct parser *p = &s->p;
	const char *text;
	size_t n;
	int r;

	memset(c, 0, sizeof(*c));
	p->err = err;
	for (;;) {
		r = tlex_reader_next(&s->in, &text, &n, err);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (tlex_split(text, n, s->in.lineno, p->file, &p->line, err))
			return -1;
		if (!p->line.n)
			continue;	/* blank or comment only */
		if (!p->header_line) {
			if (tparse_header(p))
				return -1;
			continue;
		}
		return tparse_command(p, c) ? -1 : 1;
	}
	if (!p->header_line) {
		p->line.lineno = 1;
		return tparse_err(p, 1, "expected header 'ksmtrace 1', found end of file");
	}
	return 0;
}

int trace_stream_check(struct trace_stream *s, struct ksm_diag *err)
{
	struct trace_cmd c;
	int r;

	if (!s->regular)
		return 0;
	while ((r = trace_stream_next(s, &c, err)) > 0)
		trace_cmd_free(&c);
	if (r < 0)
		return -1;
	if (tlex_reader_rewind(&s->in))
		return cannot_read(s->file, errno ? errno : ESPIPE, err);
	s->p.header_line = 0;
	return 1;
}

void trace_stream_close(struct trace_stream *s)
{
	if (!s)
		return;
	tlex_line_free(&s->p.line);
	tlex_reader_free(&s->in);
	if (s->close_fd)
		close(s->fd);
	free(s->file);
	free(s);
}

/* --- Whole traces ------------------------------------------------------- */

/* Read every command of @s into @out (whose file name is set). */
static int parse_all(struct trace_stream *s, struct trace *out,
		     struct ksm_diag *err)
{
	size_t cap = 0;
	struct trace_cmd c;
	int r;

	while ((r = trace_stream_next(s, &c, err)) > 0) {
		ARRAY_GROW(out->cmds, cap, out->ncmds + 1, 8);
		out->cmds[out->ncmds++] = c;
	}
	out->header_line = s->p.header_line;
	return r;
}

int trace_parse_string(const char *name, const char *text, size_t len,
		       struct trace *out, struct ksm_diag *err)
{
	struct trace_stream *s;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!name)
		name = "";
	out->file = xstrdup(name);
	if (trace_stream_open_string(name, text, text ? len : 0, &s, err)) {
		trace_free(out);
		return -1;
	}
	ret = parse_all(s, out, err);
	trace_stream_close(s);
	if (ret)
		trace_free(out);
	return ret;
}

int trace_parse_file(const char *path, struct trace *out,
		     struct ksm_diag *err)
{
	struct trace_stream *s;
	int ret;

	memset(out, 0, sizeof(*out));
	if (trace_stream_open(path, &s, err))
		return -1;
	out->file = xstrdup(s->file);
	ret = parse_all(s, out, err);
	trace_stream_close(s);
	if (ret)
		trace_free(out);
	return ret;
}

