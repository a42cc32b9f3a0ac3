/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program started with --deferred: it opens what it wants before
 * sbx_enter() (the host's root, a directory, a file, an executable), then
 * tries to reach paths through each of them afterwards. Prints "ok NAME" or
 * "FAIL NAME: why" per check and "N failures" last.
 *
 * Usage: deferred SECRET_DIR ALLOWED_FILE   (SECRET_DIR holds "key" and an
 *        executable "run"; the policy grants ALLOWED_FILE only)
 *        deferred threads   (sbx_enter with a second thread: EBUSY)
 *        deferred io_uring  (an io_uring, then a unix datagram socket,
 *                            before sbx_enter: EBUSY)
 *        deferred bogus     (a pipe passed as the listener: the broker
 *                            refuses it and the sandbox ends)
 *        deferred child     (a child forked before sbx_enter: EBUSY)
 *        deferred clonevm   (a CLONE_VM co-process before sbx_enter: EBUSY)
 *        deferred plain     (not started with --deferred: ENOTSUP)
 *        deferred unshare   (its own fs state, then its own user and mount
 *                            namespaces, before sbx_enter: EPERM, and no
 *                            filter) */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/client.h"

static int failures;

/* GOOD decides; else WHAT and V say what happened instead. */
static void result(const char *name, int good, const char *what, long v)
{
	if (good) {
		printf("ok %s\n", name);
		return;
	}
	printf("FAIL %s: %s %ld\n", name, what, v);
	failures++;
}

/* R must be -1 (a refusal), whatever errno. */
static void refused(const char *name, long r)
{
	result(name, r < 0, "succeeded:", r);
}

static int sleeper_main(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static void *sleeper(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "plain")) {
		int r = sbx_enter();
		result("sbx_enter without --deferred fails with ENOTSUP", r < 0 && errno == ENOTSUP,
		       "errno", errno);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	if (argc == 2 && !strcmp(argv[1], "threads")) {
		pthread_t t;
		pthread_create(&t, NULL, sleeper, NULL);
		int r = sbx_enter();
		result("sbx_enter with two threads fails with EBUSY", r < 0 && errno == EBUSY,
		       "errno", errno);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	if (argc == 2 && !strcmp(argv[1], "io_uring")) {
		struct io_uring_params p;
		memset(&p, 0, sizeof(p));
		int ring = (int)syscall(SYS_io_uring_setup, 4, &p);
		result("io_uring_setup before sbx_enter", ring >= 0, "errno", errno);
		int r = sbx_enter();
		result("sbx_enter with an io_uring fails with EBUSY", r < 0 && errno == EBUSY, "errno", errno);
		close(ring);
		/* A unix datagram socket (as syslog's) is refused the same way. */
		int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
		result("a unix datagram socket before sbx_enter", dg >= 0, "errno", errno);
		r = sbx_enter();
		result("sbx_enter with a unix datagram socket fails with EBUSY", r < 0 && errno == EBUSY,
		       "errno", errno);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "child") || !strcmp(argv[1], "clonevm"))) {
		/* A process forked before, or one sharing our memory, would
		 * stay outside the lockdown: sbx_enter refuses. */
		static char stack[65536];
		pid_t c = !strcmp(argv[1], "child")
				  ? fork()
				  : clone(sleeper_main, stack + sizeof(stack), CLONE_VM | SIGCHLD, NULL);
		if (c == 0) {
			pause();
			_exit(0);
		}
		result("a second process before sbx_enter", c > 0, "errno", errno);
		int r = sbx_enter();
		result("sbx_enter with another process in the sandbox fails with EBUSY",
		       r < 0 && errno == EBUSY, "errno", errno);
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	if (argc == 2 && !strcmp(argv[1], "bogus")) {
		/* The enter protocol by hand, passing a pipe as the listener:
		 * the broker must refuse to serve it (the sandbox ends). */
		const char *v = getenv("SBX_ENTER_FD");
		int fd = v ? atoi(v) : -1, p[2];
		static char buf[1 << 17];
		if (fd < 0 || pipe(p) < 0 || send(fd, "E", 1, 0) != 1 || recv(fd, buf, sizeof(buf), 0) < 28)
			return 3;
		int32_t num = p[0];
		if (write(fd, &num, sizeof(num)) != (ssize_t)sizeof(num))
			return 3;
		if (read(fd, &num, sizeof(num)) < 0)
			return 3;
		sleep(5); /* killed with the sandbox before this ends */
		return 4;
	}
	if (argc == 2 && !strcmp(argv[1], "unshare")) {
		int r = unshare(CLONE_FS);
		result("unshare(CLONE_FS) before sbx_enter", r == 0, "errno", errno);
		r = sbx_enter();
		result("sbx_enter after leaving the shared root fails with EPERM", r < 0 && errno == EPERM,
		       "errno", errno);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: deferred SECRET_DIR ALLOWED_FILE | threads | plain\n");
		return 2;
	}
	const char *secret = argv[1], *allowed = argv[2];
	char path[4096];

	/* Before: the host's tree, read-only, no filter. */
	int rootfd = open("/", O_PATH | O_DIRECTORY);
	int dirfd = open(secret, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/key", secret);
	int keyfd = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "%s/run", secret);
	int runfd = open(path, O_PATH);
	result("before: the host's files can be opened", rootfd >= 0 && dirfd >= 0 && keyfd >= 0 && runfd >= 0,
	       "errno", errno);
	snprintf(path, sizeof(path), "%s/new", secret);
	int w = open(path, O_WRONLY | O_CREAT, 0600);
	result("before: the host's tree is read-only", w < 0 && errno == EROFS, "fd", w);
	result("before: no seccomp filter", prctl(PR_GET_SECCOMP) == 0, "value", prctl(PR_GET_SECCOMP));

	int r = sbx_enter();
	result("sbx_enter succeeds", r == 0, "errno", errno);
	if (r != 0) {
		printf("%d failures\n", failures);
		return 1;
	}
	/* prctl may be refused by the filter, so look at /proc's word too. */
	result("after: under seccomp filter", prctl(PR_GET_SECCOMP) == 2 || errno == EINVAL || errno == ENOSYS,
	       "value", prctl(PR_GET_SECCOMP));
	FILE *st = fopen("/proc/self/status", "r");
	int seccomp = -1;
	char line[256];
	while (st && fgets(line, sizeof(line), st))
		if (sscanf(line, "Seccomp: %d", &seccomp) == 1)
			break;
	if (st)
		fclose(st);
	result("after: /proc/self/status says Seccomp 2", seccomp == 2, "value", seccomp);
	struct stat sb;
	refused("after: / is the empty root (no /home, /etc/passwd refused)",
		stat("/home", &sb) == 0 ? 0 : open("/etc/passwd", O_RDONLY));
	int a = open(allowed, O_RDONLY);
	result("after: the file the policy grants opens", a >= 0, "errno", errno);

	/* Every fd opened before is only a starting point for the broker. */
	refused("openat(host root fd, etc/passwd)", openat(rootfd, "etc/passwd", O_RDONLY));
	snprintf(path, sizeof(path), "%s/key", secret + 1);
	refused("openat(host root fd, the secret key)", openat(rootfd, path, O_RDONLY));
	refused("openat(secret dir fd, key)", openat(dirfd, "key", O_RDONLY));
	refused("openat(secret dir fd, ../..)", openat(dirfd, "../..", O_RDONLY | O_DIRECTORY));
	refused("openat(secret dir fd, new file)", openat(dirfd, "planted", O_WRONLY | O_CREAT, 0600));
	refused("mkdirat(secret dir fd)", mkdirat(dirfd, "sub", 0700));
	refused("symlinkat(secret dir fd)", symlinkat("/etc/passwd", dirfd, "ln"));
	refused("unlinkat(secret dir fd, key)", unlinkat(dirfd, "key", 0));
	refused("fstatat(secret dir fd, key)", fstatat(dirfd, "key", &sb, 0));
	snprintf(path, sizeof(path), "/proc/self/fd/%d/key", dirfd);
	refused("open(/proc/self/fd/DIRFD/key)", open(path, O_RDONLY));
	/* Reopening an fd it holds gives that file again, with no more
	 * access than the fd has. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", keyfd);
	struct stat k1, k2;
	int again = open(path, O_RDONLY);
	result("reopen of the key fd through /proc/self/fd is that file only",
	       again >= 0 && fstat(again, &k1) == 0 && fstat(keyfd, &k2) == 0 && k1.st_ino == k2.st_ino,
	       "fd", again);
	refused("reopen of the read-only key fd for writing", open(path, O_RDWR));
	refused("linkat(key fd, AT_EMPTY_PATH) out of the secret dir",
		linkat(keyfd, "", AT_FDCWD, "/tmp/stolen", AT_EMPTY_PATH));
	refused("fchmod(key fd)", fchmod(keyfd, 0666));
	char *const args[] = {"run", NULL};
	refused("execveat(secret dir fd, run)", syscall(SYS_execveat, dirfd, "run", args, environ, 0));
	refused("execveat(run fd, AT_EMPTY_PATH)", syscall(SYS_execveat, runfd, "", args, environ, AT_EMPTY_PATH));
	if (fchdir(dirfd) == 0) {
		refused("after fchdir(secret dir): open(key)", open("key", O_RDONLY));
		refused("after fchdir(secret dir): execve(./run)", execve("./run", args, environ));
		refused("after fchdir(secret dir): open(../../etc/passwd)", open("../../etc/passwd", O_RDONLY));
		if (chdir("/") < 0)
			printf("FAIL chdir(/): %d\n", errno), failures++;
	} else {
		printf("ok fchdir(secret dir) refused\n");
	}
	refused("chroot(\".\")", chroot("."));
	refused("open_by_handle_at", syscall(SYS_open_by_handle_at, rootfd, NULL, O_RDONLY));
	result("sbx_enter twice fails with ENOTSUP", sbx_enter() < 0 && errno == ENOTSUP, "errno", errno);

	/* What was opened before stays the program's own. */
	char buf[64] = {0};
	ssize_t n = pread(keyfd, buf, sizeof(buf) - 1, 0);
	result("the key fd opened before still reads", n > 0, "value", n);
	printf("%d failures\n", failures);
	return failures != 0;
}
