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
#include <time.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "dispatch.h"
#include "log.h"
#include "signals.h"
#include "util.h"
#include "waiter.h"

/* Workers. One of them at a time waits in NOTIF_RECV (the kernel wakes
 * every waiter for each notification, so more would only cost wake-ups);
 * the others park. The one that receives wakes another (or starts one,
 * up to MAX_WORKERS) when more notifications are waiting, so a program's
 * threads are served at once, and before anything that may wait long (a
 * FIFO open waiting for its peer), so nothing else stalls behind it. */
#define MAX_WORKERS 64
/* Workers that wait for a peer (a blocking connect) count apart, so they
 * never take the last worker: at most MAX_WAITING at a time. (Opens that
 * wait for a peer wait in threads of their own: waiter.c.) */
#define MAX_WAITING 512

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	unsigned workers, receiving, parked;
	unsigned waiting; /* workers in notify_wait_begin/end */
	bool done; /* no sandboxed task is left: the workers end */
	pthread_cond_t gone; /* a worker ended */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, false,
	  PTHREAD_COND_INITIALIZER};

/* Called with pool.lock held: every worker ends (parked ones wake up). */
static void workers_end(void)
{
	pool.done = true;
	pthread_cond_broadcast(&pool.wake);
}

/* A worker cannot go on. Its own process is the broker: end it. In a
 * launcher's process: end the sandbox instead (init dies, and with it
 * everything in there), and the workers. */
static void worker_fail(struct broker *b, int err, const char *what)
{
	if (!b->in_process)
		sbx_die_errno(SBX_EXIT_SETUP, err, "%s", what);
	sbx_log_errno(err, "%s", what);
	(void)syscall(SYS_pidfd_send_signal, b->init_pidfd, SIGKILL, NULL, 0);
	pthread_mutex_lock(&pool.lock);
	workers_end();
	pthread_mutex_unlock(&pool.lock);
}

static void *worker(void *arg);

/* Called with pool.lock held: get another worker to the listener. */
static void another_worker(struct broker *b)
{
	if (pool.receiving)
		return;
	if (pool.parked) {
		pthread_cond_signal(&pool.wake);
		return;
	}
	if (pool.workers - pool.waiting >= MAX_WORKERS)
		return;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int r = pthread_create(&t, &attr, worker, b);
	if (r == 0)
		pool.workers++;
	pthread_attr_destroy(&attr);
	if (r != 0 && !pool.workers) {
		pthread_mutex_unlock(&pool.lock);
		worker_fail(b, r, "cannot start a worker thread");
		pthread_mutex_lock(&pool.lock);
	}
}

void notify_may_block(struct broker *b)
{
	pthread_mutex_lock(&pool.lock);
	another_worker(b);
	pthread_mutex_unlock(&pool.lock);
}

bool notify_wait_begin(struct broker *b)
{
	pthread_mutex_lock(&pool.lock);
	bool ok = pool.waiting < MAX_WAITING;
	if (ok)
		pool.waiting++;
	another_worker(b);
	pthread_mutex_unlock(&pool.lock);
	return ok;
}

void notify_wait_end(void)
{
	pthread_mutex_lock(&pool.lock);
	pool.waiting--;
	pthread_mutex_unlock(&pool.lock);
}

