/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs inside the sandbox: every call that can act on another process by
 * pid, process group or user, tried against init (pid 1) and against the
 * program's own processes. Driven by tests/scripts/initguard.py, which
 * reads init's state from outside before and after:
 *   stdout "ready", stdin "go": the table runs, one line a call
 *   ("ok   ..." or "FAIL ..."), then "done"
 *   stdin "exec": fork and execute EXEC (a program that exits 0): "exec N"
 * Exit status 0 when every call against init was refused, every call
 * against itself worked and EXEC exited 0.
 *   initguard EXEC */
#include <errno.h>
#include <linux/ioprio.h>
#include <linux/kcmp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int failed;

/* sched_setattr's argument, under a name of its own: glibc 2.41 (Debian 13)
 * declares struct sched_attr in <sched.h>, older ones do not, and
 * linux/sched/types.h clashes with <sched.h> on those. */
struct guard_sched_attr {
	unsigned size, sched_policy;
	unsigned long long sched_flags;
	int sched_nice;
	unsigned sched_priority;
	unsigned long long sched_runtime, sched_deadline, sched_period;
	unsigned sched_util_min, sched_util_max;
};

/* One call: WANT_OK says whether it must work (against ourselves) or be
 * refused (against init). */
static void check(bool want_ok, const char *what, long r)
{
	int err = errno;
	bool good = want_ok ? r >= 0 : r < 0;
	printf("%s %s %s: %s\n", good ? "ok  " : "FAIL", want_ok ? "self:" : "init:", what,
	       r < 0 ? strerror(err) : "done");
	failed += !good;
}

#define INIT(what, call) (errno = 0, check(false, what, (long)(call)))
#define SELF(what, call) (errno = 0, check(true, what, (long)(call)))

static const struct {
	int res;
	const char *name;
} limits[] = {
	{RLIMIT_NOFILE, "NOFILE"}, {RLIMIT_NPROC, "NPROC"},   {RLIMIT_AS, "AS"},
	{RLIMIT_CPU, "CPU"},       {RLIMIT_FSIZE, "FSIZE"},   {RLIMIT_STACK, "STACK"},
	{RLIMIT_DATA, "DATA"},     {RLIMIT_SIGPENDING, "SIGPENDING"}, {RLIMIT_NICE, "NICE"},
};

static void against_init(void)
{
	char what[96];
	struct rlimit low = {1, 1};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		snprintf(what, sizeof(what), "prlimit64(1, RLIMIT_%s, {1, 1})", limits[i].name);
		INIT(what, syscall(SYS_prlimit64, 1, limits[i].res, &low, NULL));
	}
	INIT("setpriority(PRIO_PROCESS, 1, 19)", setpriority(PRIO_PROCESS, 1, 19));
	INIT("setpriority(PRIO_PGRP, 0, 19) (a group init may share)", setpriority(PRIO_PGRP, 0, 19));
	INIT("setpriority(PRIO_PGRP, 1, 19)", setpriority(PRIO_PGRP, 1, 19));
	INIT("setpriority(PRIO_USER, 0, 19)", setpriority(PRIO_USER, 0, 19));
	INIT("setpriority(PRIO_USER, getuid(), 19)", setpriority(PRIO_USER, getuid(), 19));
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	INIT("sched_setaffinity(1, {0})", sched_setaffinity(1, sizeof(one), &one));
	struct sched_param sp = {0};
	INIT("sched_setscheduler(1, SCHED_IDLE)", sched_setscheduler(1, SCHED_IDLE, &sp));
	INIT("sched_setscheduler(1, SCHED_BATCH)", sched_setscheduler(1, SCHED_BATCH, &sp));
	INIT("sched_setparam(1)", sched_setparam(1, &sp));
	struct guard_sched_attr sa = {.size = sizeof(sa), .sched_policy = SCHED_IDLE};
	INIT("sched_setattr(1, SCHED_IDLE)", syscall(SYS_sched_setattr, 1, &sa, 0));
	int idle = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0);
	INIT("ioprio_set(IOPRIO_WHO_PROCESS, 1, IDLE)", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 1, idle));
	INIT("ioprio_set(IOPRIO_WHO_PGRP, 0, IDLE)", syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP, 0, idle));
	INIT("ioprio_set(IOPRIO_WHO_USER, getuid(), IDLE)",
	     syscall(SYS_ioprio_set, IOPRIO_WHO_USER, getuid(), idle));
	/* Signals: the kernel drops SIGKILL and SIGSTOP to a namespace's init
	 * but says 0; init passes the ones it forwards back to us. */
	INIT("kill(1, SIGKILL)", kill(1, SIGKILL));
	INIT("kill(1, SIGSTOP)", kill(1, SIGSTOP));
	INIT("kill(1, SIGTERM)", kill(1, SIGTERM));
	INIT("kill(1, 0)", kill(1, 0));
	INIT("tkill(1, SIGUSR1)", syscall(SYS_tkill, 1, SIGUSR1));
	INIT("tgkill(1, 1, SIGUSR1)", syscall(SYS_tgkill, 1, 1, SIGUSR1));
	siginfo_t si = {.si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid()};
	INIT("rt_sigqueueinfo(1, SIGUSR1)", syscall(SYS_rt_sigqueueinfo, 1, SIGUSR1, &si));
	INIT("rt_tgsigqueueinfo(1, 1, SIGUSR1)", syscall(SYS_rt_tgsigqueueinfo, 1, 1, SIGUSR1, &si));
	int pfd = (int)syscall(SYS_pidfd_open, 1, 0);
	INIT("pidfd_open(1)", pfd);
	if (pfd >= 0) {
		INIT("pidfd_send_signal(init's pidfd, SIGUSR1)", syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 0));
		struct iovec iov = {NULL, 0};
		INIT("process_madvise(init's pidfd)", syscall(SYS_process_madvise, pfd, &iov, 1, MADV_COLD, 0));
		close(pfd);
	}
	INIT("ptrace(PTRACE_SEIZE, 1)", ptrace(PTRACE_SEIZE, 1, NULL, NULL));
	char buf[8];
	struct iovec local = {buf, sizeof(buf)}, remote = {(void *)0x400000, sizeof(buf)};
	INIT("process_vm_readv(1)", syscall(SYS_process_vm_readv, 1, &local, 1, &remote, 1, 0));
	INIT("process_vm_writev(1)", syscall(SYS_process_vm_writev, 1, &local, 1, &remote, 1, 0));
	INIT("kcmp(1, self, KCMP_VM)", syscall(SYS_kcmp, 1, getpid(), KCMP_VM, 0, 0));
	unsigned long nodes = 1;
	INIT("migrate_pages(1)", syscall(SYS_migrate_pages, 1, 8 * sizeof(nodes), &nodes, &nodes));
	void *page = buf;
	int status;
	INIT("move_pages(1)", syscall(SYS_move_pages, 1, 1, &page, NULL, &status, 0));
	INIT("setpgid(1, 0)", setpgid(1, 0));
	INIT("prlimit64(1, RLIMIT_NOFILE) after all that", syscall(SYS_prlimit64, 1, RLIMIT_NOFILE, &(struct rlimit){1, 1}, NULL));
}

