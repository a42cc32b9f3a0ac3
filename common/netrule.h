/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network rules: which peers a program may connect to or send to, and
 * which addresses it may bind.
 *   connect tcp 127.0.0.1:8080
 *   connect udp 127.0.0.53:53
 *   connect tcp 10.0.0.0/8:1-1024
 *   connect tcp [::1]:80          IPv6 in brackets, [fd00::/8]:* ranges
 *   connect tcp any:443           any address of either family
 *   bind tcp 127.0.0.1:0          port 0: the kernel picks one
 *   connect unix /run/x.sock      a path pattern, matched on the real path
 *   connect unix @name            an abstract name (pattern with '*')
 * Ports: N, N-M, or '*'. */
#ifndef SBX_NETRULE_H
#define SBX_NETRULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum sbx_net_op { SBX_NET_CONNECT, SBX_NET_BIND };
enum sbx_net_proto { SBX_NET_TCP, SBX_NET_UDP, SBX_NET_UNIX };

struct sbx_net_rule {
	enum sbx_net_op op;
	enum sbx_net_proto proto;
	int family;          /* AF_INET, AF_INET6, AF_UNSPEC (any), AF_UNIX */
	uint8_t addr[16];    /* network address, host bits cleared */
	unsigned prefix;     /* prefix length in bits */
	uint16_t port_lo, port_hi;
	bool abstract;       /* unix: an abstract name */
	char *pattern;       /* unix: path or name pattern */
	char *origin;        /* "file:line" for messages */
};

/* Parse PROTO and SPEC into R (which owns R->pattern afterwards). Returns 0,
 * or -EINVAL with *WHICH (0: PROTO, 1: SPEC), *COL (offset in it) and *MSG. */
int sbx_netrule_parse(enum sbx_net_op op, const char *proto, const char *spec,
		      struct sbx_net_rule *r, int *which, size_t *col, const char **msg);

/* Does R allow OP of PROTO to ADDR? For AF_UNIX, PATH is the socket's
 * canonical path (or the abstract name without its leading NUL, with
 * ABSTRACT set). */
bool sbx_netrule_match(const struct sbx_net_rule *r, enum sbx_net_op op, enum sbx_net_proto proto,
		       const struct sockaddr *addr, size_t len, const char *path, bool abstract);

/* "tcp", "udp", "unix"; "connect", "bind". */
const char *sbx_net_proto_name(enum sbx_net_proto p);
const char *sbx_net_op_name(enum sbx_net_op op);

#endif
