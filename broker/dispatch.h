/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall table (syscalls.c): one row per syscall the broker serves,
 * saying which arguments are what and which handler serves it. The filter's
 * list of notified syscalls is made from it (filter.c), and the dispatcher
 * (dispatch.c) decodes and serves each notification by it, so the two can
 * never disagree. */
#ifndef SBX_DISPATCH_H
#define SBX_DISPATCH_H

#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "clientproto.h"
#include "handlers.h"

/* The roles of a syscall's arguments. */
enum arg_role {
	ARG_DIRFD, ARG_PATH, ARG_DIRFD2, ARG_PATH2, ARG_OFLAGS, ARG_ATFLAGS, ARG_MODE, ARG_DEV,
	ARG_UID, ARG_GID, ARG_LENGTH, ARG_AMODE, ARG_MASK, ARG_BUF, ARG_BUFSIZ, ARG_NAME, ARG_FD,
	ARG_ROLES
};
/* Argument N (0-5) in a row's arg[] (0 there: the role is absent). */
#define A(n) ((unsigned char)((n) + 1))

/* When the filter stops the call for the broker. */
enum notify_when {
	NOTIFY_ALWAYS,
	/* Only where the policy may hand over datagram sockets of the
	 * host's; with ADDR_ARG set, only when that argument (an address)
	 * is not NULL. Else the call runs in the kernel. */
	NOTIFY_DGRAM,
};

struct syscall_row {
	int nr;
	const char *name;
	enum op op;
	handler_fn *handler;
	unsigned char arg[ARG_ROLES];
	int atflags;           /* AT_* flags the call implies (lstat: NOFOLLOW) */
	int oflags;            /* open flags it implies (creat) */
	enum times_form times; /* the time calls */
	bool fd_call;          /* acts on the fd in ARG_DIRFD: no path */
	bool null_is_fd;       /* a NULL path means the fd itself */
	bool how;              /* openat2 */
	enum notify_when when;
	unsigned char addr_arg; /* NOTIFY_DGRAM: A(n) of the address */
};

/* The table, and the row of syscall NR (or NULL). */
const struct syscall_row *syscalls_table(size_t *n);
const struct syscall_row *syscalls_find(int nr);

/* Fill F from the notification N by its row (nothing is read from the
 * program). */
void dispatch_decode(const struct syscall_row *row, const struct seccomp_notif *n, struct request *f);
/* Serve one notification (the pool's handler): true when answered, false
 * when RESP is filled for the pool to send. */
bool dispatch_serve(struct broker *b, const struct seccomp_notif *n, struct seccomp_notif_resp *resp);
/* A client library request from PID, decided and done like the syscall;
 * REP gets the result, *FD an opened fd (or -1). */
void dispatch_client(struct broker *b, const struct sbx_client_req *req, pid_t pid,
		     struct sbx_client_reply *rep, int *fd);
/* One message of the client library (N bytes in REQ, TRUNC when cut),
 * with the fds it brought, from PID: decoded, served and answered
 * (-EBADMSG for a malformed one). On the library's socket (CONN -1) a
 * request brings its reply socket, FDS[0], and is answered there; on a
 * kept connection (CONN) it brings no fd and is answered on CONN. Every fd
 * in FDS is closed here, but the reply socket when MAY_KEEP and the
 * library asked to keep it as its thread's connection: that is returned
 * (the caller serves it from then on); else -1. A malformed message on a
 * kept connection is not answered: -EBADMSG, and the caller drops CONN.
 * REP is room for the reply. */
int dispatch_client_message(struct broker *b, struct sbx_client_req *req, size_t n, bool trunc,
			    int *fds, int nfds, pid_t pid, struct sbx_client_reply *rep, int conn,
			    bool may_keep);

#endif
