/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker pool: threads that receive the sandbox's seccomp
 * notifications, have a handler answer each, and send the answer. It knows
 * no syscall: the handler, set at setup, does. */
#ifndef SBX_POOL_H
#define SBX_POOL_H

#include <linux/seccomp.h>
#include <pthread.h>
#include <stdbool.h>

struct broker;

/* Answer one notification. RESP is prepared with the id. True when the
 * handler answered it itself (ADDFD with SEND, a CONTINUE it sent, an exec
 * it watched); false when the pool must send RESP. */
typedef bool sbx_serve_fn(struct broker *b, const struct seccomp_notif *req,
			  struct seccomp_notif_resp *resp);

/* One sandbox's pool, a member of its struct broker. */
struct pool {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a parked worker may go to the listener */
	pthread_cond_t gone; /* a worker ended */
	unsigned workers, receiving, parked;
	unsigned waiting;    /* workers between pool_wait_begin and _end */
	bool done;           /* no sandboxed task is left: the workers end */
	sbx_serve_fn *serve;
	int fail_fd;         /* eventfd, readable once a worker failed */
	int fail_err;        /* why (an errno), 0 while none did */
	const char *fail_what;
	/* pool_finish gave up waiting: the last worker to end calls this. */
	void (*orphaned)(struct broker *b);
};

/* Make P ready; SERVE answers each notification. 0 or a negative errno. */
int pool_init(struct pool *p, sbx_serve_fn *serve);
/* Free what pool_init made (no worker may be left). */
void pool_destroy(struct pool *p);
/* The listener is there: make sure a worker serves it. */
void pool_start(struct broker *b);
/* The fd the event loop polls to learn that a worker could not go on;
 * pool_failure then says why: a negative errno and *WHAT, or 0. */
int pool_fail_fd(struct broker *b);
int pool_failure(struct broker *b, const char **what);
/* A worker is about to do something that may wait long: make sure another
 * one serves the listener meanwhile. */
void pool_may_block(struct broker *b);
/* A worker is about to wait for a peer, as long as the program waits (a
 * blocking connect): it no longer counts as one of the workers that
 * serve, so another is started. False (and nothing to end) when too many
 * wait already. */
bool pool_wait_begin(struct broker *b);
void pool_wait_end(struct broker *b);
/* Once the sandbox is over: end the workers (they stop when no task is
 * left), waiting 5 s at most. 0 once every worker ended; -EBUSY when some
 * worker is still busy. */
int pool_stop(struct broker *b);
/* Then: 0 when no worker is left (the caller frees B); -EBUSY when one is,
 * and the last one to end calls RELEASE(B): the caller must not touch B. */
int pool_hand_over(struct broker *b, void (*release)(struct broker *b));

#endif
