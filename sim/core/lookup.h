/* SPDX-License-Identifier: MIT */
/*
 * DOC: Looking a name up in a table of names
 *
 * sim_name_index() returns the index of @name in @names, a table of
 * strings ended by NULL, or -1 if it is not there.  Names are compared
 * exactly.  Tables indexed by an enum end with a NULL at [X__COUNT]:
 *
 *	static const char *const names[X__COUNT + 1] = { [X_A] = "a", ... };
 */
#ifndef KSMSIM_CORE_LOOKUP_H
#define KSMSIM_CORE_LOOKUP_H

int sim_name_index(const char *const *names, const char *name);

#endif /* KSMSIM_CORE_LOOKUP_H */
