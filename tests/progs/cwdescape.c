/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the kernel resolves against the working directory without asking
 * the broker, from a working directory on the host (fchdir to a directory
 * fd the broker handed over, or one opened before sbx_enter under
 * --deferred): the address of a unix datagram, and a core dump.
 *
 * Usage: cwdescape sock DIR   (DIR/hostsock is a host datagram socket the
 *                              policy does not grant: it must get nothing)
 *        cwdescape core DIR   (no core dump may be written into DIR)
 * Prints "ok ..." or "FAIL ..." per check and "N failures" last; "core"
 * ends in abort(). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandbox/client.h"

static int failures;

static void check(const char *name, int good, int err)
{
	printf("%s %s%s%s\n", good ? "ok" : "FAIL", name, good ? "" : ": ", good ? "" : strerror(err));
	failures += !good;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (strcmp(argv[1], "sock") && strcmp(argv[1], "core"))) {
		fprintf(stderr, "usage: cwdescape sock|core DIR\n");
		return 2;
	}
	int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* before sbx_enter */
	if (getenv("SBX_ENTER_FD") && sbx_enter() < 0) {
		printf("FAIL sbx_enter: %s\n", strerror(errno));
		return 1;
	}
	if (d < 0)
		d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int moved = d >= 0 && fchdir(d) == 0;
	printf("# fchdir to the host directory: %s\n", moved ? "done" : strerror(errno));
	if (!strcmp(argv[1], "sock")) {
		int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int e = errno;
		check("no unix datagram socket (socket)", s < 0 || !moved, e);
		/* socketpair too, and the variants the kernel takes for a
		 * datagram: SOCK_RAW, and a domain with high bits (read as an
		 * int). */
		static const struct {
			const char *name;
			long domain;
			int type;
		} pairs[] = {
			{"socketpair(AF_UNIX, SOCK_DGRAM)", AF_UNIX, SOCK_DGRAM},
			{"socketpair(AF_UNIX, SOCK_RAW)", AF_UNIX, SOCK_RAW},
			{"socketpair(AF_UNIX, SOCK_RAW|SOCK_CLOEXEC)", AF_UNIX, SOCK_RAW | SOCK_CLOEXEC},
			{"socketpair(AF_UNIX|1<<32, SOCK_DGRAM)", AF_UNIX | (1L << 32), SOCK_DGRAM},
		};
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			int sv[2];
			long p = syscall(SYS_socketpair, pairs[i].domain, pairs[i].type, 0, sv);
			e = errno;
			char name[96];
			snprintf(name, sizeof(name), "no unix datagram socket (%s)", pairs[i].name);
			check(name, p < 0 || !moved, e);
			if (s < 0 && p == 0)
				s = sv[0];
		}
		long r = syscall(SYS_socket, AF_UNIX | (1L << 32), SOCK_DGRAM, 0);
		e = errno;
		check("no unix datagram socket (socket(AF_UNIX|1<<32, SOCK_DGRAM))", r < 0 || !moved, e);
		if (s < 0 && r >= 0)
			s = (int)r;
		struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = "hostsock"};
		ssize_t n = s >= 0 ? sendto(s, "escaped", 7, 0, (struct sockaddr *)&a, sizeof(a)) : -1;
		check("sendto(\"hostsock\") from that directory reaches nothing", n < 0, 0);
		printf("%d failures\n", failures);
		return failures != 0;
	}
	struct rlimit rl;
	check("RLIMIT_CORE is 0, hard", getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max == 0, errno);
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	check("RLIMIT_CORE cannot be raised", setrlimit(RLIMIT_CORE, &rl) < 0, 0);
	printf("%d failures\n", failures);
	abort();
}
