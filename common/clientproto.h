/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client library's protocol: requests an app sends to the broker over
 * the socket named by $SBX_BROKER_FD, each with a fresh reply socket
 * (SCM_RIGHTS); the answer comes on that reply socket, with the opened fd
 * for an open. Fixed-size, bounded messages. */
#ifndef SBX_CLIENTPROTO_H
#define SBX_CLIENTPROTO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#define SBX_CLIENT_MAGIC 0x53425843u /* "SBXC" */

enum sbx_client_op {
	SBX_CLIENT_OPEN = 1,
	SBX_CLIENT_STAT,
	SBX_CLIENT_LSTAT,
	SBX_CLIENT_ACCESS,
	SBX_CLIENT_READLINK,
	SBX_CLIENT_MKDIR,
	SBX_CLIENT_UNLINK,
	SBX_CLIENT_RMDIR,
	SBX_CLIENT_RENAME,
	SBX_CLIENT_OP_MAX,
};

struct sbx_client_req {
	uint32_t magic;
	uint32_t op;
	int32_t flags;          /* open flags; access mode */
	uint32_t mode;          /* open's and mkdir's mode */
	char path[PATH_MAX];    /* absolute, NUL-terminated */
	char path2[PATH_MAX];   /* rename's new name */
};

struct sbx_client_reply {
	uint32_t magic;
	int32_t result;         /* 0, a length (readlink), or a negative errno */
	struct stat st;         /* stat, lstat */
	char text[PATH_MAX];    /* readlink */
};

/* Check a received request of LEN bytes: known op, absolute NUL-terminated
 * paths (path2 only for rename). Returns 0 or -EBADMSG. */
int sbx_client_decode(const void *buf, size_t len, struct sbx_client_req *out);

#endif
