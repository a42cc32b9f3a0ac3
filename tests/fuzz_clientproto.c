/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for the client library's request decoder.
 *   libFuzzer: clang -fsanitize=fuzzer,address -Icommon tests/fuzz_clientproto.c common/clientproto.c
 * Built without -DSBX_LIBFUZZER (as meson does), main() feeds it random
 * inputs and mutations of a valid request, checking that whatever it
 * accepts is well formed: a smoke run for every test run. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientproto.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sbx_client_req out;
	int r = sbx_client_decode(data, size, &out);
	if (r == 0 && !check_accepted(&out))
		abort();
	if (r != 0 && r != -EBADMSG)
		abort();
	return 0;
}

#ifndef SBX_LIBFUZZER
/* A valid request: an open, or a connect to an address of FAMILY. */
static void valid(struct sbx_client_req *r, int which)
{
	memset(r, 0, sizeof(*r));
	r->magic = SBX_CLIENT_MAGIC;
	if (which == 0) {
		r->op = SBX_CLIENT_OPEN;
		strcpy(r->path, "/etc/hostname");
		return;
	}
	static const int families[] = {AF_INET, AF_INET6, AF_UNIX};
	static const unsigned lens[] = {16, 28, 2 + sizeof("/run/x.sock")};
	r->op = SBX_CLIENT_CONNECT;
	r->flags = SOCK_STREAM | SOCK_CLOEXEC;
	r->addr.ss_family = (sa_family_t)families[which - 1];
	r->addrlen = lens[which - 1];
	if (which == 3)
		strcpy(((struct sockaddr_un *)&r->addr)->sun_path, "/run/x.sock");
}

int main(void)
{
	static struct sbx_client_req good;
	static unsigned char buf[sizeof(good) + 64];
	unsigned long accepted = 0, runs = 0;
	const size_t addr_at = offsetof(struct sbx_client_req, addr);
	srand(12345);
	for (int i = 0; i < 20000; i++, runs++) {
		/* Random sizes and bytes. */
		size_t n = (size_t)rand() % sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = (unsigned char)rand();
		LLVMFuzzerTestOneInput(buf, n);
		/* A valid request with a few bytes changed: the header (op,
		 * flags, mode or address length), the path, the address. */
		int which = rand() % 4;
		valid(&good, which);
		if (sbx_client_decode(&good, sizeof(good), &good) != 0) {
			fprintf(stderr, "valid request %d refused\n", which);
			return 1;
		}
		memcpy(buf, &good, sizeof(good));
		for (int k = rand() % 4; k > 0; k--) {
			size_t at = (size_t)rand() % 16;
			if (rand() % 2)
				at = rand() % 2 ? offsetof(struct sbx_client_req, path) + (size_t)rand() % 32
						: addr_at + (size_t)rand() % sizeof(good.addr);
			buf[at] = (unsigned char)rand();
		}
		if (rand() % 8 == 0)
			memset(buf + offsetof(struct sbx_client_req, path), 'A', PATH_MAX); /* no NUL */
		if (sbx_client_decode(buf, sizeof(good), &good) == 0)
			accepted++;
		LLVMFuzzerTestOneInput(buf, sizeof(good));
	}
	valid(&good, 0);
	if (sbx_client_decode(&good, sizeof(good), &good) != 0 || sbx_client_decode(&good, 10, &good) != -EBADMSG) {
		fprintf(stderr, "the good request is refused, or a short one accepted\n");
		return 1;
	}
	printf("[  PASSED  ] 1 test(s).\n%lu inputs, %lu mutated requests accepted, no crash\n", runs * 2, accepted);
	return 0;
}
#endif
