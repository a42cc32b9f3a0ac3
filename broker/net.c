/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network requests: connect and bind here, sends in netsend.c. The program's sockets live in the
 * sandbox's network namespace, where nothing is reachable. A connect or
 * bind the policy allows is carried out by the broker on a socket of its
 * own, in the host's namespace, of the same family, type, protocol and
 * flags, which then replaces the program's socket under the same fd number
 * (ADDFD with SETFD). Sends on those sockets are netsend.c's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "decide.h"
#include "handlers.h"
#include "log.h"
#include "sockets.h"
#include "util.h"

/* A unix socket address: the path the broker reaches it by, race-free
 * ("/proc/self/fd/N" of the socket file, or of its directory for bind),
 * after the policy check. *KEEP is the fd to close afterwards. */
static int unix_target(struct broker *b, const struct request *f, struct fpath *fp, enum sbx_net_op op,
		       const struct sockaddr_un *un, socklen_t len, struct sockaddr_un *out,
		       socklen_t *olen, int *keep)
{
	size_t plen = len > offsetof(struct sockaddr_un, sun_path) ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	*keep = -1;
	*out = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (!plen)
		return -EINVAL;
	if (un->sun_path[0] == '\0') {
		/* Abstract: per network namespace; the host's is reached
		 * only through a rule. */
		char name[sizeof(un->sun_path) + 1];
		memcpy(name, un->sun_path + 1, plen - 1);
		name[plen - 1] = '\0';
		/* An abstract name is every byte of it, NULs too; a rule names
		 * none with a NUL, and the name up to one is another socket
		 * ("@foo" must not grant "foo\0anything"). */
		if (memchr(name, '\0', plen - 1))
			return -EACCES;
		if (!decide_net(b, op, SBX_NET_UNIX, NULL, 0, name, true))
			return -EACCES;
		memcpy(out->sun_path, un->sun_path, plen);
		*olen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
		return 0;
	}
	size_t n = strnlen(un->sun_path, plen);
	memcpy(fp->path, un->sun_path, n);
	fp->path[n] = '\0';
	int r = req_abs(b, f, fp);
	if (r < 0)
		return r;
	char canon[PATH_MAX];
	if (op == SBX_NET_CONNECT) {
		struct sbx_resolved res;
		r = decide_resolve(b, fp->abs, 0, &res);
		if (r < 0) /* a socket that is not there: routine (nscd), unsaid */
			return decide_net(b, op, SBX_NET_UNIX, NULL, 0, fp->abs, false) ? r : -EPERM;
		*keep = res.fd;
		if (!decide_net(b, op, SBX_NET_UNIX, NULL, 0, res.path, false)) {
			snprintf(fp->abs, sizeof(fp->abs), "%s", res.path); /* the refusal's name */
			return -EACCES;
		}
		if (!S_ISSOCK(res.st.st_mode))
			return -ECONNREFUSED;
		snprintf(out->sun_path, sizeof(out->sun_path), "/proc/self/fd/%d", res.fd);
	} else {
		int dfd;
		char name[NAME_MAX + 1];
		r = decide_name_quiet(b, fp, &dfd, name, canon);
		if (r < 0)
			return r;
		*keep = dfd;
		if (!decide_net(b, op, SBX_NET_UNIX, NULL, 0, canon, false)) {
			snprintf(fp->abs, sizeof(fp->abs), "%s", canon);
			return -EACCES;
		}
		if (snprintf(out->sun_path, sizeof(out->sun_path), "/proc/self/fd/%d/%s", dfd, name) >=
		    (int)sizeof(out->sun_path))
			return -ENAMETOOLONG;
	}
	*olen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(out->sun_path) + 1);
	return 0;
}

/* A blocking connect, done without blocking: given up as soon as the
 * program's request is gone (it was killed, or a signal interrupted it),
 * so no socket of ours lingers for a peer that never answers. Honours
 * the SO_SNDTIMEO the program set. 0 or a negative errno. */
