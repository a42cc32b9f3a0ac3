/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network requests. The program's sockets live in the sandbox's network
 * namespace, where nothing is reachable. A connect or bind the policy
 * allows is carried out by the broker on a socket of its own, in the
 * host's namespace, of the same family, type, protocol and flags, which
 * then replaces the program's socket under the same fd number (ADDFD with
 * SETFD). The broker remembers the sockets it handed over: on those it
 * carries out every datagram send that names an address itself, after
 * checking the address, and it never lets the kernel re-read an address
 * the program could change meanwhile. Sockets of the program's own
 * (unswapped) reach nothing outside, so their sends run in the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "fileops.h"
#include "log.h"
#include "memio.h"
#include "util.h"

#define MAX_HOST_SOCKETS 4096
#define MAX_DGRAM 65536
#define MAX_IOV 64
#define MAX_MMSG 64

static struct {
	pthread_mutex_t lock;
	ino_t ino[MAX_HOST_SOCKETS];
	size_t n, next;
} host = {.lock = PTHREAD_MUTEX_INITIALIZER};

void net_reset(void)
{
	pthread_mutex_lock(&host.lock);
	host.n = host.next = 0;
	pthread_mutex_unlock(&host.lock);
}

static void host_add(ino_t ino)
{
	pthread_mutex_lock(&host.lock);
	if (host.n < MAX_HOST_SOCKETS)
		host.ino[host.n++] = ino;
	else
		host.ino[host.next++ % MAX_HOST_SOCKETS] = ino; /* forget the oldest */
	pthread_mutex_unlock(&host.lock);
}

static bool host_has(ino_t ino)
{
	bool r = false;
	pthread_mutex_lock(&host.lock);
	for (size_t i = 0; i < host.n && !r; i++)
		r = host.ino[i] == ino;
	pthread_mutex_unlock(&host.lock);
	return r;
}

/* The program's socket, as we see it. */
struct sock {
	int fd;          /* our duplicate of it (pidfd_getfd) */
	int domain, type, protocol;
	int flags;       /* O_NONBLOCK of the open file */
	bool cloexec;    /* of the program's fd */
	bool is_host;    /* one we handed over */
	enum sbx_net_proto proto;
};

static enum sbx_net_proto sock_proto(int domain, int type)
{
	if (domain == AF_UNIX)
		return SBX_NET_UNIX;
	return type == SOCK_STREAM ? SBX_NET_TCP : SBX_NET_UDP;
}

static int get_sock(const struct freq *f, int pfd, struct sock *s)
{
	s->fd = fileops_program_fd_any(f, pfd);
	if (s->fd < 0)
		return s->fd;
	socklen_t l = sizeof(int);
	struct stat st;
	if (fstat(s->fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &s->domain, &l) < 0 ||
	    getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &s->type, &l) < 0 ||
	    getsockopt(s->fd, SOL_SOCKET, SO_PROTOCOL, &s->protocol, &l) < 0) {
		sbx_closep(&s->fd);
		return -ENOTSOCK;
	}
	s->flags = fcntl(s->fd, F_GETFL);
	long fl = fileops_fd_flags(f, pfd);
	s->cloexec = fl >= 0 && (fl & O_CLOEXEC);
	s->is_host = host_has(st.st_ino);
	s->proto = sock_proto(s->domain, s->type);
	return 0;
}

/* Options the program may have set before the connect or bind. */
static void copy_options(int from, int to, int domain)
{
	static const struct {
		int level, name;
	} opts[] = {
		{SOL_SOCKET, SO_REUSEADDR}, {SOL_SOCKET, SO_REUSEPORT}, {SOL_SOCKET, SO_KEEPALIVE},
		{SOL_SOCKET, SO_BROADCAST}, {SOL_SOCKET, SO_RCVBUF},    {SOL_SOCKET, SO_SNDBUF},
		{SOL_SOCKET, SO_LINGER},    {SOL_SOCKET, SO_RCVTIMEO},  {SOL_SOCKET, SO_SNDTIMEO},
		{SOL_SOCKET, SO_PASSCRED},  {IPPROTO_TCP, TCP_NODELAY}, {IPPROTO_IPV6, IPV6_V6ONLY},
	};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(opts); i++) {
		unsigned char v[64];
		socklen_t l = sizeof(v);
		if ((opts[i].level == IPPROTO_IPV6 && domain != AF_INET6) ||
		    (opts[i].level == IPPROTO_TCP && domain == AF_UNIX))
			continue;
		if (getsockopt(from, opts[i].level, opts[i].name, v, &l) == 0)
			(void)setsockopt(to, opts[i].level, opts[i].name, v, l);
	}
}

