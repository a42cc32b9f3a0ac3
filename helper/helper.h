/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of sandbox-helper. */
#ifndef SBX_HELPER_H
#define SBX_HELPER_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"

/* init: pid 1 of the new namespaces. Never returns. CHAN is init's end of the
 * channel; SYNC_FD reads one byte once the parent has written the id maps. */
_Noreturn void init_main(int chan, int sync_fd, char **argv);

/* root.c: the empty root. init's own mount namespace holds /oldroot (the
 * caller's tree), /stage (a writable tmpfs) and /newroot (the same tmpfs,
 * read-only and shared). The program pivots into /newroot in a mount
 * namespace of its own, a slave of init's, so later binds reach it. */
int root_setup_base(void);
int root_add_dir(const char *path);
int root_add_symlink(const char *path, const char *target);
int root_add_bind(const struct sbx_bind_req *req, const char *path);
/* In the program's process: private mount namespace, pivot into /newroot. */
int root_enter(void);

/* caps.c: drop every capability of the calling process for good and set
 * no_new_privs. */
int caps_drop_all(void);

#endif
