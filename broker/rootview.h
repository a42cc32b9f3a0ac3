/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's model of the program's root: every directory, symlink and
 * bound executable init was asked to create. Lets the broker tell "a path of
 * the sandbox's own root" (the kernel may resolve it there) from "a host path
 * the policy refuses". */
#ifndef SBX_ROOTVIEW_H
#define SBX_ROOTVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sbx_root_entry {
	char *path;
	char *target; /* symlinks only */
	mode_t type;  /* S_IFDIR, S_IFREG or S_IFLNK */
	bool exec_ok; /* S_IFREG: may be executed directly (not only as an
		       * ELF interpreter) */
	dev_t dev;    /* exec_ok: the file's identity on the host, which a */
	ino_t ino;    /* process running it shows as /proc/PID/exe */
};

struct sbx_rootview {
	struct sbx_root_entry *v;
	size_t n, cap;
};

/* Add PATH (and, as directories, its parents). Returns 0 or -ENOMEM/-EEXIST. */
int sbx_rootview_add(struct sbx_rootview *rv, const char *path, mode_t type,
		     const char *target);
/* Does the absolute PATH name something in the root, following the root's
 * own symlinks (all but a last component when NOFOLLOW)? */
bool sbx_rootview_contains(const struct sbx_rootview *rv, const char *path, bool nofollow);
/* Let the file PATH (added before), host file DEV:INO, be executed
 * directly. */
void sbx_rootview_mark_exec(struct sbx_rootview *rv, const char *path, dev_t dev, ino_t ino);
/* Is DEV:INO a file of the root that may be executed directly? What a
 * process may have become by an exec. */
bool sbx_rootview_exec_image(const struct sbx_rootview *rv, dev_t dev, ino_t ino);
/* Does PATH, followed through the root's own symlinks, name a file that may
 * be executed directly? */
bool sbx_rootview_exec_ok(const struct sbx_rootview *rv, const char *path);
void sbx_rootview_free(struct sbx_rootview *rv);

#endif
