/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Warm sandboxes: sbx_spawn's work done ahead. Each slot is a sandbox whose
 * program is sandbox-warm (warmstub.c), started with the pool's options and
 * waiting, ready, for a program to execute; sbx_spawn with opts->warm hands
 * a ready one its arguments and the caller's stdio and starts another. */
#include "sandbox/client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "setup.h"
#include "util.h"
#include "warmproto.h"

#define MAX_SLOTS 64

struct slot {
	pid_t pid;
	int pidfd;
	int sock; /* ours; the sandbox's end was its program's fd */
	bool ready;
};

struct sbx_warm {
	pthread_mutex_t lock;
	struct sbx_spawn_opts opts; /* with the slot's socket added to keep_fds */
	int *keep;                  /* opts.keep_fds: the caller's, then the socket */
	char stub[PATH_MAX];
	int stdio[3];               /* the slots' own until they are taken: /dev/null,
				     * and the caller's stderr when the pool began */
	pid_t owner;                /* the thread that starts the slots */
	size_t want, n;
	struct slot slots[MAX_SLOTS];
};

/* Start one slot into *S: a sandbox running sandbox-warm on its end of a
 * socket, in the caller's thread (its death is the sandbox's, as for
 * sbx_spawn), without waiting for the helper's exec (a failed one is a
 * slot that ends before it is ready). With the lock held. */
static int slot_start(struct sbx_warm *w, struct slot *s)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	char num[16];
	snprintf(num, sizeof(num), "%d", sv[1]);
	const char *argv[] = {w->stub, num, NULL};
	w->keep[w->opts.n_keep_fds - 1] = sv[1];
	int r = sbx_spawn_stdio(argv, &w->opts, &s->pid, &s->pidfd, w->stdio, true);
	close(sv[1]);
	if (r < 0) {
		close(sv[0]);
		return r;
	}
	s->sock = sv[0];
	s->ready = false;
	return 0;
}

static void slot_end(struct slot *s, bool kill_it)
{
	close(s->sock);
	if (kill_it)
		kill(s->pid, SIGKILL);
	(void)waitpid(s->pid, NULL, 0);
	close(s->pidfd);
}

