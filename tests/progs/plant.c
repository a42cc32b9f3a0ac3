/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* plant W SECS: under --write=W --deny='W/future/locked/ **' (no space), try to get a
 * directory of the program's (holding locked/planted) to W/future. A
 * direct rename is refused; meanwhile one thread renames W/a (a file when
 * the broker looks) to W/future while another exchanges W/a with that
 * directory. Prints what it got; exits 1 when W/future became a directory
 * by a rename, 0 when it never did. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static char a[4096], d[4096], fu[4096];
static atomic_int done;

static void *swapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&done))
		(void)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, d, RENAME_EXCHANGE);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: plant W SECS\n");
		return 2;
	}
	snprintf(a, sizeof(a), "%s/a", argv[1]);
	snprintf(d, sizeof(d), "%s/d", argv[1]);
	snprintf(fu, sizeof(fu), "%s/future", argv[1]);
	char locked[4200], planted[4300];
	snprintf(locked, sizeof(locked), "%s/locked", d);
	snprintf(planted, sizeof(planted), "%s/planted", locked);
	int fd;
	if (mkdir(d, 0755) < 0 || mkdir(locked, 0755) < 0 || (fd = open(planted, O_WRONLY | O_CREAT, 0644)) < 0) {
		printf("FAIL preparing %s: %s\n", planted, strerror(errno));
		return 2;
	}
	close(fd);
	int direct = rename(d, fu) < 0 ? errno : 0;
	printf("direct rename of the directory to W/future: %s\n", direct ? strerror(direct) : "done");
	pthread_t t;
	if (pthread_create(&t, NULL, swapper, NULL))
		return 2;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	time_t end = ts.tv_sec + atoi(argv[2]);
	long tries = 0;
	struct stat st;
	int planted_dir = direct == 0;
	while (!planted_dir && (clock_gettime(CLOCK_MONOTONIC, &ts), ts.tv_sec < end)) {
		if ((fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644)) >= 0)
			close(fd);
		(void)rename(a, fu);
		tries++;
		if (lstat(fu, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				planted_dir = 1;
			else
				(void)unlink(fu);
		}
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	printf("tries=%ld W/future %s\n", tries, planted_dir ? "became the program's directory: HOLE" : "never became a directory");
	return planted_dir;
}
