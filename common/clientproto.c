/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clientproto.h"

#include <errno.h>
#include <string.h>

static int check_path(const char *p, size_t size, bool need)
{
	const char *z = memchr(p, '\0', size);
	if (!z)
		return -EBADMSG;
	if (!need)
		return z == p ? 0 : -EBADMSG;
	return p[0] == '/' ? 0 : -EBADMSG;
}

int sbx_client_decode(const void *buf, size_t len, struct sbx_client_req *out)
{
	if (len != sizeof(*out))
		return -EBADMSG;
	memcpy(out, buf, sizeof(*out));
	if (out->magic != SBX_CLIENT_MAGIC || out->op == 0 || out->op >= SBX_CLIENT_OP_MAX)
		return -EBADMSG;
	if (out->op == SBX_CLIENT_CONNECT) { /* no path; the address in path2's place */
		if (check_path(out->path, sizeof(out->path), false) < 0 ||
		    sbx_client_connect_check(out->flags, &out->addr, out->addrlen) < 0)
			return -EBADMSG;
		return 0;
	}
	if (check_path(out->path, sizeof(out->path), true) < 0 ||
	    check_path(out->path2, sizeof(out->path2), out->op == SBX_CLIENT_RENAME) < 0)
		return -EBADMSG;
	return 0;
}
