/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper --test, the part that needs no privilege. The helper has
 * dropped its privileges and runs
 *   sandbox-broker --selftest USERNS MOUNTS
 * where, setuid, USERNS and MOUNTS are the errno (0: none) of its own tries
 * as root, as init makes them: the namespaces with a user namespace, and
 * the mount API in them (with a user namespace only when the first try
 * worked); unprivileged, both are "" and the broker tries the mount API
 * itself. Each feature is tried in a child process of its own, as the
 * caller. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helperside.h"
#include "util.h"

static int try_userns(void)
{
	return unshare(CLONE_NEWUSER) < 0 ? -errno : 0;
}

/* A grandchild's getppid() stops in the kernel; we answer it with an fd. */
static int try_notify_addfd(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = SBX_ARRAY_SIZE(f), .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		long fd = syscall(SYS_getppid);
		_exit(fd >= 0 && fcntl((int)fd, F_GETFD) >= 0 ? 0 : 1);
	}
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	int r = 0;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0 ||
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) < 0) {
		r = -errno;
	} else {
		struct seccomp_notif_addfd add = {
			.id = req.id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (__u32)listener,
		};
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
			r = -errno;
	}
	if (r < 0)
		kill(pid, SIGKILL);
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return r < 0 ? r : (WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO);
}

static int try_pidfd(void)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return -errno;
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_getfd, pidfd, pidfd, 0);
	return fd < 0 ? -errno : 0;
}

static int try_vm_readv(void)
{
	volatile int secret = 42;
	int got = 0;
	struct iovec l = {&got, sizeof(got)}, r = {(void *)&secret, sizeof(secret)};
	if (process_vm_readv(getpid(), &l, 1, &r, 1, 0) != (ssize_t)sizeof(got))
		return -errno;
	return got == 42 ? 0 : -EIO;
}

/* What init does, in a mount namespace of our own: clone the
 * mount of one file (our own executable) and make it read-only. */
static int try_mount_api(void)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 && unshare(CLONE_NEWNS) < 0)
		return -errno;
	/* By its path: /proc/self/exe itself is a file of the old namespace. */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = '\0';
	_cleanup_close_ int m = open_tree(AT_FDCWD, exe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (m < 0)
		return -errno;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	return mount_setattr(m, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0 ? -errno : 0;
}

/* Run FN in a child. Returns its result. */
static int in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int r = fn();
		_exit(r < 0 ? (-r > 255 ? 255 : -r) : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status))
		return -EINTR;
	return -WEXITSTATUS(status);
}

static bool report(const char *what, int r, bool required)
{
	printf("%-4s %s%s%s\n", r == 0 ? "ok" : required ? "FAIL" : "no", what, r ? ": " : "",
	       r ? strerror(-r) : "");
	return r == 0 || !required;
}

int broker_selftest(int argc, char **argv)
{
	bool setuid = argc == 4 && *argv[2], ok = true;
	int setuid_ns = setuid ? -atoi(argv[2]) : 0;
	int userns = in_child(try_userns);
	report("unprivileged user namespaces", userns, false);
	if (setuid)
		report("user namespaces made by this setuid helper", setuid_ns, false);
	ok &= report("seccomp user notification with ADDFD and SEND", in_child(try_notify_addfd), true);
	ok &= report("pidfd_open and pidfd_getfd", in_child(try_pidfd), true);
	ok &= report("process_vm_readv", in_child(try_vm_readv), true);
	ok &= report("mount API (open_tree, mount_setattr)",
		     setuid ? -atoi(argv[3]) : in_child(try_mount_api), true);
	long ll = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* VERSION */);
	if (ll > 0)
		printf("info Landlock ABI %ld (used: init confines the program's execve to its root, and "
		       "a ruleset keeps it to the view, which lets the kernel serve its reads)\n", ll);
	else
		printf("info Landlock: %s (not used: the broker refuses what would need it, and serves "
		       "every read)\n", strerror(errno));
	const char *mode = setuid ? (setuid_ns ? "setuid-no-user-namespace" : "setuid-user-namespace")
			   : userns == 0 ? "user-namespace" : NULL;
	if (!mode) {
		printf("FAIL no mode: user namespaces are not available to this user; "
		       "install sandbox-helper setuid root\n");
		return 1;
	}
	printf("mode %s\n", mode);
	return ok ? 0 : 1;
}
