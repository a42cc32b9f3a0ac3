/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* audit.c: the stderr lines (once per distinct refusal, the rule that
 * would allow it or the deny that decided, repeats and the summary at the
 * end, quiet lookups without a line) and the audit log's JSON lines (rule
 * and origin, allowed decisions, the network), captured from pipes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "brokerfix.h"
#include "log.h"

static char err_text[65536], json_text[65536];

/* Count the lines of TEXT holding NEEDLE. */
static int lines_with(const char *text, const char *needle)
{
	int n = 0;
	for (const char *l = text; *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char *line = strndup(l, len);
		n += line && strstr(line, needle) != NULL;
		free(line);
		l += len + (e != NULL);
	}
	return n;
}

static void slurp(int fd, char *out, size_t size)
{
	size_t n = 0;
	ssize_t r;
	while (n < size - 1 && (r = read(fd, out + n, size - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
}

static void path_event(struct broker *b, const char *call, const char *path, const char *real,
		       unsigned need, int answer, bool suggest, bool quiet)
{
	struct audit_event e = {
		.syscall = call, .pid = 42, .path = path, .real = real, .need = need,
		.why = answer ? "not allowed by the policy" : NULL, .answer = answer,
		.suggest = suggest, .quiet = quiet, .missing = quiet,
	};
	audit_decision(b, &e);
}

static void test_audit(void **state)
{
	(void)state;
	struct broker *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	assert_int_equal(brokerfix_init(b), 0);
	struct sbx_policy_env env = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_parse_string(&b->policy, "read /usr/**\ndeny /usr/secret\n", "t.policy",
						 &env, &err), 0);
	assert_int_equal(sbx_policy_add_net(&b->policy, SBX_NET_CONNECT, "tcp 127.0.0.1:8080", "--connect", &err), 0);
	int jp[2], ep[2];
	assert_int_equal(pipe(jp), 0);
	assert_int_equal(pipe(ep), 0);
	assert_int_equal(audit_open(b, jp[1], true), 0);
	assert_int_equal(audit_setup(b, NULL), 0);
	int saved = dup(2);
	assert_true(saved >= 0 && dup2(ep[1], 2) == 2);
	close(ep[1]);
	sbx_log_set_name("sandbox-broker");

	for (int i = 0; i < 3; i++)
		path_event(b, "openat", "/usr/secret", "/usr/secret", SBX_PERM_READ, -EACCES, true, false);
	path_event(b, "execve", "/usr/bin/cc", "/usr/bin/gcc-12", SBX_PERM_EXEC, -EACCES, true, false);
	path_event(b, "openat", "/nope/lib.so", "/nope/lib.so", SBX_PERM_READ, -EACCES, true, true);
	path_event(b, "openat", "/usr/lib/x", "/usr/lib/x", SBX_PERM_READ, 0, false, false);
	path_event(b, "openat", "/tmp/a\nsandbox-broker: forged", "/tmp/a\nsandbox-broker: forged",
		   SBX_PERM_WRITE, -EACCES, true, false);
	struct sockaddr_in ok = {.sin_family = AF_INET, .sin_port = htons(8080)};
	inet_pton(AF_INET, "127.0.0.1", &ok.sin_addr);
	struct audit_event net_ok = {
		.syscall = "connect", .pid = 43, .net = true, .op = SBX_NET_CONNECT, .proto = SBX_NET_TCP,
		.peer = "127.0.0.1:8080", .sa = (const struct sockaddr *)&ok, .salen = sizeof(ok),
	};
	audit_decision(b, &net_ok);
	struct audit_event net_no = {
		.syscall = "connect", .pid = 43, .why = "not allowed by the policy", .answer = -EACCES,
		.suggest = true, .net = true, .op = SBX_NET_CONNECT, .proto = SBX_NET_TCP, .peer = "10.0.0.1:53",
	};
	audit_decision(b, &net_no);
	audit_finish(b);

	assert_true(dup2(saved, 2) == 2);
	close(saved);
	audit_free(b); /* closes the log's end */
	slurp(ep[0], err_text, sizeof(err_text));
	slurp(jp[0], json_text, sizeof(json_text));
	close(ep[0]);
	close(jp[0]);

	/* stderr */
	assert_int_equal(lines_with(err_text, "refused openat(\"/usr/secret\") for pid 42: not allowed by the "
					      "policy (needs read); denied by 'deny /usr/secret' (t.policy:2)"), 1);
	assert_int_equal(lines_with(err_text, "refused openat(\"/usr/secret\") 3 times in all"), 1);
	assert_int_equal(lines_with(err_text, "refused execve(\"/usr/bin/cc\") for pid 42: not allowed by the "
					      "policy (needs exec); add: exec /usr/bin/gcc-12"), 1);
	assert_int_equal(lines_with(err_text, "/nope/lib.so"), 0);
	assert_int_equal(lines_with(err_text, "/usr/lib/x"), 0);
	assert_int_equal(lines_with(err_text, "refused openat(\"/tmp/a\\nsandbox-broker: forged\")"), 1);
	assert_int_equal(lines_with(err_text, "refused connect tcp 10.0.0.1:53 for pid 43: not allowed by the "
					      "policy; add: --connect='tcp 10.0.0.1:53'"), 1);
	assert_int_equal(lines_with(err_text, "sandbox-broker: 7 refusals (5 distinct), 1 line not shown"), 1);
	assert_int_equal(lines_with(err_text, "127.0.0.1:8080"), 0);
	/* the audit log: a line per decision */
	assert_int_equal(lines_with(json_text, "\"time\": "), 9);
	assert_int_equal(lines_with(json_text, "\"path\": \"/usr/secret\", \"real\": \"/usr/secret\", \"need\": \"read\", "
					       "\"rule\": \"deny /usr/secret\", \"origin\": \"t.policy:2\", \"answer\": \"EACCES\""), 3);
	assert_int_equal(lines_with(json_text, "\"real\": \"/usr/bin/gcc-12\", \"need\": \"exec\", \"rule\": \"read /usr/**\", "
					       "\"origin\": \"t.policy:1\", \"answer\": \"EACCES\", \"why\": \"not allowed by the "
					       "policy\", \"suggest\": \"exec /usr/bin/gcc-12\"}"), 1);
	assert_int_equal(lines_with(json_text, "\"rule\": null, \"origin\": null, \"answer\": \"EACCES\", \"why\": \"not "
					       "allowed by the policy\", \"suggest\": \"read /nope/lib.so\", \"missing\": true, "
					       "\"quiet\": true}"), 1);
	assert_int_equal(lines_with(json_text, "\"real\": \"/usr/lib/x\", \"need\": \"read\", \"rule\": \"read /usr/**\", "
					       "\"origin\": \"t.policy:1\", \"answer\": \"allowed\"}"), 1);
	assert_int_equal(lines_with(json_text, "\"path\": \"/tmp/a\\nsandbox-broker: forged\""), 1);
	assert_int_equal(lines_with(json_text, "\"syscall\": \"connect\", \"proto\": \"tcp\", \"address\": \"127.0.0.1:8080\", "
					       "\"rule\": \"connect tcp 127.0.0.1:8080\", \"origin\": \"--connect\", \"answer\": "
					       "\"allowed\"}"), 1);
	assert_int_equal(lines_with(json_text, "\"address\": \"10.0.0.1:53\", \"rule\": null, \"origin\": null, \"answer\": "
					       "\"EACCES\", \"why\": \"not allowed by the policy\", \"suggest\": "
					       "\"--connect='tcp 10.0.0.1:53'\"}"), 1);
	sbx_policy_free(&b->policy);
	close(b->rootfd);
	free(b);
}

/* Without refusals but quiet ones, nothing is said at the end. */
static void test_quiet_only(void **state)
{
	(void)state;
	struct broker *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	assert_int_equal(brokerfix_init(b), 0);
	int ep[2];
	assert_int_equal(pipe(ep), 0);
	assert_int_equal(audit_open(b, -1, false), 0);
	int saved = dup(2);
	assert_true(saved >= 0 && dup2(ep[1], 2) == 2);
	close(ep[1]);
	path_event(b, "newfstatat", "/nope", "/nope", SBX_PERM_STAT, -EACCES, true, true);
	path_event(b, "openat", "/usr/lib/x", "/usr/lib/x", SBX_PERM_READ, 0, false, false); /* not logged */
	audit_finish(b);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	slurp(ep[0], err_text, sizeof(err_text));
	close(ep[0]);
	assert_string_equal(err_text, "");
	audit_free(b);
	close(b->rootfd);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_quiet_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
