/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* swapper: outside the sandbox, flips the symlink LINK between TARGET_A and
 * TARGET_B with atomic renames for SECONDS, so the broker's check and use
 * race against it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: swapper LINK TARGET_A TARGET_B SECONDS\n");
		return 2;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.swap", argv[1]);
	time_t end = time(NULL) + atoi(argv[4]);
	unsigned long flips = 0;
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++, flips++) {
			unlink(tmp);
			if (symlink(argv[2 + (flips & 1)], tmp) < 0 || rename(tmp, argv[1]) < 0) {
				perror("swapper");
				return 1;
			}
		}
	}
	printf("%lu flips\n", flips);
	return 0;
}
