/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench_open: openat+close of FILE, N times; prints nanoseconds per pair.
 * With --fstat: fstat of an open fd, N times (glibc makes it
 * newfstatat(fd, "", AT_EMPTY_PATH), which the broker does on its copy of
 * the fd). With --fchdir: fchdir to "/" N times, which the broker answers
 * with CONTINUE: a bare notification round trip. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_open FILE|--fstat|--fchdir N\n");
		return 2;
	}
	long n = atol(argv[2]);
	bool fst = !strcmp(argv[1], "--fstat"), fcd = !strcmp(argv[1], "--fchdir");
	int sfd = fst || fcd ? open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; fst && i < n; i++) {
		struct stat st;
		if (fstat(sfd, &st) < 0) {
			perror("fstat");
			return 1;
		}
	}
	for (long i = 0; fcd && i < n; i++) {
		if (fchdir(sfd) < 0) {
			perror("fchdir");
			return 1;
		}
	}
	for (long i = 0; !fst && !fcd && i < n; i++) {
		int fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(argv[1]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.0f\n", ns / (double)n);
	return 0;
}
