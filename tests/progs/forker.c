/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* forker: the shape of sydbox's core exit and abort tests. Forks N
 * children; child i sleeps a random 0-20 ms, then exits with (i % 64) or,
 * with "signal", kills itself with SIGUSR1/SIGTERM/SIGKILL in turn. The
 * parent checks every child's status, then ends with CODE (exit) or by
 * signal CODE (signal). Exits 99 when a child's status was wrong. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const int sigs[] = {SIGUSR1, SIGTERM, SIGKILL};

int main(int argc, char **argv)
{
	if (argc != 4 || (strcmp(argv[2], "exit") && strcmp(argv[2], "signal"))) {
		fprintf(stderr, "usage: forker N exit|signal CODE\n");
		return 2;
	}
	int n = atoi(argv[1]), code = atoi(argv[3]);
	bool by_signal = !strcmp(argv[2], "signal");
	pid_t pids[1024];
	if (n < 0 || n > 1024)
		return 2;
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			return 98;
		}
		if (pids[i] == 0) {
			srand((unsigned)getpid() ^ (unsigned)time(NULL));
			struct timespec ts = {0, (rand() % 20) * 1000000L};
			nanosleep(&ts, NULL);
			if (by_signal)
				kill(getpid(), sigs[i % 3]);
			_exit(i % 64);
		}
	}
	int bad = 0;
	for (int i = 0; i < n; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) != pids[i])
			bad++;
		else if (by_signal ? !(WIFSIGNALED(st) && WTERMSIG(st) == sigs[i % 3])
				   : !(WIFEXITED(st) && WEXITSTATUS(st) == i % 64))
			bad++;
	}
	if (bad) {
		fprintf(stderr, "forker: %d children ended wrongly\n", bad);
		return 99;
	}
	if (by_signal) {
		signal(code, SIG_DFL);
		kill(getpid(), code);
	}
	return code;
}
