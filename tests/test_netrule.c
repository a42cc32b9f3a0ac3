/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for network rules (common/netrule.c): what each spelling parses to,
 * every error with the place it names, and which addresses, ports, unix paths
 * and operations each rule lets through. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "netrule.h"
#include "policy.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* "connect" or "bind". */
static enum sbx_net_op op_of(const char *s)
{
	if (!strcmp(s, "connect"))
		return SBX_NET_CONNECT;
	assert_string_equal(s, "bind");
	return SBX_NET_BIND;
}

/* Parse "OP PROTO SPEC" into R, which must succeed. */
static void rule(const char *text, struct sbx_net_rule *r)
{
	char op[16], proto[16], spec[512];
	assert_int_equal(sscanf(text, "%15s %15s %511s", op, proto, spec), 3);
	int which = -1;
	size_t col = 0;
	const char *msg = NULL;
	int rr = sbx_netrule_parse(op_of(op), proto, spec, r, &which, &col, &msg);
	if (rr != 0)
		fail_msg("'%s': %d, %s at %d:%zu", text, rr, msg ? msg : "(no message)", which, col);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sbx_net_proto_name(SBX_NET_TCP), "tcp");
	assert_string_equal(sbx_net_proto_name(SBX_NET_UDP), "udp");
	assert_string_equal(sbx_net_proto_name(SBX_NET_UNIX), "unix");
	assert_string_equal(sbx_net_op_name(SBX_NET_CONNECT), "connect");
	assert_string_equal(sbx_net_op_name(SBX_NET_BIND), "bind");
}

/* Rows of test_parse_table. */
#define INET(text, proto, fam, addr, prefix, lo, hi) \
	{text, SBX_NET_##proto, AF_##fam, addr, prefix, lo, hi, false, NULL}
#define UNIX(text, abstract, pattern) {text, SBX_NET_UNIX, AF_UNIX, NULL, 0, 0, 0, abstract, pattern}

/* What each spelling parses to: the family, the network address (host bits
 * cleared), the prefix, the ports, and for unix the pattern. */
static void test_parse_table(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum sbx_net_proto proto;
		int family;
		const char *addr; /* inet_ntop of the network; NULL for any and unix */
		unsigned prefix;
		unsigned lo, hi;
		bool abstract;
		const char *pattern;
	} cases[] = {
		INET("connect tcp 127.0.0.1:8080", TCP, INET, "127.0.0.1", 32, 8080, 8080),
		INET("connect udp 127.0.0.53:53", UDP, INET, "127.0.0.53", 32, 53, 53),
		INET("bind tcp 127.0.0.1:0", TCP, INET, "127.0.0.1", 32, 0, 0),
		INET("connect tcp 10.0.0.0/8:1-1024", TCP, INET, "10.0.0.0", 8, 1, 1024),
		INET("connect tcp 10.1.2.3/8:*", TCP, INET, "10.0.0.0", 8, 0, 65535),
		INET("connect tcp 192.168.1.255/23:443", TCP, INET, "192.168.0.0", 23, 443, 443),
		INET("connect tcp 1.2.3.4/0:65535", TCP, INET, "0.0.0.0", 0, 65535, 65535),
		INET("connect tcp 1.2.3.4/32:0-65535", TCP, INET, "1.2.3.4", 32, 0, 65535),
		INET("connect tcp 1.2.3.4:007", TCP, INET, "1.2.3.4", 32, 7, 7),
		INET("connect tcp 1.2.3.4:80-80", TCP, INET, "1.2.3.4", 32, 80, 80),
		INET("connect tcp [::1]:80", TCP, INET6, "::1", 128, 80, 80),
		INET("connect udp [fd00::/8]:*", UDP, INET6, "fd00::", 8, 0, 65535),
		INET("connect tcp [2001:db8:ffff::1/33]:1-2", TCP, INET6, "2001:db8:8000::", 33, 1, 2),
		INET("connect tcp [::/0]:22", TCP, INET6, "::", 0, 22, 22),
		/* Within ::ffff:0:0/96: the IPv4 rule it means. */
		INET("connect tcp [::ffff:127.0.0.1]:80", TCP, INET, "127.0.0.1", 32, 80, 80),
		INET("connect tcp [::ffff:10.9.9.9/104]:80", TCP, INET, "10.0.0.0", 8, 80, 80),
		INET("connect tcp [::ffff:0:0/96]:80", TCP, INET, "0.0.0.0", 0, 80, 80),
		INET("connect tcp [::ffff:0:0/95]:80", TCP, INET6, "::fffe:0:0", 95, 80, 80),
		INET("connect tcp any:443", TCP, UNSPEC, NULL, 0, 443, 443),
		INET("bind udp *:*", UDP, UNSPEC, NULL, 0, 0, 65535),
		UNIX("connect unix /run/x.sock", false, "/run/x.sock"),
		UNIX("bind unix /tmp/**", false, "/tmp/**"),
		UNIX("connect unix @sbx-*", true, "/sbx-*"),
		UNIX("connect unix @a/b", true, "/a/b"),
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct sbx_net_rule r;
		rule(cases[i].text, &r);
		char got[INET6_ADDRSTRLEN] = "";
		if (r.family == AF_INET || r.family == AF_INET6)
			assert_non_null(inet_ntop(r.family, r.addr, got, sizeof(got)));
		bool ok = r.proto == cases[i].proto && r.family == cases[i].family &&
			  !strcmp(got, cases[i].addr ? cases[i].addr : "") && r.prefix == cases[i].prefix &&
			  r.port_lo == cases[i].lo && r.port_hi == cases[i].hi && r.abstract == cases[i].abstract &&
			  !strcmp(r.pattern ? r.pattern : "", cases[i].pattern ? cases[i].pattern : "");
		if (!ok)
			fail_msg("'%s': proto %d family %d addr %s/%u ports %u-%u abstract %d pattern %s",
				 cases[i].text, r.proto, r.family, got, r.prefix, r.port_lo, r.port_hi, r.abstract,
				 r.pattern ? r.pattern : "(none)");
		assert_int_equal(r.op, op_of(cases[i].text[0] == 'c' ? "connect" : "bind"));
		free(r.pattern);
	}
}

