/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opens that wait for something outside the broker: a FIFO's peer, a
 * device that is busy or waits for a carrier. Such an open never takes a
 * worker: it gets a thread of its own (a waiter), up to WAITERS_MAX at a
 * time in each sandbox (WAITERS_MAX_SHARED where one broker serves many:
 * their threads and fds come out of one process's limits), which opens,
 * checks that the request is still there and injects the fd. A waiter
 * holds nothing but its own copy of the object's O_PATH fd and a
 * reference to its sandbox's group, which holds one copy of the listener
 * for all of them, so a waiter may outlive the sandbox without holding up
 * the next one.
 *
 * A waiter whose request is gone (the program was killed, or a signal
 * ended the call) is let go: a signal of the broker's own (WAITER_SIGNAL,
 * whose handler does nothing and does not restart) ends its open with
 * EINTR, whoever owns the FIFO and whatever waits on it besides. That
 * happens before each new waiter starts (so an open the program restarts
 * after each signal does not pile up waiters, and a signal that came just
 * before the open is sent again) and for every waiter when the sandbox
 * ends. Where that signal is another's already (a launcher's handler),
 * a FIFO's open is ended instead by the broker opening the FIFO for
 * reading and writing (nonblocking) and closing it again; a live waiter
 * on the same FIFO that such a release wakes, and finds no peer, opens
 * again. A device open that no signal ends ends when it returns. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "request.h"
#include "log.h"
#include "util.h"
#include "waiter.h"

#define WAITERS_MAX 512
#define WAITERS_MAX_SHARED 128
#define WAITER_SIGNAL (SIGRTMAX - 3)

struct waiter {
	struct waiter *next;
	struct waiters *group;
	int listener; /* the group's */
	int opath;
	uint64_t id;
	int flags;   /* for open(2) */
	bool cloexec;
	bool fifo;
	bool woken;  /* a release woke it: open again if still wanted */
	atomic_bool cancel; /* its request is gone: end the open */
	pthread_t thread;
	dev_t dev;
	ino_t ino;
};

struct waiters {
	pthread_mutex_t lock;
	pthread_cond_t gone;
	unsigned refs;  /* the sandbox's own, and one for each waiter */
	unsigned count, max;
	int listener;   /* the waiters' copy of the sandbox's listener */
	bool ended;     /* the sandbox is over */
	bool warned;    /* the cap was said */
	long long swept_ns; /* when the waiters were last looked over */
	struct waiter *list;
};

/* Does a blocking open of ST with FLAGS wait for something else? The
 * devices every program opens never wait to open: the memory devices
 * (/dev/null, /dev/urandom...), /dev/tty, /dev/ptmx and the ptys. A
 * serial line waits for its carrier, a sound device while it is busy. */
bool waiter_needed(const struct stat *st, int flags)
{
	if (flags & O_NONBLOCK)
		return false;
	if (S_ISFIFO(st->st_mode))
		return (flags & O_ACCMODE) != O_RDWR; /* O_RDWR never waits */
	if (S_ISBLK(st->st_mode))
		return true;
	if (!S_ISCHR(st->st_mode))
		return false;
	unsigned maj = major(st->st_rdev);
	return maj != 1 && maj != 5 && !(maj >= 136 && maj <= 143);
}

/* After a release woke a waiter's open of FIFO FD: is its peer there
 * (then it keeps the fd, as the kernel would), or was the release all it
 * saw? A reader sees data, or a writer still there (no hang-up); a
 * writer, a reader still there (no error). */
static bool peer_there(int fd, int flags)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 0) < 0)
		return true;
	if ((flags & O_ACCMODE) == O_RDONLY)
		return (p.revents & POLLIN) || !(p.revents & POLLHUP);
	return !(p.revents & POLLERR);
}

