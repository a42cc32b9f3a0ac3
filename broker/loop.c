/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's event loop, once the sandbox is set up: the signals to
 * forward (in the broker's own process), init's messages on the channel,
 * init's end, and a worker that cannot go on. The notifications are the
 * pool's (pool.c). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "broker.h"
#include "log.h"
#include "signals.h"
#include "util.h"

/* A message from init, read with the root lock held: a worker asking
 * init for a bind reads the channel too. 1: read (or nothing there), 0:
 * the channel hung up, or a negative errno once said why. */
static int channel_read(struct broker *b)
{
	pthread_mutex_lock(&b->root_lock);
	struct pollfd p = {.fd = b->chan, .events = POLLIN};
	int r = 1;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
		r = sbx_msg_recv(b->chan, b->msg);
		if (r > 0)
			broker_channel_message(b, b->msg);
	}
	bool start = b->listener >= 0;
	pthread_mutex_unlock(&b->root_lock);
	if (b->fatal) {
		if (b->fatal_err)
			sbx_log_errno(b->fatal_err, "%s", b->fatal);
		else
			sbx_log("%s", b->fatal);
		return b->fatal_err ? -b->fatal_err : -EPROTO;
	}
	if (start)
		pool_start(b);
	return r;
}

/* init is gone or going (its pidfd is readable, or the channel hung up):
 * read what it said last, wait until it has ended (a moment at most when
 * it is not our child), and return how. Our child: its status. Else the
 * program's, which init reported; without a report, a setup failure. */
static int init_ended(struct broker *b, struct pollfd *chan)
{
	while (chan->fd >= 0 && poll(chan, 1, 0) == 1 && (chan->revents & POLLIN) && channel_read(b) > 0)
		;
	struct pollfd p = {.fd = b->init_pidfd, .events = POLLIN};
	(void)SBX_RETRY(poll(&p, 1, 1000));
	int status; /* our child: it is ending (its channel end is closed) */
	if (b->init_child && SBX_RETRY(waitpid(b->init_pid, &status, 0)) == b->init_pid)
		return sbx_exit_status(status);
	return b->program_status >= 0 ? sbx_exit_status(b->program_status) : SBX_EXIT_SETUP;
}

int broker_loop(struct broker *b)
{
	/* In a launcher's process the signals are the launcher's. */
	_cleanup_close_ int sfd = b->in_process ? -1 : sbx_signalfd_forwarded();
	if (!b->in_process && sfd < 0) {
		sbx_log_errno(sfd, "cannot watch signals");
		return sfd;
	}
	struct pollfd pfd[4] = {
		{.fd = sfd, .events = POLLIN},
		{.fd = b->chan, .events = POLLIN},
		{.fd = b->init_pidfd, .events = POLLIN},
		{.fd = pool_fail_fd(b), .events = POLLIN},
	};
	for (;;) {
		if (SBX_RETRY(poll(pfd, 4, -1)) < 0) {
			int r = -errno;
			sbx_log_errno(r, "broker failed: poll");
			return r;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int32_t sig = (int32_t)si.ssi_signo;
				/* Through the channel: init may be root's, out of
				 * our reach for kill(). No init to take it: we end. */
				int r = sig == SIGCHLD ? 0 :
					sbx_msg_send(b->chan, SBX_MSG_SIGNAL, 0, &sig, sizeof(sig), NULL, 0);
				if (r == -EPIPE || r == -ECONNRESET)
					return init_ended(b, &pfd[1]);
			}
		}
		if (pfd[3].revents) {
			const char *what = NULL;
			int r = pool_failure(b, &what);
			sbx_log_errno(r, "%s", what ? what : "a worker failed");
			return r < 0 ? r : -EIO;
		}
		int r = pfd[1].revents & POLLIN ? channel_read(b) : 1;
		if (r < 0)
			return r;
		if (r == 0)
			pfd[1].events = 0;
		if (pfd[2].revents || (pfd[1].revents & (POLLHUP | POLLERR)))
			return init_ended(b, &pfd[1]);
	}
}
