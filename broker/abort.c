/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A sandbox the broker cannot go on with: init is made to end (it sees the
 * channel close), and once it has ended, or after a moment, what the
 * sandbox made outside (its cgroups, its TMPDIR) is removed. How it ended
 * decides the status: a program that ended (killed during setup, say) or
 * an init killed by a signal is reported as such, not as the broker's
 * error, which was only a consequence. Called once, by the setup's top
 * (setup.c), whatever failed: a setup step, a worker, the event loop. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "broker.h"
#include "util.h"

/* Milliseconds left until DEADLINE (CLOCK_MONOTONIC), at least 0. */
static int left_ms(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 10000 ? 10000 : (int)ms;
}

int broker_abort(struct broker *b)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 2;
	struct sbx_msg *m = b->chan >= 0 ? malloc(sizeof(*m)) : NULL;
	if (b->chan >= 0)
		(void)shutdown(b->chan, SHUT_WR); /* init reads the end and exits */
	/* What init still says (the program's end), until it hangs up. */
	for (struct pollfd p = {.fd = b->chan, .events = POLLIN}; m;) {
		if (SBX_RETRY(poll(&p, 1, left_ms(&deadline))) <= 0 || !(p.revents & POLLIN))
			break;
		int r = sbx_msg_recv(b->chan, m);
		if (r == 0 || (r < 0 && r != -EBADMSG))
			break;
		int32_t st;
		if (r > 0 && m->hdr.type == SBX_MSG_EXITED && m->len == sizeof(st)) {
			memcpy(&st, m->payload, sizeof(st));
			b->program_status = st;
		}
		if (r > 0)
			sbx_msg_close_fds(m);
	}
	free(m);
	struct pollfd p = {.fd = b->init_pidfd, .events = POLLIN};
	if (b->init_pidfd >= 0)
		(void)SBX_RETRY(poll(&p, 1, left_ms(&deadline)));
	int status = -1, ws;
	if (b->init_child && waitpid(b->init_pid, &ws, WNOHANG) == b->init_pid) {
		b->init_child = false; /* reaped */
		if (WIFSIGNALED(ws))
			status = sbx_exit_status(ws);
	}
	if (b->program_status >= 0)
		status = sbx_exit_status(b->program_status);
	cgroup_remove(b);
	tmpdir_remove(b);
	return status;
}
