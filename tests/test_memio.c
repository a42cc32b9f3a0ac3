/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memio: a write for a request whose target died never lands in the
 * process that got its pid. In a pid namespace of its own the test makes
 * the reuse happen: target A stops in a notified syscall, is killed and
 * reaped, and B, forked with ns_last_pid set, gets A's pid and the same
 * address layout. memio_write for A's request must fail and leave B's
 * memory as it was. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "memio.h"

static char target[64] = "untouched";

/* A: notified on getppid, hands its listener to the parent via a pipe. */
static void run_a(int wfd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(10);
	int lfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (lfd < 0 || write(wfd, &lfd, sizeof(lfd)) != sizeof(lfd))
		_exit(11);
	(void)syscall(SYS_getppid);
	_exit(0);
}

/* The namespace's init: returns 0 when the write did not land in B. */
static int reuse(void)
{
	if (mount("none", "/proc", "proc", 0, NULL) < 0)
		return 20;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return 21;
	pid_t a = fork();
	if (a == 0)
		run_a(p[1]);
	int afd;
	if (a < 0 || read(p[0], &afd, sizeof(afd)) != sizeof(afd))
		return 22;
	int pidfd = (int)syscall(SYS_pidfd_open, a, 0);
	int listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, afd, 0);
	if (listener < 0)
		return 23;
	struct seccomp_notif n;
	memset(&n, 0, sizeof(n));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0 || (pid_t)n.pid != a)
		return 24;
	/* The request stands: a write to A goes through. */
	if (memio_write(listener, n.id, a, (uint64_t)(uintptr_t)target, "first", 6) != 0)
		return 25;
	kill(a, SIGKILL);
	if (waitpid(a, NULL, 0) != a)
		return 26;
	int ns = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	char num[32];
	int len = snprintf(num, sizeof(num), "%d", (int)a - 1);
	if (ns < 0 || write(ns, num, (size_t)len) != len)
		return 77; /* cannot steer pids here: skip */
	close(ns);
	pid_t b = fork();
	if (b == 0) {
		for (;;)
			pause();
	}
	if (b != a) {
		kill(b, SIGKILL);
		return 77;
	}
	int r = memio_write(listener, n.id, a, (uint64_t)(uintptr_t)target, "HACKED", 7);
	char seen[64] = "";
	struct iovec l = {.iov_base = seen, .iov_len = sizeof(seen)};
	struct iovec rem = {.iov_base = target, .iov_len = sizeof(target)};
	ssize_t got = process_vm_readv(b, &l, 1, &rem, 1, 0);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
	if (got != (ssize_t)sizeof(seen))
		return 27;
	if (strcmp(seen, "untouched") != 0)
		return 30; /* the write landed in B */
	return r == -ENOENT ? 0 : 31;
}

static void write_after_pid_reuse(void **state)
{
	(void)state;
	pid_t t = fork();
	if (t == 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0)
			_exit(77);
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(78);
		pid_t init = fork();
		if (init == 0)
			_exit(reuse());
		int st;
		_exit(init > 0 && waitpid(init, &st, 0) == init && WIFEXITED(st) ? WEXITSTATUS(st) : 79);
	}
	int st;
	assert_int_equal(waitpid(t, &st, 0), t);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip(); /* no user namespaces, or pids cannot be steered */
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_after_pid_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
