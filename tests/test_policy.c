/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the policy parser and model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
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

static void write_file(const char *name, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/sbx-policy.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	dirs[0] = dir;
	env = (struct sbx_policy_env){
		.search_dirs = dirs,
		.n_search_dirs = 1,
		.vars = {.home = "/home/u/", .cwd = "/work/p", .user = "u"},
	};
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_good_policy(void **state)
{
	write_file("base.policy", "# the base\nread /usr/**\n\n\tstat\t/bin   # trailing comment\n");
	char sub[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	write_file("sub/extra.policy", "exec /usr/bin/dash\n");
	write_file("main.policy",
		   "include base\n"
		   "include sub/extra.policy\n"
		   "write ${HOME}/out/**\n"
		   "read ${CWD}/*.c\n"
		   "read ${TMPDIR}/x\n"
		   "deny /usr/secret/**\n"
		   "temporary /dev/shm/.shm.*\n");
	struct sbx_policy p = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_load(&p, "main", &env, &err), 0);
	assert_null(err);
	assert_int_equal(p.n_rules, 8);
	/* temporary: nothing sbx_policy_check tells (the broker asks the
	 * rule itself), nothing else either. */
	assert_int_equal(sbx_policy_check(&p, "/dev/shm/.shm.x1"), 0);
	assert_int_equal(sbx_policy_check(&p, "/dev/shm/other"), 0);
	assert_int_equal(p.rules[7].kind, SBX_RULE_TEMP);
	assert_string_equal(sbx_rule_kind_name(SBX_RULE_TEMP), "temporary");
	assert_int_equal(sbx_policy_check(&p, "/usr/lib/libc.so.6"), SBX_PERM_READ | SBX_PERM_STAT);
	assert_int_equal(sbx_policy_check(&p, "/bin"), SBX_PERM_STAT);
	assert_int_equal(sbx_policy_check(&p, "/usr/bin/dash"),
			 SBX_PERM_READ | SBX_PERM_STAT | SBX_PERM_EXEC);
	assert_int_equal(sbx_policy_check(&p, "/home/u/out/a/b"),
			 SBX_PERM_READ | SBX_PERM_STAT | SBX_PERM_WRITE);
	assert_int_equal(sbx_policy_check(&p, "/work/p/main.c"), SBX_PERM_READ | SBX_PERM_STAT);
	assert_int_equal(sbx_policy_check(&p, "/work/p/sub/main.c"), 0);
	assert_int_equal(sbx_policy_check(&p, "/tmp/x"), SBX_PERM_READ | SBX_PERM_STAT);
	/* deny wins over the broader read. */
	assert_int_equal(sbx_policy_check(&p, "/usr/secret"), 0);
	assert_int_equal(sbx_policy_check(&p, "/usr/secret/key"), 0);
	assert_int_equal(sbx_policy_check(&p, "/etc/passwd"), 0);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/main.policy:6", dir);
	assert_string_equal(p.rules[6].origin, want);
	assert_int_equal(p.rules[6].kind, SBX_RULE_DENY);
	sbx_policy_free(&p);
	assert_int_equal(p.n_rules, 0);
}

/* ${ARG:--OPTION}: the program's option value, absolute; rules naming an
 * option the program was not given are left out. */
static void test_option_variable(void **state)
{
	(void)state;
	const char *argv[] = {"prog", "--a=/x/y", "--b", "rel/dir", "--empty=", "--", "--c=/z", NULL};
	struct sbx_policy_vars v = {.cwd = "/work/p", .argv = argv};
	struct sbx_policy p = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_STAT, "${ARG:--a}", "t", &v, &err), 0);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "${ARG:--b}/**", "t", &v, &err), 0);
	assert_int_equal(p.n_rules, 2);
	assert_string_equal(p.rules[0].pattern, "/x/y");
	assert_string_equal(p.rules[1].pattern, "/work/p/rel/dir/**");
	/* Not given, given empty, or only after "--": left out, no error. */
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "${ARG:--c}", "t", &v, &err), 0);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "${ARG:--empty}", "t", &v, &err), 0);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "${ARG:--zz}", "t", NULL, &err), 0);
	assert_int_equal(p.n_rules, 2);
	/* A value with ".." that does not exist is refused like any pattern. */
	const char *bad[] = {"prog", "--a=/no/such/../dir", NULL};
	v.argv = bad;
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_STAT, "${ARG:--a}", "t", &v, &err), -EINVAL);
	assert_int_equal(p.n_rules, 2);
	free(err);
	sbx_policy_free(&p);
}

