/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* execrace: an approved exec whose path string turns into an unapproved
 * one after the broker read it. Runs inside the sandbox:
 *
 *   execrace W SECS ALLOWED
 *
 * copies itself to W/mine (mode 0644: the program's own file, which no rule
 * lets run), then, for SECS seconds, has vfork children exec a path string
 * that a thread flips between ALLOWED (an approved program, which exits 0
 * whatever its arguments) and an unapproved image of the sandbox's root:
 * the ELF loader (bound there as every dynamic program's interpreter) with
 * the arguments [W/mine, marker], so that the loader, if it ran, would run
 * the program's own file ("marker": print MARKER-RAN, exit 42). Also flips
 * to W/mine itself. Prints the counts and "HOLE ..." for every run of the
 * marker; exits 0 when the allowed program ran and the marker never did.
 *
 *   execrace legit ALLOWED SCRIPT
 *
 * execs that must keep working under the broker's watch: from a thread that
 * is not the leader, while other threads run; one that fails (ENOENT) and
 * the process goes on; one interrupted by a stream of signals; a #! SCRIPT;
 * 32 processes exec'ing at once from 4 threads each; then a vfork child.
 * Prints "ok ..." or "FAIL ..." for each; exits 0 when all held. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[4096];
static char alt[3][4096];
static atomic_int stop;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The PT_INTERP of our own executable: the loader of every dynamic
 * program here, whatever the architecture calls it. */
static int self_interp(char *out, size_t size)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ElfW(Ehdr) eh;
	int r = -1;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph))
			goto out;
		if (ph.p_type != PT_INTERP || ph.p_filesz >= size)
			continue;
		if (pread(fd, out, ph.p_filesz, (off_t)ph.p_offset) == (ssize_t)ph.p_filesz) {
			out[ph.p_filesz] = '\0';
			r = 0;
		}
		break;
	}
out:
	close(fd);
	return r;
}

static int copy_self(const char *to)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char b[65536];
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, b, sizeof(b))) > 0)
		if (write(out, b, (size_t)n) != n)
			n = -1;
	int r = in >= 0 && out >= 0 && n == 0 ? 0 : -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		r = -1;
	return r;
}

static void *flipper(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; !atomic_load(&stop); i++) {
		/* The approved path every other time, an unapproved one else. */
		const char *s = alt[i & 1 ? 1 + (i >> 1) % 2 : 0];
		memcpy(buf, s, strlen(s) + 1);
		for (volatile int j = 0; j < (int)(i % 300); j++)
			;
	}
	return NULL;
}

