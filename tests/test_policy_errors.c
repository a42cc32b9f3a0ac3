/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy errors name file:line:column, whatever the file holds and however
 * deep the include that holds it; are never cut short; and a policy that is
 * not a regular file is refused, not read as empty (or waited on). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

static char dir[64];
static const char *dirs[1];
static struct sbx_policy_env env;

/* Write LEN bytes of TEXT (LEN 0: a string) to DIR/NAME. */
static void write_file(const char *name, const char *text, size_t len)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len ? len : strlen(text), f), len ? len : strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Load NAME (a file path; "@" stands for DIR); the error, or NULL. */
static int load(struct sbx_policy *p, const char *name, char **err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), name[0] == '@' ? "%s%s" : "%.0s%s", dir, name + (name[0] == '@'));
	return sbx_policy_load(p, path, &env, err);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sbx-policy-errors.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirs[0] = dir;
	env = (struct sbx_policy_env){
		.search_dirs = dirs,
		.n_search_dirs = 1,
		.vars = {.home = "/home/u", .cwd = "/work/p", .user = "u"},
	};
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/fifo", dir);
	if (mkfifo(p, 0600) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/sub", dir);
	return mkdir(p, 0755);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

struct err_case {
	const char *what;
	const char *text;   /* t.policy (NULL: not written) */
	size_t len;         /* of TEXT when it holds a NUL */
	const char *load;   /* what is loaded (default "@/t.policy") */
	int r;
	const char *want;   /* "@" stands for DIR */
};

static const struct err_case cases[] = {
	{"a NUL byte", "read /usr/**\nre\0ad /x\n", 22, NULL, -EINVAL, "@/t.policy:2:3: a NUL byte (a policy is text)"},
	{"a NUL byte on the first line", "\0", 1, NULL, -EINVAL, "@/t.policy:1:1: a NUL byte (a policy is text)"},
	{"an error in an included file", "read /a\n  include inc\n", 0, NULL, -EINVAL,
	 "@/t.policy:2:11: in the included policy: @/inc.policy:2:1: unknown rule 'frobnicate' (expected "
	 "include, read, write, exec, stat, deny, temporary, connect, bind, tmpdir, loopback or strict)"},
	{"an error two includes deep", "include ./sub/one.policy\n", 0, NULL, -EINVAL,
	 "@/t.policy:1:9: in the included policy: @/./sub/one.policy:2:9: in the included policy: "
	 "@/./sub/../inc.policy:2:1: unknown rule 'frobnicate' (expected include, read, write, exec, stat, deny, "
	 "temporary, connect, bind, tmpdir, loopback or strict)"},
	{"a NUL byte in an included file", "include incnul\n", 0, NULL, -EINVAL,
	 "@/t.policy:1:9: in the included policy: @/incnul.policy:1:6: a NUL byte (a policy is text)"},
	{"a cycle", "include cyc-a\n", 0, NULL, -ELOOP,
	 "@/t.policy:1:9: in the included policy: @/cyc-a.policy:1:9: in the included policy: "
	 "@/cyc-b.policy:1:9: include cycle through 'cyc-a'"},
	{"including procfs", "include /proc/self/environ\n", 0, NULL, -EINVAL,
	 "@/t.policy:1:9: in the included policy: /proc/self/environ: not a regular file (a file of procfs)"},
	{"including a FIFO", "read /a\ninclude ./fifo\n", 0, NULL, -EINVAL,
	 "@/t.policy:2:9: in the included policy: @/./fifo: not a regular file (a FIFO)"},
	{"including /dev/zero", "include /dev/zero\n", 0, NULL, -EINVAL,
	 "@/t.policy:1:9: in the included policy: /dev/zero: not a regular file (a character device)"},
	{"including a directory", "include ./sub/\n", 0, NULL, -EINVAL,
	 "@/t.policy:1:9: in the included policy: @/./sub/: not a regular file (a directory)"},
	{"including a file that cannot be opened", "include ./nothing/here.policy\n", 0, NULL, -ENOENT,
	 "@/t.policy:1:9: in the included policy: @/./nothing/here.policy: No such file or directory"},
	{"including a policy by a name not found", "read /a\ninclude nothing-here\n", 0, NULL, -ENOENT,
	 "@/t.policy:2:9: policy 'nothing-here' not found (the policies there: cyc-a, cyc-b, inc, incnul, t)"},
	{"loading procfs", NULL, 0, "/proc/self/environ", -EINVAL,
	 "/proc/self/environ: not a regular file (a file of procfs)"},
	{"loading sysfs", NULL, 0, "/sys/kernel/mm/transparent_hugepage/enabled", -EINVAL,
	 "/sys/kernel/mm/transparent_hugepage/enabled: not a regular file (a file of sysfs)"},
	{"loading a FIFO", NULL, 0, "@/fifo", -EINVAL, "@/fifo: not a regular file (a FIFO)"},
	{"loading /dev/null", NULL, 0, "/dev/null", -EINVAL, "/dev/null: not a regular file (a character device)"},
	{"loading a directory", NULL, 0, "@/sub", -EINVAL, "@/sub: not a regular file (a directory)"},
};

/* "@" in WANT is DIR. */
static char *expand_at(const char *want)
{
	static char out[8192];
	size_t o = 0;
	for (const char *s = want; *s && o + sizeof(dir) < sizeof(out); s++)
		if (*s == '@')
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s", dir);
		else
			out[o++] = *s;
	out[o] = '\0';
	return out;
}

static void test_table(void **state)
{
	(void)state;
	write_file("inc.policy", "read /b\nfrobnicate\n", 0);
	write_file("sub/one.policy", "read /c\ninclude ../inc.policy\n", 0);
	write_file("incnul.policy", "read \0/x\n", 9);
	write_file("cyc-a.policy", "include cyc-b\n", 0);
	write_file("cyc-b.policy", "include cyc-a\n", 0);
	bool sysfs = access("/sys/kernel/mm/transparent_hugepage/enabled", R_OK) == 0;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct err_case *c = &cases[i];
		if (!sysfs && strstr(c->want, "sysfs"))
			continue;
		if (c->text)
			write_file("t.policy", c->text, c->len);
		struct sbx_policy p = {0};
		char *err = NULL;
		int r = load(&p, c->load ? c->load : "@/t.policy", &err);
		const char *want = expand_at(c->want);
		if (r != c->r || !err || strcmp(err, want) || p.n_rules || p.rules) {
			print_error("%s: got %d '%s' (%zu rules)\n want %d '%s'\n", c->what, r,
				    err ? err : "(none)", p.n_rules, c->r, want);
			bad++;
		}
		sbx_policy_free(&p);
		free(err);
	}
	assert_int_equal(bad, 0);
}