/* Every error: which word it is in (0: PROTO, 1: SPEC), the offset in it,
 * and the message. */
static void test_parse_errors(void **state)
{
	(void)state;
	static const char port_msg[] = "expected a port, a range N-M or '*' (0 to 65535)";
	static const char v4_msg[] = "not an IPv4 address (IPv6 goes in brackets)";
	char long_addr[80], long_name[120], ok_name[120], long_path[PATH_MAX + 8];
	snprintf(long_addr, sizeof(long_addr), "%060d:80", 1);
	memset(long_name, 'n', sizeof(long_name));
	long_name[0] = '@';
	long_name[109] = '\0'; /* 108 bytes of name: one more than sun_path holds */
	memcpy(ok_name, long_name, sizeof(ok_name));
	ok_name[108] = '\0';
	memset(long_path, 'p', sizeof(long_path));
	long_path[0] = '/';
	long_path[PATH_MAX] = '\0';
	const struct {
		const char *proto, *spec;
		int which;
		size_t col;
		const char *msg;
	} cases[] = {
		{"sctp", "1.2.3.4:5", 0, 0, "expected tcp, udp or unix"},
		{"TCP", "1.2.3.4:5", 0, 0, "expected tcp, udp or unix"},
		{"", "1.2.3.4:5", 0, 0, "expected tcp, udp or unix"},
		{"tcp", "1.2.3.4", 1, 7, "expected ADDRESS:PORT"},
		{"tcp", "", 1, 0, "expected ADDRESS:PORT"},
		{"udp", "[::1]", 1, 5, "expected ADDRESS:PORT"},
		{"udp", "[::1]80", 1, 5, "expected ADDRESS:PORT"},
		{"tcp", "1.2.3.4:", 1, 8, port_msg},
		{"tcp", "1.2.3.4:65536", 1, 8, port_msg},
		{"tcp", "1.2.3.4:70000", 1, 8, port_msg},
		{"tcp", "1.2.3.4:12345678901", 1, 8, port_msg},
		{"tcp", "1.2.3.4:9-8", 1, 8, port_msg},
		{"tcp", "1.2.3.4:-5", 1, 8, port_msg},
		{"tcp", "1.2.3.4:5-", 1, 8, port_msg},
		{"tcp", "1.2.3.4:1-65536", 1, 8, port_msg},
		{"tcp", "1.2.3.4:+5", 1, 8, port_msg},
		{"tcp", "1.2.3.4:x", 1, 8, port_msg},
		{"tcp", "1.2.3.4:**", 1, 8, port_msg},
		{"tcp", "1.2.3.4:*-5", 1, 8, port_msg},
		{"tcp", "[::1]:http", 1, 6, port_msg},
		{"tcp", long_addr, 1, 0, "address too long"},
		{"tcp", "[::1:80", 1, 4, "expected ']' after an IPv6 address"},
		{"tcp", "10.0.0.0/33:1", 1, 9, "expected a prefix length from 0 to 32"},
		{"tcp", "10.0.0.0/:1", 1, 9, "expected a prefix length from 0 to 32"},
		{"tcp", "10.0.0.0/x:1", 1, 9, "expected a prefix length from 0 to 32"},
		{"tcp", "10.0.0.0/8/8:1", 1, 9, "expected a prefix length from 0 to 32"},
		{"tcp", "[fd00::/129]:1", 1, 8, "expected a prefix length from 0 to 128"},
		{"tcp", "[fd00::/-1]:1", 1, 8, "expected a prefix length from 0 to 128"},
		{"tcp", "1.2.3:80", 1, 0, v4_msg},
		{"tcp", "256.1.1.1:80", 1, 0, v4_msg},
		{"tcp", "::1:80", 1, 0, v4_msg},
		{"tcp", "localhost:80", 1, 0, v4_msg},
		{"tcp", ":80", 1, 0, v4_msg},
		{"tcp", "[1.2.3.4]:80", 1, 1, "not an IPv6 address"},
		{"tcp", "[]:80", 1, 1, "not an IPv6 address"},
		{"tcp", "[fe80::1%lo]:80", 1, 1, "not an IPv6 address"},
		{"tcp", "[::g]:80", 1, 1, "not an IPv6 address"},
		{"unix", "@", 1, 1, "expected an abstract name after '@'"},
		{"unix", long_name, 1, 1, "abstract name too long (at most 107 bytes)"},
		{"unix", "", 1, 0, "pattern must be an absolute path"},
		{"unix", "run/x.sock", 1, 0, "pattern must be an absolute path"},
		{"unix", long_path, 1, 0, "pattern is too long"},
		{"unix", "/run//x.sock", 1, 5, "empty path component ('//')"},
		{"unix", "/run/", 1, 5, "pattern must not end in '/'"},
		{"unix", "/run/../x.sock", 1, 5, "'.' and '..' are not allowed in patterns"},
		{"unix", "/run/./x.sock", 1, 5, "'.' and '..' are not allowed in patterns"},
		{"unix", "/run/x**", 1, 6, "'**' must be a whole path component"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct sbx_net_rule r;
		int which = -1;
		size_t col = 999;
		const char *msg = NULL;
		int rr = sbx_netrule_parse(SBX_NET_CONNECT, cases[i].proto, cases[i].spec, &r, &which, &col, &msg);
		if (rr != -EINVAL || which != cases[i].which || col != cases[i].col || !msg ||
		    strcmp(msg, cases[i].msg))
			fail_msg("%s '%.40s': %d at %d:%zu '%s', want -EINVAL at %d:%zu '%s'", cases[i].proto,
				 cases[i].spec, rr, which, col, msg ? msg : "(none)", cases[i].which, cases[i].col,
				 cases[i].msg);
		assert_null(r.pattern); /* nothing to free after an error */
	}
	/* The longest abstract name fits. */
	struct sbx_net_rule r;
	int which;
	size_t col;
	const char *msg;
	assert_int_equal(strlen(ok_name), 108);
	assert_int_equal(sbx_netrule_parse(SBX_NET_BIND, "unix", ok_name, &r, &which, &col, &msg), 0);
	free(r.pattern);
}

/* The place an error names in a policy file: the word's column plus the
 * offset in it. */
static void test_positions_in_policy(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"connect sctp 1.2.3.4:5\n", "n.policy:1:9: expected tcp, udp or unix"},
		{"# x\n  bind   udp 10.0.0.0/33:1\n", "n.policy:2:23: expected a prefix length from 0 to 32"},
		{"connect tcp [::1]\n", "n.policy:1:18: expected ADDRESS:PORT"},
		{"connect tcp [::1]:0-x\n", "n.policy:1:19: expected a port, a range N-M or '*' (0 to 65535)"},
		{"connect tcp [nope]:1\n", "n.policy:1:14: not an IPv6 address"},
		{"connect unix /a/**x\n", "n.policy:1:17: '**' must be a whole path component"},
		{"bind unix @\n", "n.policy:1:12: expected an abstract name after '@'"},
	};
	struct sbx_policy_env env = {.vars = {.home = "/home/u", .cwd = "/w", .user = "u"}};
	for (size_t i = 0; i < N(cases); i++) {
		struct sbx_policy p = {0};
		char *err = NULL;
		assert_int_equal(sbx_policy_parse_string(&p, cases[i].text, "n.policy", &env, &err), -EINVAL);
		assert_non_null(err);
		if (strcmp(err, cases[i].want))
			fail_msg("got  '%s'\nwant '%s'", err, cases[i].want);
		assert_int_equal(p.n_net, 0);
		free(err);
		sbx_policy_free(&p);
	}
}

