/* SPDX-License-Identifier: MIT */
/*
 * DOC: Helpers the CMocka unit tests share
 *
 *  - output capture: a FILE * that collects what a writer prints into a
 *    string, to compare with the text it must print;
 *  - round trips of a text format: parsing a text and writing it back
 *    must give the same bytes;
 *  - seeds of randomised tests: KSMSIM_SEED picks one (else a fixed
 *    default), and the seed is printed first, so that the run a failure
 *    came from can be replayed.
 *
 * Include after <cmocka.h> (and the headers it needs); link
 * ksmsim_unit_util.
 */
#ifndef KSMSIM_TESTS_UNIT_UTIL_H
#define KSMSIM_TESTS_UNIT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- output capture ---- */
struct test_capture {
	char *buf;
	size_t len;
	FILE *f;
};

/* Start capturing: returns the stream to write to (never NULL). */
FILE *test_capture_open(struct test_capture *c);
/* Stop: the text written, NUL-terminated (free it); c->len its length. */
char *test_capture_close(struct test_capture *c);

/* ---- round trips ---- */
/*
 * test_round_trip() - @rewrite(@text) must be @text again, byte for byte.
 * @rewrite parses @text (@len bytes), writes what it read back into a
 * fresh string and returns it (NULL: the text did not parse).  @what
 * names the case in the failure message.
 */
void test_round_trip(const char *what, const char *text, size_t len,
		     char *(*rewrite)(const char *text, size_t len));

/* ---- seeds ---- */
/*
 * test_seed() - the seed of the randomised test @what: KSMSIM_SEED if it
 * is set, else @dflt.  Printed first ("# WHAT seed N (KSMSIM_SEED to
 * replay)") so that a failure can be replayed.
 */
uint64_t test_seed(const char *what, uint64_t dflt);
/* Whether KSMSIM_SEED chose the seed (one run, not many). */
bool test_seed_given(void);
/* The number in environment variable @name, or @dflt. */
uint64_t test_env_u64(const char *name, uint64_t dflt);

#endif /* KSMSIM_TESTS_UNIT_UTIL_H */
