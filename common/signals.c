/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "util.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

bool sbx_is_forwarded(int sig)
{
	for (size_t i = 0; i < SBX_ARRAY_SIZE(forwarded); i++)
		if (sig == forwarded[i])
			return true;
	return false;
}

static void forwarded_mask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	for (size_t i = 0; i < SBX_ARRAY_SIZE(forwarded); i++)
		sigaddset(mask, forwarded[i]);
}

int sbx_block_forwarded(void)
{
	sigset_t mask;
	forwarded_mask(&mask);
	return sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ? -errno : 0;
}

int sbx_signalfd_forwarded(void)
{
	sigset_t mask;
	forwarded_mask(&mask);
	/* Blocked signals are queued even when the launcher left them
	 * ignored, so the signalfd sees them. */
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}
