// SPDX-License-Identifier: MIT
/*
 * DOC: dot_canon — a DOT file as this machine's cgraph writes it
 *
 *   dot_canon IN OUT
 *
 * Reads IN with agread() and writes it back with agwrite(), with the ids
 * of sim/report/dot_iddisc.c so that subgraphs keep their order.  The golden
 * .dot files of tests/dot were written by one Graphviz version; another
 * (Homebrew's 14.x against Debian's 2.43) lays the same graph out as text
 * differently — where long strings are broken, how attributes are
 * indented.  Comparing both sides after a trip through the installed
 * library compares graphs, nodes, edges, attributes and their order,
 * not the writer's formatting.
 */
#include <stdio.h>

#include "report/dot_internal.h"

int main(int argc, char **argv)
{
	Agraph_t *g;
	FILE *in, *out;
	int rc = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: dot_canon IN OUT\n");
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 2;
	}
	g = dot_agread(in);
	fclose(in);
	if (!g) {
		fprintf(stderr, "%s: not a graph\n", argv[1]);
		return 2;
	}
	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		agclose(g);
		return 2;
	}
	if (agwrite(g, out) == EOF)
		rc = 2;
	if (fclose(out))
		rc = 2;
	agclose(g);
	return rc;
}