/* Over 1 MiB: the error names where the limit is passed. */
static void test_too_large(void **state)
{
	(void)state;
	size_t n = 1024 * 1024 + 4096;
	char *text = malloc(n);
	assert_non_null(text);
	for (size_t i = 0; i < n; i += 64) { /* 16,384 lines of 64 bytes fill 1 MiB */
		memset(text + i, '#', 63);
		text[i + 63] = '\n';
	}
	write_file("big.policy", text, n);
	free(text);
	struct sbx_policy p = {0};
	char *err = NULL;
	assert_int_equal(load(&p, "@/big.policy", &err), -EFBIG);
	char want[256];
	snprintf(want, sizeof(want), "%s/big.policy:16385:1: the policy goes on past 1 MiB here", dir);
	assert_non_null(err);
	assert_string_equal(err, want);
	free(err);
	/* The same, included. */
	write_file("t.policy", "read /a\ninclude big\n", 0);
	assert_int_equal(load(&p, "@/t.policy", &err), -EFBIG);
	snprintf(want, sizeof(want), "%s/t.policy:2:9: in the included policy: %s/big.policy:16385:1: "
		 "the policy goes on past 1 MiB here", dir, dir);
	assert_string_equal(err, want);
	free(err);
	/* Exactly 1 MiB is fine. */
	assert_int_equal(truncate(expand_at("@/big.policy"), 1024 * 1024), 0);
	assert_int_equal(load(&p, "@/big.policy", &err), 0);
	assert_null(err);
	sbx_policy_free(&p);
}

/* Messages far over 1,023 bytes come whole: every long part, every include. */
static void test_long_messages(void **state)
{
	(void)state;
	char word[3001];
	memset(word, 'k', 3000);
	word[3000] = '\0';
	char text[3100];
	snprintf(text, sizeof(text), "read /a\n%s /x\n", word);
	write_file("long.policy", text, 0);
	/* Eight levels of includes, each named by a long path. */
	char name[200];
	memset(name, 'n', 150);
	name[150] = '\0';
	char prev[256] = "long";
	for (int i = 0; i < 7; i++) {
		char file[256], body[300];
		snprintf(file, sizeof(file), "%s%d.policy", name, i);
		snprintf(body, sizeof(body), "include %s\n", prev);
		write_file(file, body, 0);
		snprintf(prev, sizeof(prev), "%s%d", name, i);
	}
	struct sbx_policy p = {0};
	char *err = NULL;
	char top[300];
	snprintf(top, sizeof(top), "@/%s.policy", prev);
	assert_int_equal(load(&p, top, &err), -EINVAL);
	assert_non_null(err);
	assert_true(strlen(err) > 4000);
	assert_non_null(strstr(err, word));
	const char *tail = "or strict)";
	assert_string_equal(err + strlen(err) - strlen(tail), tail);
	/* One "in the included policy" a level. */
	int levels = 0;
	for (const char *s = err; (s = strstr(s, "in the included policy")); s++)
		levels++;
	assert_int_equal(levels, 7);
	free(err);
	/* A rule from the command line, as long. */
	char pat[5000];
	snprintf(pat, sizeof(pat), "/%s/%s/../x", word, name);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, pat, "--read", &env.vars, &err), -EINVAL);
	assert_non_null(strstr(err, pat));
	tail = "'.' and '..' are not allowed in patterns";
	assert_string_equal(err + strlen(err) - strlen(tail), tail);
	free(err);
	sbx_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_long_messages),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
