/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The program's sockets as the network handlers see them (sockets.c): a
 * copy of one, whether it is a host socket the broker handed over, and the
 * host sockets made in their place. */
#ifndef SBX_SOCKETS_H
#define SBX_SOCKETS_H

#include <stdbool.h>
#include <sys/socket.h>

#include "netrule.h"
#include "request.h"

/* The program's socket, as we see it. */
struct sock {
	int fd;          /* our duplicate of it (pidfd_getfd) */
	int domain, type, protocol;
	int flags;       /* O_NONBLOCK of the open file */
	bool cloexec;    /* of the program's fd */
	bool is_host;    /* one we handed over */
	enum sbx_net_proto proto;
};

enum sbx_net_proto sock_proto(int domain, int type);
/* A copy of the program's fd PFD as a socket: 0, -ENOTSOCK, -EBADF, or
 * another negative errno. */
int sock_get(struct broker *b, const struct request *f, int pfd, struct sock *s);
/* A host socket like S, with the options of the program's (if any). */
int sock_host(const struct sock *s);
/* HFD goes to the program: remember it as one of ours. */
void sock_handed(struct broker *b, int hfd);
/* Put HFD in place of the program's fd PFD, remembered as one of ours. */
int sock_swap_in(struct broker *b, const struct request *f, int pfd, int hfd, bool cloexec);
/* Refuse F's use of a socket like S with PEER, said in a line. */
int sock_refuse(struct broker *b, const struct request *f, const struct sock *s, const char *peer);
/* S may OP (F's call) to SA (LEN bytes) or the unix UNIX_PATH (ABSTRACT):
 * a line in the audit log with --log-allowed. */
void sock_allowed(struct broker *b, const struct request *f, const struct sock *s, enum sbx_net_op op,
		  const struct sockaddr *sa, size_t len, const char *unix_path, bool abstract);
/* SA for messages: "1.2.3.4:80", "[::1]:80", "family N". */
void sock_describe(const struct sockaddr *sa, char *out, size_t size);
bool sock_is_loopback(const struct sockaddr *sa);

/* netsend.c: a send on S, the copy of the program's socket (whose fd may be
 * replaced by that of a host socket swapped in for it). */
int64_t netsend(struct broker *b, struct request *f, struct sock *s);

#endif
