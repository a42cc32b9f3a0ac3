/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "channel.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

int sbx_channel_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	return 0;
}

int sbx_msg_send(int fd, uint32_t type, uint32_t id, const void *payload,
		 size_t len, const int *fds, size_t nfds)
{
	if (len > SBX_MSG_MAX_PAYLOAD || nfds > SBX_MSG_MAX_FDS)
		return -E2BIG;
	struct sbx_msg_hdr hdr = {.type = type, .id = id};
	struct iovec iov[2] = {
		{.iov_base = &hdr, .iov_len = sizeof(hdr)},
		{.iov_base = (void *)payload, .iov_len = len},
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SBX_MSG_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	ssize_t n = SBX_RETRY(sendmsg(fd, &mh, MSG_NOSIGNAL));
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(hdr) + len)
		return -EMSGSIZE;
	return 0;
}

ssize_t sbx_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t n = SBX_RETRY(sendmsg(sock, &mh, flags | MSG_NOSIGNAL));
	return n < 0 ? -errno : n;
}

void sbx_msg_close_fds(struct sbx_msg *m)
{
	for (size_t i = 0; i < m->nfds; i++)
		sbx_closep(&m->fds[i]);
	m->nfds = 0;
}

int sbx_msg_recv(int fd, struct sbx_msg *m)
{
	struct iovec iov[2] = {
		{.iov_base = &m->hdr, .iov_len = sizeof(m->hdr)},
		{.iov_base = m->payload, .iov_len = sizeof(m->payload)},
	};
	union {
		/* Room for more than we accept, so an oversized SCM_RIGHTS is
		 * still received whole and closed rather than truncated. */
		char buf[CMSG_SPACE(sizeof(int) * 64) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_iov = iov,
		.msg_iovlen = 2,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	m->nfds = 0;
	m->len = 0;
	m->sender = 0;
	ssize_t n = SBX_RETRY(recvmsg(fd, &mh, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	int bad = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			m->sender = cr.pid;
			continue;
		}
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		size_t cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[64];
		if (cnt > SBX_ARRAY_SIZE(fds))
			cnt = SBX_ARRAY_SIZE(fds);
		memcpy(fds, CMSG_DATA(c), cnt * sizeof(int));
		for (size_t i = 0; i < cnt; i++) {
			if (m->nfds < SBX_MSG_MAX_FDS)
				m->fds[m->nfds++] = fds[i];
			else {
				close(fds[i]);
				bad = 1;
			}
		}
	}
	if (n == 0 && m->nfds == 0)
		return 0;
	if (bad || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(m->hdr) || m->hdr.type == 0 ||
	    m->hdr.type >= SBX_MSG_TYPE_MAX) {
		sbx_msg_close_fds(m);
		return -EBADMSG;
	}
	m->len = (size_t)n - sizeof(m->hdr);
	return 1;
}

int sbx_payload_strings(const struct sbx_msg *m, size_t skip, const char **out,
			size_t n)
{
	if (skip > m->len)
		return -EBADMSG;
	const char *p = (const char *)m->payload + skip;
	const char *end = (const char *)m->payload + m->len;
	for (size_t i = 0; i < n; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		if (!z)
			return -EBADMSG;
		out[i] = p;
		p = z + 1;
	}
	return p == end ? 0 : -EBADMSG;
}

ssize_t sbx_payload_pack(void *buf, size_t size, const void *prefix,
			 size_t prefix_len, const char *const *strs, size_t n)
{
	size_t off = 0;
	if (prefix_len > size)
		return -E2BIG;
	if (prefix_len)
		memcpy(buf, prefix, prefix_len);
	off = prefix_len;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(strs[i]) + 1;
		if (l > size - off)
			return -E2BIG;
		memcpy((char *)buf + off, strs[i], l);
		off += l;
	}
	return (ssize_t)off;
}
