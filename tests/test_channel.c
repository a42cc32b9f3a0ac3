/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the channel: message encoding and fd passing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void pair(int sv[2])
{
	assert_int_equal(sbx_channel_pair(sv), 0);
	assert_true(fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(sv[1], F_GETFD) & FD_CLOEXEC);
}

static void test_roundtrip_with_fd(void **state)
{
	int sv[2];
	pair(sv);
	static struct sbx_msg m;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	const char *s[2] = {"/usr/bin/ls", "usr/bin"};
	char buf[64];
	ssize_t len = sbx_payload_pack(buf, sizeof(buf), NULL, 0, s, 2);
	assert_int_equal(len, 20);
	assert_int_equal(sbx_msg_send(sv[0], SBX_MSG_ROOT_SYMLINK, 7, buf, (size_t)len, &fd, 1), 0);
	assert_int_equal(sbx_msg_recv(sv[1], &m), 1);
	assert_int_equal(m.hdr.type, SBX_MSG_ROOT_SYMLINK);
	assert_int_equal(m.hdr.id, 7);
	assert_int_equal(m.nfds, 1);
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(fstat(m.fds[0], &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_not_equal(m.fds[0], fd);
	assert_true(fcntl(m.fds[0], F_GETFD) & FD_CLOEXEC);
	const char *out[2];
	assert_int_equal(sbx_payload_strings(&m, 0, out, 2), 0);
	assert_string_equal(out[0], "/usr/bin/ls");
	assert_string_equal(out[1], "usr/bin");
	sbx_msg_close_fds(&m);
	assert_int_equal(m.nfds, 0);
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

static void test_prefix_and_strings(void **state)
{
	static struct sbx_msg m;
	struct sbx_bind_req req = {.dev = 1, .ino = 2, .mode = 0100000};
	const char *s[1] = {"/x"};
	ssize_t len = sbx_payload_pack(m.payload, sizeof(m.payload), &req, sizeof(req), s, 1);
	assert_int_equal(len, (ssize_t)sizeof(req) + 3);
	m.len = (size_t)len;
	const char *out[1];
	assert_int_equal(sbx_payload_strings(&m, sizeof(req), out, 1), 0);
	assert_string_equal(out[0], "/x");
	/* One string too many, one too few, a skip past the end. */
	const char *two[2];
	assert_int_equal(sbx_payload_strings(&m, sizeof(req), two, 2), -EBADMSG);
	assert_int_equal(sbx_payload_strings(&m, 0, out, 1), -EBADMSG);
	assert_int_equal(sbx_payload_strings(&m, m.len + 1, out, 1), -EBADMSG);
	/* No terminating NUL. */
	m.payload[m.len - 1] = 'x';
	assert_int_equal(sbx_payload_strings(&m, sizeof(req), out, 1), -EBADMSG);
	/* Too big to pack. */
	char small[4];
	assert_int_equal(sbx_payload_pack(small, sizeof(small), NULL, 0, s, 1), 3);
	const char *big[1] = {"/abcd"};
	assert_int_equal(sbx_payload_pack(small, sizeof(small), NULL, 0, big, 1), -E2BIG);
}

static void test_too_many_fds_closed(void **state)
{
	int sv[2];
	pair(sv);
	static struct sbx_msg m;
	int fds[8];
	for (int i = 0; i < 8; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* The sender refuses, so send it raw. */
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} ctl;
	struct sbx_msg_hdr hdr = {.type = SBX_MSG_LISTENER};
	struct iovec iov = {.iov_base = &hdr, .iov_len = sizeof(hdr)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(sv[0], &mh, 0), (ssize_t)sizeof(hdr));
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	int before = count_fds();
	assert_int_equal(sbx_msg_recv(sv[1], &m), -EBADMSG);
	assert_int_equal(m.nfds, 0);
	assert_int_equal(count_fds(), before);
	assert_int_equal(sbx_msg_send(sv[0], SBX_MSG_LISTENER, 0, NULL, 0, fds, 5), -E2BIG);
	close(sv[0]);
	close(sv[1]);
}

static void test_malformed(void **state)
{
	int sv[2];
	pair(sv);
	static struct sbx_msg m;
	/* Shorter than a header. */
	assert_int_equal(send(sv[0], "abc", 3, 0), 3);
	assert_int_equal(sbx_msg_recv(sv[1], &m), -EBADMSG);
	/* Unknown types. */
	assert_int_equal(sbx_msg_send(sv[0], 0, 0, NULL, 0, NULL, 0), 0);
	assert_int_equal(sbx_msg_recv(sv[1], &m), -EBADMSG);
	assert_int_equal(sbx_msg_send(sv[0], SBX_MSG_TYPE_MAX, 0, NULL, 0, NULL, 0), 0);
	assert_int_equal(sbx_msg_recv(sv[1], &m), -EBADMSG);
	/* Oversized payload: refused by the sender. */
	static char big[SBX_MSG_MAX_PAYLOAD + 1];
	assert_int_equal(sbx_msg_send(sv[0], SBX_MSG_FILTER, 0, big, sizeof(big), NULL, 0), -E2BIG);
	/* A maximal one goes through whole. */
	assert_int_equal(sbx_msg_send(sv[0], SBX_MSG_FILTER, 0, big, SBX_MSG_MAX_PAYLOAD, NULL, 0), 0);
	assert_int_equal(sbx_msg_recv(sv[1], &m), 1);
	assert_int_equal(m.len, SBX_MSG_MAX_PAYLOAD);
	/* End of stream. */
	close(sv[0]);
	assert_int_equal(sbx_msg_recv(sv[1], &m), 0);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_with_fd),
		cmocka_unit_test(test_prefix_and_strings),
		cmocka_unit_test(test_too_many_fds_closed),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
