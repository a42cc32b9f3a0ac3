/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --deferred: the program starts in the sandbox's namespaces, with no
 * capability and no_new_privs, but on a read-only view of the host's root
 * and without the seccomp filter, so that it can load its libraries and
 * read its resources itself (Chromium's zygote model). When it calls
 * sbx_enter() (libsandbox-client), a keeper process that shares its root
 * and working directory (CLONE_FS) moves both into the sandbox's empty
 * root, hands it the broker's two filters to install, and passes the
 * seccomp listener the program made to the broker. Then the keeper exits.
 *
 * The enter socket (SOCK_SEQPACKET, $SBX_ENTER_FD in the program):
 *   program -> keeper  "E"
 *   keeper -> program  int32 0, uint32 guard length, uint32 filter length,
 *                      uint64 st_dev and st_ino of the empty root (so the
 *                      program can see it is there), the instructions; or
 *                      int32 -errno alone
 *   program -> keeper  int32 the number of its listener fd
 *   keeper -> program  int32 0 once the broker has it, or -errno */
#include <dirent.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <stdint.h>
#include <sys/uio.h>

#include "helper.h"

/* The keeper's reply with both filters; -errno alone on failure. */
static void send_filters(int es, int r, const struct stat *root, const struct sock_fprog *guard,
			 const struct sock_fprog *prog)
{
	struct __attribute__((packed)) {
		int32_t st;
		uint32_t ng, nm;
		uint64_t id[2];
	} h = {r, 0, 0, {0, 0}};
	if (r == 0)
		h = (typeof(h)){0, guard->len, prog->len, {root->st_dev, root->st_ino}};
	struct iovec iov[3] = {{&h, r < 0 ? sizeof(h.st) : sizeof(h)},
			       {guard->filter, h.ng * sizeof(struct sock_filter)},
			       {prog->filter, h.nm * sizeof(struct sock_filter)}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = r < 0 ? 1 : 3};
	(void)SBX_RETRY(sendmsg(es, &mh, MSG_NOSIGNAL));
}

/* How many processes besides the program and the keeper are beneath init,
 * read from the host's /proc (PROC): one would escape the lockdown (a
 * child forked before, or a CLONE_VM co-process sharing the program's
 * memory). A negative errno when it cannot tell. */
static int others(int proc)
{
	char path[64], buf[4096];
	pid_t todo[256];
	size_t n = 0, done = 0;
	_cleanup_close_ int st = openat(proc, "self/status", O_RDONLY | O_CLOEXEC);
	ssize_t len = st < 0 ? -1 : read(st, buf, sizeof(buf) - 1);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	const char *pp = strstr(buf, "\nPPid:");
	if (!pp || sscanf(pp + 7, "%d", &todo[n]) != 1 || todo[n] <= 0)
		return -EIO;
	n++;
	while (done < n) {
		snprintf(path, sizeof(path), "%d/task", (int)todo[done++]);
		int tfd = openat(proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *d = tfd < 0 ? NULL : fdopendir(tfd);
		if (!d) {
			if (tfd >= 0)
				close(tfd);
			return -EIO;
		}
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char cp[sizeof(path) + sizeof(e->d_name) + 16];
			snprintf(cp, sizeof(cp), "%s/%s/children", path, e->d_name);
			_cleanup_close_ int cfd = openat(proc, cp, O_RDONLY | O_CLOEXEC);
			len = cfd < 0 ? -1 : read(cfd, buf, sizeof(buf) - 1);
			if (len < 0) {
				closedir(d);
				return -EIO;
			}
			buf[len] = '\0';
			for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n")) {
				if (n == SBX_ARRAY_SIZE(todo)) {
					closedir(d);
					return (int)n;
				}
				todo[n++] = (pid_t)atoi(t);
			}
		}
		closedir(d);
	}
	return (int)n - 3; /* init, the program and us */
}

_Noreturn static void keeper(const struct launch *l, int es, int chan, int newroot, int proc,
			     pid_t program, const struct sock_fprog *guard, const struct sock_fprog *prog)
{
	/* Gone with init; and with the program, whose end of the socket
	 * then reads as closed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(SBX_EXIT_SETUP);
	int pidfd = (int)syscall(SYS_pidfd_open, program, 0);
	const int keep[] = {es, chan, newroot, proc, pidfd};
	static const int caps[] = {CAP_SYS_CHROOT, CAP_SYS_PTRACE};
	if (pidfd < 0 || init_close_fds(keep, SBX_ARRAY_SIZE(keep)) < 0 ||
	    caps_become_user(l->uid, l->gid, caps, SBX_ARRAY_SIZE(caps)) < 0)
		_exit(SBX_EXIT_SETUP);
	char c = 0;
	if (SBX_RETRY(recv(es, &c, 1, 0)) != 1 || c != 'E')
		_exit(0); /* the program never entered */
	/* The program waits in sbx_enter(): its root and working directory
	 * (ours too) go to the empty root. */
	struct stat root;
	int r = others(proc);
	r = r < 0 ? r : r > 0 ? -EBUSY : 0;
	if (r == 0 && (fstat(newroot, &root) < 0 || fchdir(newroot) < 0 || chroot(".") < 0 ||
		       chdir("/") < 0))
		r = -errno;
	close(newroot);
	send_filters(es, r, &root, guard, prog);
	int32_t lfd;
	if (r < 0 || SBX_RETRY(recv(es, &lfd, sizeof(lfd), 0)) != (ssize_t)sizeof(lfd))
		_exit(0);
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, lfd, 0);
	r = fd < 0 ? -errno : sbx_msg_send(chan, SBX_MSG_LISTENER, 0, NULL, 0, &fd, 1);
	int32_t st = r;
	(void)SBX_RETRY(send(es, &st, sizeof(st), MSG_NOSIGNAL));
	_exit(0);
}

int deferred_setup(const struct launch *l, int chan, const struct sock_fprog *guard,
		   const struct sock_fprog *prog)
{
	static const char what[] = "cannot prepare the deferred lockdown";
	/* The host's tree, read-only and without setuid, in our namespace. */
	struct mount_attr ma = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID};
	DIE_IF(unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
	       syscall(SYS_mount_setattr, AT_FDCWD, "/oldroot", AT_RECURSIVE, &ma, sizeof(ma)) < 0,
	       what);
	_cleanup_close_ int newroot = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int proc = open("/oldroot/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int es[2];
	DIE_IF(newroot < 0 || proc < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, es) < 0,
	       what);
	pid_t self = getpid();
	/* A sibling (init reaps it) sharing our root and working directory. */
	long k = syscall(SYS_clone, CLONE_FS | CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
	DIE_IF(k < 0, what);
	if (k == 0) {
		close(es[0]);
		keeper(l, es[1], chan, newroot, proc, self, guard, prog);
	}
	close(es[1]);
	DIE_IF(chroot("/oldroot") < 0 || chdir("/") < 0, what);
	return es[0];
}
