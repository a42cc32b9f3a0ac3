/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Landlock confinement of execve (and, with --view, of opens), shared by init (before the program runs)
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
 * directory a path starts from. VIEW_RS, when not -1, is the view's ruleset
 * (--view; the broker's, with a rule for each tree and file the policy
 * grants): it also gets the root's own directories (listing only) and the
 * sandbox's procfs at /proc, and then confines every open the kernel does
 * for the program, whatever it starts from, to what the view holds. 0, also
 * without Landlock (the broker sees the same and refuses what would need
 * it); else a negative errno. */
static inline int sbx_confine_exec(int view_rs)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return view_rs >= 0 ? -EOPNOTSUPP : 0;
	struct landlock_ruleset_attr ra = {.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE};
	int rs = view_rs >= 0 ? view_rs : (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	struct {
		const char *path;
		__u64 access;
	} rules[] = {
		{"/", LANDLOCK_ACCESS_FS_EXECUTE | (view_rs >= 0 ? LANDLOCK_ACCESS_FS_READ_DIR : 0)},
		/* The program's own processes' files, as the kernel lets it
		 * read and write them (truncate: Landlock ABI 3, bit 14). */
		{"/proc", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
				  LANDLOCK_ACCESS_FS_WRITE_FILE | (abi >= 3 ? 1ULL << 14 : 0)},
	};
	int r = rs < 0 ? -errno : 0;
	for (size_t i = 0; i < (view_rs >= 0 ? 2u : 1u) && r == 0; i++) {
		int dir = open(rules[i].path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct landlock_path_beneath_attr pb = {.allowed_access = rules[i].access, .parent_fd = dir};
		if (dir < 0 ? errno != ENOENT : syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH,
							&pb, 0) < 0)
			r = -errno;
		if (dir >= 0)
			close(dir);
	}
	if (r == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		r = -errno;
	if (rs >= 0)
		close(rs);
	return r;
}

#endif
