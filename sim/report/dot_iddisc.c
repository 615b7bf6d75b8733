// SPDX-License-Identifier: MIT
/*
 * DOC: Object ids for cgraph in creation order, for deterministic DOT text
 *
 * cgraph's default id discipline (AgIdDisc) makes the id of a named object
 * the address of its interned name.  Graphviz 2.43 keeps subgraphs in a
 * dictionary ordered by id and agwrite() writes them in that order — so
 * the clusters of a picture came out in an order that depended on where
 * malloc put their names, and two equal machines in one process gave
 * different DOT text.  (Graphviz 14 iterates subgraphs in creation order;
 * nodes and edges are in creation order in both.)
 *
 * This discipline numbers names instead: the n-th distinct name gets id
 * 2n, anonymous objects odd ids from a per-graph counter, as AgIdDisc's
 * even/odd convention has it, so every order cgraph derives from ids is
 * creation order.  A hash maps names to their index.  The names are
 * interned in the graph's string dictionary (agstrdup()), as cgraph
 * expects of what an id discipline prints: its writer looks at the
 * header of the reference-counted string to see whether it is HTML.
 * The dictionary, and with it the names, goes when the graph is closed.
 *
 * struct Agiddisc_s is the same in 2.43 and 14.x; struct Agdisc_s is not
 * (2.43 has a memory discipline first), so it is filled by field name,
 * leaving the memory discipline NULL, which 2.43 reads as the default.
 */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "report/dot_internal.h"

struct id_state {
	Agraph_t *g;      /* the root graph, which owns the strings  */
	char **names;     /* names[i] has id 2 * (i + 1), interned   */
	size_t n, cap;
	size_t *slots;    /* open addressing: index + 1, 0 is empty  */
	size_t nslots;    /* a power of two, at least twice n        */
	IDTYPE anon;      /* the next anonymous (odd) id             */
};

/* FNV-1a. */
static size_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of @name: where it is, or the empty one where it would go. */
static size_t *find_slot(struct id_state *st, const char *name)
{
	size_t mask = st->nslots - 1, i = name_hash(name) & mask;

	while (st->slots[i] && strcmp(st->names[st->slots[i] - 1], name))
		i = (i + 1) & mask;
	return &st->slots[i];
}

static void grow(struct id_state *st)
{
	size_t old = st->nslots;

	st->nslots = old ? 2 * old : 256;
	free(st->slots);
	st->slots = xcalloc(st->nslots, sizeof(*st->slots));
	for (size_t i = 0; i < st->n; i++)
		*find_slot(st, st->names[i]) = i + 1;
}

static void *id_open(Agraph_t *g, Agdisc_t *disc)
{
	struct id_state *st = xcalloc(1, sizeof(*st));

	(void)disc;
	st->g = g;
	st->anon = 1;
	grow(st);
	return st;
}

static long id_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
	struct id_state *st = state;
	size_t *slot;

	(void)objtype;
	if (!str) {
		*id = st->anon;
		st->anon += 2;
		return 1;
	}
	slot = find_slot(st, str);
	if (!*slot) {
		if (!createflag)
			return 0;
		if (2 * (st->n + 1) > st->nslots) {
			grow(st);
			slot = find_slot(st, str);
		}
		if (st->n == st->cap)
			st->names = xrealloc(st->names,
					     sizeof(*st->names) * (st->cap = st->cap ? 2 * st->cap : 256));
		st->names[st->n++] = agstrdup(st->g, str);
		*slot = st->n;
	}
	*id = 2 * (IDTYPE)*slot;
	return 1;
}

/* Objects are never created from an id the caller chose. */
static long id_alloc(void *state, int objtype, IDTYPE request)
{
	(void)state;
	(void)objtype;
	(void)request;
	return 0;
}

/* Names stay until the graph closes: a node and a subgraph may share one. */
static void id_free(void *state, int objtype, IDTYPE id)
{
	(void)state;
	(void)objtype;
	(void)id;
}

static char *id_print(void *state, int objtype, IDTYPE id)
{
	struct id_state *st = state;

	(void)objtype;
	if (id % 2 || id == 0 || id / 2 > st->n)
		return NULL;
	return st->names[id / 2 - 1];
}

/* Called before the string dictionary is closed, which frees the names. */
static void id_close(void *state)
{
	struct id_state *st = state;

	free(st->names);
	free(st->slots);
	free(st);
}

static void id_register(void *state, int objtype, void *obj)
{
	(void)state;
	(void)objtype;
	(void)obj;
}

static Agiddisc_t id_disc = {
	.open = id_open,
	.map = id_map,
	.alloc = id_alloc,
	.free = id_free,
	.print = id_print,
	.close = id_close,
	.idregister = id_register,
};

/* agread() uses the io discipline as given (NULL is not read as the default). */
static Agdisc_t disc = { .id = &id_disc, .io = &AgIoDisc };

Agraph_t *dot_agopen(const char *name)
{
	return agopen((char *)name, Agdirected, &disc);
}

Agraph_t *dot_agread(FILE *f)
{
	return agread(f, &disc);
}
