/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An example launcher: runs its arguments in a sandbox with sbx_spawn,
 * waits on the pidfd, and exits with the sandboxed program's status.
 *   launcher POLICY [HELPER-OPTION...] -- PROGRAM [ARG...]
 * Build: cc launcher.c $(pkg-config --cflags --libs sandbox-client) */
#include <sandbox/client.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int dd = 2;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	if (argc < 2 || dd >= argc - 1) {
		fprintf(stderr, "usage: launcher POLICY [HELPER-OPTION...] -- PROGRAM [ARG...]\n");
		return 2;
	}
	argv[dd] = NULL; /* the options end here */
	struct sbx_spawn_opts o = {.policy = argv[1], .rules = (const char *const *)argv + 2};
	pid_t pid;
	int pidfd;
	int r = sbx_spawn((const char *const *)argv + dd + 1, &o, &pid, &pidfd);
	if (r < 0) {
		fprintf(stderr, "launcher: %s: %s\n", argv[dd + 1], strerror(-r));
		return 125;
	}
	siginfo_t si;
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0) {
		perror("launcher: waitid");
		return 125;
	}
	printf("launcher: pid %d exited with %d\n", (int)pid,
	       si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status);
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}
