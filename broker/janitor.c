/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cleanup process ("sandbox-cleanup"): forked by the broker at start,
 * it outlives a broker that is killed, waits for init to end, and sweeps
 * what the broker left (the TMPDIR, the cgroups: see leftover.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "broker.h"
#include "util.h"

/* Close every fd from 3 up but A and B (-1: none). */
static void close_all_but(int a, int b)
{
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	unsigned lo = 3;
	const int keep[2] = {a, b};
	for (size_t i = 0; i < 2; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo)
			(void)syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	(void)syscall(SYS_close_range, lo, ~0u, 0);
}

pid_t janitor_start(int init_pidfd, int *end_fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t broker = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid > 0) {
		close(p[0]);
		*end_fd = p[1];
		return pid;
	}
	/* Nothing of the sandbox's: init must see the channel close when the
	 * broker dies. The forwarded signals stay blocked: a ^C to the group
	 * ends the sandbox, not the cleanup. */
	close(p[1]);
	close_all_but(p[0], init_pidfd);
	/* Nor the launcher's output: a reader waits for its end. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2 && null >= 0; fd++)
		(void)dup2(null, fd);
	(void)prctl(PR_SET_NAME, "sandbox-cleanup", 0, 0, 0);
	/* The broker's end shows on its pidfd only once all its files are
	 * closed: its locks too, which the pipe's end alone does not say. */
	int bfd = (int)syscall(SYS_pidfd_open, broker, 0);
	char c;
	ssize_t n = SBX_RETRY(read(p[0], &c, 1));
	if (n != 0)
		_exit(0); /* the broker ended the sandbox and cleaned up itself */
	struct pollfd bp = {.fd = bfd, .events = POLLIN};
	if (bfd >= 0)
		(void)SBX_RETRY(poll(&bp, 1, 1000));
	/* The broker is gone: init goes too (the channel closed), and with it
	 * everything in the sandbox. */
	struct pollfd pf = {.fd = init_pidfd, .events = POLLIN};
	if (init_pidfd >= 0)
		(void)SBX_RETRY(poll(&pf, 1, 2000));
	for (int tries = 0; tries < 40; tries++) {
		int busy = 0;
		tmpdir_sweep(&busy);
		cgroup_sweep(&busy);
		if (!busy)
			break;
		usleep(50000); /* a cgroup lets go a moment after its tasks */
	}
	_exit(0);
}