/* A query: OP PROTO to ADDR (an IPv4 or IPv6 address, or NULL for unix)
 * and PORT, or to PATH (unix). */
struct query {
	const char *rule;
	const char *op, *proto;
	const char *addr;
	unsigned port;
	const char *path;
	bool abstract;
	bool want;
};

/* An inet query; a unix one (PATH, ABSTRACT). */
#define IN(rule, op, proto, addr, port, want) {rule, op, proto, addr, port, NULL, false, want}
#define UN(rule, op, path, abstract, want) {rule, op, "unix", NULL, 0, path, abstract, want}

static bool ask(const struct sbx_net_rule *r, const struct query *q, size_t len_cut)
{
	enum sbx_net_proto proto = !strcmp(q->proto, "tcp") ? SBX_NET_TCP
				   : !strcmp(q->proto, "udp") ? SBX_NET_UDP : SBX_NET_UNIX;
	struct sockaddr_storage ss = {0};
	size_t len = 0;
	if (q->addr && strchr(q->addr, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)q->port);
		assert_int_equal(inet_pton(AF_INET6, q->addr, &in6->sin6_addr), 1);
		len = sizeof(*in6);
	} else if (q->addr) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)q->port);
		assert_int_equal(inet_pton(AF_INET, q->addr, &in->sin_addr), 1);
		len = sizeof(*in);
	} else {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		un->sun_family = AF_UNIX;
		len = sizeof(*un);
	}
	return sbx_netrule_match(r, op_of(q->op), proto, (struct sockaddr *)&ss, len - len_cut, q->path,
				 q->abstract);
}