static void against_self(void)
{
	struct rlimit cur;
	SELF("prlimit64(0, RLIMIT_NOFILE, NULL, &old)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &cur));
	SELF("prlimit64(0, RLIMIT_NOFILE, its own)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &cur, NULL));
	SELF("prlimit64(getpid(), RLIMIT_NOFILE, its own)",
	     syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, &cur, NULL));
	SELF("setrlimit(RLIMIT_NOFILE, its own)", setrlimit(RLIMIT_NOFILE, &cur));
	/* Nice values only up (no RLIMIT_NICE): from where we are. */
	errno = 0;
	int n0 = getpriority(PRIO_PROCESS, 0);
	SELF("getpriority(PRIO_PROCESS, 0)", errno ? -1 : 0);
#define UP(k) (n0 + (k) > 19 ? 19 : n0 + (k))
	SELF("nice(1)", (errno = 0, nice(1) == -1 && errno ? -1 : 0));
	SELF("setpriority(PRIO_PROCESS, 0, +2)", setpriority(PRIO_PROCESS, 0, UP(2)));
	SELF("setpriority(PRIO_PROCESS, gettid(), +3)", setpriority(PRIO_PROCESS, (id_t)gettid(), UP(3)));
	SELF("setpriority(PRIO_PGRP, getpgrp(), +3) (its own group)", setpriority(PRIO_PGRP, (id_t)getpgrp(), UP(3)));
	cpu_set_t mine;
	SELF("sched_getaffinity(0)", sched_getaffinity(0, sizeof(mine), &mine));
	SELF("sched_setaffinity(0, its own)", sched_setaffinity(0, sizeof(mine), &mine));
	SELF("sched_setaffinity(gettid(), its own)", sched_setaffinity(gettid(), sizeof(mine), &mine));
	SELF("kill(getpid(), 0)", kill(getpid(), 0));
	SELF("kill(0, 0)", kill(0, 0));
	SELF("tgkill(getpid(), gettid(), 0)", syscall(SYS_tgkill, getpid(), gettid(), 0));
	siginfo_t si = {.si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid()};
	SELF("rt_sigqueueinfo(getpid(), SIGUSR2)", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &si));
	int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	SELF("pidfd_open(getpid())", pfd);
	if (pfd >= 0)
		close(pfd);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	SELF("fork", child);
	if (child > 0) {
		SELF("setpriority(PRIO_PROCESS, child, +5)", setpriority(PRIO_PROCESS, (id_t)child, UP(5)));
		SELF("prlimit64(child, RLIMIT_NOFILE, its own)",
		     syscall(SYS_prlimit64, child, RLIMIT_NOFILE, &cur, NULL));
		SELF("sched_setaffinity(child, ours)", sched_setaffinity(child, sizeof(mine), &mine));
		SELF("kill(-1, 0) (our processes, not init)", kill(-1, 0));
		SELF("kill(child, SIGKILL)", kill(child, SIGKILL));
		int st;
		SELF("waitpid(child)", waitpid(child, &st, 0));
	}
}

static bool line(const char *want)
{
	char buf[64];
	return fgets(buf, sizeof(buf), stdin) && !strncmp(buf, want, strlen(want));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: initguard EXEC\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* What init forwards back to us, and our own signals, change nothing. */
	static const int sigs[] = {SIGTERM, SIGUSR1, SIGUSR2, SIGINT, SIGHUP, SIGCONT};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_IGN);
	printf("ready\n");
	if (!line("go"))
		return 2;
	against_init();
	against_self();
	printf("done\n");
	if (!line("exec"))
		return 2;
	pid_t p = fork();
	if (p == 0) {
		execl(argv[1], argv[1], (char *)NULL);
		_exit(127);
	}
	int st = -1;
	if (p < 0 || waitpid(p, &st, 0) != p)
		st = -1;
	int code = st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	printf("exec %d\n", code);
	return failed || code != 0 ? 1 : 0;
}
