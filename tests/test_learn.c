/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Learning mode's trace-to-policy step (learnpolicy.h): trees, made names,
 * missing files, what a base already grants, spelling, and the property
 * that matters: the policy written grants everything the trace used. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learnpolicy.h"
#include "policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char *learn(const struct sbx_learned *v, size_t n, const struct sbx_policy *base)
{
	struct sbx_learn_input in = {
		.paths = v, .n_paths = n, .base = base, .include = base ? "base" : NULL,
		.tmpdir = "/tmp/sandbox-tmp.abc", .home = "/home/u", .cwd = "/home/u/proj",
		.command = "make -j2\n\033[31m",
	};
	size_t rules = 0;
	char *text = sbx_learn_policy(&in, &rules);
	assert_non_null(text);
	return text;
}

/* Does TEXT hold LINE as a whole line? */
static bool has_line(const char *text, const char *line)
{
	size_t l = strlen(line);
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		if (!strncmp(s, line, l) && (s[l] == '\n' || !s[l]))
			return true;
	return false;
}

static void expect(const char *text, const char *line)
{
	if (!has_line(text, line))
		fail_msg("no line '%s' in:\n%s", line, text);
}

static void expect_not(const char *text, const char *line)
{
	if (has_line(text, line))
		fail_msg("unexpected line '%s' in:\n%s", line, text);
}

/* Parse TEXT back (as the user's home and project) and check it grants
 * every entry what it was used for; a missing file must be told missing
 * (something granted there). */
static void grants_all(const char *text, const struct sbx_learned *v, size_t n)
{
	struct sbx_policy p = {0};
	struct sbx_policy_env env = {
		.vars = {.home = "/home/u", .cwd = "/home/u/proj", .user = "u"},
	};
	char *err = NULL;
	/* "include base" needs the base on disk: parse without that line. */
	char *own = strdup(text);
	assert_non_null(own);
	char *inc = strstr(own, "\ninclude ");
	if (inc)
		inc[1] = '#';
	if (sbx_policy_parse_string(&p, own, "learned", &env, &err) < 0)
		fail_msg("the learned policy does not parse: %s\n%s", err ? err : "?", text);
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(v[i].path, "/tmp/sandbox-tmp.abc", 20) || !strncmp(v[i].path, "/proc/1", 7))
			continue;
		unsigned has = sbx_policy_check(&p, v[i].path);
		bool ok = (v[i].flags & SBX_LEARN_MISSING) ? has != 0 : (has & v[i].perms) == v[i].perms;
		if (!ok)
			fail_msg("%s: granted %#x, used %#x\n%s", v[i].path, has, v[i].perms, text);
	}
	sbx_policy_free(&p);
	free(own);
	free(err);
}

static const struct sbx_learned build[] = {
	/* A compiler, named by its real path (the broker resolved cc). */
	{"/usr/bin/x86_64-linux-gnu-gcc-12", SBX_PERM_EXEC, 0},
	{"/usr/bin/cc", SBX_PERM_STAT, 0},
	{"/etc/alternatives/cc", SBX_PERM_STAT, 0},
	/* Headers: three entries of one directory make it a tree. */
	{"/usr/include/stdio.h", SBX_PERM_READ, 0},
	{"/usr/include/features.h", SBX_PERM_READ, 0},
	{"/usr/include/x86_64-linux-gnu/bits/types.h", SBX_PERM_READ, 0},
	/* One file read alone stays a file. */
	{"/etc/ld.so.cache", SBX_PERM_READ, 0},
	/* Object files made in a directory the build made. */
	{"/home/u/proj/build", SBX_PERM_WRITE, SBX_LEARN_MADE | SBX_LEARN_DIR},
	{"/home/u/proj/build/m.o", SBX_PERM_WRITE, SBX_LEARN_MADE},
	/* A file changed, not made. */
	{"/home/u/notes.txt", SBX_PERM_WRITE, 0},
	/* A dotfile made right in the home directory: that file only. */
	{"/home/u/.history", SBX_PERM_WRITE, SBX_LEARN_MADE},
	/* Missing files, one beneath another missing directory. */
	{"/usr/local/include", SBX_PERM_STAT, SBX_LEARN_MISSING},
	{"/usr/local/include/stdio.h", SBX_PERM_STAT, SBX_LEARN_MISSING},
	{"/usr/local/include/bits/types.h", SBX_PERM_STAT, SBX_LEARN_MISSING},
	/* The private TMPDIR and another process's /proc are never rules. */
	{"/tmp/sandbox-tmp.abc/cc123.s", SBX_PERM_WRITE, SBX_LEARN_MADE},
	{"/proc/1/status", SBX_PERM_READ, 0},
};

