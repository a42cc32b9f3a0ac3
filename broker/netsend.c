/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sends that may name an address. The filter stops them for the broker only
 * where the policy may hand over datagram sockets of the host's (udp, unix
 * or bind rules), and then the broker carries out every one itself, from
 * its own copy of the socket it looked at: a CONTINUE would let the kernel
 * look at the fd number again, and another thread may have put a host
 * socket there by then. On a host socket the broker checks every address
 * against the policy; a socket of the sandbox's own reaches nothing outside
 * (its addresses resolve in the sandbox's network namespace), but for a
 * unix path, which would resolve in the broker's: refused. A datagram to an
 * address from a socket of the sandbox's own goes out through a host
 * socket swapped in first, if the policy allows. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "decide.h"
#include "pool.h"
#include "sockets.h"
#include "util.h"

#define MAX_DGRAM 65536
#define MAX_IOV 1024 /* UIO_MAXIOV */
#define MAX_CONTROL 4096
#define MAX_FDS 253 /* SCM_MAX_FD */
#define MAX_MMSG 64

/* The program's ancillary data (LEN bytes at ADDR) for a socket of the
 * sandbox's own, in CONTROL: the fds it passes (SCM_RIGHTS) replaced by
 * copies of them, kept in FDS (*NFDS) until the send is done. Credentials
 * (SCM_CREDENTIALS) would be the broker's: refused. */
static int read_control(struct broker *b, struct request *f, uint64_t addr, size_t len,
			char *control, int *fds, size_t *nfds)
{
	if (len > MAX_CONTROL)
		return -ENOBUFS;
	int r = req_read(b, f, addr, control, len);
	if (r < 0)
		return r;
	struct msghdr m = {.msg_control = control, .msg_controllen = len};
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue; /* options of IP and UDP: data to the kernel */
		if (c->cmsg_type != SCM_RIGHTS)
			return -EPERM;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int pfd, copy;
			memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*nfds == MAX_FDS)
				return -ETOOMANYREFS;
			if ((copy = req_program_fd_any(b, f, pfd)) < 0)
				return copy == -ENOENT ? copy : -EBADF;
			fds[(*nfds)++] = copy;
			memcpy(CMSG_DATA(c) + i * sizeof(int), &copy, sizeof(int));
		}
	}
	return 0;
}

/* sendmsg on our copy, waiting as the program's blocking socket would (but
 * never for a request that is gone); SIGPIPE raised in the program where
 * the kernel would have. */
static ssize_t send_waiting(struct broker *b, struct request *f, const struct sock *s,
			    const struct msghdr *m, int flags)
{
	bool waiting = false;
	ssize_t n;
	for (;;) {
		n = sendmsg(s->fd, m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0 || errno != EAGAIN || (s->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
			break;
		if (!waiting && !(waiting = pool_wait_begin(b)))
			break; /* too many wait: EAGAIN */
		struct pollfd p = {.fd = s->fd, .events = POLLOUT};
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if (!req_alive(b, f)) {
			errno = EINTR; /* nobody waits for it any more */
			break;
		}
	}
	int err = errno;
	if (waiting)
		pool_wait_end(b);
	if (n < 0 && err == EPIPE && !(flags & MSG_NOSIGNAL)) {
		long tgid = req_tgid(b, f);
		if (tgid > 0)
			(void)syscall(SYS_tgkill, (pid_t)tgid, (pid_t)f->n->pid, SIGPIPE);
	}
	return n < 0 ? -err : n;
}

/* One message M (its ancillary data still the program's: LEN bytes at
 * CONTROL_ADDR) of F on S. */
static ssize_t send_one(struct broker *b, struct request *f, struct sock *s, struct msghdr *m,
			uint64_t control_addr, size_t control_len, int flags)
{
	char peer[PATH_MAX + 80];
	if (m->msg_name)
		sock_describe(m->msg_name, peer, sizeof(peer));
	if (s->is_host) {
		if (control_len)
			return -EACCES; /* no ancillary data over the host's sockets */
		if (m->msg_name && (s->domain == AF_UNIX ||
				    !decide_net(b, SBX_NET_CONNECT, s->proto, m->msg_name,
							  m->msg_namelen, NULL, false)))
			return sock_refuse(b, f, s, peer);
		return send_waiting(b, f, s, m, flags);
	}
	/* A unix path would be looked up from the broker's root. */
	const struct sockaddr *to = m->msg_name;
	if (to && to->sa_family == AF_UNIX && m->msg_namelen > offsetof(struct sockaddr_un, sun_path) &&
	    ((const struct sockaddr_un *)m->msg_name)->sun_path[0])
		return sock_refuse(b, f, s, peer);
	char control[MAX_CONTROL] __attribute__((aligned(8)));
	int fds[MAX_FDS];
	size_t nfds = 0;
	ssize_t r = control_len ? read_control(b, f, control_addr, control_len, control, fds, &nfds) : 0;
	if (r == 0) {
		m->msg_control = control_len ? control : NULL;
		m->msg_controllen = control_len;
		r = send_waiting(b, f, s, m, flags);
	}
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	return r;
}

/* Copy the program's message M (at ADDR) into ours: name, iovecs, data
 * (on a stream, the first MAX_DGRAM bytes: a short send, as the kernel may
 * make); *CONTROL and *CLEN: where its ancillary data is. */
static int read_msg(const struct broker *b, const struct request *f, const struct sock *s, uint64_t addr,
		    struct msghdr *m, struct sockaddr_storage *name, struct iovec *iov, struct iovec *piov,
		    char *data, uint64_t *control, size_t *clen)
{
	struct msghdr pm;
	int r = req_read(b, f, addr, &pm, sizeof(pm));
	if (r < 0)
		return r;
	if (pm.msg_iovlen > MAX_IOV || pm.msg_namelen > sizeof(*name))
		return pm.msg_iovlen > MAX_IOV ? -EMSGSIZE : -EINVAL;
	*m = (struct msghdr){0};
	*control = (uint64_t)(uintptr_t)pm.msg_control;
	*clen = pm.msg_controllen;
	if (pm.msg_name) {
		if ((r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_name, name, pm.msg_namelen)) < 0)
			return r;
		m->msg_name = name;
		m->msg_namelen = pm.msg_namelen;
	}
	if (pm.msg_iovlen && (r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_iov, piov,
					     pm.msg_iovlen * sizeof(*piov))) < 0)
		return r;
	size_t total = 0, k = 0;
	for (size_t i = 0; i < pm.msg_iovlen; i++) {
		size_t l = piov[i].iov_len;
		if (l > MAX_DGRAM - total) {
			if (s->type != SOCK_STREAM)
				return -EMSGSIZE;
			l = MAX_DGRAM - total;
		}
		if (l && (r = req_read(b, f, (uint64_t)(uintptr_t)piov[i].iov_base, data + total, l)) < 0)
			return r;
		iov[k++] = (struct iovec){.iov_base = data + total, .iov_len = l};
		total += l;
		if (total == MAX_DGRAM)
			break;
	}
	m->msg_iov = iov;
	m->msg_iovlen = k;
	return 0;
}

