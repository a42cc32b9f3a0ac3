/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: runs inside the sandbox for the integration tests. Each subcommand
 * prints what it found and exits 0 when the sandbox behaved as it must. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int failures;
/* want_errno for what must not be seen: refused (EACCES, the broker's
 * answer) or not there (ENOENT, the view's). */
#define HIDDEN (-1)

static void expect_fail(const char *what, long r, int want_errno)
{
	if (r >= 0) {
		printf("FAIL %s succeeded\n", what);
		failures++;
	} else if (want_errno && errno != want_errno && !(want_errno == HIDDEN && (errno == EACCES || errno == ENOENT))) {
		printf("FAIL %s: errno %d (%s), wanted %d\n", what, errno, strerror(errno), want_errno);
		failures++;
	} else {
		printf("ok %s: %s\n", what, strerror(errno));
	}
}

/* The process's own view of its privileges. */
static int cmd_self(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0) {
		perror("capget");
		return 1;
	}
	unsigned long long eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	unsigned long long prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	unsigned long long inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
	int bnd = 0;
	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0)
			break;
		bnd += r;
	}
	int amb = 0;
	for (int c = 0; c < 64; c++) {
		int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (r < 0)
			break;
		amb += r;
	}
	printf("eff=%llx prm=%llx inh=%llx bnd=%d amb=%d nnp=%d seccomp=%d pid=%d\n", eff, prm,
	       inh, bnd, amb, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
	       prctl(PR_GET_SECCOMP, 0, 0, 0, 0), (int)getpid());
	return 0;
}

/* Print every entry under DIR, walking only through directories. */
static void tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		printf("? %s %s\n", dir, strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0) {
			printf("? %s %s\n", p, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			printf("d %s\n", p);
			tree(p);
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t n = readlink(p, t, sizeof(t) - 1);
			t[n < 0 ? 0 : n] = '\0';
			printf("l %s -> %s\n", p, t);
		} else {
			printf("%c %s\n", S_ISREG(st.st_mode) ? 'f' : 'o', p);
		}
	}
	closedir(d);
}