static void run_queries(const struct query *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct sbx_net_rule r;
		rule(cases[i].rule, &r);
		bool got = ask(&r, &cases[i], 0);
		if (got != cases[i].want)
			fail_msg("'%s' vs %s %s %s port %u path %s%s: got %d, want %d", cases[i].rule, cases[i].op,
				 cases[i].proto, cases[i].addr ? cases[i].addr : "-", cases[i].port,
				 cases[i].path ? cases[i].path : "-", cases[i].abstract ? " (abstract)" : "", got,
				 cases[i].want);
		free(r.pattern);
	}
}

static void test_match_inet(void **state)
{
	(void)state;
	static const struct query cases[] = {
		/* Exact address and port. */
		IN("connect tcp 127.0.0.1:8080", "connect", "tcp", "127.0.0.1", 8080, true),
		IN("connect tcp 127.0.0.1:8080", "connect", "tcp", "127.0.0.1", 8081, false),
		IN("connect tcp 127.0.0.1:8080", "connect", "tcp", "127.0.0.2", 8080, false),
		/* A prefix: inside, its edges, just outside. */
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "10.0.0.0", 1, true),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "10.255.255.255", 1024, true),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "10.1.2.3", 80, true),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "11.0.0.0", 80, false),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "9.255.255.255", 80, false),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "10.1.2.3", 0, false),
		IN("connect tcp 10.0.0.0/8:1-1024", "connect", "tcp", "10.1.2.3", 1025, false),
		IN("connect tcp 192.168.2.0/23:*", "connect", "tcp", "192.168.3.255", 1, true),
		IN("connect tcp 192.168.2.0/23:*", "connect", "tcp", "192.168.4.0", 1, false),
		IN("connect tcp 192.168.2.0/23:*", "connect", "tcp", "192.168.1.255", 1, false),
		IN("connect tcp 1.2.3.4/31:*", "connect", "tcp", "1.2.3.5", 1, true),
		IN("connect tcp 1.2.3.4/31:*", "connect", "tcp", "1.2.3.6", 1, false),
		IN("connect tcp 0.0.0.0/0:*", "connect", "tcp", "255.255.255.255", 65535, true),
		IN("connect tcp 0.0.0.0/0:*", "connect", "tcp", "::1", 1, false),
		/* IPv6 prefixes. */
		IN("connect tcp [fd00::/8]:*", "connect", "tcp", "fdff:ffff::1", 9, true),
		IN("connect tcp [fd00::/8]:*", "connect", "tcp", "fe00::", 9, false),
		IN("connect tcp [fd00::/8]:*", "connect", "tcp", "fc00::", 9, false),
		IN("connect tcp [2001:db8::/33]:1", "connect", "tcp", "2001:db8:7fff::1", 1, true),
		IN("connect tcp [2001:db8::/33]:1", "connect", "tcp", "2001:db8:8000::", 1, false),
		IN("connect tcp [::1]:80", "connect", "tcp", "::1", 80, true),
		IN("connect tcp [::1]:80", "connect", "tcp", "::2", 80, false),
		IN("connect tcp [::1]:80", "connect", "tcp", "127.0.0.1", 80, false),
		IN("connect tcp [::/0]:80", "connect", "tcp", "ffff::", 80, true),
		/* ::ffff:a.b.c.d is a.b.c.d, in the query and in the rule; the IPv6
		 * rule for everything does not take in IPv4 through it. */
		IN("connect tcp 127.0.0.1:80", "connect", "tcp", "::ffff:127.0.0.1", 80, true),
		IN("connect tcp 127.0.0.1:80", "connect", "tcp", "::ffff:127.0.0.2", 80, false),
		IN("connect tcp 127.0.0.0/8:80", "connect", "tcp", "::ffff:127.9.9.9", 80, true),
		IN("connect tcp [::ffff:127.0.0.1]:80", "connect", "tcp", "127.0.0.1", 80, true),
		IN("connect tcp [::ffff:127.0.0.1]:80", "connect", "tcp", "::ffff:127.0.0.1", 80, true),
		IN("connect tcp [::ffff:127.0.0.1]:80", "connect", "tcp", "127.0.0.2", 80, false),
		IN("connect tcp [::/0]:80", "connect", "tcp", "::ffff:127.0.0.1", 80, false),
		IN("connect tcp [::127.0.0.1]:80", "connect", "tcp", "127.0.0.1", 80, false),
		/* any: either family, ports still count. */
		IN("connect tcp any:443", "connect", "tcp", "8.8.8.8", 443, true),
		IN("connect tcp any:443", "connect", "tcp", "2001:db8::1", 443, true),
		IN("connect tcp any:443", "connect", "tcp", "8.8.8.8", 444, false),
		IN("connect tcp *:*", "connect", "tcp", "8.8.8.8", 0, true),
		/* Port range edges. */
		IN("connect udp 1.1.1.1:53-54", "connect", "udp", "1.1.1.1", 52, false),
		IN("connect udp 1.1.1.1:53-54", "connect", "udp", "1.1.1.1", 53, true),
		IN("connect udp 1.1.1.1:53-54", "connect", "udp", "1.1.1.1", 54, true),
		IN("connect udp 1.1.1.1:53-54", "connect", "udp", "1.1.1.1", 55, false),
		IN("connect udp 1.1.1.1:65535", "connect", "udp", "1.1.1.1", 65535, true),
		IN("connect udp 1.1.1.1:0", "connect", "udp", "1.1.1.1", 0, true),
		/* Protocol and operation are part of the rule. */
		IN("connect udp 1.1.1.1:53", "connect", "tcp", "1.1.1.1", 53, false),
		IN("connect tcp 1.1.1.1:53", "connect", "udp", "1.1.1.1", 53, false),
		IN("connect tcp 1.1.1.1:53", "bind", "tcp", "1.1.1.1", 53, false),
		IN("bind tcp 127.0.0.1:0", "bind", "tcp", "127.0.0.1", 0, true),
		IN("bind tcp 127.0.0.1:0", "bind", "tcp", "127.0.0.1", 80, false),
		IN("bind tcp 127.0.0.1:0", "connect", "tcp", "127.0.0.1", 0, false),
		IN("bind udp any:*", "bind", "udp", "::", 5353, true),
		IN("bind udp any:*", "bind", "tcp", "::", 5353, false),
		/* An inet rule never matches a unix query. */
		UN("connect tcp any:*", "connect", "/run/x.sock", false, false),
	};
	run_queries(cases, N(cases));
}

