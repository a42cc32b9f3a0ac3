/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for path patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "pattern.h"

static void test_match_table(void **state)
{
	static const struct {
		const char *pattern, *path;
		bool match;
	} cases[] = {
		{"/", "/", true},
		{"/", "/usr", false},
		{"/usr", "/usr", true},
		{"/usr", "/usr/", false},
		{"/usr", "/usrx", false},
		{"/usr/**", "/usr", true},
		{"/usr/**", "/usr/lib", true},
		{"/usr/**", "/usr/lib/x/y", true},
		{"/usr/**", "/usrx", false},
		{"/usr/**", "/us", false},
		{"/usr/*", "/usr/lib", true},
		{"/usr/*", "/usr/lib/x", false},
		{"/usr/*", "/usr", false},
		{"/lib/*.so*", "/lib/libc.so.6", true},
		{"/lib/*.so*", "/lib/libc.so", true},
		{"/lib/*.so*", "/lib/libc.a", false},
		{"/lib/*.so*", "/lib/x/libc.so", false},
		{"/a/**/b", "/a/b", false}, /* "**" then "/b": needs a '/' before b */
		{"/a/**/b", "/a/x/b", true},
		{"/a/**/b", "/a/x/y/z/b", true},
		{"/a/**/b", "/a/x/y/z/bc", false},
		{"/a/*/c", "/a/b/c", true},
		{"/a/*/c", "/a/b/x/c", false},
		{"/a/*/c", "/a//c", true}, /* '*' may match the empty run */
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key", true},
		{"/etc/ssh/ssh_host_*_key", "/etc/ssh/ssh_host_rsa_key.pub", false},
		{"/usr/bin/[", "/usr/bin/[", true},
		{"/**", "/", true},
		{"/**", "/anything/at/all", true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = sbx_pattern_match(cases[i].pattern, cases[i].path);
		if (got != cases[i].match)
			fail_msg("pattern %s vs %s: got %d, want %d", cases[i].pattern,
				 cases[i].path, got, cases[i].match);
	}
}

static void test_pathological_is_fast(void **state)
{
	char path[4000];
	memset(path, 'a', sizeof(path));
	for (size_t i = 0; i < sizeof(path) - 1; i += 2)
		path[i] = '/';
	path[sizeof(path) - 1] = '\0';
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 10; i++) {
		assert_false(sbx_pattern_match("/**/**/**/**/**/**/**/**/**/x", path));
		assert_false(sbx_pattern_match("/*a*a*a*a*a*a*a*a*a*a*b", path));
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	assert_true(ms < 500);
}

static void expect_invalid(const char *pattern, size_t col)
{
	size_t c = 99;
	const char *msg = NULL;
	assert_int_equal(sbx_pattern_validate(pattern, &c, &msg), -EINVAL);
	assert_non_null(msg);
	if (c != col)
		fail_msg("%s: column %zu, want %zu (%s)", pattern, c, col, msg);
}

static void test_validate(void **state)
{
	size_t c;
	const char *msg;
	assert_int_equal(sbx_pattern_validate("/", &c, &msg), 0);
	assert_int_equal(sbx_pattern_validate("/usr/**", &c, &msg), 0);
	assert_int_equal(sbx_pattern_validate("/a/**/b/*.so", &c, &msg), 0);
	expect_invalid("usr", 0);
	expect_invalid("", 0);
	expect_invalid("/usr//lib", 5);
	expect_invalid("/usr/", 5);
	expect_invalid("/usr/../etc", 5);
	expect_invalid("/usr/./etc", 5);
	expect_invalid("/usr/a**", 6);
	expect_invalid("/usr/***", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_pathological_is_fast),
		cmocka_unit_test(test_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
