/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock confinement of execve, shared by init (before the program runs)
 * and the client library's sbx_enter() (--deferred). */
#ifndef SBX_LANDLOCK_H
#define SBX_LANDLOCK_H

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where the kernel has Landlock: the calling thread (and what it starts)
 * may execve nothing outside the current root, whatever fd or working
 * directory a path starts from. 0, also without Landlock (the broker sees
 * the same and refuses what would need it); else a negative errno. */
static inline int sbx_confine_exec(void)
{
	if (syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION) < 1)
		return 0;
	struct landlock_ruleset_attr ra = {.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE};
	int rs = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;
	if (rs < 0 || root < 0) {
		r = -errno;
	} else {
		struct landlock_path_beneath_attr pb = {
			.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE,
			.parent_fd = root,
		};
		if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0 ||
		    syscall(SYS_landlock_restrict_self, rs, 0) < 0)
			r = -errno;
	}
	if (rs >= 0)
		close(rs);
	if (root >= 0)
		close(root);
	return r;
}

#endif
