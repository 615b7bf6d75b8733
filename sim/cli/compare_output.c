// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim compare — its text and JSON output
 *
 * What differs after a command, as the line printed after "after 'CMD': "
 * (also what two successive commands are compared by, to print only
 * changes) and as an element of --json's "changes".  See compare.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/compare.h"
#include "core/json.h"

/* Host memory exhaustion ends the program (docs/architecture.md, Errors). */
static FILE *memstream(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f) {
		fprintf(stderr, "ksmsim: out of memory\n");
		exit(3);
	}
	return f;
}

/* A finding's text on one line (the checker breaks long lists). */
static void print_flat(FILE *out, const char *text)
{
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			fputc(' ', out);
			while (p[1] == ' ')
				p++;
		} else {
			fputc(*p, out);
		}
	}
}

/*
 * The human text of @d: what is printed after "after 'CMD': ", and what
 * two successive commands are compared by to print only changes.
 */
char *diffs_text(const struct diffs *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = memstream(&buf, &len);
	bool first = true;

	for (size_t i = 0; i < d->nfd; i++, first = false)
		fprintf(f, "%s%s: %s != %s", first ? "" : ", ", d->fd[i].field, d->fd[i].a, d->fd[i].b);
	for (size_t i = 0; i < d->nmd; i++, first = false)
		fprintf(f, "%s%s: %s != %s", first ? "" : ", ", d->md[i].field, d->md[i].a, d->md[i].b);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++, first = false)
			fprintf(f, "%srmap: %s of the page at %s on %c only", first ? "" : ", ",
				rmap_finding_name(d->only[k][i]->kind), d->only[k][i]->page, 'a' + k);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++) {
			fprintf(f, "\n    %c: ", 'a' + k);
			print_flat(f, d->only[k][i]->text);
		}
	fclose(f);
	return buf;
}

static void json_field_diffs(const char *key, const struct field_diff *v, size_t n)
{
	printf(",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"field\":" : "{\"field\":", stdout);
		json_string(stdout, v[i].field);
		fputs(",\"a\":", stdout);
		json_string(stdout, v[i].a);
		fputs(",\"b\":", stdout);
		json_string(stdout, v[i].b);
		fputc('}', stdout);
	}
	fputc(']', stdout);
}

void json_change(bool first, const struct trace_cmd *c, const char *cmd,
			const struct diffs *d)
{
	bool any = false;

	printf("%s{\"line\":%u,\"command\":", first ? "" : ",", c->argpos[0].line);
	json_string(stdout, cmd);
	printf(",\"agree\":%s", diffs_empty(d) ? "true" : "false");
	json_field_diffs("fields", d->fd, d->nfd);
	json_field_diffs("migrate", d->md, d->nmd);
	fputs(",\"rmap\":[", stdout);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < d->nonly[k]; i++) {
			printf("%s{\"kind\":\"%s\",\"page\":", any ? "," : "",
			       rmap_finding_name(d->only[k][i]->kind));
			json_string(stdout, d->only[k][i]->page);
			printf(",\"pfn\":%u,\"only_on\":\"%c\",\"text\":", d->only[k][i]->pfn, 'a' + k);
			json_string(stdout, d->only[k][i]->text);
			fputc('}', stdout);
			any = true;
		}
	fputs("]}", stdout);
}

char *command_text(const struct trace_cmd *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = memstream(&buf, &len);

	trace_write_cmd(f, c);
	fclose(f);
	return buf;
}
