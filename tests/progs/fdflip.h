/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For the fd-swap attacks (cwdswap, netswap): a thread that puts two fds
 * at one fd number in turn, as fast as it can, until told to stop, so the
 * broker's look at that number and the kernel's may see different
 * objects; and a clock for how long an attack runs. */
#ifndef SBX_TEST_FDFLIP_H
#define SBX_TEST_FDFLIP_H

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#define FDFLIP_SLOT 100 /* the fd number both threads use */

struct fdflip {
	int a, b; /* put at FDFLIP_SLOT in turn */
	atomic_bool stop;
};

static inline void *fdflip_run(void *arg)
{
	struct fdflip *x = arg;
	while (!atomic_load(&x->stop)) {
		(void)dup2(x->a, FDFLIP_SLOT);
		(void)dup2(x->b, FDFLIP_SLOT);
	}
	return NULL;
}

static inline double fdflip_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
