/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client library's socket: requests with a reply socket each, decided
 * by the same code and policy as the syscalls, answered with results and
 * opened fds (SCM_RIGHTS). A malformed request is dropped, its fds closed;
 * it is answered -EBADMSG when it brought a reply socket. A thread of the
 * program may have its first reply socket kept as its connection: its
 * later requests come there, without a new socket each (a thread of ours
 * serves it until the program's end of it closes). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "clientproto.h"
#include "dispatch.h"
#include "log.h"
#include "util.h"

/* Connections kept for a thread of the program each, served by a thread
 * of ours each: at most MAX_CONNS at a time (beyond, requests bring their
 * reply sockets as before). */
#define MAX_CONNS 64

/* Receive one request on FD into REQ (with its fds, at most 8, and the
 * sender's pid): its length, 0 at the end, or a negative errno. */
static ssize_t receive(int fd, struct sbx_client_req *req, int *fds, int *nfds, pid_t *pid, bool *trunc)
{
	struct iovec iov = {.iov_base = req, .iov_len = sizeof(*req) + 16};
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n = SBX_RETRY(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC));
	if (n <= 0)
		return n < 0 ? -errno : 0;
	*nfds = 0;
	*pid = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			*pid = cr.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int f;
				memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (*nfds < 8)
					fds[(*nfds)++] = f;
				else
					close(f);
			}
		}
	}
	*trunc = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
	return n;
}

struct conn {
	struct broker *b;
	int fd;
};

static void *serve_conn(void *arg)
{
	struct conn *c = arg;
	struct broker *b = c->b;
	struct sbx_client_req *req = malloc(sizeof(*req) + 16);
	struct sbx_client_reply *rep = malloc(sizeof(*rep));
	/* Our own umask, as the workers' (the sender's pid comes with each
	 * request: dispatch_client_message set SO_PASSCRED). */
	if (req && rep && unshare(CLONE_FS) == 0) {
		for (;;) {
			int fds[8], nfds;
			pid_t pid;
			bool trunc;
			ssize_t n = receive(c->fd, req, fds, &nfds, &pid, &trunc);
			if (n <= 0)
				break; /* the thread's end closed (it ended, or exec'd) */
			if (dispatch_client_message(b, req, (size_t)n, trunc, fds, nfds, pid, rep, c->fd,
						    false) == -EBADMSG)
				break; /* malformed: not answered, the connection dropped */
		}
	}
	close(c->fd);
	free(req);
	free(rep);
	free(c);
	atomic_fetch_sub(&b->client_conns, 1);
	return NULL;
}

/* Serve FD, a reply socket kept as a thread's connection, in a thread of
 * its own; closed when that cannot be. */
static void keep_conn(struct broker *b, int fd)
{
	struct conn *c = malloc(sizeof(*c));
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (c) {
		*c = (struct conn){b, fd};
		atomic_fetch_add(&b->client_conns, 1);
	}
	if (!c || pthread_create(&t, &attr, serve_conn, c) != 0) {
		if (c)
			atomic_fetch_sub(&b->client_conns, 1);
		free(c);
		close(fd); /* the library's next request there fails, and it asks anew */
	}
	pthread_attr_destroy(&attr);
}

static void *serve(void *arg)
{
	struct broker *b = arg;
	if (unshare(CLONE_FS) < 0) /* our own umask, as the workers' */
		return NULL;
	struct sbx_client_req *req = malloc(sizeof(*req) + 16);
	struct sbx_client_reply *rep = malloc(sizeof(*rep));
	if (!req || !rep) {
		free(req);
		free(rep);
		return NULL;
	}
	for (;;) {
		int fds[8], nfds;
		pid_t pid;
		bool trunc;
		ssize_t n = receive(b->client_sock, req, fds, &nfds, &pid, &trunc);
		if (n <= 0)
			break; /* every copy of the program's end is closed */
		bool room = atomic_load(&b->client_conns) < MAX_CONNS;
		int kept = dispatch_client_message(b, req, (size_t)n, trunc, fds, nfds, pid, rep, -1, room);
		if (kept >= 0)
			keep_conn(b, kept);
	}
	free(req);
	free(rep);
	return NULL;
}

int client_start(struct broker *b)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	int one = 1;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return r;
	}
	struct stat st;
	if (fstat(sv[1], &st) == 0) {
		b->client_peer_dev = st.st_dev;
		b->client_peer_ino = st.st_ino;
	}
	int r = sbx_msg_send(b->chan, SBX_MSG_CLIENT, 0, NULL, 0, &sv[1], 1);
	close(sv[1]);
	if (r < 0) {
		close(sv[0]);
		return r;
	}
	b->client_sock = sv[0];
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &attr, serve, b);
	pthread_attr_destroy(&attr);
	return -r;
}
