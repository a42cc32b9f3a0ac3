/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One notification, one straight path: find the syscall's row, decode its
 * arguments by the row, read its paths (checked against the request),
 * call the row's handler, and answer with what it returned. Client library
 * requests take the same path from a row of their own. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "audit.h"
#include "channel.h"
#include "dispatch.h"
#include "log.h"
#include "names.h"
#include "util.h"

/* Argument ROLE of N by ROW, or DEFAULT when the call has none. */
static uint64_t arg(const struct syscall_row *row, const struct seccomp_notif *n, enum arg_role role,
		    uint64_t dflt)
{
	unsigned i = row->arg[role];
	return i ? n->data.args[i - 1] : dflt;
}

void dispatch_decode(const struct syscall_row *row, const struct seccomp_notif *n, struct request *f)
{
	memset(f, 0, offsetof(struct request, p));
	f->n = n;
	f->row = row;
	f->op = row->op;
	f->name = row->name;
	f->fd_call = row->fd_call;
	f->how = row->how;
	f->times = row->times;
	f->p[0].dirfd = (int)arg(row, n, ARG_DIRFD, (uint64_t)AT_FDCWD);
	f->p[0].addr = arg(row, n, ARG_PATH, 0);
	f->p[1].dirfd = (int)arg(row, n, ARG_DIRFD2, (uint64_t)AT_FDCWD);
	f->p[1].addr = arg(row, n, ARG_PATH2, 0);
	f->p[0].path[0] = f->p[1].path[0] = '\0';
	f->p[0].empty = f->p[1].empty = false;
	f->npaths = row->arg[ARG_PATH2] ? 2 : row->arg[ARG_PATH] ? 1 : 0;
	f->oflags = (int)arg(row, n, ARG_OFLAGS, 0) | row->oflags;
	f->atflags = (int)arg(row, n, ARG_ATFLAGS, 0) | row->atflags;
	f->mode = (unsigned)arg(row, n, ARG_MODE, 0);
	f->dev = arg(row, n, ARG_DEV, 0);
	f->uid = (uint32_t)arg(row, n, ARG_UID, 0);
	f->gid = (uint32_t)arg(row, n, ARG_GID, 0);
	f->length = (int64_t)arg(row, n, ARG_LENGTH, 0);
	f->amode = (int)arg(row, n, ARG_AMODE, 0);
	f->statx_mask = (unsigned)arg(row, n, ARG_MASK, 0);
	f->buf_addr = arg(row, n, ARG_BUF, 0);
	f->bufsiz = arg(row, n, ARG_BUFSIZ, 0);
	f->name_addr = arg(row, n, ARG_NAME, 0);
	f->fd = (int)arg(row, n, ARG_FD, (uint64_t)-1);
	f->empty_ok = f->atflags & AT_EMPTY_PATH;
	f->nofollow = (f->atflags & AT_SYMLINK_NOFOLLOW) || (f->op == OP_OPEN && (f->oflags & O_NOFOLLOW)) ||
		      (f->op == OP_INOTIFY && (f->mode & IN_DONT_FOLLOW));
}

/* Read F's paths. The first path of symlink is its text (the handler's);
 * a NULL path where the call takes one for the fd itself, and "" under
 * AT_EMPTY_PATH, leave the fd to act on (*ON_FD). */
static int read_paths(struct broker *b, struct request *f, bool *on_fd)
{
	*on_fd = f->fd_call;
	for (int i = 0; i < f->npaths; i++) {
		struct fpath *p = &f->p[i];
		if (i == 0 && !f->row->arg[ARG_PATH])
			continue;
		if (i == 0 && f->row->null_is_fd && !p->addr) {
			if (p->dirfd == AT_FDCWD)
				return -EFAULT; /* no path, and no fd in its place */
			*on_fd = true;
			continue;
		}
		int r = req_read_path(b, f, p);
		if (r < 0)
			return r;
		if (p->empty && i > 0)
			return -ENOENT;
		*on_fd |= p->empty;
	}
	/* An exec or link of an fd is the handler's to refuse or serve. */
	if (f->op == OP_EXEC || f->op == OP_LINK)
		*on_fd = false;
	return 0;
}

