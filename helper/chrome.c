/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Chromium's setuid sandbox: installed setuid root where Chromium looks for
 * its chrome-sandbox (beside the browser, or CHROME_DEVEL_SANDBOX for a
 * browser the user owns), the helper speaks the protocol of Chromium's
 * SetuidSandboxHost and SetuidSandboxClient, version 1:
 * (as a link named chrome-sandbox; --get-api and --adjust-oom-score by any name)
 *   HELPER --get-api                  prints 1
 *   HELPER --adjust-oom-score PID N   sets the OOM score of a process of the caller's
 *   HELPER PROGRAM ARGS...            runs PROGRAM (the zygote) as the caller, as
 *                                     pid 1 of new pid, net, IPC and UTS namespaces,
 *                                     with $SBX_D, a socket on which "C" has a helper
 *                                     that shares its file system state chroot it
 *                                     into an empty directory (answer "O"), and
 *                                     no_new_privs (no setuid program gains root there)
 * Chromium's own sandbox (its seccomp-bpf) does the rest. Nothing here
 * parses a policy or starts a broker. */
#include <poll.h>
#include <sys/resource.h>


#include "helper.h"

/* What the loader drops from a setuid program's environment, which
 * Chromium saves as SANDBOX_NAME for the program (glibc's unsecvars). */
static const char *const unsafe[] = {
	"LD_AOUT_LIBRARY_PATH", "LD_AOUT_PRELOAD", "GCONV_PATH", "GETCONF_DIR", "HOSTALIASES",
	"LD_AUDIT", "LD_DEBUG", "LD_DEBUG_OUTPUT", "LD_DYNAMIC_WEAK", "LD_LIBRARY_PATH",
	"LD_ORIGIN_PATH", "LD_PRELOAD", "LD_PROFILE", "LD_SHOW_AUXV", "LD_USE_LOAD_BIAS",
	"LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF",
	"RES_OPTIONS", "TMPDIR", "TZDIR",
};

/* By its options, or as "chrome-sandbox" (never by the environment alone:
 * Chromium's children inherit SBX_CHROME_API_RQ, and "HELPER PROGRAM" is a
 * sandbox of ours). */
bool chrome_called(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	return argc >= 2 && (!strcmp(argv[1], "--get-api") || !strcmp(argv[1], "--adjust-oom-score") ||
			     !strcmp(name ? name + 1 : argv[0], "chrome-sandbox"));
}

/* --adjust-oom-score PID SCORE: of a process of the caller's, 0 to 1000. */
static void oom_score(const struct launch *l, const char *pid, const char *score)
{
	char *e1, *e2, path[64];
	long p = strtol(pid, &e1, 10), s = strtol(score, &e2, 10);
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%ld", p);
	_cleanup_close_ int dir = *e1 || *e2 || !*pid || !*score || p <= 0 || s < 0 || s > 1000 ? -1
				  : open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	REFUSE_IF(dir < 0 || fstat(dir, &st) < 0 || st.st_uid != l->uid,
		  "--adjust-oom-score PID SCORE: a process of the caller's and a score from 0 to 1000");
	_cleanup_close_ int fd = openat(dir, "oom_score_adj", O_WRONLY | O_CLOEXEC);
	DIE_IF(fd < 0 || dprintf(fd, "%ld", s) < 0, "cannot set the OOM score of %ld", p);
	exit(0);
}

/* The chroot helper: root, sharing the program's file system state, with
 * no fd but FD and none to open. On "C" it chroots both into its own
 * /proc/self/fdinfo (named from the root, which the program cannot move),
 * which holds nothing once it has ended, and answers "O". */
static pid_t chroot_helper(int fd)
{
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, NULL, NULL, NULL, 0);
	struct rlimit none = {0, 0};
	char c = 0;
	if (pid == 0 && (dup2(fd, 3) < 0 || syscall(SYS_close_range, 4, ~0U, 0) < 0 ||
			 syscall(SYS_close_range, 0, 2, 0) < 0 || setrlimit(RLIMIT_NOFILE, &none) < 0 ||
			 SBX_RETRY(read(3, &c, 1)) != 1 || c != 'C' || chroot("/proc/self/fdinfo") < 0 ||
			 chdir("/") < 0 || write(3, "O", 1) != 1))
		_exit(c ? SBX_EXIT_SETUP : 0); /* nothing asked: the program ended */
	if (pid == 0)
		_exit(0);
	return pid;
}

_Noreturn void chrome_main(const struct launch *l, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--get-api"))
		exit(printf("1\n") < 0);
	if (argc == 4 && !strcmp(argv[1], "--adjust-oom-score"))
		oom_score(l, argv[2], argv[3]);
	const char *api = getenv("SBX_CHROME_API_RQ");
	REFUSE_IF(argc < 2 || argv[1][0] != '/' || !api || strcmp(api, "1") || !l->privileged,
		  "as Chromium's setuid sandbox (API 1, installed setuid root): expected --get-api, "
		  "--adjust-oom-score PID SCORE, or SBX_CHROME_API_RQ=1 and a program's absolute path");
	int go[2], sv[2];
	char c, d[16], h[16];
	DIE_IF(pipe2(go, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0,
	       "cannot create the sandbox's sockets");
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
				   SIGCHLD, NULL, NULL, NULL, 0), helper = -1;
	int st;
	/* The parent, the caller now, waits for the program, which starts
	 * once fd 7 (the zygote's old pid channel) is closed here. */
	DIE_IF(pid < 0, "cannot create the sandbox's namespaces");
	DIE_ERR(pid > 0 ? caps_become_user(l->uid, l->gid, NULL, 0) : 0, "cannot drop privileges");
	if (pid > 0 && (close(7), close(sv[0]), close(sv[1]), close(go[0]), write(go[1], "g", 1) != 1 ||
			SBX_RETRY(waitpid(pid, &st, 0)) != pid))
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot run the program");
	if (pid > 0)
		exit(sbx_exit_status(st));
	close(go[1]);
	DIE_IF(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || SBX_RETRY(read(go[0], &c, 1)) != 1 ||
	       (helper = chroot_helper(sv[0])) < 0, "cannot start the chroot helper");
	close(sv[0]);
	/* The caller's for good, no setuid program gaining root in these
	 * namespaces, and the parent's death ours (the uid change cleared it:
	 * the parent holds the pipe open until it ends). */
	struct pollfd parent = {.fd = go[0]};
	DIE_IF(caps_become_user(l->uid, l->gid, NULL, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	       prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || poll(&parent, 1, 0) != 0, "cannot drop privileges");
	for (size_t i = 0; i < SBX_ARRAY_SIZE(unsafe); i++) {
		char saved[64], *v = (snprintf(saved, sizeof(saved), "SANDBOX_%s", unsafe[i]), getenv(saved));
		DIE_IF(v && (setenv(unsafe[i], v, 1) < 0 || unsetenv(saved) < 0), "cannot set %s", unsafe[i]);
	}
	snprintf(d, sizeof(d), "%d", sv[1]);
	snprintf(h, sizeof(h), "%d", (int)helper);
	DIE_IF(setenv("SBX_D", d, 1) < 0 || setenv("SBX_HELPER_PID", h, 1) < 0 || unsetenv("SBX_CHROME_API_RQ") < 0 ||
	       setenv("SBX_CHROME_API_PRV", "1", 1) < 0 || setenv("SBX_PID_NS", "", 1) < 0 ||
	       setenv("SBX_NET_NS", "", 1) < 0, "cannot set the sandbox's variables");
	execv(argv[1], argv + 1);
	sbx_die_errno(errno == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC, errno,
		      "cannot execute %s", argv[1]);
}
