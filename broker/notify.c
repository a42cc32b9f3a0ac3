/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's event loop: seccomp notifications, the channel, and signals. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "signals.h"
#include "util.h"

/* Workers: each waits for a notification and answers it. A worker that
 * takes the last idle place starts another, so a slow request (a FIFO
 * waiting for its peer) never stalls the rest. */
#define MAX_WORKERS 64

static unsigned workers, idle;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg);

static void start_worker(struct broker *b)
{
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, worker, b) == 0) {
		workers++;
		idle++;
	} else if (!workers) {
		sbx_die(SBX_EXIT_SETUP, "cannot start a worker thread");
	}
	pthread_attr_destroy(&attr);
}

static void *worker(void *arg)
{
	struct broker *b = arg;
	/* A umask (and working directory) of our own: requests set the
	 * program's umask for the call. */
	if (unshare(CLONE_FS) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "worker: cannot unshare its fs state");
	struct seccomp_notif *req = calloc(1, b->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, b->sizes.seccomp_notif_resp);
	if (!req || !resp)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	for (;;) {
		memset(req, 0, b->sizes.seccomp_notif);
		if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue; /* the target died before we read it */
			sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot receive a notification");
		}
		pthread_mutex_lock(&pool_lock);
		if (--idle == 0 && workers < MAX_WORKERS)
			start_worker(b);
		pthread_mutex_unlock(&pool_lock);
		memset(resp, 0, b->sizes.seccomp_notif_resp);
		resp->id = req->id;
		bool sent = false;
		fileops_handle(b, req, resp, &sent);
		if (!sent && ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			sbx_log_errno(errno, "cannot answer a notification");
		pthread_mutex_lock(&pool_lock);
		idle++;
		pthread_mutex_unlock(&pool_lock);
	}
	return NULL;
}

/* A message from init, read with the root lock held: a worker asking
 * init for a bind reads the channel too. */
static int channel_read(struct broker *b)
{
	pthread_mutex_lock(&b->root_lock);
	struct pollfd p = {.fd = b->chan, .events = POLLIN};
	int r = 1;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		r = sbx_msg_recv(b->chan, b->msg);
		if (r > 0)
			broker_channel_message(b, b->msg);
	}
	bool start = b->listener >= 0 && !workers;
	pthread_mutex_unlock(&b->root_lock);
	if (start) {
		pthread_mutex_lock(&pool_lock);
		start_worker(b);
		pthread_mutex_unlock(&pool_lock);
	}
	return r;
}

int notify_loop(struct broker *b)
{
	_cleanup_close_ int sfd = sbx_signalfd_forwarded();
	if (sfd < 0)
		return sfd;
	/* Look once for an exit that came before the signalfd existed, then
	 * only when SIGCHLD says so. */
	bool check_child = true;
	int status;
	struct pollfd pfd[2] = {
		{.fd = sfd, .events = POLLIN},
		{.fd = b->chan, .events = POLLIN},
	};
	for (;;) {
		if (check_child && waitpid(b->init_pid, &status, WNOHANG) == b->init_pid)
			return sbx_exit_status(status);
		check_child = false;
		if (SBX_RETRY(poll(pfd, 2, -1)) < 0)
			return -errno;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int32_t sig = (int32_t)si.ssi_signo;
				/* Through the channel: init may be root's, out of
				 * our reach for kill(). */
				if (sig == SIGCHLD)
					check_child = true;
				else
					(void)sbx_msg_send(b->chan, SBX_MSG_SIGNAL, 0, &sig, sizeof(sig), NULL, 0);
			}
		}
		if ((pfd[1].revents & POLLIN) && channel_read(b) == 0)
			pfd[1].events = 0;
		if (pfd[1].revents & (POLLHUP | POLLERR)) {
			/* init is gone or going: collect it. */
			if (waitpid(b->init_pid, &status, 0) == b->init_pid)
				return sbx_exit_status(status);
		}
	}
}