/* A host socket like S, with the options of the program's (if any). */
static int host_socket(const struct sock *s)
{
	int fd = socket(s->domain, s->type | SOCK_CLOEXEC | ((s->flags & O_NONBLOCK) ? SOCK_NONBLOCK : 0),
			s->protocol);
	if (fd < 0)
		return -errno;
	if (s->fd >= 0)
		copy_options(s->fd, fd, s->domain);
	return fd;
}

/* HFD goes to the program: remember it as one of ours. */
static void host_handed(int hfd)
{
	struct stat st;
	if (fstat(hfd, &st) == 0)
		host_add(st.st_ino);
}

/* Put HFD in place of the program's fd PFD. */
static int swap_in(struct broker *b, const struct freq *f, int pfd, int hfd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = f->n->id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)hfd,
		.newfd = (uint32_t)pfd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	pool_may_block(b); /* ADDFD waits for the program to take it */
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
		return -errno;
	host_handed(hfd);
	return 0;
}

static int refuse(struct broker *b, const struct freq *f, const struct sock *s, const char *what,
		  const char *peer)
{
	if (fileops_may_log(b))
		sbx_log("refused %s %s %s for pid %u: not allowed by the policy", f->name,
			sbx_net_proto_name(s->proto), peer, f->n->pid);
	(void)what;
	return -EACCES;
}

static void describe(const struct sockaddr *sa, char *out, size_t size)
{
	char a[64] = "?";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(out, size, "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(out, size, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		snprintf(out, size, "family %d", sa->sa_family);
	}
}

/* A unix socket address: the path the broker reaches it by, race-free
 * ("/proc/self/fd/N" of the socket file, or of its directory for bind),
 * after the policy check. *KEEP is the fd to close afterwards. */
