/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The handlers of the program's requests, one module per concern. Each
 * takes a decoded request whose paths are read and absolute, and returns
 * one value: a result (>= 0), a negative errno, or REQ_ANSWERED (see
 * request.h). Handlers never call each other; the syscall table
 * (syscalls.c) names which one serves each call. */
#ifndef SBX_HANDLERS_H
#define SBX_HANDLERS_H

#include <stdint.h>
#include <sys/socket.h>

#include "request.h"

typedef int64_t handler_fn(struct broker *b, struct request *f);

/* open.c: open, openat, openat2, creat (O_CREAT, O_TMPFILE too). */
handler_fn open_handle;
/* looks.c: the stat family, statfs, access, readlink. */
handler_fn looks_handle;
/* exec.c: execve and execveat; chdir and fchdir. */
handler_fn exec_handle;
handler_fn chdir_handle;
handler_fn fchdir_handle;
/* mutate.c: mkdir, mknod, unlink, rmdir, rename, link, symlink. */
handler_fn mutate_handle;
/* attr.c: chmod, chown, truncate, times, xattrs, inotify watches by path. */
handler_fn attr_handle;
/* fdcalls.c: a call on an fd the program holds: fchmod, fchown,
 * fsetxattr, fremovexattr, and the AT_EMPTY_PATH forms. */
handler_fn fdcall_handle;
/* net.c: connect, bind and the sends that may name an address. */
handler_fn net_handle;

/* net.c: the client library's connect of a socket of TYPE to ADDR: 0 with
 * *FD the connected socket, REQ_ANSWERED with F->continued when the
 * client connects by itself (its own loopback), or a negative errno. */
int64_t net_client_connect(struct broker *b, struct request *f, int type,
			   const struct sockaddr_storage *addr, socklen_t len, int *fd);

#endif