static void test_add_rule(void **state)
{
	struct sbx_policy p = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_WRITE, "${CWD}/**", "--write", &env.vars, &err), 0);
	assert_int_equal(sbx_policy_check(&p, "/work/p/x") & SBX_PERM_WRITE, SBX_PERM_WRITE);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "rel", "--read", &env.vars, &err), -EINVAL);
	assert_non_null(strstr(err, "--read: rel: pattern must be an absolute path"));
	free(err);
	sbx_policy_free(&p);
}

/* TEXT as "t.policy" must fail with exactly WANT (after "DIR/"). */
static void expect_error(const char *text, int want_r, const char *want)
{
	write_file("t.policy", text);
	struct sbx_policy p = {0};
	char *err = NULL, path[PATH_MAX], full[PATH_MAX + 256];
	snprintf(path, sizeof(path), "%s/t.policy", dir);
	assert_int_equal(sbx_policy_load(&p, path, &env, &err), want_r);
	snprintf(full, sizeof(full), "%s/%s", dir, want);
	if (strcmp(err, full))
		fail_msg("got  '%s'\nwant '%s'", err, full);
	free(err);
	assert_int_equal(p.n_rules, 0); /* nothing half-applied */
	assert_false(p.private_tmp);
	assert_false(p.loopback);
	assert_false(p.strict);
	assert_null(p.rules);
}

static struct sockaddr_in in4(const char *a, int port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6 in6(const char *a, int port)
{
	struct sockaddr_in6 s = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

#define NET_OK(p, op, proto, sa) \
	sbx_policy_net_check(p, op, proto, (const struct sockaddr *)&(sa), sizeof(sa), NULL, false)

static void test_network_rules(void **state)
{
	(void)state;
	write_file("n.policy", "connect tcp 127.0.0.1:8080\n"
			       "connect udp 127.0.0.53:53\n"
			       "connect tcp 10.0.0.0/8:1-1024\n"
			       "connect tcp [fd00::/8]:*\n"
			       "bind tcp 127.0.0.1:0\n"
			       "connect unix /run/x.sock\n"
			       "connect unix @sbx-*\n");
	struct sbx_policy p = {0};
	char *err = NULL, path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/n.policy", dir);
	assert_int_equal(sbx_policy_load(&p, path, &env, &err), 0);
	assert_int_equal(p.n_net, 7);
	struct sockaddr_in a;
	struct sockaddr_in6 b;
	a = in4("127.0.0.1", 8080);
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, a));
	assert_false(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_UDP, a)); /* wrong protocol */
	assert_false(NET_OK(&p, SBX_NET_BIND, SBX_NET_TCP, a));    /* bind rule is port 0 */
	a = in4("127.0.0.1", 8081);
	assert_false(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, a));
	a = in4("10.200.3.4", 1024);
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, a));
	a = in4("10.200.3.4", 1025);
	assert_false(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, a));
	a = in4("11.0.0.1", 80);
	assert_false(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, a));
	b = in6("::ffff:10.1.2.3", 22); /* IPv4-mapped: the IPv4 rule */
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, b));
	b = in6("fd12::1", 65535);
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, b));
	b = in6("fe80::1", 80);
	assert_false(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, b));
	a = in4("127.0.0.1", 0);
	assert_true(NET_OK(&p, SBX_NET_BIND, SBX_NET_TCP, a));
	assert_true(sbx_policy_net_check(&p, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, "/run/x.sock", false));
	assert_false(sbx_policy_net_check(&p, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, "/run/y.sock", false));
	assert_true(sbx_policy_net_check(&p, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, "sbx-echo", true));
	assert_false(sbx_policy_net_check(&p, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, "sbx-echo", false));
	assert_false(sbx_policy_net_check(&p, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, "other", true));
	assert_int_equal(sbx_policy_add_net(&p, SBX_NET_CONNECT, "tcp any:443", "--connect", &err), 0);
	b = in6("2001:db8::1", 443);
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, b));
	assert_int_equal(sbx_policy_add_net(&p, SBX_NET_CONNECT, "tcp:[::1]:80", "--connect", &err), 0);
	b = in6("::1", 80);
	assert_true(NET_OK(&p, SBX_NET_CONNECT, SBX_NET_TCP, b));
	assert_int_equal(sbx_policy_add_net(&p, SBX_NET_BIND, "tcp nowhere", "--bind", &err), -EINVAL);
	assert_string_equal(err, "--bind=tcp nowhere: expected ADDRESS:PORT");
	free(err);
	sbx_policy_free(&p);
	assert_int_equal(p.n_net, 0);
}