static void test_build(void **state)
{
	(void)state;
	char *t = learn(build, N(build), NULL);
	expect(t, "exec /usr/bin/x86_64-linux-gnu-gcc-12");
	expect_not(t, "exec /usr/bin/cc");
	expect(t, "stat /usr/bin/cc");
	expect(t, "stat /etc/alternatives/cc");
	expect(t, "read /usr/include/**");
	expect_not(t, "read /usr/include/stdio.h");
	expect(t, "read /etc/ld.so.cache");
	/* The build directory was made: its parent's tree, as ${CWD}. */
	expect(t, "write ${CWD}/**");
	expect(t, "write ${HOME}/notes.txt");
	expect(t, "write ${HOME}/.history");
	expect_not(t, "write ${HOME}/**");
	expect(t, "stat /usr/local/include/**");
	expect(t, "tmpdir private");
	expect_not(t, "read /proc/1/status");
	/* The command in the header is one printable line. */
	assert_non_null(strstr(t, "#   make -j2??[31m\n"));
	grants_all(t, build, N(build));
	free(t);
}

static void test_listed(void **state)
{
	(void)state;
	const struct sbx_learned v[] = {
		/* Listed and one module read: a tree. */
		{"/usr/lib/python3.11/email", SBX_PERM_READ, SBX_LEARN_DIR},
		{"/usr/lib/python3.11/email/parser.py", SBX_PERM_READ, 0},
		/* Listed, nothing in it used: the listing only. */
		{"/usr/lib/python3/dist-packages", SBX_PERM_READ, SBX_LEARN_DIR},
	};
	char *t = learn(v, N(v), NULL);
	expect(t, "read /usr/lib/python3.11/email/**");
	expect(t, "read /usr/lib/python3/dist-packages");
	expect_not(t, "read /usr/lib/python3/dist-packages/**");
	grants_all(t, v, N(v));
	free(t);
}

static void test_base(void **state)
{
	(void)state;
	struct sbx_policy base = {0};
	char *err = NULL;
	struct sbx_policy_env env = {0};
	assert_int_equal(sbx_policy_parse_string(&base, "read /usr/**\nexec /usr/bin/make\n", "base", &env, &err), 0);
	const struct sbx_learned v[] = {
		{"/usr/bin/make", SBX_PERM_EXEC, 0},
		{"/usr/include/stdio.h", SBX_PERM_READ, 0},
		{"/usr/bin/x86_64-linux-gnu-gcc-12", SBX_PERM_EXEC, 0},
		{"/usr/lib/missing.so", SBX_PERM_STAT, SBX_LEARN_MISSING},
	};
	char *t = learn(v, N(v), &base);
	expect(t, "include base");
	expect_not(t, "exec /usr/bin/make");
	expect_not(t, "read /usr/include/**");
	expect_not(t, "stat /usr/lib/missing.so");
	expect(t, "exec /usr/bin/x86_64-linux-gnu-gcc-12");
	free(t);
	sbx_policy_free(&base);
}