/* Ways around the broker and the namespaces; each must fail. */
static int cmd_attacks(const char *w)
{
	expect_fail("ptrace(TRACEME)", ptrace(PTRACE_TRACEME, 0, 0, 0), EPERM);
	expect_fail("mount tmpfs", mount("x", "/", "tmpfs", 0, NULL), EPERM);
	expect_fail("unshare(NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
	expect_fail("chroot", chroot("/usr"), EPERM);
	expect_fail("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	expect_fail("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, 0), EPERM);
	expect_fail("name_to_handle_at",
		    syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0), EPERM);
	expect_fail("bpf", syscall(SYS_bpf, 0, NULL, 0), EPERM);
	expect_fail("clone3 (ENOSYS so libc falls back)", syscall(SYS_clone3, NULL, 0), ENOSYS);
	char c = 'x';
	expect_fail("ioctl(TIOCSTI)", ioctl(0, TIOCSTI, &c), EPERM);
	expect_fail("ioctl(TIOCSTI | 1<<32)", syscall(SYS_ioctl, 0, TIOCSTI | (1ul << 32), &c), EPERM);
	expect_fail("open /etc/shadow", open("/etc/shadow", O_RDONLY), EACCES);
	expect_fail("open /usr/../etc/shadow", open("/usr/../etc/shadow", O_RDONLY), EACCES);
	expect_fail("open /proc/self/root/etc/shadow", open("/proc/self/root/etc/shadow", O_RDONLY), 0);
	expect_fail("open /proc/1/environ", open("/proc/1/environ", O_RDONLY), 0);
	/* Relative paths and dirfds: the broker resolves them, so ".." and
	 * the working directory lead nowhere the policy refuses. */
	int dfd = open("/usr", O_PATH | O_DIRECTORY);
	if (dfd < 0)
		printf("FAIL open /usr: %s\n", strerror(errno)), failures++;
	expect_fail("openat(/usr fd, ../etc/shadow)", openat(dfd, "../etc/shadow", O_RDONLY), EACCES);
	expect_fail("openat(/usr fd, ../../../etc/shadow)", openat(dfd, "../../../etc/shadow", O_RDONLY), EACCES);
	if (chdir("/usr/bin") < 0)
		printf("FAIL chdir /usr/bin: %s\n", strerror(errno)), failures++;
	expect_fail("open ../../etc/shadow from /usr/bin", open("../../etc/shadow", O_RDONLY), EACCES);
	expect_fail("stat ../../root from /usr/bin", open("../../root", O_RDONLY), HIDDEN);
	/* A working directory on the host (fchdir to a broker fd) gives the
	 * kernel's own lookups nothing: Landlock keeps execve in the root. */
	if (fchdir(dfd) < 0)
		printf("FAIL fchdir to a broker fd: %s\n", strerror(errno)), failures++;
	expect_fail("open ../etc/shadow after fchdir", open("../etc/shadow", O_RDONLY), EACCES);
	char *const argv[] = {"true", NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execve("bin/true", argv, NULL);
		_exit(errno == EACCES ? 0 : 3);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		printf("ok execve relative to a host working directory: refused\n");
	else
		printf("FAIL execve relative to a host working directory: status %x\n", st), failures++;
	expect_fail("execveat(broker fd, \"\", AT_EMPTY_PATH)",
		    syscall(SYS_execveat, open("/usr/bin/true", O_RDONLY), "", argv, NULL, AT_EMPTY_PATH), EACCES);
	if (chdir("/") < 0)
		failures++;
	if (w) {
		/* W is writable: nothing made there reaches outside it. */
		char p[4096], q[4096];
		snprintf(p, sizeof(p), "%s/esc", w);
		expect_fail("symlink to /etc/shadow, then open it",
			    symlink("/etc/shadow", p) < 0 ? -1 : open(p, O_RDONLY), EACCES);
		snprintf(p, sizeof(p), "%s/passwd", w);
		expect_fail("hard link /etc/passwd into the writable tree", link("/etc/passwd", p), EACCES);
		expect_fail("rename the writable tree's file into /etc",
			    rename(p, "/etc/sandbox-test"), 0);
		expect_fail("create /etc/sandbox-test", open("/etc/sandbox-test", O_CREAT | O_WRONLY, 0600), EACCES);
		expect_fail("mkdir /usr/sandbox-test", mkdir("/usr/sandbox-test", 0700), EACCES);
		expect_fail("unlink /etc/hostname", unlink("/etc/hostname"), EACCES);
		expect_fail("chmod /etc/hostname", chmod("/etc/hostname", 0777), EACCES);
		expect_fail("truncate /etc/hostname", truncate("/etc/hostname", 0), EACCES);
		expect_fail("O_TMPFILE in /etc", open("/etc", O_TMPFILE | O_RDWR, 0600), EACCES);
		int ro = open("/etc/hostname", O_RDONLY);
		snprintf(p, sizeof(p), "%s/hostname", w);
		expect_fail("linkat(read-only fd, AT_EMPTY_PATH) into the writable tree",
			    linkat(ro, "", AT_FDCWD, p, AT_EMPTY_PATH), EACCES);
		/* A program it wrote itself does not run. */
		snprintf(p, sizeof(p), "%s/mine", w);
		int in = open("/usr/bin/true", O_RDONLY), out = open(p, O_CREAT | O_WRONLY, 0755);
		char buf[65536];
		ssize_t n;
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		close(in);
		close(out);
		snprintf(q, sizeof(q), "%s", p);
		pid = fork();
		if (pid == 0) {
			execve(q, argv, NULL);
			_exit(errno == EACCES ? 0 : 3);
		}
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			printf("ok execve of a file the program wrote: refused\n");
		else
			printf("FAIL execve of a file the program wrote: status %x\n", st), failures++;
	}
	/* kill(-1) reaches only the sandbox's own pid namespace: it must not
	 * kill the caller. We survive it ourselves by ignoring the signal. */
	signal(SIGUSR1, SIG_IGN);
	printf("ok kill(-1, SIGUSR1) = %d (confined to the pid namespace)\n", kill(-1, SIGUSR1));
	expect_fail("kill host pid 1's parent (pid 0 group of host)", kill(999999, SIGKILL), ESRCH);
	expect_fail("setns", syscall(SYS_setns, 0, 0), EPERM);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: probe self|tree DIR|attacks|pause|exit N|signal N|read FILE|race FILE SECS|env NAME|fds\n");
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "self"))
		return cmd_self();
	if (!strcmp(cmd, "tree")) {
		tree(argc > 2 ? argv[2] : "/");
		return 0;
	}
	if (!strcmp(cmd, "attacks"))
		return cmd_attacks(argc > 2 ? argv[2] : NULL);
	if (!strcmp(cmd, "pause")) {
		printf("ready\n");
		pause();
		return 0;
	}
	if (!strcmp(cmd, "exit") && argc > 2)
		return atoi(argv[2]);
	if (!strcmp(cmd, "signal") && argc > 2) {
		int s = atoi(argv[2]);
		signal(s, SIG_DFL);
		raise(s);
		return 100;
	}
	if (!strcmp(cmd, "race") && argc > 3) {
		/* Open PATH for SECONDS; count opens that reached the secret
		 * (content starting with "SECRET"). */
		time_t end = time(NULL) + atoi(argv[3]);
		unsigned long opens = 0, good = 0, refused = 0, leaked = 0;
		while (time(NULL) < end) {
			int fd = open(argv[2], O_RDONLY);
			opens++;
			if (fd < 0) {
				refused++;
				continue;
			}
			char buf[16] = "";
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0 && !strncmp(buf, "SECRET", 6))
				leaked++;
			else
				good++;
		}
		printf("opens=%lu good=%lu refused=%lu leaked=%lu\n", opens, good, refused, leaked);
		return leaked || !good ? 1 : 0;
	}
	if (!strcmp(cmd, "signals")) {
		/* Report each forwarded signal; end at SIGTERM. */
		static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTERM};
		sigset_t set;
		sigemptyset(&set);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaddset(&set, sigs[i]);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("ready\n");
		for (;;) {
			int sig;
			if (sigwait(&set, &sig))
				return 1;
			printf("got %d\n", sig);
			if (sig == SIGTERM)
				return 0;
		}
	}
	if (!strcmp(cmd, "env") && argc > 2) {
		const char *v = getenv(argv[2]);
		printf("%s=%s\n", argv[2], v ? v : "(unset)");
		return 0;
	}
	if (!strcmp(cmd, "fds")) {
		/* The open fds, without /proc. */
		for (int fd = 0; fd < 1024; fd++)
			if (fcntl(fd, F_GETFD) >= 0)
				printf("%d ", fd);
		printf("\n");
		return 0;
	}
	if (!strcmp(cmd, "read") && argc > 2) {
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0) {
			printf("open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		char buf[4096];
		ssize_t n;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		close(fd);
		return n < 0;
	}
	fprintf(stderr, "probe: unknown command %s\n", cmd);
	return 2;
}
