/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper --broker-fd=N: the launcher runs its own broker
 * (sandbox-broker --serve-fd). The helper, its privileges dropped, runs
 *   sandbox-broker --handover=N --channel-fd=C --init-pid=P ... -- PROGRAM ...
 * and this, instead of serving, hands the launcher's broker the channel to
 * init, a pidfd of init and the broker's arguments (the ones after
 * --handover) in one SBX_MSG_HANDOVER message on fd N. Then it stays init's
 * parent: it passes on the signals a broker would, and exits with init's
 * status. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "helperside.h"
#include "log.h"
#include "signals.h"
#include "util.h"

/* The number after NAME in the helper's options, or -1. */
static int number(char **argv, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 2; argv[i] && strcmp(argv[i], "--"); i++)
		if (!strncmp(argv[i], name, l))
			return atoi(argv[i] + l);
	return -1;
}

_Noreturn void broker_handover(int argc, char **argv)
{
	static unsigned char buf[SBX_MSG_MAX_PAYLOAD];
	int fd = atoi(argv[1] + 11), chan = number(argv, "--channel-fd=");
	int json = number(argv, "--json-status-fd=");
	pid_t init = number(argv, "--init-pid=");
	/* A typo is answered here, before a broker in the launcher's own
	 * process (which does not check) takes the arguments. */
	broker_check_options(argc - 1, argv + 1);
	sbx_log_set_name("sandbox-helper");
	if (fd < 3 || chan < 3 || init <= 0)
		sbx_die(SBX_EXIT_SETUP, "--handover: started by sandbox-helper --broker-fd only");
	/* The launcher's broker gets no fd of the caller's but these; it
	 * opens a --log-file itself, from its own directory. */
	for (int i = 2; argv[i] && strcmp(argv[i], "--"); i++) {
		if (!strncmp(argv[i], "--log-fd=", 9)) {
			kill(init, SIGKILL);
			sbx_die(SBX_EXIT_SETUP, "--log-fd cannot be used with --broker-fd (the launcher's "
				"broker does not get the caller's fds): use --log-file=/ABSOLUTE/PATH");
		}
		if (!strncmp(argv[i], "--log-file=", 11) && argv[i][11] != '/') {
			kill(init, SIGKILL);
			sbx_die(SBX_EXIT_SETUP, "--log-file with --broker-fd: give an absolute path (the "
				"launcher's broker opens it)");
		}
	}
	/* The vector as the launcher's broker takes it: a name first. */
	size_t len = sizeof("sandbox-broker");
	memcpy(buf, "sandbox-broker", len);
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;
		if (len + n > sizeof(buf)) {
			kill(init, SIGKILL);
			sbx_die(SBX_EXIT_SETUP, "--broker-fd: the broker's arguments are too long");
		}
		memcpy(buf + len, argv[i], n);
		len += n;
	}
	int sfd = sbx_signalfd_forwarded();
	int pidfd = (int)syscall(SYS_pidfd_open, init, 0);
	int fds[3] = {chan, pidfd, json};
	int r = sfd < 0 ? sfd : pidfd < 0 ? -errno : 0;
	if (r == 0)
		r = sbx_msg_send(fd, SBX_MSG_HANDOVER, 0, buf, len, fds, json >= 0 ? 3 : 2);
	if (r < 0) {
		kill(init, SIGKILL);
		sbx_die_errno(SBX_EXIT_SETUP, r, "--broker-fd=%d: cannot hand the sandbox to the broker",
			      fd);
	}
	close(chan);
	close(fd);
	if (json >= 0)
		close(json);
	/* init dies with us (its parent-death signal) and exits when the
	 * broker goes away; its end shows on its pidfd, whatever SIGCHLD
	 * does. */
	struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	for (;;) {
		int status;
		if (waitpid(init, &status, WNOHANG) == init)
			_exit(sbx_exit_status(status));
		if (SBX_RETRY(poll(pfd, 2, -1)) < 0)
			sbx_die_errno(SBX_EXIT_SETUP, errno, "poll");
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			if (si.ssi_signo != SIGCHLD)
				kill(init, (int)si.ssi_signo); /* init passes it to the program */
	}
}
