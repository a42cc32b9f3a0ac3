/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The channel to init, for the layers above: the messages init (or the
 * program, at start) sends outside a request, and the root requests
 * (binds, directories, symlinks) the planner sends and waits for. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <linux/seccomp.h>

#include "broker.h"
#include "util.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

int broker_channel_message(struct broker *b, struct sbx_msg *m)
{
	switch (m->hdr.type) {
	case SBX_MSG_LISTENER: {
		int32_t lfd;
		if (b->listener >= 0 || (m->nfds != 1 && (m->nfds || m->len != sizeof(lfd) || m->sender <= 0))) {
			sbx_msg_close_fds(m);
			return -EBADMSG;
		}
		if (m->nfds == 1) {
			b->listener = m->fds[0];
			m->fds[0] = -1;
			m->nfds = 0;
		} else {
			memcpy(&lfd, m->payload, sizeof(lfd));
			int pidfd = (int)syscall(SYS_pidfd_open, m->sender, 0);
			b->listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, lfd, 0);
			int err = errno;
			if (pidfd >= 0)
				close(pidfd);
			if (b->listener < 0 && err == ESRCH)
				return 0; /* the program died (killed): init reports it */
			if (b->listener < 0) {
				/* Said and ended by the caller, with no lock held. */
				b->fatal = "cannot take the program's seccomp listener";
				b->fatal_err = err;
				return -err;
			}
		}
		/* Only a seccomp listener knows this ioctl (ENOENT for an id
		 * it does not hold); anything else the sender passed is not
		 * served. */
		__u64 none = 0;
		if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &none) == 0 || errno != ENOENT) {
			sbx_closep(&b->listener);
			b->fatal = "the fd handed over as the seccomp listener is not one";
			b->fatal_err = 0;
			return -EBADMSG;
		}
		/* Linux 6.6+: hand the CPU straight between the program and
		 * the broker on each round trip. Older kernels: EINVAL, and
		 * the ordinary wake-up is used. */
		(void)ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		return 0;
	}
	case SBX_MSG_STARTED:
		b->started = true;
		status_started(b);
		break;
	case SBX_MSG_EXITED: {
		int32_t st;
		if (m->len == sizeof(st)) {
			memcpy(&st, m->payload, sizeof(st));
			b->program_status = st;
		}
		break;
	}
	default:
		break;
	}
	sbx_msg_close_fds(m);
	return 0;
}

int broker_root_send(struct broker *b, uint32_t type, const void *payload, size_t len, uint32_t *id)
{
	*id = ++b->next_id;
	return sbx_msg_send(b->chan, type, *id, payload, len, NULL, 0);
}

int broker_root_wait(struct broker *b, uint32_t id)
{
	for (;;) {
		int r = sbx_msg_recv(b->chan, b->msg);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return r;
		if (b->msg->hdr.type == SBX_MSG_ROOT_DONE && b->msg->hdr.id == id) {
			int32_t err;
			sbx_msg_close_fds(b->msg);
			if (b->msg->len != sizeof(err))
				return -EBADMSG;
			memcpy(&err, b->msg->payload, sizeof(err));
			return err > 0 ? -err : 0;
		}
		broker_channel_message(b, b->msg);
	}
}

int broker_root_request(struct broker *b, uint32_t type, const void *payload, size_t len)
{
	uint32_t id;
	int r = broker_root_send(b, type, payload, len, &id);
	return r < 0 ? r : broker_root_wait(b, id);
}
