/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's event loop: seccomp notifications, the channel, and signals. */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "signals.h"
#include "util.h"

static void serve_one(struct broker *b, struct seccomp_notif *req,
		      struct seccomp_notif_resp *resp)
{
	memset(req, 0, b->sizes.seccomp_notif);
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		if (errno == EINTR || errno == ENOENT)
			return; /* the target died before we read it */
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot receive a notification");
	}
	memset(resp, 0, b->sizes.seccomp_notif_resp);
	resp->id = req->id;
	bool sent = false;
	fileops_handle(b, req, resp, &sent);
	if (sent)
		return;
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		sbx_log_errno(errno, "cannot answer a notification");
}

int notify_loop(struct broker *b)
{
	_cleanup_close_ int sfd = sbx_signalfd_forwarded();
	if (sfd < 0)
		return sfd;
	struct seccomp_notif *req = calloc(1, b->sizes.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, b->sizes.seccomp_notif_resp);
	if (!req || !resp)
		return -ENOMEM;
	/* Look once for an exit that came before the signalfd existed, then
	 * only when SIGCHLD says so. */
	bool check_child = true;
	int status;
	for (;;) {
		if (check_child && waitpid(b->init_pid, &status, WNOHANG) == b->init_pid) {
			free(req);
			free(resp);
			return sbx_exit_status(status);
		}
		check_child = false;
		struct pollfd pfd[3] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = b->chan, .events = POLLIN},
			{.fd = b->listener, .events = POLLIN},
		};
		nfds_t nf = b->listener >= 0 ? 3 : 2;
		if (SBX_RETRY(poll(pfd, nf, -1)) < 0)
			return -errno;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				int32_t sig = (int32_t)si.ssi_signo;
				/* Through the channel: init may be root's, out of
				 * our reach for kill(). */
				if (sig == SIGCHLD)
					check_child = true;
				else
					(void)sbx_msg_send(b->chan, SBX_MSG_SIGNAL, 0, &sig, sizeof(sig), NULL, 0);
			}
		}
		if (nf == 3 && (pfd[2].revents & POLLIN))
			serve_one(b, req, resp);
		else if (nf == 3 && (pfd[2].revents & (POLLHUP | POLLERR | POLLNVAL)))
			sbx_closep(&b->listener); /* every filtered process is gone */
		if (pfd[1].revents & POLLIN) {
			int r = sbx_msg_recv(b->chan, b->msg);
			if (r > 0)
				broker_channel_message(b, b->msg);
			else if (r == 0)
				pfd[1].events = 0;
		}
		if (pfd[1].revents & (POLLHUP | POLLERR)) {
			/* init is gone or going: collect it. */
			if (waitpid(b->init_pid, &status, 0) == b->init_pid) {
				free(req);
				free(resp);
				return sbx_exit_status(status);
			}
		}
	}
}
