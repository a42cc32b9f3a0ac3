/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a client-library request as the broker receives it
 * (sbx_client_decode), then decided against a policy as the broker does.
 * The input is the request's body, not its frame: the harness builds a
 * well-framed message of exactly the protocol's size around it, so every
 * input gets past the size and magic checks unless it asks not to:
 *   byte 0      op (any value: unknown ones must be refused)
 *   byte 1      framing: bit 0 path left without a NUL, bit 1 the same for
 *               path2, bit 2 one byte short, bit 3 one byte long, bit 4 a
 *               wrong magic
 *   bytes 2-5   flags (little-endian), 6-9 mode or address length
 *   the rest    path, up to the first NUL; after it path2 or the address
 * Accepted requests must be well formed; nothing may crash.
 * Built by tests/fuzz.sh with libFuzzer, or with smoke.c (meson). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientproto.h"
#include "fuzz.h"
#include "policy.h"

const size_t sbx_fuzz_max_len = 10 + 2 * PATH_MAX + 2;

/* A connect: no path; a stream, datagram or seqpacket socket; an inet,
 * inet6 or named unix address of a length the family takes. */
static int connect_accepted(const struct sbx_client_req *r)
{
	int type = r->flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	size_t len = r->addrlen;
	if (r->path[0] != '\0' || len > sizeof(r->addr))
		return 0;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return 0;
	switch (r->addr.ss_family) {
	case AF_INET:
		return len >= 16;
	case AF_INET6:
		return len >= 28;
	case AF_UNIX:
		return len > 2 && len <= 110;
	default:
		return 0;
	}
}

static int check_accepted(const struct sbx_client_req *r)
{
	if (r->magic != SBX_CLIENT_MAGIC || r->op == 0 || r->op >= SBX_CLIENT_OP_MAX)
		return 0;
	if (r->op == SBX_CLIENT_CONNECT)
		return connect_accepted(r);
	if (!memchr(r->path, '\0', sizeof(r->path)) || r->path[0] != '/')
		return 0;
	if (!memchr(r->path2, '\0', sizeof(r->path2)))
		return 0;
	if (r->op == SBX_CLIENT_RENAME ? r->path2[0] != '/' : r->path2[0] != '\0')
		return 0;
	return 1;
}

static const char policy_text[] =
	"read /usr/**\n"
	"write /tmp/box/**\n"
	"exec /usr/bin/*\n"
	"stat /\n"
	"deny /usr/secret/**\n"
	"deny /tmp/box/*.key\n"
	"connect tcp 127.0.0.1:8080\n"
	"connect udp 10.0.0.0/8:53\n"
	"connect tcp [fd00::/8]:1-1024\n"
	"connect unix /run/x.sock\n"
	"connect unix @sbx-*\n";

static struct sbx_policy policy;

static void decide(const struct sbx_client_req *r)
{
	if (r->op != SBX_CLIENT_CONNECT) {
		unsigned p = sbx_policy_check(&policy, r->path);
		/* deny wins: nothing beneath /usr/secret is granted. */
		if (!strncmp(r->path, "/usr/secret/", 12) && p)
			abort();
		if (r->op == SBX_CLIENT_RENAME)
			(void)sbx_policy_check(&policy, r->path2);
		(void)sbx_policy_specific_below(&policy, r->path);
		return;
	}
	int type = r->flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	enum sbx_net_proto proto = type == SOCK_DGRAM ? SBX_NET_UDP : SBX_NET_TCP;
	if (r->addr.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)&r->addr;
		size_t n = r->addrlen - offsetof(struct sockaddr_un, sun_path);
		char name[sizeof(un->sun_path) + 1];
		bool abstract = un->sun_path[0] == '\0';
		memcpy(name, un->sun_path + abstract, n - abstract);
		name[n - abstract] = '\0';
		(void)sbx_policy_net_check(&policy, SBX_NET_CONNECT, SBX_NET_UNIX, NULL, 0, name, abstract);
		return;
	}
	(void)sbx_policy_net_check(&policy, SBX_NET_CONNECT, proto, (const struct sockaddr *)&r->addr,
				   r->addrlen, NULL, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbx_client_req msg, out;
	static unsigned char frame[sizeof(msg) + 1];
	static bool ready;
	if (!ready) {
		static const struct sbx_policy_env env = {0};
		char *err = NULL;
		if (sbx_policy_parse_string(&policy, policy_text, "fuzz.policy", &env, &err) < 0) {
			fprintf(stderr, "fuzz: the policy: %s\n", err);
			abort();
		}
		ready = true;
	}
	/* The raw form too: whatever arrives, of whatever size. */
	int raw = sbx_client_decode(data, size, &out);
	if (raw == 0 ? size != sizeof(out) || !check_accepted(&out) : raw != -EBADMSG)
		abort();
	if (size < 10)
		return 0;
	memset(&msg, 0, sizeof(msg));
	uint8_t framing = data[1];
	msg.magic = framing & 16 ? SBX_CLIENT_MAGIC ^ 1 : SBX_CLIENT_MAGIC;
	msg.op = data[0];
	memcpy(&msg.flags, data + 2, 4);
	memcpy(&msg.mode, data + 6, 4);
	const uint8_t *body = data + 10, *end = data + size;
	const uint8_t *nul = memchr(body, '\0', (size_t)(end - body));
	size_t pl = (size_t)((nul ? nul : end) - body);
	if (pl > sizeof(msg.path) - 1)
		pl = sizeof(msg.path) - 1;
	memcpy(msg.path, body, pl);
	if (framing & 1)
		memset(msg.path + pl, 'a', sizeof(msg.path) - pl);
	const uint8_t *rest = nul ? nul + 1 : end;
	size_t rl = (size_t)(end - rest);
	if (rl > sizeof(msg.path2))
		rl = sizeof(msg.path2);
	memcpy(msg.path2, rest, rl);
	if (framing & 2)
		memset(msg.path2 + rl, 'b', sizeof(msg.path2) - rl);
	size_t len = sizeof(msg);
	if (framing & 4)
		len--;
	else if (framing & 8)
		len++;
	memcpy(frame, &msg, sizeof(msg));
	frame[sizeof(msg)] = 'x';
	int r = sbx_client_decode(frame, len, &out);
	if (r != 0 && r != -EBADMSG)
		abort();
	if (r == 0) {
		if (!check_accepted(&out) || len != sizeof(msg) || (framing & 16))
			abort();
		decide(&out);
	}
	return 0;
}
