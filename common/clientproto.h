/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client library's protocol: requests an app sends to the broker over
 * the socket named by $SBX_BROKER_FD, each with a fresh reply socket
 * (SCM_RIGHTS); the answer comes on that reply socket, with the opened fd
 * for an open and the socket for a connect. A request may ask the broker
 * to keep its reply socket as the sending thread's connection
 * (SBX_CLIENT_KEEP); if the answer says so (SBX_CLIENT_MAGIC_KEPT), the
 * thread's later requests go on it, without an fd, and are answered on
 * it. Fixed-size, bounded messages. */
#ifndef SBX_CLIENTPROTO_H
#define SBX_CLIENTPROTO_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define SBX_CLIENT_MAGIC 0x53425843u /* "SBXC" */
/* A reply's magic when the broker keeps the request's reply socket as the
 * calling thread's connection: its next requests go there, no fd with
 * them, and are answered there. */
#define SBX_CLIENT_MAGIC_KEPT 0x5342584bu /* "SBXK" */
/* In a request's op: keep this reply socket as my connection, if you may. */
#define SBX_CLIENT_KEEP 0x80000000u

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
	SBX_CLIENT_CONNECT,
	SBX_CLIENT_OP_MAX,
};

/* A connect's answer when the policy has "loopback private" and the peer
 * is a loopback address: the sandbox's own, which the caller reaches
 * itself, in its own network namespace. */
#define SBX_CLIENT_CONNECT_LOCAL 1

struct sbx_client_req {
	uint32_t magic;
	uint32_t op;
	int32_t flags;          /* open flags; access mode; connect's socket type */
	union {
		uint32_t mode;      /* open's and mkdir's mode */
		uint32_t addrlen;   /* connect's address length */
	};
	char path[PATH_MAX];    /* absolute, NUL-terminated; connect: empty */
	union {
		char path2[PATH_MAX];           /* rename's new name */
		struct sockaddr_storage addr;   /* connect's peer, addrlen bytes */
	};
};

struct sbx_client_reply {
	uint32_t magic;
	int32_t result;         /* 0, a length (readlink), or a negative errno */
	struct stat st;         /* stat, lstat */
	char text[PATH_MAX];    /* readlink */
};

/* Check a received request of LEN bytes: known op, absolute NUL-terminated
 * paths (path2 only for rename); a connect's type and address as
 * sbx_client_connect_check says, and an empty path. Returns 0 or -EBADMSG. */
int sbx_client_decode(const void *buf, size_t len, struct sbx_client_req *out);

/* Is TYPE (SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET, with SOCK_NONBLOCK
 * and SOCK_CLOEXEC) and ADDR of LEN bytes a connect the protocol carries:
 * AF_INET or AF_INET6 of at least their sockaddr's length, or AF_UNIX with
 * a name, none longer than a sockaddr_storage? 0, -EINVAL (type, length)
 * or -EAFNOSUPPORT (family). The library checks before it asks, the broker
 * when it receives. */
static inline int sbx_client_connect_check(int type, const void *addr, size_t len)
{
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	sa_family_t family;
	if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_SEQPACKET)
		return -EINVAL;
	if (len < sizeof(family) || len > sizeof(struct sockaddr_storage))
		return -EINVAL;
	memcpy(&family, addr, sizeof(family));
	switch (family) {
	case AF_INET:
		return len >= sizeof(struct sockaddr_in) ? 0 : -EINVAL;
	case AF_INET6:
		return len >= sizeof(struct sockaddr_in6) ? 0 : -EINVAL;
	case AF_UNIX:
		return len > offsetof(struct sockaddr_un, sun_path) && len <= sizeof(struct sockaddr_un)
			       ? 0 : -EINVAL;
	default:
		return -EAFNOSUPPORT;
	}
}

#endif