static int wait_connect(struct broker *b, const struct request *f, int hfd, const struct sockaddr *to,
			socklen_t len)
{
	int fl = fcntl(hfd, F_GETFL);
	if (fl < 0 || fcntl(hfd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	struct timeval tv = {0};
	socklen_t tl = sizeof(tv);
	(void)getsockopt(hfd, SOL_SOCKET, SO_SNDTIMEO, &tv, &tl);
	long long left_ms = tv.tv_sec || tv.tv_usec ? tv.tv_sec * 1000LL + tv.tv_usec / 1000 : -1;
	int r = 0;
	if (connect(hfd, to, len) < 0) {
		r = -errno;
		while (r == -EINPROGRESS) {
			struct pollfd p = {.fd = hfd, .events = POLLOUT};
			int step = left_ms >= 0 && left_ms < 100 ? (int)left_ms : 100;
			int n = poll(&p, 1, step);
			if (n > 0) {
				int e = 0;
				socklen_t el = sizeof(e);
				r = getsockopt(hfd, SOL_SOCKET, SO_ERROR, &e, &el) < 0 ? -errno : -e;
			} else if (n < 0 && errno != EINTR) {
				r = -errno;
			} else if (!req_alive(b, f)) {
				r = -EINTR; /* nobody waits for it any more */
			} else if (left_ms >= 0 && (left_ms -= step) <= 0) {
				break; /* SO_SNDTIMEO: EINPROGRESS, as the kernel says */
			}
		}
	}
	if (fcntl(hfd, F_SETFL, fl) < 0 && r == 0)
		r = -errno;
	return r;
}

/* Decide a connect or bind to SA (LEN bytes, zero-padded) from a socket
 * like S by the policy, logging a refusal with its peer, and make the
 * address the broker reaches the peer by: *TO and *TOLEN (for a unix
 * socket in UN, with *KEEP the fd to close afterwards). 0, OWN_LOOPBACK
 * for the sandbox's own loopback ("loopback private"), or a negative
 * errno. */
enum { OWN_LOOPBACK = 1 };
static int decide_peer(struct broker *b, struct request *f, const struct sock *s, enum sbx_net_op op,
		       const struct sockaddr_storage *sa, socklen_t len, struct sockaddr_un *un,
		       int *keep, const struct sockaddr **to, socklen_t *tolen)
{
	/* "loopback private": the sandbox's own loopback, in the kernel. A
	 * socket of the sandbox reaches nothing else, whatever the address
	 * is by the time the kernel reads it. */
	if (b->policy.loopback && !s->is_host && sock_is_loopback((const struct sockaddr *)sa))
		return OWN_LOOPBACK;
	char peer[PATH_MAX + 64];
	if (s->domain != AF_UNIX) {
		if (s->type != SOCK_STREAM && s->type != SOCK_DGRAM)
			return -EACCES;
		sock_describe((const struct sockaddr *)sa, peer, sizeof(peer));
		if (!decide_net(b, op, s->proto, (const struct sockaddr *)sa, len, NULL, false))
			return sock_refuse(b, f, s, peer);
		sock_allowed(b, f, s, op, (const struct sockaddr *)sa, len, NULL, false);
		*to = (const struct sockaddr *)sa;
		*tolen = len;
		return 0;
	}
	const struct sockaddr_un *asked = (const struct sockaddr_un *)sa;
	struct fpath *fp = &f->p[0];
	fp->dirfd = AT_FDCWD;
	fp->path[0] = '\0';
	fp->abs[0] = '\0';
	int r = unix_target(b, f, fp, op, asked, len, un, tolen, keep);
	/* A path refused is named by the socket it reached (its real path). */
	snprintf(peer, sizeof(peer), "%s%s", asked->sun_path[0] ? "" : "@",
		 !asked->sun_path[0] ? asked->sun_path + 1 : fp->abs[0] == '/' ? fp->abs : fp->path);
	if (r == -EACCES)
		return sock_refuse(b, f, s, peer);
	if (r == -EPERM)
		return -EACCES;
	if (r >= 0)
		sock_allowed(b, f, s, op, NULL, 0, asked->sun_path[0] ? fp->abs : asked->sun_path + 1,
			     !asked->sun_path[0]);
	*to = (const struct sockaddr *)un;
	return r;
}

/* Connect or bind HFD to TO. A blocking connect waits as wait_connect
 * says; any other answers at once, -EINPROGRESS for a connect under way.
 * 0 or a negative errno. */
static int host_connect(struct broker *b, const struct request *f, int hfd, bool is_bind, bool blocking,
			const struct sockaddr *to, socklen_t tolen)
{
	if (blocking) {
		/* A slow peer must stall neither the others nor the
		 * sandbox's next requests. */
		if (!pool_wait_begin(b)) {
			if (req_may_log(b))
				sbx_log("refused connect for pid %u: too many connects wait for their peers",
					f->n->pid);
			return -EAGAIN;
		}
		int r = wait_connect(b, f, hfd, to, tolen);
		pool_wait_end(b);
		return r;
	}
	int r = is_bind ? bind(hfd, to, tolen) : connect(hfd, to, tolen);
	return r < 0 ? -errno : 0;
}

/* connect and bind. */
static int connect_bind(struct broker *b, struct request *f, struct sock *s)
{
	const __u64 *a = f->n->data.args;
	bool is_bind = f->op == OP_BIND;
	enum sbx_net_op op = is_bind ? SBX_NET_BIND : SBX_NET_CONNECT;
	struct sockaddr_storage sa = {0};
	socklen_t len = (socklen_t)a[2];
	if (a[2] > sizeof(sa) || len < sizeof(sa_family_t))
		return -EINVAL;
	int r = req_read(b, f, a[1], &sa, len);
	if (r < 0)
		return r;
	if (sa.ss_family == AF_UNSPEC && !is_bind) {
		/* Dissolve a datagram association: on our own copy. */
		return connect(s->fd, (struct sockaddr *)&sa, len) < 0 ? -errno : 0;
	}
	if (sa.ss_family != s->domain)
		return s->domain == AF_INET6 && sa.ss_family == AF_INET ? -EAFNOSUPPORT : -EINVAL;
	struct sockaddr_un un;
	const struct sockaddr *to;
	socklen_t tolen;
	_cleanup_close_ int keep = -1;
	r = decide_peer(b, f, s, op, &sa, len, &un, &keep, &to, &tolen);
	/* The sandbox's own loopback: on our copy of the very socket we
	 * looked at, never by CONTINUE, since the kernel would look at the fd
	 * again and another thread may have put a host socket there. */
	if (r == OWN_LOOPBACK)
		return host_connect(b, f, s->fd, is_bind, !is_bind && !(s->flags & O_NONBLOCK),
				    (const struct sockaddr *)&sa, len);
	if (r != 0)
		return r;
	/* On a socket we handed over already, act on it; else on a new one
	 * that replaces the program's when it worked. */
	_cleanup_close_ int hfd = s->is_host ? dup(s->fd) : sock_host(s);
	if (hfd < 0)
		return s->is_host ? -errno : hfd;
	r = host_connect(b, f, hfd, is_bind, !is_bind && !(s->flags & O_NONBLOCK), to, tolen);
	if (r < 0 && r != -EINPROGRESS)
		return r;
	if (!s->is_host) {
		int e = sock_swap_in(b, f, (int)a[0], hfd, s->cloexec);
		if (e < 0)
			return e;
	}
	return r;
}

int64_t net_client_connect(struct broker *b, struct request *f, int type,
			   const struct sockaddr_storage *addr, socklen_t len, int *fd)
{
	struct sockaddr_storage sa = {0};
	if (len > sizeof(sa))
		return -EINVAL;
	memcpy(&sa, addr, len);
	struct sock s = {.fd = -1, .domain = sa.ss_family, .type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC),
			 .flags = O_NONBLOCK};
	s.proto = sock_proto(s.domain, s.type);
	struct sockaddr_un un;
	const struct sockaddr *to;
	socklen_t tolen;
	_cleanup_close_ int keep = -1;
	int r = decide_peer(b, f, &s, SBX_NET_CONNECT, &sa, (socklen_t)len, &un, &keep, &to, &tolen);
	if (r == OWN_LOOPBACK)
		return req_continue(b, f);
	if (r != 0)
		return r;
	_cleanup_close_ int hfd = sock_host(&s);
	if (hfd < 0)
		return hfd;
	/* Never waited for here: the library waits in the caller's thread. */
	r = host_connect(b, f, hfd, false, false, to, tolen);
	if (r < 0 && r != -EINPROGRESS)
		return r;
	sock_handed(b, hfd);
	*fd = sbx_take_fd(&hfd);
	return r;
}

int64_t net_handle(struct broker *b, struct request *f)
{
	struct sock s;
	int r = sock_get(b, f, (int)f->n->data.args[0], &s);
	/* No socket at that number when we looked: say so ourselves. A
	 * CONTINUE would let the kernel look again, and another thread may
	 * have put a host socket there by then. */
	if (r < 0)
		return r;
	int64_t answer = f->op == OP_SEND ? netsend(b, f, &s) : connect_bind(b, f, &s);
	close(s.fd);
	return answer;
}
