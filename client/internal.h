/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsandbox-client's own interfaces, not exported. */
#ifndef SBX_CLIENT_INTERNAL_H
#define SBX_CLIENT_INTERNAL_H

#include <stdbool.h>

#include "sandbox/client.h"

/* sbx_spawn, the helper started with STDIO[0..2] (unless NULL) as its
 * stdin, stdout and stderr instead of the caller's; with NOWAIT, returning
 * once it is forked (a failed exec ends it with 127) instead of once it
 * is executed. */
__attribute__((visibility("hidden"))) int sbx_spawn_stdio(const char *const argv[],
							  const struct sbx_spawn_opts *opts, pid_t *pid,
							  int *pidfd, const int *stdio, bool nowait);

#endif
