/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netrule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "pattern.h"

const char *sbx_net_proto_name(enum sbx_net_proto p)
{
	return p == SBX_NET_TCP ? "tcp" : p == SBX_NET_UDP ? "udp" : "unix";
}

const char *sbx_net_op_name(enum sbx_net_op op)
{
	return op == SBX_NET_CONNECT ? "connect" : "bind";
}

static int fail(int *which, size_t *col, const char **msg, int w, size_t c, const char *m)
{
	*which = w;
	*col = c;
	*msg = m;
	return -EINVAL;
}

/* A decimal number from S up to END, at most MAX. */
static bool number(const char *s, const char *end, unsigned long max, unsigned long *out)
{
	if (s == end || end - s > 10)
		return false;
	unsigned long v = 0;
	for (const char *p = s; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

static void clear_host_bits(uint8_t *a, size_t bytes, unsigned prefix)
{
	for (size_t i = 0; i < bytes; i++) {
		unsigned bits = prefix > i * 8 ? prefix - (unsigned)i * 8 : 0;
		if (bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static int parse_inet(const char *spec, struct sbx_net_rule *r, int *which, size_t *col,
		      const char **msg)
{
	/* An IPv6 address holds colons: its port follows the ']'. Without a
	 * ']' the address is reported below, where it lacks one. */
	const char *colon = NULL, *rb = spec[0] == '[' ? strchr(spec, ']') : NULL;
	if (rb && rb[1] != ':')
		return fail(which, col, msg, 1, (size_t)(rb + 1 - spec), "expected ADDRESS:PORT");
	colon = rb ? rb + 1 : strrchr(spec, ':');
	if (!colon)
		return fail(which, col, msg, 1, strlen(spec), "expected ADDRESS:PORT");
	/* The port or port range. */
	const char *ps = colon + 1, *dash = strchr(ps, '-');
	unsigned long lo, hi;
	if (!strcmp(ps, "*")) {
		lo = 0;
		hi = 65535;
	} else if (dash ? !number(ps, dash, 65535, &lo) || !number(dash + 1, ps + strlen(ps), 65535, &hi) || lo > hi
			: !number(ps, ps + strlen(ps), 65535, &lo)) {
		return fail(which, col, msg, 1, (size_t)(ps - spec),
			    "expected a port, a range N-M or '*' (0 to 65535)");
	} else if (!dash) {
		hi = lo;
	}
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	/* The address, with an optional /PREFIX. */
	char a[INET6_ADDRSTRLEN + 8];
	size_t al = (size_t)(colon - spec), off = 0;
	if (al >= sizeof(a))
		return fail(which, col, msg, 1, 0, "address too long");
	memcpy(a, spec, al);
	a[al] = '\0';
	if (!strcmp(a, "any") || !strcmp(a, "*")) {
		r->family = AF_UNSPEC;
		r->prefix = 0;
		return 0;
	}
	bool v6 = a[0] == '[';
	if (v6) {
		if (al < 2 || a[al - 1] != ']')
			return fail(which, col, msg, 1, al, "expected ']' after an IPv6 address");
		a[al - 1] = '\0';
		off = 1;
	}
	char *slash = strchr(a + off, '/');
	unsigned long prefix = v6 ? 128 : 32;
	if (slash) {
		*slash = '\0';
		if (!number(slash + 1, slash + 1 + strlen(slash + 1), v6 ? 128 : 32, &prefix))
			return fail(which, col, msg, 1, (size_t)(slash + 1 - a),
				    v6 ? "expected a prefix length from 0 to 128" : "expected a prefix length from 0 to 32");
	}
	r->family = v6 ? AF_INET6 : AF_INET;
	r->prefix = (unsigned)prefix;
	if (inet_pton(r->family, a + off, r->addr) != 1)
		return fail(which, col, msg, 1, off, v6 ? "not an IPv6 address" : "not an IPv4 address (IPv6 goes in brackets)");
	/* Addresses are matched with ::ffff:a.b.c.d as a.b.c.d (the kernel
	 * connects those over IPv4), so a rule within ::ffff:0:0/96 is kept
	 * as the IPv4 rule it means; as IPv6 it could never match. */
	if (v6 && r->prefix >= 96 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)r->addr)) {
		memmove(r->addr, r->addr + 12, 4);
		memset(r->addr + 4, 0, 12);
		r->family = AF_INET;
		r->prefix -= 96;
		v6 = false;
	}
	clear_host_bits(r->addr, v6 ? 16 : 4, r->prefix);
	return 0;
}

int sbx_netrule_parse(enum sbx_net_op op, const char *proto, const char *spec,
		      struct sbx_net_rule *r, int *which, size_t *col, const char **msg)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	if (!strcmp(proto, "tcp"))
		r->proto = SBX_NET_TCP;
	else if (!strcmp(proto, "udp"))
		r->proto = SBX_NET_UDP;
	else if (!strcmp(proto, "unix"))
		r->proto = SBX_NET_UNIX;
	else
		return fail(which, col, msg, 0, 0, "expected tcp, udp or unix");
	if (r->proto != SBX_NET_UNIX)
		return parse_inet(spec, r, which, col, msg);
	r->family = AF_UNIX;
	char pat[PATH_MAX];
	r->abstract = spec[0] == '@';
	if (r->abstract) {
		/* Abstract names match like a path component run: "/" + name. */
		if (!spec[1])
			return fail(which, col, msg, 1, 1, "expected an abstract name after '@'");
		/* sun_path holds the leading NUL and the name. */
		if (strlen(spec) > sizeof(((struct sockaddr_un *)0)->sun_path))
			return fail(which, col, msg, 1, 1, "abstract name too long (at most 107 bytes)");
		snprintf(pat, sizeof(pat), "/%s", spec + 1);
	} else {
		size_t c = 0;
		const char *m = NULL;
		if (sbx_pattern_validate(spec, &c, &m) < 0)
			return fail(which, col, msg, 1, c, m);
		snprintf(pat, sizeof(pat), "%s", spec);
	}
	r->pattern = strdup(pat);
	return r->pattern ? 0 : -ENOMEM;
}

static bool prefix_match(const uint8_t *net, const uint8_t *a, unsigned prefix)
{
	size_t full = prefix / 8;
	if (memcmp(net, a, full))
		return false;
	unsigned rest = prefix % 8;
	return !rest || ((net[full] ^ a[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

bool sbx_netrule_match(const struct sbx_net_rule *r, enum sbx_net_op op, enum sbx_net_proto proto,
		       const struct sockaddr *addr, size_t len, const char *path, bool abstract)
{
	if (r->op != op || r->proto != proto)
		return false;
	if (proto == SBX_NET_UNIX) {
		char name[PATH_MAX + 1];
		if (!path || r->abstract != abstract)
			return false;
		if (!abstract)
			return sbx_pattern_match(r->pattern, path);
		snprintf(name, sizeof(name), "/%s", path);
		return sbx_pattern_match(r->pattern, name);
	}
	uint8_t a[16];
	uint16_t port;
	int fam = addr->sa_family;
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		memcpy(a, &in->sin_addr, 4);
		port = ntohs(in->sin_port);
	} else if (fam == AF_INET6 && len >= offsetof(struct sockaddr_in6, sin6_scope_id)) {
		/* The kernel takes the RFC 2133 length, without sin6_scope_id. */
		const struct sockaddr_in6 *in6 = (const void *)addr;
		port = ntohs(in6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			fam = AF_INET; /* ::ffff:a.b.c.d is a.b.c.d */
			memcpy(a, &in6->sin6_addr.s6_addr[12], 4);
		} else {
			memcpy(a, &in6->sin6_addr, 16);
		}
	} else {
		return false;
	}
	if (port < r->port_lo || port > r->port_hi)
		return false;
	if (r->family == AF_UNSPEC)
		return true;
	return r->family == fam && prefix_match(r->addr, a, r->prefix);
}
