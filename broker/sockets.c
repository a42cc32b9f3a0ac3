/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The program's sockets (sockets.h). A host socket the broker handed over is
 * told by its network namespace (SO_NETNS_COOKIE), which the program cannot
 * change, or where the kernel lacks that, by its inode among the last ones
 * handed over: on those the broker carries out every datagram send that
 * names an address itself (netsend.c). */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "audit.h"
#include "sockets.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* The network namespace of socket FD, or 0 where the kernel cannot say. */
static uint64_t netns_cookie(int fd)
{
	uint64_t c = 0;
	socklen_t l = sizeof(c);
	return getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &c, &l) == 0 && l == sizeof(c) ? c : 0;
}

static void host_add(struct broker *b, ino_t ino, uint64_t cookie)
{
	pthread_mutex_lock(&b->hosts.lock);
	if (cookie)
		b->hosts.cookie = cookie;
	if (b->hosts.n < SBX_ARRAY_SIZE(b->hosts.ino))
		b->hosts.ino[b->hosts.n++] = ino;
	else /* forget the oldest */
		b->hosts.ino[b->hosts.next++ % SBX_ARRAY_SIZE(b->hosts.ino)] = ino;
	pthread_mutex_unlock(&b->hosts.lock);
}

/* Is the socket FD (inode INO) one of the host's? By its namespace where
 * the kernel says which: the table forgets the oldest, and a socket kept
 * while more are made would pass for the sandbox's own. */
static bool host_has(struct broker *b, int fd, ino_t ino)
{
	uint64_t cookie = netns_cookie(fd);
	bool r = false;
	pthread_mutex_lock(&b->hosts.lock);
	if (cookie && b->hosts.cookie)
		r = cookie == b->hosts.cookie;
	else
		for (size_t i = 0; i < b->hosts.n && !r; i++)
			r = b->hosts.ino[i] == ino;
	pthread_mutex_unlock(&b->hosts.lock);
	return r;
}

enum sbx_net_proto sock_proto(int domain, int type)
{
	if (domain == AF_UNIX)
		return SBX_NET_UNIX;
	return type == SOCK_STREAM ? SBX_NET_TCP : SBX_NET_UDP;
}

int sock_get(struct broker *b, const struct request *f, int pfd, struct sock *s)
{
	s->fd = req_program_fd_any(b, f, pfd);
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
	long fl = req_fd_flags(b, f, pfd);
	s->cloexec = fl >= 0 && (fl & O_CLOEXEC);
	s->is_host = host_has(b, s->fd, st.st_ino);
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

int sock_host(const struct sock *s)
{
	int fd = socket(s->domain, s->type | SOCK_CLOEXEC | ((s->flags & O_NONBLOCK) ? SOCK_NONBLOCK : 0),
			s->protocol);
	if (fd < 0)
		return -errno;
	if (s->fd >= 0)
		copy_options(s->fd, fd, s->domain);
	return fd;
}

void sock_handed(struct broker *b, int hfd)
{
	struct stat st;
	if (fstat(hfd, &st) == 0)
		host_add(b, st.st_ino, netns_cookie(hfd));
}

int sock_swap_in(struct broker *b, const struct request *f, int pfd, int hfd, bool cloexec)
{
	int r = req_replace_fd(b, f, pfd, hfd, cloexec);
	if (r == 0)
		sock_handed(b, hfd);
	return r;
}

int sock_refuse(struct broker *b, const struct request *f, const struct sock *s, const char *peer)
{
	struct audit_event e = {
		.syscall = f->op == OP_SEND ? "send" : f->name,
		.pid = f->n->pid,
		.why = REQ_NOT_ALLOWED,
		.answer = -EACCES,
		.suggest = true,
		.net = true,
		.op = f->op == OP_BIND ? SBX_NET_BIND : SBX_NET_CONNECT,
		.proto = s->proto,
		.peer = peer,
	};
	audit_decision(b, &e);
	return -EACCES;
}

void sock_allowed(struct broker *b, const struct request *f, const struct sock *s, enum sbx_net_op op,
		  const struct sockaddr *sa, size_t len, const char *unix_path, bool abstract)
{
	if (!audit_allowed_wanted(b))
		return;
	char peer[PATH_MAX + 64];
	if (s->proto == SBX_NET_UNIX)
		snprintf(peer, sizeof(peer), "%s%s", abstract ? "@" : "", unix_path ? unix_path : "");
	else
		sock_describe(sa, peer, sizeof(peer));
	struct audit_event e = {
		.syscall = f->op == OP_SEND ? "send" : f->name,
		.pid = f->n->pid,
		.net = true,
		.op = op,
		.proto = s->proto,
		.peer = peer,
		.sa = sa,
		.salen = len,
		.unix_path = unix_path,
		.abstract = abstract,
	};
	audit_decision(b, &e);
}

void sock_describe(const struct sockaddr *sa, char *out, size_t size)
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
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		bool abstract = !un->sun_path[0];
		const char *p = un->sun_path + abstract;
		snprintf(out, size, "%s%.*s", abstract ? "@" : "", (int)strnlen(p, sizeof(un->sun_path) - abstract), p);
	} else {
		snprintf(out, size, "family %d", sa->sa_family);
	}
}

bool sock_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}