static void test_match_unix(void **state)
{
	(void)state;
	static const struct query cases[] = {
		UN("connect unix /run/x.sock", "connect", "/run/x.sock", false, true),
		UN("connect unix /run/x.sock", "connect", "/run/x.sockx", false, false),
		UN("connect unix /run/x.sock", "connect", "/run/x.soc", false, false),
		UN("connect unix /run/x.sock", "connect", "/run/y/x.sock", false, false),
		UN("connect unix /run/x.sock", "connect", NULL, false, false),
		UN("connect unix /run/x.sock", "bind", "/run/x.sock", false, false),
		IN("connect unix /run/x.sock", "connect", "tcp", "127.0.0.1", 0, false),
		/* A path rule is not an abstract one, nor the other way round. */
		UN("connect unix /run/x.sock", "connect", "run/x.sock", true, false),
		UN("connect unix @run/x.sock", "connect", "/run/x.sock", false, false),
		/* Patterns: '*' within a component, '**' across. */
		UN("connect unix /run/user/*/bus", "connect", "/run/user/1000/bus", false, true),
		UN("connect unix /run/user/*/bus", "connect", "/run/user/1/2/bus", false, false),
		UN("bind unix /tmp/**", "bind", "/tmp/a/b/c.sock", false, true),
		UN("bind unix /tmp/**", "bind", "/tmpx/c.sock", false, false),
		UN("bind unix /tmp/*.sock", "bind", "/tmp/a.sock", false, true),
		UN("bind unix /tmp/*.sock", "bind", "/tmp/a.socket", false, false),
		/* Abstract names: exact, and '*' patterns. */
		UN("connect unix @sbx-echo", "connect", "sbx-echo", true, true),
		UN("connect unix @sbx-echo", "connect", "sbx-echo2", true, false),
		UN("connect unix @sbx-echo", "connect", "sbx-ech", true, false),
		UN("connect unix @sbx-*", "connect", "sbx-anything", true, true),
		UN("connect unix @sbx-*", "connect", "sbx-", true, true),
		UN("connect unix @sbx-*", "connect", "other", true, false),
		UN("connect unix @sbx-*", "connect", "sbx-a/b", true, false),
		UN("connect unix @sbx-*", "bind", "sbx-a", true, false),
		UN("bind unix @sbx-*", "bind", "sbx-a", true, true),
	};
	run_queries(cases, N(cases));
}

