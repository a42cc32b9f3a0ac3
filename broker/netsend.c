/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sends that may name an address. They matter only on a datagram socket of
 * the host's that the broker handed over (net.c): on those the broker
 * checks every address and sends from its own copy, and never lets the
 * kernel re-read an address the program could change meanwhile. Sockets of
 * the program's own (unswapped) reach nothing outside, so their sends run
 * in the kernel, except a datagram to an address, which a host socket
 * swapped in first carries, if the policy allows. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "handlers.h"
#include "sockets.h"
#include "util.h"

#define MAX_DGRAM 65536
#define MAX_IOV 64
#define MAX_MMSG 64

/* sendto with an address, sendmsg, sendmmsg on a datagram socket we
 * handed over: checked and sent by the broker from its own copy. */
static ssize_t send_one(struct broker *b, struct request *f, struct sock *s, const struct msghdr *m,
			int flags)
{
	if (m->msg_controllen)
		return -EACCES; /* no ancillary data over the host's sockets */
	if (m->msg_name) {
		char peer[80];
		sock_describe(m->msg_name, peer, sizeof(peer));
		if (s->domain == AF_UNIX ||
		    !sbx_policy_net_check(&b->policy, SBX_NET_CONNECT, s->proto, m->msg_name, m->msg_namelen, NULL, false))
			return sock_refuse(b, f, s, peer);
	}
	ssize_t n = sendmsg(s->fd, m, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

/* Copy the program's message M (at ADDR) into ours: name, iovecs, data. */
static int read_msg(const struct broker *b, const struct request *f, uint64_t addr, struct msghdr *m,
		    struct sockaddr_storage *name, struct iovec *iov, char *data)
{
	struct msghdr pm;
	int r = req_read(b, f, addr, &pm, sizeof(pm));
	if (r < 0)
		return r;
	if (pm.msg_iovlen > MAX_IOV || pm.msg_namelen > sizeof(*name))
		return -EMSGSIZE;
	*m = (struct msghdr){.msg_controllen = pm.msg_controllen};
	if (pm.msg_name) {
		if ((r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_name, name, pm.msg_namelen)) < 0)
			return r;
		m->msg_name = name;
		m->msg_namelen = pm.msg_namelen;
	}
	struct iovec piov[MAX_IOV];
	if (pm.msg_iovlen && (r = req_read(b, f, (uint64_t)(uintptr_t)pm.msg_iov, piov,
					     pm.msg_iovlen * sizeof(*piov))) < 0)
		return r;
	size_t total = 0;
	for (size_t i = 0; i < pm.msg_iovlen; i++) {
		size_t l = piov[i].iov_len;
		if (l > MAX_DGRAM - total)
			return -EMSGSIZE;
		if (l && (r = req_read(b, f, (uint64_t)(uintptr_t)piov[i].iov_base, data + total, l)) < 0)
			return r;
		iov[i] = (struct iovec){.iov_base = data + total, .iov_len = l};
		total += l;
	}
	m->msg_iov = iov;
	m->msg_iovlen = pm.msg_iovlen;
	return 0;
}

static int64_t do_send(struct broker *b, struct request *f, struct sock *s)
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
		if ((r = req_read(b, f, a[1], data, a[2])) < 0 ||
		    (r = req_read(b, f, a[4], &name, a[5])) < 0)
			return r;
		iov[0] = (struct iovec){.iov_base = data, .iov_len = a[2]};
		m = (struct msghdr){.msg_name = &name, .msg_namelen = (socklen_t)a[5], .msg_iov = iov, .msg_iovlen = 1};
		return send_one(b, f, s, &m, (int)a[3]);
	}
	if (f->n->data.nr == SYS_sendmsg) {
		if ((r = read_msg(b, f, a[1], &m, &name, iov, data)) < 0)
			return r;
		return send_one(b, f, s, &m, (int)a[2]);
	}
	/* sendmmsg: each message in turn, like the kernel; the count sent. */
	unsigned vlen = (unsigned)a[2] > MAX_MMSG ? MAX_MMSG : (unsigned)a[2];
	unsigned i;
	for (i = 0; i < vlen; i++) {
		uint64_t at = a[1] + i * sizeof(struct mmsghdr);
		if ((r = read_msg(b, f, at, &m, &name, iov, data)) < 0)
			break;
		ssize_t n = send_one(b, f, s, &m, (int)a[3]);
		if (n < 0) {
			r = (int)n;
			break;
		}
		unsigned len = (unsigned)n;
		(void)req_write(b, f, at + offsetof(struct mmsghdr, msg_len), &len, sizeof(len));
	}
	return i ? (int64_t)i : r;
}

int64_t netsend_handle(struct broker *b, struct request *f)
{
	struct sock s;
	int r = sock_get(b, f, (int)f->n->data.args[0], &s);
	/* No socket at that number when we looked: say so ourselves. A
	 * CONTINUE would let the kernel look again, and another thread may
	 * have put a host socket there by then. */
	if (r < 0)
		return r;
	_cleanup_close_ int own = s.fd;
	/* A send: in the kernel, unless it is a datagram with an address
	 * (or a message that may carry one) on a host socket. A sandbox
	 * socket reaches nothing, and a stream ignores the address. */
	/* TCP Fast Open: a send that opens a connection, as connect does. */
	int sflags = (int)f->n->data.args[f->n->data.nr == SYS_sendto ? 3 : f->n->data.nr == SYS_sendmsg ? 2 : 3];
	if (s.is_host && (sflags & MSG_FASTOPEN))
		return sock_refuse(b, f, &s, "(MSG_FASTOPEN)");
	if (!s.is_host || s.type != SOCK_DGRAM) {
		if (s.is_host || s.type != SOCK_DGRAM || s.domain == AF_UNIX || f->n->data.nr != SYS_sendto)
			return req_continue(b, f);
		/* A datagram to an address from a socket of the sandbox's own:
		 * reachable only through one of ours. */
		struct sockaddr_storage sa;
		socklen_t len = (socklen_t)f->n->data.args[5];
		if (len > sizeof(sa) || req_read(b, f, f->n->data.args[4], &sa, len) < 0)
			return req_continue(b, f);
		char peer[80];
		sock_describe((struct sockaddr *)&sa, peer, sizeof(peer));
		if (b->policy.loopback && sock_is_loopback((struct sockaddr *)&sa))
			return req_continue(b, f); /* the sandbox's own loopback */
		if (!sbx_policy_net_check(&b->policy, SBX_NET_CONNECT, s.proto, (struct sockaddr *)&sa, len, NULL, false))
			return sock_refuse(b, f, &s, peer);
		_cleanup_close_ int hfd = sock_host(&s);
		if (hfd < 0)
			return hfd;
		/* Keep a copy: the send goes through it below. */
		int copy = dup(hfd);
		if (copy < 0)
			return -errno;
		if ((r = sock_swap_in(b, f, (int)f->n->data.args[0], hfd, s.cloexec)) < 0) {
			close(copy);
			return r;
		}
		close(own);
		own = s.fd = copy;
		s.is_host = true;
	}
	return do_send(b, f, &s);
}