static int64_t unsupported(struct broker *b, const struct request *f)
{
	struct audit_event e = {
		.syscall = f->name, .pid = f->n->pid, .why = "not supported", .answer = -EACCES,
	};
	audit_decision(b, &e);
	return -EACCES;
}

static bool client_socket(const struct broker *b, int copy);
static int64_t client_sendmsg(struct broker *b, struct request *f);

/* Serve F, decoded. */
static int64_t serve(struct broker *b, struct request *f)
{
	if (!f->row->handler)
		return unsupported(b, f);
	/* A flag the call does not know is EINVAL before any name is read. */
	int r = names_plan(f);
	if (r < 0)
		return r;
	if (f->op == OP_SEND && b->client_peer_ino && f->n->data.nr == SYS_sendmsg) {
		int copy = req_program_fd_any(b, f, (int)f->n->data.args[0]);
		bool client = copy >= 0 && client_socket(b, copy);
		if (copy >= 0)
			close(copy);
		if (client)
			return client_sendmsg(b, f);
	}
	bool on_fd;
	if ((r = read_paths(b, f, &on_fd)) < 0)
		return r;
	return on_fd ? fdcall_handle(b, f) : f->row->handler(b, f);
}

bool dispatch_serve(struct broker *b, const struct seccomp_notif *n, struct seccomp_notif_resp *resp)
{
	static __thread struct request f; /* one request at a time per worker */
	const struct syscall_row *row = syscalls_find(n->data.nr);
	if (!row) {
		/* The filter notifies only the table's calls. */
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, n->data.nr);
		struct audit_event e = {
			.syscall = name ? name : "syscall", .pid = n->pid, .why = "not supported",
			.answer = -EACCES,
		};
		audit_decision(b, &e);
		free(name);
		resp->error = -EACCES;
		return false;
	}
	dispatch_decode(row, n, &f);
	int64_t r = serve(b, &f);
	if (r == REQ_ANSWERED)
		return true;
	if (r < 0)
		resp->error = (int32_t)r;
	else
		resp->val = r;
	return false;
}

/* The row a client request is served by. */
static const struct syscall_row *client_row(uint32_t op)
{
	switch (op) {
	case SBX_CLIENT_OPEN:
		return syscalls_find(SYS_openat);
	case SBX_CLIENT_STAT:
	case SBX_CLIENT_LSTAT:
		return syscalls_find(SYS_newfstatat);
	case SBX_CLIENT_ACCESS:
		return syscalls_find(SYS_faccessat);
	case SBX_CLIENT_READLINK:
		return syscalls_find(SYS_readlinkat);
	case SBX_CLIENT_MKDIR:
		return syscalls_find(SYS_mkdirat);
	case SBX_CLIENT_UNLINK:
	case SBX_CLIENT_RMDIR:
		return syscalls_find(SYS_unlinkat);
	case SBX_CLIENT_RENAME:
		return syscalls_find(SYS_renameat2);
	case SBX_CLIENT_CONNECT:
		return syscalls_find(SYS_connect);
	default:
		return NULL;
	}
}

