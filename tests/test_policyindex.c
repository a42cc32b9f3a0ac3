/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy index (policyindex.h) answers as a look at every rule does:
 * each shipped policy and a generated one with every kind of pattern,
 * checked on the paths of this machine's /usr and /etc and on made-up
 * ones, before and after sealing; and a stale index is not used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policyindex.h"

static const char *policy_dir = "policies";
static char **paths;
static size_t n_paths, cap_paths;

static void add_path(const char *p)
{
	if (n_paths == cap_paths) {
		cap_paths = cap_paths ? cap_paths * 2 : 1024;
		paths = realloc(paths, cap_paths * sizeof(*paths));
		assert_non_null(paths);
	}
	paths[n_paths] = strdup(p);
	assert_non_null(paths[n_paths]);
	n_paths++;
}

/* Up to 20,000 paths of DIR's tree, depth first. */
static void walk(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 6)
		goto out;
	for (struct dirent *e; n_paths < 20000 && (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[PATH_MAX];
		if (snprintf(p, sizeof(p), "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name) >= (int)sizeof(p))
			continue;
		add_path(p);
		if (e->d_type == DT_DIR)
			walk(p, depth + 1);
	}
out:
	if (d)
		closedir(d);
}

static void compare(struct sbx_policy *p, const char *what)
{
	unsigned *before = calloc(n_paths, sizeof(*before));
	assert_non_null(before);
	for (size_t i = 0; i < n_paths; i++)
		before[i] = sbx_policy_check(p, paths[i]);
	assert_int_equal(sbx_policy_seal(p), 0);
	size_t differ = 0;
	for (size_t i = 0; i < n_paths; i++) {
		unsigned after = sbx_policy_check(p, paths[i]);
		if (after != before[i] && differ++ < 5)
			print_error("%s: %s: %#x without the index, %#x with it\n", what, paths[i], before[i], after);
	}
	assert_int_equal(differ, 0);
	free(before);
}

static void test_shipped(void **state)
{
	(void)state;
	static const char *const names[] = {"minimal", "shell", "build", "decoder", "chromium-renderer"};
	const char *dirs[] = {policy_dir};
	const char *argv[] = {"x", "--user-data-dir=/home/u/.config/chromium", NULL};
	struct sbx_policy_env env = {
		.search_dirs = dirs, .n_search_dirs = 1,
		.vars = {.home = "/home/u", .cwd = "/home/u/proj", .user = "u", .argv = argv},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		struct sbx_policy p = {0};
		char *err = NULL;
		if (sbx_policy_load(&p, names[i], &env, &err) < 0)
			fail_msg("%s: %s", names[i], err ? err : "?");
		compare(&p, names[i]);
		sbx_policy_free(&p);
	}
}

static void test_generated(void **state)
{
	(void)state;
	struct sbx_policy p = {0};
	struct sbx_policy_env env = {0};
	char *err = NULL;
	const char *text =
		"read /usr/**\n" "deny /usr/share/doc/**\n" "exec /usr/bin/*\n" "stat /*\n" "read /**/passwd\n"
		"write /etc/x*y/**\n" "deny /etc/ssh/ssh_host_*_key\n" "read /etc/ssh/**\n" "stat /\n"
		"read /etc/hostname\n" "exec /usr/lib/gcc/*/*/cc1\n" "write /home/u/proj/**\n" "read /e*\n";
	assert_int_equal(sbx_policy_parse_string(&p, text, "gen", &env, &err), 0);
	/* And a thousand literal rules, as a generated policy has. */
	for (int i = 0; i < 1000; i++) {
		char r[64];
		snprintf(r, sizeof(r), "/srv/data/%d/file%d", i % 37, i);
		assert_int_equal(sbx_policy_add_rule(&p, i % 3 ? SBX_RULE_READ : SBX_RULE_DENY, r, "gen", &env.vars, &err), 0);
		add_path(r);
	}
	compare(&p, "generated");
	/* A rule added after the seal: the index is stale, not used. */
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_WRITE, "/srv/new/**", "late", &env.vars, &err), 0);
	assert_int_equal(sbx_policy_check(&p, "/srv/new/f"), SBX_PERM_STAT | SBX_PERM_READ | SBX_PERM_WRITE);
	unsigned perms;
	assert_false(sbx_policy_index_check(&p, "/srv/new/f", &perms));
	sbx_policy_free(&p);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		policy_dir = argv[1];
	walk("/usr", 0);
	walk("/etc", 0);
	static const char *const made[] = {
		"/", "/usr", "/etc/passwd", "/home/u/passwd", "/etc/xay/f", "/etc/xy", "/etc/ssh/ssh_host_rsa_key",
		"/etc/ssh/ssh_config", "/e", "/etcetera", "/srv/new/f", "/usr/share/doc", "/home/u/proj",
		"/home/u/proj/a/b", "/home/u/.config/chromium/Default/x",
	};
	for (size_t i = 0; i < sizeof(made) / sizeof(*made); i++)
		add_path(made[i]);
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_shipped), cmocka_unit_test(test_generated)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
