/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Approved execs: answered with CONTINUE, and the image the kernel loaded
 * checked before it runs (see execwatch.c). */
#ifndef SBX_EXECWATCH_H
#define SBX_EXECWATCH_H

#include <linux/seccomp.h>

#include "broker.h"

struct request;
/* Answer the exec request F with CONTINUE and
 * watch it: a process whose exec loaded an image that no rule lets run is
 * killed before the image runs. 0 when answered; -ENOENT when the request
 * is gone; another negative errno when it could not be watched, for the
 * caller to answer with. */
int execwatch_continue(struct broker *b, struct request *f);

#endif
