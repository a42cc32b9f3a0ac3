/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The program's own /proc entries, served from the host's (procself.c). */
#ifndef SBX_PROCSELF_H
#define SBX_PROCSELF_H

#include <stdbool.h>

#include "request.h"
#include "resolve.h"

/* P names a process's /proc entry (*HANDLED): the program's own, served
 * as RES (0), or refused; else *HANDLED is false and the policy decides. */
int procself_resolve(struct broker *b, const struct request *f, const struct fpath *p, bool nofollow,
		     unsigned need, struct sbx_resolved *res, bool *handled);

#endif
