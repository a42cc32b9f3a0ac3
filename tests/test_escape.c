/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The escaping of text for log lines, terminals and JSON (escape.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "escape.h"

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen(in) */
	const char *log, *json;
};

#define S(x) x, sizeof(x) - 1
static const struct esc_case cases[] = {
	{S("plain /usr/lib/x.so"), "plain /usr/lib/x.so", "plain /usr/lib/x.so"},
	{S("a\nb"), "a\\nb", "a\\nb"},
	{S("tab\there\rcr"), "tab\\there\\rcr", "tab\\there\\rcr"},
	{S("\033[31mred\033[0m"), "\\x1b[31mred\\x1b[0m", "\\u001b[31mred\\u001b[0m"},
	{S("bell\a"), "bell\\x07", "bell\\u0007"},
	{S("nul\0after"), "nul\\x00after", "nul\\u0000after"},
	{S("del\177"), "del\\x7f", "del\\u007f"},
	{S("back\\slash"), "back\\\\slash", "back\\\\slash"},
	{S("quote\"d"), "quote\"d", "quote\\\"d"},
	{S("bs\b ff\f"), "bs\\x08 ff\\x0c", "bs\\b ff\\f"},
	/* C1 controls as UTF-8 (U+009B CSI) and as a lone byte. */
	{S("csi\xc2\x9b" "2J"), "csi\\xc2\\x9b2J", "csi\\u009b2J"},
	{S("csi\x9b" "2J"), "csi\\x9b2J", "csi\\ufffd2J"},
	/* Well-formed UTF-8 stays. */
	{S("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
	/* Malformed: a lone continuation, a cut sequence, an overlong '/', a
	 * surrogate, past U+10FFFF, 0xff. */
	{S("\x80"), "\\x80", "\\ufffd"},
	{S("\xc3("), "\\xc3(", "\\ufffd("},
	{S("\xe2\x82"), "\\xe2\\x82", "\\ufffd\\ufffd"},
	{S("\xc0\xaf"), "\\xc0\\xaf", "\\ufffd\\ufffd"},
	{S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", "\\ufffd\\ufffd\\ufffd"},
	{S("\xed\xa0\x80"), "\\xed\\xa0\\x80", "\\ufffd\\ufffd\\ufffd"},
	{S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},
	{S("\xff"), "\\xff", "\\ufffd"},
	/* Bidirectional overrides and isolates. */
	{S("a\xe2\x80\xae" "b\xe2\x81\xa6"), "a\\u202eb\\u2066", "a\\u202eb\\u2066"},
	/* A forged log line stays on this one. */
	{S("x\nsandbox-broker: forged"), "x\\nsandbox-broker: forged", "x\\nsandbox-broker: forged"},
	{S(""), "", ""},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct esc_case *c = &cases[i];
		char out[256];
		size_t n = sbx_escape_log(out, sizeof(out), c->in, c->len);
		assert_string_equal(out, c->log);
		assert_int_equal(n, strlen(c->log));
		n = sbx_escape_json(out, sizeof(out), c->in, c->len);
		assert_string_equal(out, c->json);
		assert_int_equal(n, strlen(c->json));
	}
}

/* Every single byte: the result is printable ASCII or valid UTF-8 with no
 * control character, in both forms. */
static void test_every_byte(void **state)
{
	(void)state;
	for (int b = 0; b < 256; b++) {
		char in[3] = {'x', (char)b, 'y'}, out[64];
		sbx_escape_log(out, sizeof(out), in, 3);
		for (const unsigned char *s = (const unsigned char *)out; *s; s++)
			assert_true(*s >= 0x20 && *s < 0x7f);
		sbx_escape_json(out, sizeof(out), in, 3);
		for (const unsigned char *s = (const unsigned char *)out; *s; s++)
			assert_true(*s >= 0x20 && *s < 0x7f);
	}
}

/* A buffer too small: never an escape cut in half, always NUL-terminated,
 * and the length needed is returned. */
static void test_small_buffer(void **state)
{
	(void)state;
	const char *in = "ab\033cd\n";
	const char *whole = "ab\\x1bcd\\n";
	for (size_t size = 1; size <= strlen(whole) + 1; size++) {
		char out[32];
		memset(out, '#', sizeof(out));
		size_t n = sbx_escape_log(out, size, in, strlen(in));
		assert_int_equal(n, strlen(whole));
		size_t l = strlen(out);
		assert_true(l < size);
		assert_memory_equal(out, whole, l);
		/* The cut falls between pieces. */
		static const size_t bounds[] = {0, 1, 2, 6, 7, 8, 10};
		bool at_bound = false;
		for (size_t j = 0; j < sizeof(bounds) / sizeof(bounds[0]); j++)
			at_bound |= l == bounds[j];
		assert_true(at_bound);
		assert_int_equal(out[size], '#');
	}
	char one[1] = {'#'};
	assert_int_equal(sbx_escape_log(one, 1, "\n", 1), 2);
	assert_int_equal(one[0], '\0');
	assert_int_equal(sbx_escape_json(NULL, 0, "\"", 1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