/* The client's request as the call's arguments would give it. */
static void client_decode(struct request *f, const struct sbx_client_req *req, struct sbx_client_reply *rep,
			  int *fd)
{
	snprintf(f->p[0].path, sizeof(f->p[0].path), "%s", req->path);
	snprintf(f->p[0].abs, sizeof(f->p[0].abs), "%s", req->path);
	f->npaths = f->op == OP_RENAME ? 2 : 1;
	static const char *const names[] = {
		[SBX_CLIENT_OPEN] = "client open",       [SBX_CLIENT_STAT] = "client stat",
		[SBX_CLIENT_LSTAT] = "client stat",      [SBX_CLIENT_ACCESS] = "client access",
		[SBX_CLIENT_READLINK] = "client readlink", [SBX_CLIENT_MKDIR] = "client mkdir",
		[SBX_CLIENT_UNLINK] = "client unlink",   [SBX_CLIENT_RMDIR] = "client rmdir",
		[SBX_CLIENT_RENAME] = "client rename",   [SBX_CLIENT_CONNECT] = "client connect",
	};
	f->name = names[req->op];
	switch (req->op) {
	case SBX_CLIENT_OPEN:
		f->oflags = req->flags;
		f->mode = req->mode;
		f->nofollow = f->oflags & O_NOFOLLOW;
		f->client_fd = fd;
		break;
	case SBX_CLIENT_STAT:
	case SBX_CLIENT_LSTAT:
		f->nofollow = req->op == SBX_CLIENT_LSTAT;
		f->client_out = &rep->st;
		f->client_out_len = sizeof(rep->st);
		break;
	case SBX_CLIENT_ACCESS:
		f->amode = req->flags;
		break;
	case SBX_CLIENT_READLINK:
		f->nofollow = true;
		f->bufsiz = sizeof(rep->text) - 1;
		f->client_out = rep->text;
		f->client_out_len = sizeof(rep->text) - 1;
		break;
	case SBX_CLIENT_MKDIR:
		f->mode = req->mode;
		break;
	case SBX_CLIENT_RMDIR:
		f->atflags = AT_REMOVEDIR;
		break;
	case SBX_CLIENT_RENAME:
		snprintf(f->p[1].path, sizeof(f->p[1].path), "%s", req->path2);
		snprintf(f->p[1].abs, sizeof(f->p[1].abs), "%s", req->path2);
		break;
	default:
		break;
	}
}

void dispatch_client(struct broker *b, const struct sbx_client_req *req, pid_t pid,
		     struct sbx_client_reply *rep, int *fd)
{
	struct seccomp_notif n = {.id = 0, .pid = (uint32_t)pid};
	const struct syscall_row *row = client_row(req->op);
	*fd = -1;
	/* On the heap, not per thread: every thread of the broker (a
	 * waiter's small stack too) would carry a per-thread one. */
	_cleanup_free_ struct request *f = row ? malloc(sizeof(*f)) : NULL;
	if (!f) {
		rep->result = row ? -ENOMEM : -EBADMSG;
		return;
	}
	n.data.nr = row->nr;
	/* The decoded form of a call with no arguments; the paths are the
	 * client's, absolute (the library makes them so). */
	memset(f, 0, offsetof(struct request, p));
	f->n = &n;
	f->row = row;
	f->op = row->op;
	f->p[0].dirfd = f->p[1].dirfd = AT_FDCWD;
	f->p[0].empty = f->p[1].empty = false;
	client_decode(f, req, rep, fd);
	int64_t r;
	if (f->op == OP_CONNECT) {
		r = net_client_connect(b, f, req->flags, &req->addr, req->addrlen, fd);
		if (r == REQ_ANSWERED && f->continued)
			r = SBX_CLIENT_CONNECT_LOCAL;
	} else if ((r = names_plan(f)) == 0) {
		r = row->handler(b, f);
	}
	rep->result = r == REQ_ANSWERED ? 0 : (int32_t)r;
}

static void reply(int rfd, struct sbx_client_reply *rep, int fd)
{
	(void)sbx_send_with_fd(rfd, rep, sizeof(*rep), fd, MSG_DONTWAIT);
}

