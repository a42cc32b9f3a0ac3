/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opens that wait for a peer, served by threads of their own (waiter.c). */
#ifndef SBX_WAITER_H
#define SBX_WAITER_H

#include <stdbool.h>
#include <sys/stat.h>

#include "request.h"

/* Would an open of the object ST with FLAGS wait for something outside
 * the broker (a FIFO's peer, a device)? */
bool waiter_needed(const struct stat *st, int flags);
/* Open the object of PFD (O_PATH) with FLAGS in a thread of its own, and
 * answer F from there (the fd, with CLOEXEC, or the open's error). 0: F
 * is answered there; else a negative errno to answer F with now (ENFILE
 * when the sandbox's cap on waiting opens is reached). */
int waiter_open(struct broker *b, const struct request *f, int pfd, const struct stat *st, int flags,
		bool cloexec);
/* The sandbox is over: let go of every waiting FIFO open; waiters that
 * cannot be let go (a device's open) end on their own, holding nothing
 * of the broker's. */
void waiter_end(struct broker *b);

#endif