static int unix_target(struct broker *b, const struct freq *f, struct fpath *fp, enum sbx_net_op op,
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
		if (!sbx_policy_net_check(&b->policy, op, SBX_NET_UNIX, NULL, 0, name, true))
			return -EACCES;
		memcpy(out->sun_path, un->sun_path, plen);
		*olen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
		return 0;
	}
	size_t n = strnlen(un->sun_path, plen);
	memcpy(fp->path, un->sun_path, n);
	fp->path[n] = '\0';
	int r = fileops_abs(f, fp);
	if (r < 0)
		return r;
	char canon[PATH_MAX];
	if (op == SBX_NET_CONNECT) {
		struct sbx_resolved res;
		r = fileops_resolve(b, fp->abs, 0, &res);
		if (r < 0) /* a socket that is not there: routine (nscd), unsaid */
			return sbx_policy_net_check(&b->policy, op, SBX_NET_UNIX, NULL, 0, fp->abs, false) ? r : -EPERM;
		*keep = res.fd;
		if (!sbx_policy_net_check(&b->policy, op, SBX_NET_UNIX, NULL, 0, res.path, false))
			return -EACCES;
		if (!S_ISSOCK(res.st.st_mode))
			return -ECONNREFUSED;
		snprintf(out->sun_path, sizeof(out->sun_path), "/proc/self/fd/%d", res.fd);
	} else {
		int dfd;
		char name[NAME_MAX + 1];
		r = fileops_parent_quiet(b, fp, &dfd, name, canon);
		if (r < 0)
			return r;
		*keep = dfd;
		if (!sbx_policy_net_check(&b->policy, op, SBX_NET_UNIX, NULL, 0, canon, false))
			return -EACCES;
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
static int wait_connect(struct broker *b, const struct freq *f, int hfd, const struct sockaddr *to,
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
			} else if (!fileops_id_valid(b, f->n->id)) {
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

static bool is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Decide a connect or bind to SA (LEN bytes, zero-padded) from a socket
 * like S by the policy, logging a refusal with its peer, and make the
 * address the broker reaches the peer by: *TO and *TOLEN (for a unix
 * socket in UN, with *KEEP the fd to close afterwards). 0, CONTINUE for
 * the sandbox's own loopback ("loopback private"), or a negative errno. */
static int decide_peer(struct broker *b, struct freq *f, const struct sock *s, enum sbx_net_op op,
		       const struct sockaddr_storage *sa, socklen_t len, struct sockaddr_un *un,
		       int *keep, const struct sockaddr **to, socklen_t *tolen)
{
	/* "loopback private": the sandbox's own loopback, in the kernel. A
	 * socket of the sandbox reaches nothing else, whatever the address
	 * is by the time the kernel reads it. */
	if (b->policy.loopback && !s->is_host && is_loopback((const struct sockaddr *)sa))
		return CONTINUE;
	char peer[PATH_MAX + 64];
	if (s->domain != AF_UNIX) {
		if (s->type != SOCK_STREAM && s->type != SOCK_DGRAM)
			return -EACCES;
		describe((const struct sockaddr *)sa, peer, sizeof(peer));
		if (!sbx_policy_net_check(&b->policy, op, s->proto, (const struct sockaddr *)sa, len, NULL, false))
			return refuse(b, f, s, sbx_net_op_name(op), peer);
		*to = (const struct sockaddr *)sa;
		*tolen = len;
		return 0;
	}
	const struct sockaddr_un *asked = (const struct sockaddr_un *)sa;
	struct fpath *fp = &f->p[0];
	fp->dirfd = AT_FDCWD;
	fp->path[0] = '\0';
	int r = unix_target(b, f, fp, op, asked, len, un, tolen, keep);
	snprintf(peer, sizeof(peer), "%s%s", asked->sun_path[0] ? "" : "@",
		 asked->sun_path[0] ? fp->path : asked->sun_path + 1);
	if (r == -EACCES)
		return refuse(b, f, s, sbx_net_op_name(op), peer);
	if (r == -EPERM)
		return -EACCES;
	*to = (const struct sockaddr *)un;
	return r;
}

/* Connect or bind HFD to TO. A blocking connect waits as wait_connect
 * says; any other answers at once, -EINPROGRESS for a connect under way.
 * 0 or a negative errno. */
static int host_connect(struct broker *b, const struct freq *f, int hfd, bool is_bind, bool blocking,
			const struct sockaddr *to, socklen_t tolen)
{
	if (blocking) {
		/* A slow peer must stall neither the others nor the
		 * sandbox's next requests. */
		if (!pool_wait_begin(b)) {
			if (fileops_may_log(b))
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
static int connect_bind(struct broker *b, struct freq *f, struct sock *s)
{
	const __u64 *a = f->n->data.args;
	bool is_bind = f->n->data.nr == SYS_bind;
	enum sbx_net_op op = is_bind ? SBX_NET_BIND : SBX_NET_CONNECT;
	struct sockaddr_storage sa = {0};
	socklen_t len = (socklen_t)a[2];
	if (a[2] > sizeof(sa) || len < sizeof(sa_family_t))
		return -EINVAL;
	int r = memio_read((pid_t)f->n->pid, a[1], &sa, len);
	if (r < 0)
		return r;
	if (!fileops_id_valid(b, f->n->id))
		return -ENOENT;
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
	if (r != 0)
		return r;
	/* On a socket we handed over already, act on it; else on a new one
	 * that replaces the program's when it worked. */
	_cleanup_close_ int hfd = s->is_host ? dup(s->fd) : host_socket(s);
	if (hfd < 0)
		return s->is_host ? -errno : hfd;
	r = host_connect(b, f, hfd, is_bind, !is_bind && !(s->flags & O_NONBLOCK), to, tolen);
	if (r < 0 && r != -EINPROGRESS)
		return r;
	if (!s->is_host) {
		int e = swap_in(b, f, (int)a[0], hfd, s->cloexec);
		if (e < 0)
			return e;
	}
	return r;
}

int net_client_connect(struct broker *b, struct freq *f, int type, const struct sockaddr_storage *addr,
		       unsigned len, int *fd)
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
	if (r != 0)
		return r;
	_cleanup_close_ int hfd = host_socket(&s);
	if (hfd < 0)
		return hfd;
	/* Never waited for here: the library waits in the caller's thread. */
	r = host_connect(b, f, hfd, false, false, to, tolen);
	if (r < 0 && r != -EINPROGRESS)
		return r;
	host_handed(hfd);
	*fd = sbx_take_fd(&hfd);
	return r;
}

/* sendto with an address, sendmsg, sendmmsg on a datagram socket we
 * handed over: checked and sent by the broker from its own copy. */
static ssize_t send_one(struct broker *b, struct freq *f, struct sock *s, const struct msghdr *m,
			int flags)
{
	if (m->msg_controllen)
		return -EACCES; /* no ancillary data over the host's sockets */
	if (m->msg_name) {
		char peer[80];
		describe(m->msg_name, peer, sizeof(peer));
		if (s->domain == AF_UNIX ||
		    !sbx_policy_net_check(&b->policy, SBX_NET_CONNECT, s->proto, m->msg_name, m->msg_namelen, NULL, false))
			return refuse(b, f, s, "send", peer);
	}
	ssize_t n = sendmsg(s->fd, m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

/* Copy the program's message M (at ADDR) into ours: name, iovecs, data. */
static int read_msg(const struct freq *f, uint64_t addr, struct msghdr *m, struct sockaddr_storage *name,
		    struct iovec *iov, char *data)
{
	pid_t pid = (pid_t)f->n->pid;
	struct msghdr pm;
	int r = memio_read(pid, addr, &pm, sizeof(pm));
	if (r < 0)
		return r;
	if (pm.msg_iovlen > MAX_IOV || pm.msg_namelen > sizeof(*name))
		return -EMSGSIZE;
	*m = (struct msghdr){.msg_controllen = pm.msg_controllen};
	if (pm.msg_name) {
		if ((r = memio_read(pid, (uint64_t)(uintptr_t)pm.msg_name, name, pm.msg_namelen)) < 0)
			return r;
		m->msg_name = name;
		m->msg_namelen = pm.msg_namelen;
	}
	struct iovec piov[MAX_IOV];
	if (pm.msg_iovlen && (r = memio_read(pid, (uint64_t)(uintptr_t)pm.msg_iov, piov,
					     pm.msg_iovlen * sizeof(*piov))) < 0)
		return r;
	size_t total = 0;
	for (size_t i = 0; i < pm.msg_iovlen; i++) {
		size_t l = piov[i].iov_len;
		if (l > MAX_DGRAM - total)
			return -EMSGSIZE;
		if (l && (r = memio_read(pid, (uint64_t)(uintptr_t)piov[i].iov_base, data + total, l)) < 0)
			return r;
		iov[i] = (struct iovec){.iov_base = data + total, .iov_len = l};
		total += l;
	}
	m->msg_iov = iov;
	m->msg_iovlen = pm.msg_iovlen;
	return 0;
}

static int64_t do_send(struct broker *b, struct freq *f, struct sock *s)
{
	const __u64 *a = f->n->data.args;
	struct sockaddr_storage name;
	struct iovec iov[MAX_IOV];
	_cleanup_free_ char *data = malloc(MAX_DGRAM);
	if (!data)
		return -ENOMEM;
	struct msghdr m;
	int r = 0;
	if (f->n->data.nr == SYS_sendto) {
		if (a[2] > MAX_DGRAM || a[5] > sizeof(name))
			return -EMSGSIZE;
		if ((r = memio_read((pid_t)f->n->pid, a[1], data, a[2])) < 0 ||
		    (r = memio_read((pid_t)f->n->pid, a[4], &name, a[5])) < 0)
			return r;
		iov[0] = (struct iovec){.iov_base = data, .iov_len = a[2]};
		m = (struct msghdr){.msg_name = &name, .msg_namelen = (socklen_t)a[5], .msg_iov = iov, .msg_iovlen = 1};
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		return send_one(b, f, s, &m, (int)a[3]);
	}
	if (f->n->data.nr == SYS_sendmsg) {
		if ((r = read_msg(f, a[1], &m, &name, iov, data)) < 0)
			return r;
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		return send_one(b, f, s, &m, (int)a[2]);
	}
	/* sendmmsg: each message in turn, like the kernel; the count sent. */
	unsigned vlen = (unsigned)a[2] > MAX_MMSG ? MAX_MMSG : (unsigned)a[2];
	unsigned i;
	for (i = 0; i < vlen; i++) {
		uint64_t at = a[1] + i * sizeof(struct mmsghdr);
		if ((r = read_msg(f, at, &m, &name, iov, data)) < 0)
			break;
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		ssize_t n = send_one(b, f, s, &m, (int)a[3]);
		if (n < 0) {
			r = (int)n;
			break;
		}
		unsigned len = (unsigned)n;
		(void)memio_write(b->listener, f->n->id, (pid_t)f->n->pid, at + offsetof(struct mmsghdr, msg_len), &len, sizeof(len));
	}
	return i ? (int64_t)i : r;
}

int net_handle(struct broker *b, struct freq *f, int64_t *val)
{
	struct sock s;
	int r = get_sock(f, (int)f->n->data.args[0], &s);
	if (r == -ENOTSOCK || r == -EBADF)
		return CONTINUE; /* the kernel says so itself */
	if (r < 0)
		return r;
	_cleanup_close_ int own = s.fd;
	if (f->n->data.nr == SYS_connect || f->n->data.nr == SYS_bind)
		return connect_bind(b, f, &s);
	/* A send: in the kernel, unless it is a datagram with an address
	 * (or a message that may carry one) on a host socket. A sandbox
	 * socket reaches nothing, and a stream ignores the address. */
	/* TCP Fast Open: a send that opens a connection, as connect does. */
	int sflags = (int)f->n->data.args[f->n->data.nr == SYS_sendto ? 3 : f->n->data.nr == SYS_sendmsg ? 2 : 3];
	if (s.is_host && (sflags & MSG_FASTOPEN))
		return refuse(b, f, &s, "send", "(MSG_FASTOPEN)");
	if (!s.is_host || s.type != SOCK_DGRAM) {
		if (s.is_host || s.type != SOCK_DGRAM || s.domain == AF_UNIX || f->n->data.nr != SYS_sendto)
			return CONTINUE;
		/* A datagram to an address from a socket of the sandbox's own:
		 * reachable only through one of ours. */
		struct sockaddr_storage sa;
		socklen_t len = (socklen_t)f->n->data.args[5];
		if (len > sizeof(sa) || memio_read((pid_t)f->n->pid, f->n->data.args[4], &sa, len) < 0)
			return CONTINUE;
		char peer[80];
		describe((struct sockaddr *)&sa, peer, sizeof(peer));
		if (b->policy.loopback && is_loopback((struct sockaddr *)&sa))
			return CONTINUE; /* the sandbox's own loopback */
		if (!sbx_policy_net_check(&b->policy, SBX_NET_CONNECT, s.proto, (struct sockaddr *)&sa, len, NULL, false))
			return refuse(b, f, &s, "send", peer);
		_cleanup_close_ int hfd = host_socket(&s);
		if (hfd < 0)
			return hfd;
		/* Keep a copy: the send goes through it below. */
		int copy = dup(hfd);
		if (copy < 0)
			return -errno;
		if ((r = swap_in(b, f, (int)f->n->data.args[0], hfd, s.cloexec)) < 0) {
			close(copy);
			return r;
		}
		close(own);
		own = s.fd = copy;
		s.is_host = true;
	}
	int64_t n = do_send(b, f, &s);
	if (n < 0)
		return (int)n;
	*val = n;
	return 0;
}
