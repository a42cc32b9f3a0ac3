/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawnkeep HELPER PROBE: sbx_spawn with fd 5 kept and fd 6 not; the probe
 * prints the fds it has. */
#include <sandbox/client.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = open("/dev/null", O_RDONLY);
	if (dup2(a, 5) < 0 || dup2(b, 6) < 0)
		return 2;
	(void)fcntl(5, F_SETFD, FD_CLOEXEC); /* kept even so */
	const int keep[] = {5};
	const char *args[] = {argv[2], "fds", NULL};
	struct sbx_spawn_opts o = {.keep_fds = keep, .n_keep_fds = 1, .helper = argv[1]};
	pid_t pid;
	int pidfd;
	if (sbx_spawn(args, &o, &pid, &pidfd) < 0)
		return 3;
	siginfo_t si;
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		return 4;
	const int bad[] = {99};
	o.keep_fds = bad;
	if (sbx_spawn(args, &o, &pid, NULL) != -EBADF)
		return 5; /* a closed fd to keep is an error, nothing started */
	return si.si_status;
}
