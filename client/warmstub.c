/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-warm FD: the program of a warm sandbox (sbx_warm_new). It starts
 * like any program, under the sandbox's filter and in its view, says it is
 * ready on FD, and waits there for its work: one message with the program's
 * arguments and the caller's stdin, stdout and stderr. It takes those as
 * its own and executes the program, which the broker decides as it does
 * any exec in the sandbox. FD closed without a message: it exits 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "warmproto.h"


static _Noreturn void fail(int code, const char *what, int err)
{
	fprintf(stderr, "sandbox-warm: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	_exit(code);
}

int main(int argc, char **argv)
{
	char *end;
	long fd = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || !*argv[1] || *end || fd < 3 || fd > 1 << 20)
		fail(SBX_EXIT_SETUP, "usage: sandbox-warm FD (started by sbx_warm_new)", 0);
	if (write((int)fd, "R", 1) != 1)
		fail(SBX_EXIT_SETUP, "cannot say it is ready", errno);
	static char buf[SBX_WARM_MAX_BYTES + 1];
	union {
		struct cmsghdr h;
		char room[CMSG_SPACE(3 * sizeof(int))];
	} c;
	struct iovec iov = {buf, SBX_WARM_MAX_BYTES};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.room,
			   .msg_controllen = sizeof(c.room)};
	ssize_t n;
	do
		n = recvmsg((int)fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		_exit(0); /* the pool let this one go unused */
	struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (n < 0 || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !h || h->cmsg_type != SCM_RIGHTS ||
	    h->cmsg_len != CMSG_LEN(3 * sizeof(int)) || buf[n - 1])
		fail(SBX_EXIT_SETUP, "bad work from the launcher", n < 0 ? errno : 0);
	int fds[3];
	memcpy(fds, CMSG_DATA(h), sizeof(fds));
	/* As init has it for an inherited fd: no directory of the host's
	 * (every lookup the kernel does for the program starts in the
	 * view), no unix datagram socket (a send from it resolves its
	 * address on the host). */
	for (int i = 0; i < 3; i++) {
		struct stat st;
		if (fstat(fds[i], &st) < 0 || S_ISDIR(st.st_mode) || sbx_is_unix_dgram(fds[i]))
			fail(SBX_EXIT_SETUP, "stdin, stdout and stderr may not be directories or unix "
			     "datagram sockets", 0);
	}
	for (int i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			fail(SBX_EXIT_SETUP, "cannot take the caller's stdio", errno);
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
	close((int)fd);
	static char *args[SBX_WARM_MAX_ARGS + 1];
	size_t k = 0;
	for (char *s = buf; s < buf + n; s += strlen(s) + 1)
		if (k++ < SBX_WARM_MAX_ARGS)
			args[k - 1] = s;
	if (k > SBX_WARM_MAX_ARGS)
		fail(SBX_EXIT_SETUP, "bad work from the launcher: too many arguments", 0);
	if (!k || !args[0][0])
		fail(SBX_EXIT_SETUP, "bad work from the launcher: no program", 0);
	args[k] = NULL;
	execv(args[0], args);
	int err = errno;
	fprintf(stderr, "sandbox-warm: cannot execute %s: %s\n", args[0], strerror(err));
	_exit(err == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC);
}