/* Addresses shorter than the family's: refused, except the IPv6 length of
 * RFC 2133 (without sin6_scope_id), which the kernel takes too. A family
 * the rules do not know matches nothing. */
static void test_match_lengths(void **state)
{
	(void)state;
	static const struct query v4 = IN("connect tcp any:*", "connect", "tcp", "1.2.3.4", 80, true);
	static const struct query v6 = IN("connect tcp any:*", "connect", "tcp", "::1", 80, true);
	struct sbx_net_rule r;
	rule(v4.rule, &r);
	assert_true(ask(&r, &v4, 0));
	assert_false(ask(&r, &v4, 1));
	assert_false(ask(&r, &v4, sizeof(struct sockaddr_in)));
	assert_true(ask(&r, &v6, 0));
	assert_true(ask(&r, &v6, sizeof(struct sockaddr_in6) - offsetof(struct sockaddr_in6, sin6_scope_id)));
	assert_false(ask(&r, &v6, sizeof(struct sockaddr_in6) - offsetof(struct sockaddr_in6, sin6_scope_id) + 1));
	struct sockaddr_storage ss = {.ss_family = AF_PACKET};
	assert_false(sbx_netrule_match(&r, SBX_NET_CONNECT, SBX_NET_TCP, (struct sockaddr *)&ss, sizeof(ss), NULL,
				       false));
	free(r.pattern);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_positions_in_policy),
		cmocka_unit_test(test_match_inet),
		cmocka_unit_test(test_match_unix),
		cmocka_unit_test(test_match_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