int sbx_warm_new(const struct sbx_spawn_opts *opts, unsigned ready, struct sbx_warm **wp)
{
	static const struct sbx_spawn_opts none;
	if (!opts)
		opts = &none;
	if (!wp || !ready || ready > MAX_SLOTS || opts->warm)
		return -EINVAL;
	struct sbx_warm *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->opts = *opts;
	w->owner = gettid();
	w->keep = calloc(opts->n_keep_fds + 1, sizeof(int));
	const char *stub = getenv("SBX_WARM");
	snprintf(w->stub, sizeof(w->stub), "%s", stub ? stub : SBX_INSTALL_LIBEXECDIR "/sandbox-warm");
	if (!w->keep) {
		free(w);
		return -ENOMEM;
	}
	if (opts->n_keep_fds)
		memcpy(w->keep, opts->keep_fds, opts->n_keep_fds * sizeof(int));
	w->opts.keep_fds = w->keep;
	w->opts.n_keep_fds = opts->n_keep_fds + 1;
	pthread_mutex_init(&w->lock, NULL);
	w->want = ready;
	w->stdio[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	w->stdio[1] = w->stdio[0] < 0 ? -1 : fcntl(w->stdio[0], F_DUPFD_CLOEXEC, 3);
	w->stdio[2] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (w->stdio[2] < 0 && w->stdio[1] >= 0)
		w->stdio[2] = fcntl(w->stdio[1], F_DUPFD_CLOEXEC, 3); /* no stderr */
	int r = w->stdio[0] < 0 || w->stdio[1] < 0 || w->stdio[2] < 0 ? -errno : access(w->stub, X_OK) < 0 ? -errno : 0;
	while (r == 0 && w->n < w->want && (r = slot_start(w, &w->slots[w->n])) == 0)
		w->n++;
	if (r < 0) {
		sbx_warm_free(w);
		return r;
	}
	*wp = w;
	return 0;
}

void sbx_warm_free(struct sbx_warm *w)
{
	if (!w)
		return;
	/* An unused slot ends by itself once its socket closes (status 0).
	 * One still starting is let finish first (killed halfway, its
	 * broker would say it could not build it), for a second at most. */
	for (size_t i = 0; i < w->n; i++) {
		struct pollfd p = {.fd = w->slots[i].sock, .events = POLLIN};
		if (!w->slots[i].ready && poll(&p, 1, 1000) == 1) {
			char c;
			w->slots[i].ready = read(w->slots[i].sock, &c, 1) == 1;
		}
		slot_end(&w->slots[i], !w->slots[i].ready);
	}
	pthread_mutex_destroy(&w->lock);
	for (int i = 0; i < 3; i++)
		if (w->stdio[i] >= 0)
			close(w->stdio[i]);
	free(w->keep);
	free(w);
}

/* With the lock held: the index of a ready slot, waiting for one if none
 * is. A slot that ended before it was ready (its setup failed, and said
 * why) is dropped and replaced; -EIO after a few of them, -errno when none
 * can be had. */
static int take_ready(struct sbx_warm *w)
{
	int failed = 0, timeout = 0;
	for (;;) {
		struct pollfd p[MAX_SLOTS];
		for (size_t i = 0; i < w->n; i++) {
			if (w->slots[i].ready)
				return (int)i;
			p[i] = (struct pollfd){.fd = w->slots[i].sock, .events = POLLIN};
		}
		if (!w->n)
			return -ECHILD;
		/* First a look, then a wait: for the first to be ready. */
		if (poll(p, w->n, timeout) < 0 && errno != EINTR)
			return -errno;
		timeout = -1;
		size_t n = w->n;
		for (size_t i = n; i-- > 0;) {
			char c;
			if (!p[i].revents)
				continue;
			if (read(w->slots[i].sock, &c, 1) == 1 && c == 'R') {
				w->slots[i].ready = true;
				continue;
			}
			slot_end(&w->slots[i], true); /* ended before it was ready */
			w->slots[i] = w->slots[--w->n];
			failed++;
		}
		if (failed > (int)w->want + 1)
			return -EIO;
		while (w->n < n && slot_start(w, &w->slots[w->n]) == 0)
			w->n++; /* in place of the ones that ended */
	}
}

int sbx_warm_spawn(struct sbx_warm *w, const char *const argv[], pid_t *pid, int *pidfd)
{
	if (!w || !argv || !argv[0] || !pid)
		return -EINVAL;
	/* The work: the arguments, NUL-terminated one after another (on the
	 * heap: a thread-local buffer would be in every thread's stack). */
	_cleanup_free_ char *buf = malloc(SBX_WARM_MAX_BYTES);
	if (!buf)
		return -ENOMEM;
	size_t len = 0;
	if (gettid() != w->owner)
		return -EPERM; /* see sbx_warm_new */
	/* Relative: from the caller's working directory now, not the one
	 * the sandbox was started in. */
	int r = setup_find_program(argv[0], buf, SBX_WARM_MAX_BYTES);
	if (r < 0)
		return r;
	len = strlen(buf) + 1;
	for (size_t i = 1; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		if (l > SBX_WARM_MAX_BYTES - len || i >= SBX_WARM_MAX_ARGS)
			return -E2BIG;
		memcpy(buf + len, argv[i], l);
		len += l;
	}
	pthread_mutex_lock(&w->lock);
	int i = take_ready(w);
	if (i < 0) {
		pthread_mutex_unlock(&w->lock);
		return i;
	}
	struct slot s = w->slots[i];
	w->slots[i] = w->slots[--w->n];
	union {
		struct cmsghdr h;
		char room[CMSG_SPACE(3 * sizeof(int))];
	} c;
	memset(&c, 0, sizeof(c));
	struct iovec iov = {buf, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.room,
			   .msg_controllen = sizeof(c.room)};
	c.h.cmsg_level = SOL_SOCKET;
	c.h.cmsg_type = SCM_RIGHTS;
	c.h.cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(&c.h), (int[]){0, 1, 2}, 3 * sizeof(int));
	ssize_t sent = sendmsg(s.sock, &m, MSG_NOSIGNAL);
	r = sent == (ssize_t)len ? 0 : sent < 0 ? -errno : -EIO;
	close(s.sock);
	/* The next one, started while this one runs. */
	if (w->n < w->want && slot_start(w, &w->slots[w->n]) == 0)
		w->n++;
	pthread_mutex_unlock(&w->lock);
	if (r < 0) {
		kill(s.pid, SIGKILL);
		(void)waitpid(s.pid, NULL, 0);
		close(s.pidfd);
		return r;
	}
	*pid = s.pid;
	if (pidfd)
		*pidfd = s.pidfd;
	else
		close(s.pidfd);
	return 0;
}