static void *worker(void *arg)
{
	struct broker *b = arg;
	/* A umask (and working directory) of our own: requests set the
	 * program's umask for the call. */
	struct seccomp_notif *req = calloc(1, b->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, b->sizes.seccomp_notif_resp);
	if (unshare(CLONE_FS) < 0)
		worker_fail(b, errno, "worker: cannot unshare its fs state");
	else if (!req || !resp)
		worker_fail(b, ENOMEM, "worker: cannot start");
	else for (;;) {
		pthread_mutex_lock(&pool.lock);
		while (pool.receiving && !pool.done) {
			pool.parked++;
			pthread_cond_wait(&pool.wake, &pool.lock);
			pool.parked--;
		}
		if (pool.done) {
			pthread_mutex_unlock(&pool.lock);
			break;
		}
		pool.receiving++;
		pthread_mutex_unlock(&pool.lock);
		memset(req, 0, b->sizes.seccomp_notif);
		int r = ioctl(b->listener, SECCOMP_IOCTL_NOTIF_RECV, req);
		int err = errno;
		pthread_mutex_lock(&pool.lock);
		pool.receiving--;
		struct pollfd p = {.fd = b->listener, .events = POLLIN};
		if (r == 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
			another_worker(b); /* more waiting: serve them at once */
		else if (r < 0 && pool.parked)
			pthread_cond_signal(&pool.wake);
		pthread_mutex_unlock(&pool.lock);
		if (r < 0) {
			/* No task left under the filter (the listener hangs
			 * up): nothing more can come, so stop receiving. */
			if (err == ENOENT && poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) {
				pthread_mutex_lock(&pool.lock);
				workers_end();
				pthread_mutex_unlock(&pool.lock);
				break;
			}
			if (err == EINTR || err == ENOENT)
				continue; /* the target died before we read it */
			worker_fail(b, err, "cannot receive a notification");
			break;
		}
		memset(resp, 0, b->sizes.seccomp_notif_resp);
		resp->id = req->id;
		bool sent = dispatch_serve(b, req, resp);
		if (!sent && ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
			sbx_log_errno(errno, "cannot answer a notification");
	}
	free(req);
	free(resp);
	pthread_mutex_lock(&pool.lock);
	pool.workers--;
	pthread_cond_broadcast(&pool.gone);
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

int notify_finish(struct broker *b)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&pool.lock);
	workers_end();
	int r = 0;
	while (pool.workers && r == 0)
		r = pthread_cond_timedwait(&pool.gone, &pool.lock, &until);
	bool clean = !pool.workers;
	if (clean) {
		pool.done = false;
		pool.receiving = pool.parked = pool.waiting = 0;
	}
	pthread_mutex_unlock(&pool.lock);
	/* Let the waiters go; a worker still busy starts no new one. */
	waiter_end(b);
	return clean ? 0 : -EBUSY;
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
	bool start = b->listener >= 0;
	pthread_mutex_unlock(&b->root_lock);
	if (b->fatal && b->fatal_err)
		sbx_die_errno(SBX_EXIT_SETUP, b->fatal_err, "%s", b->fatal);
	if (b->fatal)
		sbx_die(SBX_EXIT_SETUP, "%s", b->fatal);
	if (start) {
		pthread_mutex_lock(&pool.lock);
		if (!pool.workers)
			another_worker(b);
		pthread_mutex_unlock(&pool.lock);
	}
	return r;
}

/* init is gone or going (its pidfd is readable, or the channel hung up):
 * read what it said last, wait until it has ended (a moment at most when
 * it is not our child), and return how. Our child: its status. Else the
 * program's, which init reported; without a report, a setup failure. */
static int init_ended(struct broker *b, struct pollfd *chan)
{
	while (chan->fd >= 0 && poll(chan, 1, 0) == 1 && (chan->revents & POLLIN) && channel_read(b) > 0)
		;
	struct pollfd p = {.fd = b->init_pidfd, .events = POLLIN};
	(void)SBX_RETRY(poll(&p, 1, 1000));
	int status; /* our child: it is ending (its channel end is closed) */
	if (b->init_child && SBX_RETRY(waitpid(b->init_pid, &status, 0)) == b->init_pid)
		return sbx_exit_status(status);
	return b->program_status >= 0 ? sbx_exit_status(b->program_status) : SBX_EXIT_SETUP;
}

int notify_loop(struct broker *b)
{
	/* In a launcher's process the signals are the launcher's. */
	_cleanup_close_ int sfd = b->in_process ? -1 : sbx_signalfd_forwarded();
	if (!b->in_process && sfd < 0)
		return sfd;
	struct pollfd pfd[3] = {
		{.fd = sfd, .events = POLLIN},
		{.fd = b->chan, .events = POLLIN},
		{.fd = b->init_pidfd, .events = POLLIN},
	};
	for (;;) {
		if (SBX_RETRY(poll(pfd, 3, -1)) < 0)
			return -errno;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int32_t sig = (int32_t)si.ssi_signo;
				/* Through the channel: init may be root's, out of
				 * our reach for kill(). No init to take it: we end. */
				int r = sig == SIGCHLD ? 0 :
					sbx_msg_send(b->chan, SBX_MSG_SIGNAL, 0, &sig, sizeof(sig), NULL, 0);
				if (r == -EPIPE || r == -ECONNRESET)
					return init_ended(b, &pfd[1]);
			}
		}
		if ((pfd[1].revents & POLLIN) && channel_read(b) == 0)
			pfd[1].events = 0;
		if (pfd[2].revents || (pfd[1].revents & (POLLHUP | POLLERR)))
			return init_ended(b, &pfd[1]);
	}
}
