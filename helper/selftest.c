/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --test, --help and --explain, which the broker finishes as the caller. For --test,
 * setuid, the helper tries what only it can, as root in a child, as
 * init will: the sandbox's namespaces with a user namespace (else without
 * one), and the mount API in them. Then, as the caller, the broker checks
 * the rest, reports it all and says the mode (broker/selftest.c). */

#include "helper.h"

/* In a child, as root: unshare FLAGS and, with MOUNTS, clone the mount of
 * our own file and make it read-only, as init does. 0 or a negative errno. */
static int try_as_root(int flags, bool mounts)
{
	pid_t pid = fork();
	if (pid == 0) {
		/* Our own file, by its path in the new mount namespace. */
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
		char exe[4096] = "";
		int m = -1;
		if (readlink("/proc/self/exe", exe, sizeof(exe) - 1) < 0 || unshare(flags) < 0 ||
		    (mounts && ((m = open_tree(AT_FDCWD, exe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0 ||
				mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)))
			_exit(errno > 255 ? 255 : errno);
		_exit(0);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
}

_Noreturn void selftest(const struct launch *l, const char *broker)
{
	char userns[16] = "", mounts[16] = "";
	if (l->privileged && l->test) {
		int r = try_as_root(NS_FLAGS | CLONE_NEWUSER, false);
		snprintf(userns, sizeof(userns), "%d", -r);
		snprintf(mounts, sizeof(mounts), "%d",
			 -try_as_root(NS_FLAGS | (r ? 0 : CLONE_NEWUSER), true));
	}
	if (l->privileged)
		DIE_ERR(caps_become_user(l->uid, l->gid, NULL, 0), "cannot drop privileges");
	fflush(stdout);
	char *test[] = {"sandbox-broker", l->help ? "--usage" : "--selftest", userns, mounts, NULL};
	l->bargv[3] = test[0]; /* --explain: the options passed on, then the program */
	l->bargv[4] = "--explain";
	execv(broker, l->explain ? l->bargv + 3 : test);
	sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot execute the broker %s", broker);
}