static void test_covers_below(void **state)
{
	(void)state;
	struct sbx_policy p = {0};
	char *err = NULL;
	static const struct sbx_policy_vars none;
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_WRITE, "/tmp/box/**", "t", &none, &err), 0);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_READ, "/usr/*/doc", "t", &none, &err), 0);
	assert_int_equal(sbx_policy_add_rule(&p, SBX_RULE_DENY, "/etc/secret/x", "t", &none, &err), 0);
	assert_true(sbx_policy_covers_below(&p, "/"));
	assert_true(sbx_policy_covers_below(&p, "/tmp"));
	assert_true(sbx_policy_covers_below(&p, "/tmp/box"));
	assert_true(sbx_policy_covers_below(&p, "/tmp/box/deep"));
	assert_false(sbx_policy_covers_below(&p, "/tmp/bo"));
	assert_false(sbx_policy_covers_below(&p, "/tmp/boxer"));
	assert_true(sbx_policy_covers_below(&p, "/usr"));
	assert_true(sbx_policy_covers_below(&p, "/usr/share")); /* '*' begins there */
	assert_false(sbx_policy_covers_below(&p, "/etc/secret")); /* deny grants nothing */
	assert_false(sbx_policy_covers_below(&p, "/var"));
	/* /tmp/box/(anything) matches /tmp/box itself: nothing specific beneath it;
	 * the deny rule is specific beneath /etc and /etc/secret. */
	assert_false(sbx_policy_specific_below(&p, "/tmp/box"));
	assert_false(sbx_policy_specific_below(&p, "/tmp/box/sub"));
	assert_true(sbx_policy_specific_below(&p, "/etc"));
	assert_true(sbx_policy_specific_below(&p, "/etc/secret"));
	assert_true(sbx_policy_specific_below(&p, "/usr"));
	assert_false(sbx_policy_specific_below(&p, "/var"));
	sbx_policy_free(&p);
}

