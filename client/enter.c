/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx_enter(): the deferred lockdown of a program started with --deferred
 * (see helper/deferred.c for the other side). */
#include "sandbox/client.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "util.h"

/* The enter socket, from $SBX_ENTER_FD; -1 when none or once used. */
static int enter_fd(void)
{
	const char *v = getenv("SBX_ENTER_FD");
	char *end;
	long n = v ? strtol(v, &end, 10) : -1;
	if (!v || !*v || *end || n < 3 || n >= 1 << 20 || fcntl((int)n, F_GETFD) < 0)
		return -1;
	return (int)n;
}

/* The number of threads in this process, from /proc/self/status. */
static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -1;
	char line[256];
	int n = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Does this process hold an io_uring (its kernel threads would carry out
 * what is queued after the lockdown, outside the filter) or a unix
 * datagram socket (from a working directory on the host, the kernel
 * would resolve a relative address of a send there, past the broker)? */
static bool holds_unsafe_fd(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return true;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		char link[64];
		int fd = atoi(e->d_name);
		ssize_t n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			found = !strcmp(link, "anon_inode:[io_uring]");
		}
		found |= e->d_name[0] != '.' && fd != dirfd(d) && sbx_is_unix_dgram(fd);
	}
	closedir(d);
	return found;
}

static int fail(int fd, int err)
{
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

int sbx_enter(void)
{
	int fd = enter_fd();
	if (fd < 0)
		return fail(-1, ENOTSUP);
	/* Landlock binds the calling thread only, and the filters are made
	 * for one: other threads would stay outside (an io_uring's SQPOLL
	 * thread is one of them). Some fds are refused too. */
	if (threads() != 1 || holds_unsafe_fd())
		return fail(-1, EBUSY);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/");
	if (send(fd, "E", 1, MSG_NOSIGNAL) != 1)
		return fail(fd, errno);
	/* The keeper has moved our root and working directory to the empty
	 * root when it answers with the filters. */
	static unsigned char buf[28 + 2 * BPF_MAXINSNS * sizeof(struct sock_filter)];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	int32_t st;
	uint32_t ng, nm;
	if (n < 4)
		return fail(fd, n < 0 ? errno : EPROTO);
	memcpy(&st, buf, 4);
	if (st < 0)
		return fail(fd, -st);
	if (n < 28)
		return fail(fd, EPROTO);
	uint64_t id[2];
	memcpy(&ng, buf + 4, 4);
	memcpy(&nm, buf + 8, 4);
	memcpy(id, buf + 12, 16);
	if (!ng || !nm || ng > BPF_MAXINSNS || nm > BPF_MAXINSNS ||
	    (size_t)n != 28 + ((size_t)ng + nm) * sizeof(struct sock_filter))
		return fail(fd, EPROTO);
	/* The keeper moved the root we share with it: not ours if we left it
	 * (a mount namespace or fs state of our own since). */
	struct stat root;
	if (stat("/", &root) < 0 || root.st_dev != id[0] || root.st_ino != id[1])
		return fail(fd, EPERM);
	struct sock_fprog guard = {(unsigned short)ng, (struct sock_filter *)(void *)(buf + 28)};
	struct sock_fprog prog = {(unsigned short)nm, guard.filter + ng};
	int r = sbx_confine_exec(-1);
	if (r < 0)
		return fail(fd, -r);
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &guard) < 0)
		return fail(fd, errno);
	int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0)
		return fail(fd, errno);
	/* write and read, not sendmsg: the filter may stop sendmsg for the
	 * broker, which has no listener yet. */
	int32_t num = listener;
	if (write(fd, &num, sizeof(num)) != (ssize_t)sizeof(num) ||
	    read(fd, &st, sizeof(st)) != (ssize_t)sizeof(st)) {
		close(listener);
		return fail(fd, EPROTO);
	}
	close(listener);
	close(fd);
	unsetenv("SBX_ENTER_FD");
	if (st < 0) {
		errno = -st;
		return -1;
	}
	/* A call the broker answers: it holds the listener now. Then back
	 * to the working directory, in the sandbox's root. */
	struct statfs sf;
	(void)statfs("/", &sf);
	if (chdir(cwd) < 0 && chdir("/") < 0)
		return -1;
	return 0;
}