static int failures;
static void check(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static int status_of(pid_t pid)
{
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *legit_path;
static void *exec_from_thread(void *arg)
{
	(void)arg;
	char *const argv[] = {(char *)legit_path, NULL};
	char *const envp[] = {NULL};
	execve(legit_path, argv, envp);
	_exit(125);
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static volatile sig_atomic_t ticks;
static void on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

/* A child whose non-leader thread execs PATH, with SPINNERS other threads. */
static pid_t exec_in_thread(const char *path, int spinners)
{
	pid_t pid = fork();
	if (pid == 0) {
		legit_path = path;
		pthread_t t;
		for (int i = 0; i < spinners; i++)
			if (pthread_create(&t, NULL, spin, NULL))
				_exit(124);
		if (pthread_create(&t, NULL, exec_from_thread, NULL))
			_exit(124);
		for (;;)
			pause();
	}
	return pid;
}

static int legit(const char *allowed, const char *script)
{
	check(status_of(exec_in_thread(allowed, 3)) == 0, "exec from a thread that is not the leader");
	char *const argv[] = {(char *)allowed, NULL};
	char *const envp[] = {NULL};
	pid_t pid = fork();
	if (pid == 0) {
		execve("/nonexistent/program", argv, envp);
		int e = errno;
		execve(allowed, argv, envp);
		_exit(e == ENOENT || e == EACCES ? 100 : 101);
	}
	check(status_of(pid) == 0, "an exec that fails returns, and the next one works");
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_alarm};
		sigaction(SIGALRM, &sa, NULL);
		struct itimerval it = {{0, 200}, {0, 200}};
		setitimer(ITIMER_REAL, &it, NULL);
		for (int i = 0; i < 200; i++) {
			pid_t c = fork();
			if (c == 0) {
				execve(allowed, argv, envp);
				_exit(errno == EINTR ? 99 : 125);
			}
			int st, w;
			while ((w = waitpid(c, &st, 0)) < 0 && errno == EINTR)
				;
			if (w != c || !WIFEXITED(st) || WEXITSTATUS(st))
				_exit(1);
		}
		_exit(ticks ? 0 : 2);
	}
	check(status_of(pid) == 0, "200 execs with a signal every 200 us");
	char *const sargv[] = {(char *)script, NULL};
	pid = fork();
	if (pid == 0) {
		execve(script, sargv, envp);
		_exit(125);
	}
	check(status_of(pid) == 7, "a #! script runs (status 7)");
	pid_t kids[32];
	for (int i = 0; i < 32; i++)
		kids[i] = exec_in_thread(allowed, 3);
	int good = 0;
	for (int i = 0; i < 32; i++)
		good += status_of(kids[i]) == 0;
	check(good == 32, "32 processes of 4 threads exec at once");
	pid = vfork();
	if (pid == 0) {
		execve(allowed, argv, envp);
		_exit(125);
	}
	check(status_of(pid) == 0, "a vfork child execs");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "legit"))
		return legit(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "marker")) {
		puts("MARKER-RAN");
		return 42;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: execrace W SECS ALLOWED\n");
		return 2;
	}
	char mine[4096], interp[4096];
	snprintf(mine, sizeof(mine), "%s/mine", argv[1]);
	if (copy_self(mine) < 0 || self_interp(interp, sizeof(interp)) < 0) {
		printf("FAIL preparing %s or finding the loader: %s\n", mine, strerror(errno));
		return 2;
	}
	snprintf(alt[0], sizeof(alt[0]), "%s", argv[3]);
	snprintf(alt[1], sizeof(alt[1]), "%s", interp);
	snprintf(alt[2], sizeof(alt[2]), "%s", mine);
	memcpy(buf, alt[0], sizeof(alt[0]));
	char *const args[] = {"x", mine, "marker", NULL};
	char *const envp[] = {NULL};
	/* Controls: each unapproved image alone is refused. */
	int ctl[2];
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			execve(alt[1 + i], args, envp);
			_exit(errno == EACCES ? 126 : 127);
		}
		int st;
		ctl[i] = waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	}
	printf("control: loader -> %d, own file -> %d\n", ctl[0], ctl[1]);
	pthread_t t;
	if (pthread_create(&t, NULL, flipper, NULL))
		return 2;
	unsigned long runs = 0, allowed = 0, marker = 0, refused = 0, other = 0;
	double end = now() + atof(argv[2]);
	while (now() < end) {
		/* vfork: the child reads the path from memory the thread writes. */
		pid_t pid = vfork();
		if (pid == 0) {
			execve(buf, args, envp);
			_exit(errno == EACCES ? 126 : errno == ENOENT ? 127 : 125);
		}
		int st;
		runs++;
		if (pid < 0 || waitpid(pid, &st, 0) != pid) {
			other++;
			continue;
		}
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code == 0)
			allowed++;
		else if (code == 42)
			marker++;
		else if (code == 126 || code == 127 || code == 128 + SIGKILL)
			refused++;
		else
			other++;
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("runs=%lu allowed=%lu marker=%lu refused-or-killed=%lu other=%lu\n", runs, allowed, marker, refused,
	       other);
	if (marker)
		printf("HOLE the loader or the program's own file ran %lu times\n", marker);
	return !marker && allowed && ctl[0] == 126 && ctl[1] == 126 ? 0 : 1;
}