static void test_errors(void **state)
{
	expect_error("read /usr/**\nfrobnicate /x\n", -EINVAL,
		     "t.policy:2:1: unknown rule 'frobnicate' (expected include, read, write, exec, stat, deny, temporary, connect, bind, tmpdir, loopback or strict)");
	expect_error("read\n", -EINVAL, "t.policy:1:5: 'read' needs one argument");
	expect_error("read /a /b\n", -EINVAL,
		     "t.policy:1:9: unexpected '/b' after the argument (one rule a line)");
	expect_error("  read relative\n", -EINVAL, "t.policy:1:8: pattern must be an absolute path");
	expect_error("read /usr/../etc\n", -EINVAL,
		     "t.policy:1:11: '.' and '..' are not allowed in patterns");
	expect_error("read /usr/***\n", -EINVAL, "t.policy:1:11: '**' must be a whole path component");
	expect_error("read ${NOPE}/x\n", -EINVAL,
		     "t.policy:1:6: unknown variable (expected HOME, CWD, TMPDIR, USER or ARG:--OPTION)");
	expect_error("include missing-one\n", -ENOENT,
		     "t.policy:1:9: policy 'missing-one' not found (the policies there: base, main, n, t)");
	/* A typo'd keyword or policy name: the one meant. */
	expect_error("read /usr/**\nraed /x\n", -EINVAL, "t.policy:2:1: unknown rule 'raed': did you mean 'read'?");
	expect_error("exce /x\n", -EINVAL, "t.policy:1:1: unknown rule 'exce': did you mean 'exec'?");
	expect_error("include bsae\n", -ENOENT,
		     "t.policy:1:9: policy 'bsae' not found: did you mean 'base'? (the policies there: base, main, n, t)");
	expect_error("connect tcp\n", -EINVAL,
		     "t.policy:1:12: 'connect' needs a protocol and an address (e.g. 'connect tcp 127.0.0.1:80')");
	expect_error("connect sctp 1.2.3.4:5\n", -EINVAL, "t.policy:1:9: expected tcp, udp or unix");
	expect_error("connect tcp 1.2.3.4\n", -EINVAL, "t.policy:1:20: expected ADDRESS:PORT");
	expect_error("connect tcp 1.2.3.4:70000\n", -EINVAL,
		     "t.policy:1:21: expected a port, a range N-M or '*' (0 to 65535)");
	expect_error("connect tcp 1.2.3.4:9-8\n", -EINVAL,
		     "t.policy:1:21: expected a port, a range N-M or '*' (0 to 65535)");
	expect_error("bind udp 10.0.0.0/33:1\n", -EINVAL,
		     "t.policy:1:19: expected a prefix length from 0 to 32");
	expect_error("connect tcp 1.2.3:80\n", -EINVAL,
		     "t.policy:1:13: not an IPv4 address (IPv6 goes in brackets)");
	expect_error("connect tcp [::1:80\n", -EINVAL, "t.policy:1:17: expected ']' after an IPv6 address");
	expect_error("connect unix run/x.sock\n", -EINVAL, "t.policy:1:14: pattern must be an absolute path");
	expect_error("connect tcp 1.2.3.4:80 extra\n", -EINVAL,
		     "t.policy:1:24: unexpected 'extra' after the address (one rule a line)");
	expect_error("tmpdir shared\n", -EINVAL, "t.policy:1:8: expected 'tmpdir private'");
	expect_error("loopback host\n", -EINVAL, "t.policy:1:10: expected 'loopback private'");
	expect_error("tmpdir private\nread rel\n", -EINVAL, "t.policy:2:6: pattern must be an absolute path");
	expect_error("strict yes\n", -EINVAL, "t.policy:1:8: unexpected 'yes' after 'strict' (it takes no argument)");
	expect_error("strict\nread rel\n", -EINVAL, "t.policy:2:6: pattern must be an absolute path");
	/* The directive itself. */
	write_file("t.policy", "read /usr/**\nstrict\n");
	struct sbx_policy sp = {0};
	char *serr = NULL, spath[PATH_MAX];
	snprintf(spath, sizeof(spath), "%s/t.policy", dir);
	assert_int_equal(sbx_policy_load(&sp, spath, &env, &serr), 0);
	assert_true(sp.strict);
	assert_int_equal(sp.n_rules, 1);
	sbx_policy_free(&sp);
	write_file("a.policy", "include b\n");
	write_file("b.policy", "include a\n");
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "t.policy:1:9: in the included policy: %s/a.policy:1:9: in the included "
		 "policy: %s/b.policy:1:9: include cycle through 'a'", dir, dir);
	expect_error("include a\n", -ELOOP, want);
}

static void test_not_found_and_bad_name(void **state)
{
	struct sbx_policy p = {0};
	char *err = NULL, want[256];
	assert_int_equal(sbx_policy_load(&p, "nope", &env, &err), -ENOENT);
	snprintf(want, sizeof(want), "policy 'nope' not found in %s (the policies there: a, b, base, main, n, t)", dir);
	assert_string_equal(err, want);
	free(err);
	assert_int_equal(sbx_policy_load(&p, "mian", &env, &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "policy 'mian' not found in %s: did you mean 'main'? (the policies there: a, b, base, main, n, t)", dir);
	assert_string_equal(err, want);
	free(err);
	assert_int_equal(sbx_policy_load(&p, "bad name!", &env, &err), -EINVAL);
	assert_non_null(strstr(err, "invalid policy name 'bad name!'"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_policy),
		cmocka_unit_test(test_add_rule),
		cmocka_unit_test(test_option_variable),
		cmocka_unit_test(test_covers_below),
		cmocka_unit_test(test_network_rules),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_not_found_and_bad_name),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
