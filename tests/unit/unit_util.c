// SPDX-License-Identifier: MIT
/*
 * DOC: Helpers the CMocka unit tests share (see unit_util.h)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_util.h"

FILE *test_capture_open(struct test_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

char *test_capture_close(struct test_capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	c->f = NULL;
	return c->buf;
}

void test_round_trip(const char *what, const char *text, size_t len,
		     char *(*rewrite)(const char *text, size_t len))
{
	char *again = rewrite(text, len);

	if (!again)
		fail_msg("%s: does not parse:\n%.*s", what, (int)len, text);
	if (strlen(again) != len || memcmp(again, text, len))
		fail_msg("%s: the round trip changed the text\nwant:\n%.*s\ngot:\n%s", what,
			 (int)len, text, again);
	free(again);
}

uint64_t test_env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 0) : dflt;
}

bool test_seed_given(void)
{
	return getenv("KSMSIM_SEED") != NULL;
}

uint64_t test_seed(const char *what, uint64_t dflt)
{
	uint64_t seed = test_env_u64("KSMSIM_SEED", dflt);

	printf("# %s seed %llu (KSMSIM_SEED to replay)\n", what, (unsigned long long)seed);
	return seed;
}