int dispatch_client_message(struct broker *b, struct sbx_client_req *req, size_t n, bool trunc,
			    int *fds, int nfds, pid_t pid, struct sbx_client_reply *rep, int conn,
			    bool may_keep)
{
	memset(rep, 0, sizeof(*rep));
	rep->magic = SBX_CLIENT_MAGIC;
	bool keep = false;
	if (n >= offsetof(struct sbx_client_req, flags) && (req->op & SBX_CLIENT_KEEP)) {
		req->op &= ~SBX_CLIENT_KEEP;
		keep = may_keep && conn < 0 && nfds == 1;
	}
	/* A request on a kept connection brings no fd; any other its reply
	 * socket and nothing else. */
	bool ok = (conn >= 0 ? nfds == 0 : nfds == 1) && pid > 0 && !trunc &&
		  sbx_client_decode(req, n, req) == 0;
	int out = -1;
	if (!ok && conn >= 0) {
		/* Not answered: an answer on a kept connection could be a
		 * request on another (the program may give us both ends of
		 * one socketpair), and two of our threads would bounce
		 * malformed messages at each other forever. The caller drops
		 * the connection; the library asks anew. */
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return -EBADMSG;
	}
	if (ok)
		dispatch_client(b, req, pid, rep, &out);
	else
		rep->result = -EBADMSG;
	/* The sender's pid must come with the first request on it, which
	 * may come before our thread for it runs: credentials on from here. */
	int one = 1;
	keep = ok && keep && setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0;
	if (keep)
		rep->magic = SBX_CLIENT_MAGIC_KEPT;
	if (conn >= 0)
		reply(conn, rep, out);
	else if (nfds == 1)
		reply(fds[0], rep, out);
	sbx_closep(&out);
	int kept = keep ? fds[0] : -1;
	for (int i = 0; i < nfds; i++)
		if (fds[i] != kept)
			close(fds[i]);
	return kept;
}

/* Is COPY, a copy of the program's fd, its end of the client library's
 * socket? */
static bool client_socket(const struct broker *b, int copy)
{
	struct stat st;
	return b->client_peer_ino && fstat(copy, &st) == 0 && st.st_ino == b->client_peer_ino &&
	       st.st_dev == b->client_peer_dev;
}

/* A sendmsg of the client library on its socket, where the filter stops
 * every sendmsg (datagram rules): the broker cannot send it on (the
 * message would carry the broker's credentials, not the program's), and a
 * CONTINUE would let the kernel look at the fd again. Served here, as
 * the client thread serves it: the request's pid is the program's. */
static int64_t client_sendmsg(struct broker *b, struct request *f)
{
	struct msghdr pm;
	int r = req_read(b, f, f->n->data.args[1], &pm, sizeof(pm));
	if (r < 0)
		return r;
	struct iovec iov;
	struct {
		struct sbx_client_req req;
		char more[16];
	} *m = malloc(sizeof(*m));
	struct sbx_client_reply *rep = malloc(sizeof(*rep));
	int fds[1], nfds = 0;
	size_t len = 0;
	bool trunc = pm.msg_iovlen != 1;
	if (!m || !rep)
		r = -ENOMEM;
	else if (!trunc && (r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_iov, &iov, sizeof(iov))) == 0) {
		len = iov.iov_len < sizeof(*m) ? iov.iov_len : sizeof(*m);
		trunc = iov.iov_len > sizeof(*m);
		r = req_read(b, f, (uint64_t)(uintptr_t)iov.iov_base, m, len);
	}
	/* The reply socket: one fd in one SCM_RIGHTS, nothing else. */
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	if (r == 0 && pm.msg_controllen == sizeof(ctl.buf) &&
	    (r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_control, ctl.buf, sizeof(ctl.buf))) == 0) {
		struct cmsghdr *c = (struct cmsghdr *)(void *)ctl.buf;
		int pfd;
		memcpy(&pfd, CMSG_DATA(c), sizeof(int));
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)) && (fds[0] = req_program_fd_any(b, f, pfd)) >= 0)
			nfds = 1;
	}
	long tgid = r == 0 ? req_tgid(b, f) : -1;
	if (r == 0)
		(void)dispatch_client_message(b, &m->req, len, trunc, fds, nfds, tgid > 0 ? (pid_t)tgid : 0,
					      rep, -1, false);
	free(m);
	free(rep);
	return r < 0 ? r : (int64_t)len;
}
