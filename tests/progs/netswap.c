/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A network attack from inside a sandbox: the broker lets the kernel carry
 * out a send or connect on a socket of the sandbox's own (which reaches
 * nothing) or on an fd that is no socket, and a second thread puts a host
 * socket the broker handed over at that fd number between the broker's
 * look and the kernel's call.
 *
 *   netswap send|connect|ownloop ALLOWED FORBIDDEN_PORT SECONDS
 *
 * ALLOWED: a udp port of 127.0.0.1 (or IPV4:PORT) the policy lets the
 * program connect to; FORBIDDEN_PORT a port of 127.0.0.1 it does not.
 * send: sendmsg on a socket of the sandbox's own; connect: connect on an
 * fd that is no socket; ownloop: connect on a socket of the sandbox's own
 * to its own loopback ("loopback private"), all swapped for the host
 * socket. Each mode sends "leak" to FORBIDDEN_PORT for SECONDS; the test's
 * listener there must get nothing. Prints how many calls succeeded.
 * forget: no race; the host socket is kept while more are made and closed
 * than the broker remembers, then sendmsg on it names FORBIDDEN_PORT. */
#include <stdbool.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fdflip.h"

#define SLOT FDFLIP_SLOT

static int host_fd, other_fd;

static struct sockaddr_in addr(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: netswap send|connect|ownloop ALLOWED FORBIDDEN_PORT SECONDS\n");
		return 2;
	}
	bool send_mode = !strcmp(argv[1], "send"), own_mode = !strcmp(argv[1], "ownloop");
	struct sockaddr_in bad = addr(atoi(argv[3])), ok;
	const char *colon = strchr(argv[2], ':');
	if (colon) {
		char ip[64];
		snprintf(ip, sizeof(ip), "%.*s", (int)(colon - argv[2]), argv[2]);
		ok = addr(atoi(colon + 1));
		if (inet_pton(AF_INET, ip, &ok.sin_addr) != 1)
			return 2;
	} else {
		ok = addr(atoi(argv[2]));
	}
	double secs = atof(argv[4]);
	/* A host socket: the broker carries out the allowed connect and puts
	 * its own socket in place of ours. */
	host_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (host_fd < 0 || connect(host_fd, (struct sockaddr *)&ok, sizeof(ok)) < 0) {
		printf("setup: allowed connect: %s\n", strerror(errno));
		return 1;
	}
	/* A send on a socket of the sandbox's own is the kernel's; a connect
	 * on an fd that is no socket too (ENOTSOCK). */
	other_fd = send_mode || own_mode ? socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)
			     : open("/", O_PATH | O_CLOEXEC);
	if (other_fd < 0) {
		printf("setup: other fd: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "forget")) {
		int made = 0;
		for (; made < 5000; made++) {
			int t = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (t < 0 || connect(t, (struct sockaddr *)&ok, sizeof(ok)) < 0) {
				printf("setup: connect %d: %s\n", made, strerror(errno));
				return 1;
			}
			close(t);
		}
		struct iovec iov = {.iov_base = "leak", .iov_len = 4};
		struct msghdr m = {.msg_name = &bad, .msg_namelen = sizeof(bad), .msg_iov = &iov, .msg_iovlen = 1};
		long done = 0;
		for (int i = 0; i < 10; i++)
			done += sendmsg(host_fd, &m, 0) == 4;
		printf("forget: %ld of 10 sends to the forbidden port went through after %d more host sockets\n",
		       done, made);
		return 0;
	}
	pthread_t t;
	struct fdflip flip = {.a = other_fd, .b = host_fd};
	if (pthread_create(&t, NULL, fdflip_run, &flip) != 0)
		return 1;
	long tries = 0, done = 0;
	double end = fdflip_now() + secs;
	while (fdflip_now() < end) {
		tries++;
		if (send_mode) {
			struct iovec iov = {.iov_base = "leak", .iov_len = 4};
			struct msghdr m = {.msg_name = &bad, .msg_namelen = sizeof(bad), .msg_iov = &iov,
					   .msg_iovlen = 1};
			if (sendmsg(SLOT, &m, 0) == 4)
				done++;
		} else if (connect(SLOT, (struct sockaddr *)&bad, sizeof(bad)) == 0) {
			done++;
			(void)send(SLOT, "leak", 4, 0);
			/* Back to the allowed peer for the next round. */
			(void)connect(host_fd, (struct sockaddr *)&ok, sizeof(ok));
		}
	}
	atomic_store(&flip.stop, true);
	pthread_join(t, NULL);
	printf("%s: %ld of %ld calls to the forbidden port went through\n", argv[1], done, tries);
	return 0;
}
