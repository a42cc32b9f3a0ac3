/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests to the broker for a program started with --client: the same
 * policy decides, with no seccomp round trip (unless the policy has
 * udp, unix or bind rules, which make sendmsg stop for the broker). A
 * thread's first request carries a reply socket, which the broker keeps as
 * that thread's connection for its later ones; a forked child's and a
 * signal handler's (that interrupted its thread's request) bring a reply
 * socket of their own each, so threads, children and signal handlers may
 * call these at once; nothing on the request path allocates. */
#include "sandbox/client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "clientproto.h"

static int broker_fd = -1;

/* $SBX_BROKER_FD, read once when the library is loaded. */
__attribute__((constructor)) static void client_init(void)
{
	const char *v = getenv("SBX_BROKER_FD");
	char *end;
	long n = v ? strtol(v, &end, 10) : -1;
	if (v && *v && !*end && n >= 3 && n < 1 << 20 && fcntl((int)n, F_GETFD) >= 0)
		broker_fd = (int)n;
}

int sbx_client_available(void)
{
	return broker_fd >= 0;
}

/* Make PATH absolute into OUT (PATH_MAX). */
static int absolute(const char *path, char *out)
{
	if (!path)
		return -EFAULT;
	size_t l = strlen(path);
	if (path[0] == '/') {
		if (l >= PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(out, path, l + 1);
		return 0;
	}
	if (!getcwd(out, PATH_MAX))
		return -errno;
	size_t c = strlen(out);
	if (c + 1 + l >= PATH_MAX)
		return -ENAMETOOLONG;
	out[c] = '/';
	memcpy(out + c + 1, path, l + 1);
	return 0;
}

/* This thread's connection: its first reply socket, kept by the broker
 * (SBX_CLIENT_MAGIC_KEPT), where its later requests go without a socket
 * each. Not a forked child's (CONN_PID tells), not a signal handler's
 * that interrupted a request on it (CONN_BUSY): those ask as before.
 * Closed when the thread ends. */
static __thread int conn = -1;
static __thread pid_t conn_pid;
static __thread volatile sig_atomic_t conn_busy;
static pthread_key_t conn_key;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static bool conn_key_ok;

static void conn_end(void *unused)
{
	(void)unused;
	conn_busy = 1; /* a signal's request now leaves it alone */
	if (conn >= 0)
		close(conn);
	conn = -1;
	conn_busy = 0;
}

static void conn_key_make(void)
{
	conn_key_ok = pthread_key_create(&conn_key, conn_end) == 0;
}

/* Send REQ on VIA, with the fd PASS unless -1; wait for the answer on
 * WAIT. The broker's result; *FD an fd it sent (if FD is not NULL);
 * *KEPT whether it keeps the reply socket. -ESHUTDOWN when nothing could
 * be sent (the request was not made). */
static int talk(int via, int pass, int wait, struct sbx_client_req *req, struct sbx_client_reply *rep,
		int *fd, bool *kept)
{
	ssize_t n = sbx_send_with_fd(via, req, sizeof(*req), pass, 0);
	if (n < 0)
		return n == -EPIPE || n == -ECONNRESET ? -ESHUTDOWN : (int)n;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	do
		n = recvmsg(wait, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	int got = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&got, CMSG_DATA(c), sizeof(int));
	bool magic = rep->magic == SBX_CLIENT_MAGIC || rep->magic == SBX_CLIENT_MAGIC_KEPT;
	if (n != (ssize_t)sizeof(*rep) || !magic) {
		if (got >= 0)
			close(got);
		return -EPROTO;
	}
	*kept = rep->magic == SBX_CLIENT_MAGIC_KEPT;
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	return rep->result;
}

/* Send REQ with a fresh reply socket, asking the broker to keep it as this
 * thread's connection when KEEP and there is none; wait for the answer. */
static int request_fresh(struct sbx_client_req *req, struct sbx_client_reply *rep, int *fd, bool keep)
{
	bool ask = keep && conn < 0, kept = false;
	if (ask)
		(void)pthread_once(&conn_once, conn_key_make);
	ask = ask && conn_key_ok;
	if (ask)
		req->op |= SBX_CLIENT_KEEP;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	int r = talk(broker_fd, sv[1], sv[0], req, rep, fd, &kept);
	req->op &= ~SBX_CLIENT_KEEP;
	close(sv[1]);
	if (r == -ESHUTDOWN)
		r = -EPIPE;
	if (ask && kept && r != -EPROTO && pthread_setspecific(conn_key, (void *)1) == 0) {
		conn = sv[0];
		conn_pid = getpid();
	} else {
		close(sv[0]);
	}
	return r;
}

/* Send REQ on this thread's connection, else with a fresh reply socket
 * kept as the connection; CONN_BUSY is held. */
static int request_kept(struct sbx_client_req *req, struct sbx_client_reply *rep, int *fd)
{
	if (conn >= 0 && conn_pid != getpid()) {
		close(conn); /* a forked child's copy of its parent's */
		conn = -1;
	}
	if (conn >= 0) {
		bool kept = false;
		int r = talk(conn, -1, conn, req, rep, fd, &kept);
		if (r != -ESHUTDOWN && r != -EPROTO)
			return r;
		close(conn); /* the broker let it go: ask anew */
		conn = -1;
		if (r == -EPROTO)
			return r;
	}
	return request_fresh(req, rep, fd, true);
}

/* Send REQ; wait for the answer. Returns the broker's result; *FD gets an
 * fd it sent, if FD is not NULL. A signal handler's request that
 * interrupts one of this thread's (CONN_BUSY: it is using or changing the
 * connection) brings a socket of its own and keeps none. A signal that
 * comes before CONN_BUSY is set runs its request to the end first, so
 * both see the connection whole. */
static int request(struct sbx_client_req *req, struct sbx_client_reply *rep, int *fd)
{
	if (broker_fd < 0)
		return -ENOTCONN;
	req->magic = SBX_CLIENT_MAGIC;
	if (conn_busy)
		return request_fresh(req, rep, fd, false);
	conn_busy = 1;
	int r = request_kept(req, rep, fd);
	conn_busy = 0;
	return r;
}

/* The errno convention of the system calls these stand for. */
static int ret(int r)
{
	if (r >= 0)
		return r;
	errno = -r;
	return -1;
}

static int one_path(enum sbx_client_op op, const char *path, int flags, mode_t mode,
		    struct sbx_client_reply *rep, int *fd)
{
	struct sbx_client_req req;
	memset(&req, 0, offsetof(struct sbx_client_req, path) + 1);
	req.path2[0] = '\0';
	int r = absolute(path, req.path);
	if (r < 0)
		return r;
	req.op = op;
	req.flags = flags;
	req.mode = mode;
	return request(&req, rep, fd);
}

int sbx_client_open(const char *path, int flags, mode_t mode)
{
	struct sbx_client_reply rep;
	int fd = -1;
	int r = one_path(SBX_CLIENT_OPEN, path, flags, mode, &rep, &fd);
	if (r >= 0 && fd < 0)
		r = -EPROTO;
	if (r < 0 && fd >= 0)
		close(fd);
	if (r >= 0 && !(flags & O_CLOEXEC))
		(void)fcntl(fd, F_SETFD, 0);
	return ret(r < 0 ? r : fd);
}

static int stat_common(enum sbx_client_op op, const char *path, struct stat *st)
{
	struct sbx_client_reply rep;
	int r = one_path(op, path, 0, 0, &rep, NULL);
	if (r >= 0 && st)
		*st = rep.st;
	return ret(r < 0 ? r : 0);
}

int sbx_client_stat(const char *path, struct stat *st)
{
	return stat_common(SBX_CLIENT_STAT, path, st);
}

int sbx_client_lstat(const char *path, struct stat *st)
{
	return stat_common(SBX_CLIENT_LSTAT, path, st);
}

int sbx_client_access(const char *path, int mode)
{
	struct sbx_client_reply rep;
	return ret(one_path(SBX_CLIENT_ACCESS, path, mode, 0, &rep, NULL));
}

ssize_t sbx_client_readlink(const char *path, char *buf, size_t size)
{
	struct sbx_client_reply rep;
	int r = one_path(SBX_CLIENT_READLINK, path, 0, 0, &rep, NULL);
	if (r < 0)
		return ret(r);
	size_t n = (size_t)r < size ? (size_t)r : size;
	memcpy(buf, rep.text, n);
	return (ssize_t)n;
}

int sbx_client_mkdir(const char *path, mode_t mode)
{
	struct sbx_client_reply rep;
	return ret(one_path(SBX_CLIENT_MKDIR, path, 0, mode, &rep, NULL));
}

int sbx_client_unlink(const char *path)
{
	struct sbx_client_reply rep;
	return ret(one_path(SBX_CLIENT_UNLINK, path, 0, 0, &rep, NULL));
}

int sbx_client_rmdir(const char *path)
{
	struct sbx_client_reply rep;
	return ret(one_path(SBX_CLIENT_RMDIR, path, 0, 0, &rep, NULL));
}

int sbx_client_rename(const char *from, const char *to)
{
	struct sbx_client_req req;
	struct sbx_client_reply rep;
	memset(&req, 0, offsetof(struct sbx_client_req, path));
	int r = absolute(from, req.path);
	if (r == 0)
		r = absolute(to, req.path2);
	if (r < 0)
		return ret(r);
	req.op = SBX_CLIENT_RENAME;
	return ret(request(&req, &rep, NULL));
}

/* The connect of "loopback private": the sandbox's own loopback, reached
 * from here like any program's connect. */
static int connect_here(const struct sockaddr *addr, socklen_t len, int type)
{
	int fd = socket(addr->sa_family, type, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, addr, len) < 0 && !(errno == EINPROGRESS && (type & SOCK_NONBLOCK))) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* Wait for the connect under way on FD: 0 or its error. */
static int connect_wait(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int n;
	do
		n = poll(&p, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	int e = 0;
	socklen_t el = sizeof(e);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		return -errno;
	return -e;
}

int sbx_client_connect(const struct sockaddr *addr, socklen_t len, int type)
{
	if (!addr)
		return ret(-EFAULT);
	int r = sbx_client_connect_check(type, addr, len);
	if (r < 0)
		return ret(r);
	struct sbx_client_req req;
	struct sbx_client_reply rep;
	memset(&req, 0, offsetof(struct sbx_client_req, path) + 1);
	memset(&req.addr, 0, sizeof(req.addr));
	memcpy(&req.addr, addr, len);
	req.op = SBX_CLIENT_CONNECT;
	req.flags = type;
	req.addrlen = len;
	int fd = -1;
	r = request(&req, &rep, &fd);
	if (r == SBX_CLIENT_CONNECT_LOCAL && fd < 0)
		return ret(connect_here(addr, len, type));
	if ((r != 0 && r != -EINPROGRESS) || fd < 0) {
		if (fd >= 0)
			close(fd);
		return ret(r < 0 ? r : -EPROTO);
	}
	/* The broker started it without waiting: a blocking connect waits
	 * here, in the caller's thread, as the kernel's would. */
	if (r == -EINPROGRESS && !(type & SOCK_NONBLOCK))
		r = connect_wait(fd);
	else
		r = 0;
	if (r == 0 && !(type & SOCK_NONBLOCK)) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			r = -errno;
	}
	if (r == 0 && !(type & SOCK_CLOEXEC) && fcntl(fd, F_SETFD, 0) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return ret(r);
	}
	return fd;
}