static int64_t do_send(struct broker *b, struct request *f, struct sock *s)
{
	const __u64 *a = f->n->data.args;
	struct sockaddr_storage name;
	uint64_t control;
	size_t clen;
	/* On the heap: a waiter's thread has a small stack. */
	struct buffers {
		char data[MAX_DGRAM];
		struct iovec iov[MAX_IOV], piov[MAX_IOV];
	};
	_cleanup_free_ struct buffers *buf = malloc(sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	char *data = buf->data;
	struct iovec *iov = buf->iov;
	struct msghdr m;
	int r = 0;
	if (f->n->data.nr == SYS_sendto) {
		if (a[5] > sizeof(name))
			return -EINVAL;
		if (a[2] > MAX_DGRAM && s->type != SOCK_STREAM)
			return -EMSGSIZE;
		size_t len = a[2] > MAX_DGRAM ? MAX_DGRAM : a[2];
		if ((r = req_read(b, f, a[1], data, len)) < 0 || (r = req_read(b, f, a[4], &name, a[5])) < 0)
			return r;
		iov[0] = (struct iovec){.iov_base = data, .iov_len = len};
		m = (struct msghdr){.msg_name = &name, .msg_namelen = (socklen_t)a[5], .msg_iov = iov, .msg_iovlen = 1};
		return send_one(b, f, s, &m, 0, 0, (int)a[3]);
	}
	if (f->n->data.nr == SYS_sendmsg) {
		if ((r = read_msg(b, f, s, a[1], &m, &name, iov, buf->piov, data, &control, &clen)) < 0)
			return r;
		return send_one(b, f, s, &m, control, clen, (int)a[2]);
	}
	/* sendmmsg: each message in turn, like the kernel; the count sent. */
	unsigned vlen = (unsigned)a[2] > MAX_MMSG ? MAX_MMSG : (unsigned)a[2];
	unsigned i;
	for (i = 0; i < vlen; i++) {
		uint64_t at = a[1] + i * sizeof(struct mmsghdr);
		if ((r = read_msg(b, f, s, at, &m, &name, iov, buf->piov, data, &control, &clen)) < 0)
			break;
		ssize_t n = send_one(b, f, s, &m, control, clen, (int)a[3]);
		if (n < 0) {
			r = (int)n;
			break;
		}
		unsigned len = (unsigned)n;
		(void)req_write(b, f, at + offsetof(struct mmsghdr, msg_len), &len, sizeof(len));
	}
	return i ? (int64_t)i : r;
}

int64_t netsend(struct broker *b, struct request *f, struct sock *s)
{
	int r;
	/* TCP Fast Open: a send that opens a connection, as connect does. */
	int sflags = (int)f->n->data.args[f->n->data.nr == SYS_sendmsg ? 2 : 3];
	if (s->is_host && (sflags & MSG_FASTOPEN))
		return sock_refuse(b, f, s, "(MSG_FASTOPEN)");
	if (!s->is_host && s->type == SOCK_DGRAM && s->domain != AF_UNIX && f->n->data.nr == SYS_sendto) {
		/* A datagram to an address from a socket of the sandbox's own:
		 * reachable only through one of ours, but the sandbox's own
		 * loopback ("loopback private"). */
		struct sockaddr_storage sa;
		socklen_t len = (socklen_t)f->n->data.args[5];
		if (len > sizeof(sa))
			return -EINVAL;
		if ((r = req_read(b, f, f->n->data.args[4], &sa, len)) < 0)
			return r;
		if (b->policy.loopback && sock_is_loopback((struct sockaddr *)&sa))
			return do_send(b, f, s);
		char peer[80];
		sock_describe((struct sockaddr *)&sa, peer, sizeof(peer));
		if (!decide_net(b, SBX_NET_CONNECT, s->proto, (struct sockaddr *)&sa, len, NULL, false))
			return sock_refuse(b, f, s, peer);
		_cleanup_close_ int hfd = sock_host(s);
		if (hfd < 0)
			return hfd;
		/* Keep a copy: the send goes through it below. */
		int copy = dup(hfd);
		if (copy < 0)
			return -errno;
		if ((r = sock_swap_in(b, f, (int)f->n->data.args[0], hfd, s->cloexec)) < 0) {
			close(copy);
			return r;
		}
		close(s->fd);
		s->fd = copy;
		s->is_host = true;
	}
	return do_send(b, f, s);
}
