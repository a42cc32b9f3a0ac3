/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "Did you mean": distances, the choice among candidates, paths. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "suggest.h"
#include "util.h"

static size_t dist(const char *a, const char *b)
{
	return sbx_distance(a, strlen(a), b, strlen(b));
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(dist("read", "read"), 0);
	assert_int_equal(dist("raed", "read"), 1); /* a swap is one edit */
	assert_int_equal(dist("shel", "shell"), 1);
	assert_int_equal(dist("", "abc"), 3);
	assert_int_equal(dist("kitten", "sitting"), 3);
	assert_true(dist("a", "abcdefghijklmnop") > 8);
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const words[] = {"include", "read", "write", "exec", "stat", "deny"};
	const size_t n = SBX_ARRAY_SIZE(words);
	assert_string_equal(sbx_suggest("raed", 4, words, n), "read");
	assert_string_equal(sbx_suggest("wirte", 5, words, n), "write");
	assert_string_equal(sbx_suggest("inclde", 6, words, n), "include");
	assert_null(sbx_suggest("frobnicate", 10, words, n));
	assert_null(sbx_suggest("read", 4, words, n)); /* the word itself */
	assert_null(sbx_suggest("xy", 2, words, n));
	/* Only LEN bytes count: "--polcy=shell" is "--polcy". */
	static const char *const opts[] = {"--policy", "--read"};
	assert_string_equal(sbx_suggest("--polcy=shell", 7, opts, 2), "--policy");
}

static void test_path(void **state)
{
	(void)state;
	char dir[] = "/tmp/sbx-suggest.XXXXXX", p[PATH_MAX], out[PATH_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/build", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/buidl", dir);
	assert_true(sbx_suggest_path(p, out, sizeof(out)));
	snprintf(p, sizeof(p), "%s/build", dir);
	assert_string_equal(out, p);
	/* The first missing name is the one replaced, the rest kept. */
	snprintf(p, sizeof(p), "%s/biuld/out.o", dir);
	assert_true(sbx_suggest_path(p, out, sizeof(out)));
	snprintf(p, sizeof(p), "%s/build/out.o", dir);
	assert_string_equal(out, p);
	snprintf(p, sizeof(p), "%s/zzzzzz", dir);
	assert_false(sbx_suggest_path(p, out, sizeof(out)));
	snprintf(p, sizeof(p), "%s/build", dir);
	assert_false(sbx_suggest_path(p, out, sizeof(out))); /* it exists */
	/* Relative, from the working directory. */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_true(sbx_suggest_path("buidl", out, sizeof(out)));
	assert_string_equal(out, "build");
	assert_int_equal(chdir(cwd), 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

static void test_policy_names(void **state)
{
	(void)state;
	char dir[] = "/tmp/sbx-suggest.XXXXXX", p[PATH_MAX];
	assert_non_null(mkdtemp(dir));
	const char *const dirs[] = {dir, dir};
	char *s = sbx_policy_not_found("shel", dirs, 1);
	assert_string_equal(s, " (there are none)");
	free(s);
	static const char *const files[] = {"shell.policy", "minimal.policy", "notes.txt", ".hidden.policy"};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fclose(f);
	}
	s = sbx_policy_not_found("shel", dirs, 2); /* the same directory twice: each name once */
	assert_string_equal(s, ": did you mean 'shell'? (the policies there: minimal, shell)");
	free(s);
	s = sbx_policy_not_found("browser", dirs, 1);
	assert_string_equal(s, " (the policies there: minimal, shell)");
	free(s);
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_policy_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
