/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --broker-fd=N: the launcher runs its own broker (sandbox-broker
 * --serve-fd). Instead of becoming the broker, the helper hands it the
 * channel to init, a pidfd of init and the broker's arguments in one
 * SBX_MSG_HANDOVER message on fd N, then stays init's parent: it passes on
 * the signals the broker would, and exits with init's status. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"
#include "log.h"
#include "signals.h"
#include "util.h"

_Noreturn void handover(const struct launch *l, pid_t init, int chan, char *const *bargv)
{
	static unsigned char buf[SBX_MSG_MAX_PAYLOAD];
	size_t len = 0;
	for (size_t i = 0; bargv[i]; i++) {
		size_t n = strlen(bargv[i]) + 1;
		if (len + n > sizeof(buf)) {
			kill(init, SIGKILL);
			sbx_die(SBX_EXIT_SETUP, "--broker-fd: the broker's arguments are too long");
		}
		memcpy(buf + len, bargv[i], n);
		len += n;
	}
	int sfd = sbx_signalfd_forwarded();
	int pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	int fds[3] = {chan, pidfd, l->json_fd};
	int r = sfd < 0 ? sfd : pidfd < 0 ? -errno : 0;
	if (r == 0)
		r = sbx_msg_send(l->broker_fd, SBX_MSG_HANDOVER, 0, buf, len, fds, l->json_fd >= 0 ? 3 : 2);
	if (r < 0) {
		kill(init, SIGKILL);
		sbx_die_errno(SBX_EXIT_SETUP, r, "--broker-fd=%d: cannot hand the sandbox to the broker",
			      l->broker_fd);
	}
	close(chan);
	close(l->broker_fd);
	if (l->json_fd >= 0)
		close(l->json_fd);
	/* init dies with us (its parent-death signal) and exits when the
	 * broker goes away; its end shows on its pidfd, whatever SIGCHLD
	 * does. */
	struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	for (;;) {
		int status;
		if (waitpid(init, &status, WNOHANG) == init)
			_exit(sbx_exit_status(status));
		DIE_IF(SBX_RETRY(poll(pfd, 2, -1)) < 0, "poll");
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo != SIGCHLD)
				kill(init, (int)si.ssi_signo); /* init passes it to the program */
	}
}