static bool id_valid(int listener, uint64_t id)
{
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* Called with the group's lock held: end W's blocked FIFO open, and wake
 * (to open again) every other waiter on the same FIFO that it ends too. */
static void release(struct waiters *g, struct waiter *w)
{
	if (!w->fifo)
		return;
	for (struct waiter *o = g->list; o; o = o->next)
		if (o != w && o->fifo && o->dev == w->dev && o->ino == w->ino)
			o->woken = true;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->opath);
	/* Both ends at once: whichever end W waits for. Without write
	 * permission, the end it waits for only. */
	int fd = open(proc, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fd = open(proc, ((w->flags & O_ACCMODE) == O_RDONLY ? O_WRONLY : O_RDONLY) | O_NONBLOCK |
				O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static void on_waiter_signal(int sig)
{
	(void)sig; /* only to end an open with EINTR */
}

/* Is WAITER_SIGNAL ours to end opens with? Taken once, unless someone
 * (a launcher) has a handler of its own there. */
static pthread_once_t signal_once = PTHREAD_ONCE_INIT;
static bool signal_taken;

static void signal_setup(void)
{
	struct sigaction old, sa = {.sa_handler = on_waiter_signal}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	signal_taken = sigaction(WAITER_SIGNAL, NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		       !(old.sa_flags & SA_SIGINFO) && sigaction(WAITER_SIGNAL, &sa, NULL) == 0;
}

static bool signal_ours(void)
{
	pthread_once(&signal_once, signal_setup);
	return signal_taken;
}

/* Called with the group's lock held (W is on its list, so its thread is
 * there): end W's open. */
static void cancel(struct waiters *g, struct waiter *w)
{
	atomic_store(&w->cancel, true);
	if (signal_ours())
		(void)pthread_kill(w->thread, WAITER_SIGNAL);
	else
		release(g, w);
}

static void group_unref_locked(struct waiters *g)
{
	bool last = --g->refs == 0;
	pthread_mutex_unlock(&g->lock);
	if (last) {
		sbx_closep(&g->listener);
		pthread_mutex_destroy(&g->lock);
		pthread_cond_destroy(&g->gone);
		free(g);
	}
}

static void answer_error(int listener, uint64_t id, int err)
{
	struct seccomp_notif_resp resp = {.id = id, .error = -err};
	(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct waiters *g = w->group;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", w->opath);
	sigset_t sig;
	sigemptyset(&sig);
	sigaddset(&sig, WAITER_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &sig, NULL);
	int fd, err;
	for (;;) {
		fd = atomic_load(&w->cancel) ? -1 : open(proc, w->flags);
		err = fd < 0 ? errno : 0;
		if (atomic_load(&w->cancel)) {
			sbx_closep(&fd);
			err = EINTR;
			break;
		}
		if (fd < 0 && err == EINTR)
			continue; /* not ours to end */
		pthread_mutex_lock(&g->lock);
		bool again = w->woken && !g->ended && fd >= 0 && !peer_there(fd, w->flags) &&
			     id_valid(w->listener, w->id);
		w->woken = false;
		pthread_mutex_unlock(&g->lock);
		if (!again)
			break;
		sbx_closep(&fd);
	}
	/* Off the list first: no release is meant for it any more. */
	pthread_mutex_lock(&g->lock);
	for (struct waiter **p = &g->list; *p; p = &(*p)->next)
		if (*p == w) {
			*p = w->next;
			break;
		}
	pthread_mutex_unlock(&g->lock);
	if (!id_valid(w->listener, w->id)) {
		/* nobody waits for it any more */
	} else if (fd < 0) {
		answer_error(w->listener, w->id, err);
	} else {
		struct seccomp_notif_addfd add = {
			.id = w->id,
			.flags = SECCOMP_ADDFD_FLAG_SEND,
			.srcfd = (uint32_t)fd,
			.newfd_flags = w->cloexec ? O_CLOEXEC : 0,
		};
		if (ioctl(w->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 && errno != ENOENT &&
		    errno != ESRCH)
			answer_error(w->listener, w->id, errno);
	}
	if (fd >= 0)
		close(fd);
	close(w->opath);
	free(w);
	pthread_mutex_lock(&g->lock);
	g->count--;
	pthread_cond_broadcast(&g->gone);
	group_unref_locked(g);
	return NULL;
}

/* Called with the group's lock held: let go of the waiters whose
 * request is gone. At most every 10 ms, unless the cap is near: a program
 * that restarts an open a thousand times a second beside hundreds that
 * wait would have the broker look them all over each time. */
static void sweep(struct waiters *g)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now - g->swept_ns < 10000000 && g->count + 1 < g->max)
		return;
	g->swept_ns = now;
	for (struct waiter *w = g->list; w; w = w->next)
		if (!id_valid(w->listener, w->id))
			cancel(g, w);
}

static struct waiters *group_of(struct broker *b)
{
	if (b->waiters)
		return b->waiters;
	struct waiters *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->listener = fcntl(b->listener, F_DUPFD_CLOEXEC, 3);
	if (g->listener < 0) {
		free(g);
		return NULL;
	}
	g->max = b->in_process ? WAITERS_MAX_SHARED : WAITERS_MAX;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->gone, NULL);
	g->refs = 1;
	b->waiters = g;
	return g;
}

int waiter_open(struct broker *b, const struct request *f, int pfd, const struct stat *st, int flags,
		bool cloexec)
{
	if (atomic_load(&b->waiters_closed))
		return -EINTR; /* a worker late after the sandbox's end */
	struct waiters *g = group_of(b);
	struct waiter *w = calloc(1, sizeof(*w));
	if (!g || !w) {
		free(w);
		return -ENOMEM;
	}
	w->listener = g->listener;
	w->opath = fcntl(pfd, F_DUPFD_CLOEXEC, 3);
	w->id = f->n->id;
	w->flags = flags;
	w->cloexec = cloexec;
	w->fifo = S_ISFIFO(st->st_mode);
	w->dev = st->st_dev;
	w->ino = st->st_ino;
	int r = w->opath < 0 ? -errno : 0;
	pthread_mutex_lock(&g->lock);
	sweep(g);
	if (r == 0 && g->count >= g->max) {
		r = -ENFILE;
		if (!g->warned && req_may_log(b))
			sbx_log("refused %s for pid %u: %u opens wait for a peer already", f->name,
				f->n->pid, g->max);
		g->warned = true;
	}
	pthread_t t;
	pthread_attr_t attr;
	if (r == 0 && (r = -pthread_attr_init(&attr)) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		w->group = g;
		w->next = g->list;
		g->list = w;
		g->count++;
		g->refs++;
		(void)signal_ours();
		r = -pthread_create(&t, &attr, waiter_main, w);
		if (r == 0)
			w->thread = t;
		pthread_attr_destroy(&attr);
		if (r < 0) {
			g->list = w->next;
			g->count--;
			g->refs--;
			r = -ENFILE; /* no thread to wait in: as if at the cap */
		}
	}
	pthread_mutex_unlock(&g->lock);
	if (r < 0) {
		sbx_closep(&w->opath);
		free(w);
	}
	return r;
}

void waiter_end(struct broker *b)
{
	atomic_store(&b->waiters_closed, true);
	struct waiters *g = b->waiters;
	if (!g)
		return;
	b->waiters = NULL;
	pthread_mutex_lock(&g->lock);
	g->ended = true;
	/* Waiters end at once (again, for one the signal reached just
	 * before its open, for up to 3 s); a device's may take its time, and
	 * keeps the group alive until it ends. */
	for (int i = 0; g->count && i < 300; i++) {
		for (struct waiter *w = g->list; w; w = w->next)
			cancel(g, w);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		(void)pthread_cond_timedwait(&g->gone, &g->lock, &until);
	}
	group_unref_locked(g);
}
