/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small helpers shared by every part: cleanup attributes and retry loops. */
#ifndef SBX_UTIL_H
#define SBX_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SBX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void sbx_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}

static inline void sbx_freep(void *p)
{
	free(*(void **)p);
}

/* Is FD a unix datagram socket? From a working directory on the host, the
 * kernel would resolve a relative address of its sends there, past the
 * broker: neither init nor sbx_enter() lets one into the sandbox. */
static inline bool sbx_is_unix_dgram(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 || v != AF_UNIX)
		return false;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_DGRAM;
}

#define _cleanup_close_ __attribute__((cleanup(sbx_closep)))
#define _cleanup_free_ __attribute__((cleanup(sbx_freep)))

/* Hand an fd out of a cleanup-scoped variable. */
static inline int sbx_take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

#define SBX_RETRY(expr)                                                        \
	({                                                                     \
		__typeof__(expr) _r;                                           \
		do                                                             \
			_r = (expr);                                           \
		while (_r < 0 && errno == EINTR);                              \
		_r;                                                            \
	})

/* Exit statuses of the sandbox's own failures (DESIGN invariant 6). */
enum {
	SBX_EXIT_SETUP = 125,
	SBX_EXIT_CANNOT_EXEC = 126,
	SBX_EXIT_NOT_FOUND = 127,
};

/* The sandbox's exit status for a wait(2) status: the exit code, or 128+N
 * for signal N. */
static inline int sbx_exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return SBX_EXIT_SETUP;
}

#endif
