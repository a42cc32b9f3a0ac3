/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An example launcher: runs its arguments in a sandbox with sbx_spawn,
 * waits on the pidfd, and exits with the sandboxed program's status.
 *   launcher [--own-broker|--in-process] POLICY [HELPER-OPTION...] -- PROGRAM [ARG...]
 * With --own-broker the launcher starts the sandbox's broker itself
 * (sbx_broker_start) and hands it to sandbox-helper (--broker-fd); with
 * --in-process a thread of the launcher is the broker
 * (SBX_BROKER_IN_PROCESS). With --in-process and a count N before POLICY
 * (--in-process=N), it runs the program N times, one after another, and
 * reports how many fds and threads it holds at the end.
 * Build: cc launcher.c $(pkg-config --cflags --libs sandbox-client) */
#include <sandbox/client.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The number of entries in the directory PATH (our fds, our threads). */
static int count(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - (!strcmp(path, "/proc/self/fd") ? 1 : 0); /* opendir's own */
}

/* Run ARGV TIMES times with the broker in this process. */
static int in_process(const char *const *argv, const struct sbx_spawn_opts *o, int times)
{
	int status = 0;
	for (int i = 0; i < times; i++) {
		pid_t pid;
		int pidfd;
		int r = sbx_spawn(argv, o, &pid, &pidfd);
		if (r < 0) {
			fprintf(stderr, "launcher: %s: %s\n", argv[0], strerror(-r));
			return 125;
		}
		siginfo_t si;
		if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0) {
			perror("launcher: waitid");
			return 125;
		}
		close(pidfd);
		status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
		printf("launcher: in-process pid %d exited with %d\n", (int)pid, status);
	}
	/* Let the last broker thread finish, then look at what we hold. */
	for (int tries = 0; count("/proc/self/task") > 1 && tries < 500; tries++)
		usleep(10000);
	printf("launcher: %d fds and %d threads left\n", count("/proc/self/fd"), count("/proc/self/task"));
	return status;
}

int main(int argc, char **argv)
{
	int own = argc > 1 && !strcmp(argv[1], "--own-broker");
	int inproc = argc > 1 && !strncmp(argv[1], "--in-process", 12);
	int times = inproc && argv[1][12] == '=' ? atoi(argv[1] + 13) : 1;
	argv += own || inproc;
	argc -= own || inproc;
	int dd = 2;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	if (argc < 2 || dd >= argc - 1) {
		fprintf(stderr, "usage: launcher [--own-broker] POLICY [HELPER-OPTION...] -- PROGRAM [ARG...]\n");
		return 2;
	}
	argv[dd] = NULL; /* the options end here */
	struct sbx_spawn_opts o = {.policy = argv[1], .rules = (const char *const *)argv + 2};
	if (inproc) {
		o.broker = SBX_BROKER_IN_PROCESS;
		return in_process((const char *const *)argv + dd + 1, &o, times);
	}
	pid_t broker = -1;
	int r = 0;
	if (own && (r = sbx_broker_start(&o.broker_fd, &broker)) == 0)
		o.broker = SBX_BROKER_GIVEN;
	pid_t pid;
	int pidfd;
	if (r == 0)
		r = sbx_spawn((const char *const *)argv + dd + 1, &o, &pid, &pidfd);
	if (own && o.broker_fd > 0)
		close(o.broker_fd); /* the helper has it now */
	if (r < 0) {
		fprintf(stderr, "launcher: %s: %s\n", argv[dd + 1], strerror(-r));
		if (broker > 0)
			(void)waitpid(broker, NULL, 0); /* it ends with its socket */
		return 125;
	}
	siginfo_t si;
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0) {
		perror("launcher: waitid");
		return 125;
	}
	int status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	printf("launcher: pid %d exited with %d\n", (int)pid, status);
	if (broker > 0) {
		int bs;
		if (waitpid(broker, &bs, 0) == broker)
			printf("launcher: own broker %d exited with %d\n", (int)broker,
			       WIFEXITED(bs) ? WEXITSTATUS(bs) : 128 + WTERMSIG(bs));
	}
	return status;
}
