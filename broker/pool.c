/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker pool: receive the sandbox's notifications (NOTIF_RECV), have
 * the handler set at setup answer each, and send the answer (NOTIF_SEND).
 * Every piece of state is the sandbox's own (struct pool in its broker),
 * so one process can serve several sandboxes at once. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "util.h"

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

int pool_init(struct pool *p, sbx_serve_fn *serve)
{
	memset(p, 0, sizeof(*p));
	p->serve = serve;
	p->fail_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->fail_fd < 0)
		return -errno;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->gone, NULL);
	return 0;
}

void pool_destroy(struct pool *p)
{
	if (p->fail_fd < 0)
		return; /* never made */
	sbx_closep(&p->fail_fd);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->gone);
}

/* Called with the lock held: every worker ends (parked ones wake up). */
static void workers_end(struct pool *p)
{
	p->done = true;
	pthread_cond_broadcast(&p->wake);
}

/* A worker cannot go on: the workers end and the event loop learns why
 * (it ends the sandbox; the message is said there, once). */
static void worker_fail(struct broker *b, int err, const char *what)
{
	struct pool *p = &b->pool;
	pthread_mutex_lock(&p->lock);
	if (!p->fail_err) {
		p->fail_err = err;
		p->fail_what = what;
	}
	workers_end(p);
	pthread_mutex_unlock(&p->lock);
	uint64_t one = 1;
	(void)!write(p->fail_fd, &one, sizeof(one));
}

int pool_fail_fd(struct broker *b)
{
	return b->pool.fail_fd;
}

int pool_failure(struct broker *b, const char **what)
{
	pthread_mutex_lock(&b->pool.lock);
	int err = b->pool.fail_err;
	*what = b->pool.fail_what;
	pthread_mutex_unlock(&b->pool.lock);
	return -err;
}

static void *worker(void *arg);

/* Called with the lock held: get another worker to the listener. */
static void another_worker(struct broker *b)
{
	struct pool *p = &b->pool;
	if (p->receiving || p->done)
		return;
	if (p->parked) {
		pthread_cond_signal(&p->wake);
		return;
	}
	if (p->workers - p->waiting >= MAX_WORKERS)
		return;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	int r = pthread_create(&t, &attr, worker, b);
	if (r == 0)
		p->workers++;
	pthread_attr_destroy(&attr);
	if (r != 0 && !p->workers) {
		pthread_mutex_unlock(&p->lock);
		worker_fail(b, r, "cannot start a worker thread");
		pthread_mutex_lock(&p->lock);
	}
}

void pool_start(struct broker *b)
{
	pthread_mutex_lock(&b->pool.lock);
	if (!b->pool.workers)
		another_worker(b);
	pthread_mutex_unlock(&b->pool.lock);
}

void pool_may_block(struct broker *b)
{
	pthread_mutex_lock(&b->pool.lock);
	another_worker(b);
	pthread_mutex_unlock(&b->pool.lock);
}

bool pool_wait_begin(struct broker *b)
{
	struct pool *p = &b->pool;
	pthread_mutex_lock(&p->lock);
	bool ok = p->waiting < MAX_WAITING;
	if (ok)
		p->waiting++;
	another_worker(b);
	pthread_mutex_unlock(&p->lock);
	return ok;
}

void pool_wait_end(struct broker *b)
{
	pthread_mutex_lock(&b->pool.lock);
	b->pool.waiting--;
	pthread_mutex_unlock(&b->pool.lock);
}

/* Receive one notification into REQ. 1: got one; 0: try again (the
 * target died before we read it); -1: the workers end. */
static int receive(struct broker *b, struct seccomp_notif *req)
{
	struct pool *p = &b->pool;
	pthread_mutex_lock(&p->lock);
	while (p->receiving && !p->done) {
		p->parked++;
		pthread_cond_wait(&p->wake, &p->lock);
		p->parked--;
	}
	if (p->done) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	p->receiving++;
	pthread_mutex_unlock(&p->lock);
	memset(req, 0, b->sizes.seccomp_notif);
	int r = ioctl(b->listener, SECCOMP_IOCTL_NOTIF_RECV, req);
	int err = errno;
	pthread_mutex_lock(&p->lock);
	p->receiving--;
	struct pollfd pf = {.fd = b->listener, .events = POLLIN};
	if (r == 0 && poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN))
		another_worker(b); /* more waiting: serve them at once */
	else if (r < 0 && p->parked)
		pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (r == 0)
		return 1;
	/* No task left under the filter (the listener hangs up): nothing
	 * more can come, so stop receiving. */
	if (err == ENOENT && poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP)) {
		pthread_mutex_lock(&p->lock);
		workers_end(p);
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	if (err == EINTR || err == ENOENT)
		return 0;
	worker_fail(b, err, "cannot receive a notification");
	return -1;
}

static void *worker(void *arg)
{
	struct broker *b = arg;
	struct pool *p = &b->pool;
	/* A umask (and working directory) of our own: requests set the
	 * program's umask for the call. */
	struct seccomp_notif *req = calloc(1, b->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, b->sizes.seccomp_notif_resp);
	int r;
	if (unshare(CLONE_FS) < 0)
		worker_fail(b, errno, "worker: cannot unshare its fs state");
	else if (!req || !resp)
		worker_fail(b, ENOMEM, "worker: cannot start");
	else while ((r = receive(b, req)) >= 0) {
		if (r == 0)
			continue;
		memset(resp, 0, b->sizes.seccomp_notif_resp);
		resp->id = req->id;
		if (!p->serve(b, req, resp) && ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 &&
		    errno != ENOENT)
			sbx_log_errno(errno, "cannot answer a notification");
	}
	free(req);
	free(resp);
	pthread_mutex_lock(&p->lock);
	p->workers--;
	void (*release)(struct broker *) = p->workers ? NULL : p->orphaned;
	pthread_cond_broadcast(&p->gone);
	pthread_mutex_unlock(&p->lock);
	if (release)
		release(b); /* the sandbox ended without us: what it held goes now */
	return NULL;
}

int pool_stop(struct broker *b)
{
	struct pool *p = &b->pool;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&p->lock);
	workers_end(p);
	int r = 0;
	while (p->workers && r == 0)
		r = pthread_cond_timedwait(&p->gone, &p->lock, &until);
	bool clean = !p->workers;
	pthread_mutex_unlock(&p->lock);
	return clean ? 0 : -EBUSY;
}

int pool_hand_over(struct broker *b, void (*release)(struct broker *b))
{
	struct pool *p = &b->pool;
	pthread_mutex_lock(&p->lock);
	bool clean = !p->workers;
	if (!clean)
		p->orphaned = release; /* from here on B is that worker's */
	pthread_mutex_unlock(&p->lock);
	return clean ? 0 : -EBUSY;
}
