/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy's decisions on what a request reaches: the object a path
 * resolves to, the directory a name is made or removed in, and what the
 * program may be told exists. */
#ifndef SBX_DECIDE_H
#define SBX_DECIDE_H

#include <stdbool.h>

#include "request.h"
#include "resolve.h"

/* sbx_resolve with the broker's checks on the way: symlinks followed must
 * be granted, directories left by ".." visible. */
int decide_resolve(struct broker *b, const char *abs, unsigned flags, struct sbx_resolved *res);
/* Is PATH granted something, or on the way to something granted? */
bool decide_visible(const struct broker *b, const char *path);
/* Does a "temporary" rule (and no deny) name PATH? Such a name is never
 * there for the program; its exclusive creates are served unnamed. */
bool decide_temporary(const struct broker *b, const char *path);
/* May the program learn that PATH (absolute, maybe with "..") is missing or
 * not a directory? Only where the policy grants something. */
bool decide_may_tell(const struct broker *b, const char *path);
/* Does PATH name something of the sandbox's own root? */
bool decide_in_root(struct broker *b, const char *path, bool nofollow);
/* The program's root (O_PATH, the broker's: do not close), or a negative
 * errno. */
int decide_sandbox_root(struct broker *b, const struct request *f);

/* Resolve P for NEED: 0 with RES open on the object (on the host, or in the
 * sandbox's own root when the policy grants nothing there), or a negative
 * errno, logged when it is a refusal. NOFOLLOW: the last component. */
int decide_object(struct broker *b, const struct request *f, const struct fpath *p, bool nofollow,
		  unsigned need, struct sbx_resolved *res);
/* The directory that holds P's last component, for a call that makes,
 * removes, renames or links that name (USE: NAME_*), with write on the
 * name checked: 0 with *DIRFD open (O_PATH), NAME the last component and
 * CANON (PATH_MAX) its canonical path; or the errno the kernel would give
 * for that call ("." or "..", "/", a name that exists, "name/" on a file),
 * or a refusal. */
int decide_name(struct broker *b, const struct request *f, const struct fpath *p, unsigned use,
		int *dirfd, char *name, char *canon);
/* The directory of P's last component and its canonical path, without a
 * policy check (the network rules decide a socket's name). */
int decide_name_quiet(struct broker *b, const struct fpath *p, int *dirfd, char *name, char *canon);

/* Does the policy allow the network operation (sbx_policy_net_check)?
 * Learning mode records it. */
bool decide_net(const struct broker *b, enum sbx_net_op op, enum sbx_net_proto proto,
		const struct sockaddr *addr, size_t len, const char *path, bool abstract);

#endif