static void test_spelling(void **state)
{
	(void)state;
	const struct sbx_learned v[] = {
		/* Names a rule cannot hold: blanks, '#', '$', '*'. */
		{"/srv/my dir/a file", SBX_PERM_READ, 0},
		{"/srv/x#y/$HOME", SBX_PERM_READ, 0},
		{"/srv/star*/f", SBX_PERM_READ, 0},
	};
	char *t = learn(v, N(v), NULL);
	/* Each run of what a rule cannot hold is one '*' of its component. */
	expect(t, "read /srv/my*dir/a*file");
	expect(t, "read /srv/x*y/*HOME");
	expect(t, "read /srv/star*/f");
	assert_null(strstr(t, " dir"));
	assert_null(strstr(t, "$HOME"));
	grants_all(t, v, N(v));
	free(t);
}

/* A name made of wildcard characters is a name, never a wildcard: a
 * file "**" made in the home directory is not its whole tree, nor one in
 * a tree a tree beneath it. */
static void test_wildcard_names(void **state)
{
	(void)state;
	const struct sbx_learned v[] = {
		{"/home/u/**", SBX_PERM_WRITE, SBX_LEARN_MADE},
		{"/srv/a/**/x", SBX_PERM_READ, 0},
	};
	char *t = learn(v, N(v), NULL);
	expect(t, "write ${HOME}/*");
	expect(t, "read /srv/a/*/x");
	assert_null(strstr(t, "**"));
	grants_all(t, v, N(v));
	free(t);
}

/* What the command line denied while learning is denied by the output. */
static void test_denies(void **state)
{
	(void)state;
	const struct sbx_learned v[] = {
		{"/home/u/proj/d/a", SBX_PERM_READ, 0},
		{"/home/u/proj/d/b", SBX_PERM_READ, 0},
		{"/home/u/proj/d/c", SBX_PERM_READ, 0},
	};
	const char *const denies[] = {"/home/u/proj/d/secret", "/srv/a b/**"};
	struct sbx_learn_input in = {
		.paths = v, .n_paths = N(v), .home = "/home/u", .cwd = "/home/u/proj",
		.denies = denies, .n_denies = N(denies),
	};
	size_t rules = 0;
	char *t = sbx_learn_policy(&in, &rules);
	assert_non_null(t);
	expect(t, "read ${CWD}/d/**");
	expect(t, "deny ${CWD}/d/secret");
	expect(t, "deny /srv/*/**");
	struct sbx_policy p = {0};
	char *err = NULL;
	struct sbx_policy_env env = {.vars = {.home = "/home/u", .cwd = "/home/u/proj"}};
	if (sbx_policy_parse_string(&p, t, "learned", &env, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(sbx_policy_check(&p, "/home/u/proj/d/secret"), 0);
	assert_true(sbx_policy_check(&p, "/home/u/proj/d/a") & SBX_PERM_READ);
	sbx_policy_free(&p);
	free(t);
}

static void test_net(void **state)
{
	(void)state;
	const char *net[] = {"connect tcp 127.0.0.1:8080", "bind tcp [::1]:0"};
	struct sbx_learn_input in = {.net = net, .n_net = 2, .command = "x"};
	size_t rules = 0;
	char *t = sbx_learn_policy(&in, &rules);
	assert_non_null(t);
	expect(t, "connect tcp 127.0.0.1:8080");
	expect(t, "bind tcp [::1]:0");
	assert_int_equal(rules, 2);
	struct sbx_policy p = {0};
	char *err = NULL;
	struct sbx_policy_env env = {0};
	assert_int_equal(sbx_policy_parse_string(&p, t, "learned", &env, &err), 0);
	assert_int_equal(p.n_net, 2);
	sbx_policy_free(&p);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build), cmocka_unit_test(test_listed), cmocka_unit_test(test_base),
		cmocka_unit_test(test_spelling), cmocka_unit_test(test_wildcard_names),
		cmocka_unit_test(test_denies), cmocka_unit_test(test_net),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
