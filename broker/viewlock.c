/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The view's second layer: a Landlock ruleset with a rule for each tree and
 * file the view binds, by the host's inode, with the rights of its bind. The
 * program confines itself with it before its execve (common/landlock.h adds
 * the root's own directories, for listing, and the sandbox's procfs), so an
 * open the kernel does for the program reaches what the view grants and
 * nothing else, whatever fd or working directory its path starts from: a
 * mistake in the mount tree, or a directory fd of the host's, opens nothing
 * more. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"
#include "util.h"
#include "view.h"

/* Landlock ABI 3 (Linux 6.2), newer than some C libraries' headers. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
/* Writes in a writable tree: no device nodes made there (they would not open:
 * the tree is nodev). */
#define WRITE_TREE                                                                                   \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |   \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |         \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM)
#define ABI1_ALL                                                                                     \
	(READ | WRITE_TREE | LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_MAKE_CHAR |                 \
	 LANDLOCK_ACCESS_FS_MAKE_BLOCK)

/* The rights a bind with FLAGS of an object of TYPE gives, of HANDLED. */
static __u64 rights(mode_t type, uint32_t flags, __u64 handled)
{
	bool w = flags & SBX_BIND_WRITABLE;
	__u64 a = type == S_IFDIR ? READ | (w ? WRITE_TREE | LANDLOCK_ACCESS_FS_REFER : 0)
				  : LANDLOCK_ACCESS_FS_READ_FILE | (w ? LANDLOCK_ACCESS_FS_WRITE_FILE : 0);
	if (w)
		a |= LANDLOCK_ACCESS_FS_TRUNCATE;
	return a & handled;
}

/* Does a hide of V lie strictly below DIR, or a guard at or below it? */
static bool hides_below(const struct view *v, const char *dir)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct view_entry *e = &v->v[i];
		if ((e->kind == VIEW_HIDE && strcmp(e->path, dir) && view_within(e->path, dir)) ||
		    (e->kind == VIEW_GUARD && view_within(e->path, dir)))
			return true;
	}
	return false;
}

static bool hidden(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].kind == VIEW_HIDE && !strcmp(v->v[i].path, path))
			return true;
	return false;
}

static int add_rule(int rs, int fd, __u64 access)
{
	struct landlock_path_beneath_attr pb = {.allowed_access = access, .parent_fd = fd};
	return access && syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0 ? -errno : 0;
}

/* A rule for the tree FD (at PATH, bound with FLAGS). Where the view hides
 * something below it, the rule is split: the directory gets its listing
 * alone and each entry but the hidden ones a rule of its own, down to what
 * is hidden. A rename on the host over a hidden name drops the mount that
 * hides it; what then stands there is a new inode no rule names, and does
 * not open. (Nor does anything else made later in such a directory: the
 * view holds what was there at start.) */
static int lock_tree(int rs, int fd, const char *path, const struct view *v, uint32_t flags, __u64 handled,
		     int depth)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0; /* its target is reached by its own name */
	if (!S_ISDIR(st.st_mode) || !hides_below(v, path))
		return add_rule(rs, fd, rights(st.st_mode & S_IFMT, flags, handled));
	if (depth > 64)
		return -ELOOP;
	int r = add_rule(rs, fd, rights(S_IFDIR, flags, handled) & ~LANDLOCK_ACCESS_FS_READ_FILE);
	int dfd = r < 0 ? -1 : openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (r == 0 && !d) {
		r = -errno;
		if (dfd >= 0)
			close(dfd);
	}
	for (struct dirent *de; r == 0 && d && (errno = 0, de = readdir(d));) {
		char sub[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", strcmp(path, "/") ? path : "", de->d_name) >=
		    (int)sizeof(sub))
			r = -ENAMETOOLONG;
		else if (!hidden(v, sub)) {
			_cleanup_close_ int e = openat(fd, de->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			r = e < 0 ? (errno == ENOENT ? 0 : -errno)
				  : lock_tree(rs, e, sub, v, flags, handled, depth + 1);
		}
	}
	if (r == 0 && d && errno)
		r = -errno;
	if (d)
		closedir(d);
	return r;
}

int view_ruleset(const struct view *v)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return -EOPNOTSUPP;
	struct landlock_ruleset_attr ra = {
		.handled_access_fs = ABI1_ALL | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
				     (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0),
	};
	int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rs < 0)
		return -errno;
	for (size_t i = 0; i < v->n; i++) {
		const struct view_entry *e = &v->v[i];
		if (e->kind != VIEW_BIND)
			continue;
		/* The very object the view binds (init checks the same). */
		_cleanup_close_ int fd = open(e->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		int r = fd < 0 || fstat(fd, &st) < 0 ? -errno
			: st.st_dev != e->dev || st.st_ino != e->ino ? -ESTALE : 0;
		if (r == 0)
			r = lock_tree(rs, fd, e->path, v, e->flags, ra.handled_access_fs, 0);
		if (r < 0) {
			close(rs);
			return r;
		}
	}
	return rs;
}
