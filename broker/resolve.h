/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Race-free path resolution: the broker walks a path one component at a time
 * from a directory fd it holds, opening each step with O_PATH|O_NOFOLLOW and
 * following symlinks itself, so the object it decides on is the object it
 * opened. ".." pops back to the fd of the parent the walk came through, so it
 * can never climb anywhere the canonical path does not say. */
#ifndef SBX_RESOLVE_H
#define SBX_RESOLVE_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/stat.h>

enum {
	SBX_RESOLVE_NOFOLLOW = 1u << 0, /* do not follow a symlink in the last component */
	SBX_RESOLVE_ALLOW_PROC = 1u << 1, /* allow procfs objects (default: -EACCES) */
};

/* Called for every symlink the walk follows, with its canonical path and its
 * text; and, with TARGET NULL, for every directory the walk leaves by "..".
 * A negative return aborts the walk with that errno. */
typedef int (*sbx_symlink_cb)(void *ctx, const char *link_path, const char *target);

struct sbx_resolved {
	int fd;              /* O_PATH fd of the object, or -1 */
	struct stat st;
	char path[PATH_MAX]; /* canonical path; on -ENOENT, the path that was
			      * missing; on -ENOTDIR, the object that is not
			      * a directory */
};

/* Resolve the absolute PATH from ROOTFD (a directory fd standing for "/").
 * Returns 0 with OUT->fd open, or a negative errno (-ENOENT with OUT->path
 * set to the canonical form of the missing path). */
int sbx_resolve(int rootfd, const char *path, unsigned flags, sbx_symlink_cb cb,
		void *ctx, struct sbx_resolved *out);

/* PATH with "." and ".." applied and slashes squeezed, without looking at
 * the file system; false when it climbs above "/". */
bool sbx_path_lexical(const char *path, char *out, size_t size);

/* Join the absolute BASE and PATH (PATH wins when absolute) into OUT. */
int sbx_path_join(char *out, size_t size, const char *base, const char *path);

#endif
