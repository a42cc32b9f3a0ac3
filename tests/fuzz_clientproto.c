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

static int check_accepted(const struct sbx_client_req *r)
{
	if (r->magic != SBX_CLIENT_MAGIC || r->op == 0 || r->op >= SBX_CLIENT_OP_MAX)
		return 0;
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
int main(void)
{
	static struct sbx_client_req good;
	static unsigned char buf[sizeof(good) + 64];
	unsigned long accepted = 0, runs = 0;
	srand(12345);
	good.magic = SBX_CLIENT_MAGIC;
	good.op = SBX_CLIENT_OPEN;
	strcpy(good.path, "/etc/hostname");
	for (int i = 0; i < 20000; i++, runs++) {
		/* Random sizes and bytes. */
		size_t n = (size_t)rand() % sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = (unsigned char)rand();
		LLVMFuzzerTestOneInput(buf, n);
		/* A valid request with a few bytes changed. */
		memcpy(buf, &good, sizeof(good));
		for (int k = rand() % 4; k > 0; k--) {
			size_t at = (size_t)rand() % 16;
			buf[at < 12 ? at : offsetof(struct sbx_client_req, path) + (size_t)rand() % 32] =
				(unsigned char)rand();
		}
		if (rand() % 8 == 0)
			memset(buf + offsetof(struct sbx_client_req, path), 'A', PATH_MAX); /* no NUL */
		if (sbx_client_decode(buf, sizeof(good), &good) == 0)
			accepted++;
		LLVMFuzzerTestOneInput(buf, sizeof(good));
		good.magic = SBX_CLIENT_MAGIC;
		good.op = SBX_CLIENT_OPEN;
		strcpy(good.path, "/etc/hostname");
		memset(good.path2, 0, sizeof(good.path2));
	}
	if (sbx_client_decode(&good, sizeof(good), &good) != 0 || sbx_client_decode(&good, 10, &good) != -EBADMSG) {
		fprintf(stderr, "the good request is refused, or a short one accepted\n");
		return 1;
	}
	printf("[  PASSED  ] 1 test(s).\n%lu inputs, %lu mutated requests accepted, no crash\n", runs * 2, accepted);
	return 0;
}
#endif
