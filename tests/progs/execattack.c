/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* execattack: probes of the broker's watched exec (CONTINUE + ptrace until
 * the image is loaded). Runs inside a sandbox that lets ALLOWED run (an
 * approved program that exits 0 whatever its arguments):
 *
 *   execattack MODE N ALLOWED [W]
 *
 * Modes (each prints one "RESULT ..." line; exit 0 when nothing went wrong):
 *   dumpable   PR_SET_DUMPABLE 0, then fork+exec ALLOWED, N times
 *   twin       a leader and a second thread exec ALLOWED at the same time
 *   threads    N threads of one process exec ALLOWED at the same time
 *   storm      N processes exec ALLOWED at the same time (more than workers)
 *   killrace   a child execs ALLOWED and is SIGKILLed after a random delay;
 *              a child the parent cannot reap within 2 s is STUCK
 *   signals    a child that has a SIGUSR1 handler execs ALLOWED while the
 *              parent sends it SIGUSR1 in a loop
 *   stopcont   the same with SIGSTOP/SIGCONT
 *   efail      execs of ALLOWED that fail (E2BIG), then a good one
 *   busychdir  killrace while another process chdirs into new directories
 *              of W (the broker's root lock is busy with init's binds)
 * Every wait has a deadline: a child not done in time is reported STUCK. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *allowed;
static char *const envp[] = {NULL};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reap PID within SECS: its status code (exit code or 128+signal), -1 when
 * it is not done by then (it is left alone). */
static int reap(pid_t pid, double secs)
{
	double end = now() + secs;
	for (;;) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG | __WALL);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (w < 0)
			return -2;
		if (now() > end)
			return -1;
		usleep(1000);
	}
}

static void run_allowed(void)
{
	char *const args[] = {(char *)allowed, NULL};
	execve(allowed, args, envp);
	int e = errno;
	char m[160];
	int l = snprintf(m, sizeof(m), "execattack: pid %d: execve %s failed: %s\n", (int)getpid(), allowed, strerror(e));
	if (write(2, m, (size_t)l) < 0)
		_exit(125);
	_exit(e == EACCES ? 126 : 127);
}

static void state_of(pid_t pid, char *out, size_t size)
{
	char p[64], line[256];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
	FILE *f = fopen(p, "re");
	snprintf(out, size, "?");
	if (!f)
		return;
	char st[64] = "", tr[64] = "";
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			snprintf(st, sizeof(st), "%.*s", (int)strcspn(line + 7, "\n"), line + 7);
		if (!strncmp(line, "TracerPid:", 10))
			snprintf(tr, sizeof(tr), "%.*s", (int)strcspn(line + 11, "\n"), line + 11);
	}
	fclose(f);
	snprintf(out, size, "state=%s tracer=%s", st, tr);
}

static int mode_dumpable(int n)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		perror("prctl");
	int ok = 0, bad = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			run_allowed();
		int code = reap(c, 10);
		if (code == 0)
			ok++;
		else {
			bad++;
			if (bad < 4)
				printf("dumpable: exec ended with %d\n", code);
		}
	}
	printf("RESULT dumpable ok=%d bad=%d\n", ok, bad);
	return bad != 0;
}

static atomic_int go;
static void *exec_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&go))
		;
	run_allowed();
	return NULL;
}

/* N threads of a new process (the leader is one) exec at once. */
static int threads_once(int n)
{
	pid_t c = fork();
	if (c == 0) {
		for (int i = 1; i < n; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, exec_thread, NULL))
				_exit(120);
		}
		usleep(2000);
		atomic_store(&go, 1);
		run_allowed();
	}
	int code = reap(c, 10);
	if (code == -1) {
		char s[128];
		state_of(c, s, sizeof(s));
		printf("STUCK threads: pid %d not done in 10 s (%s)\n", (int)c, s);
	}
	return code;
}

static int mode_threads(int n, int reps)
{
	int ok = 0, bad = 0, stuck = 0;
	for (int i = 0; i < reps; i++) {
		int code = threads_once(n);
		if (code == 0)
			ok++;
		else if (code == -1)
			stuck++;
		else {
			bad++;
			if (bad < 4)
				printf("threads: ended with %d\n", code);
		}
	}
	printf("RESULT threads n=%d ok=%d bad=%d stuck=%d\n", n, ok, bad, stuck);
	return bad || stuck;
}

static int mode_storm(int n)
{
	int p[2];
	if (pipe(p) < 0)
		return 2;
	pid_t *kids = calloc((size_t)n, sizeof(*kids));
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			char c;
			close(p[1]);
			if (read(p[0], &c, 1) < 0)
				_exit(121);
			run_allowed();
		}
	}
	close(p[0]);
	double t0 = now();
	close(p[1]); /* all go */
	int ok = 0, bad = 0, stuck = 0;
	for (int i = 0; i < n; i++) {
		int code = reap(kids[i], 20);
		if (code == 0)
			ok++;
		else if (code == -1) {
			char s[128];
			state_of(kids[i], s, sizeof(s));
			if (stuck++ < 4)
				printf("STUCK storm: pid %d (%s)\n", (int)kids[i], s);
		} else if (bad++ < 4)
			printf("storm: ended with %d\n", code);
	}
	printf("RESULT storm n=%d ok=%d bad=%d stuck=%d in %.2f s\n", n, ok, bad, stuck, now() - t0);
	return bad || stuck;
}

static void chdir_loop(const char *w)
{
	for (unsigned long i = 0;; i++) {
		char d[4096];
		snprintf(d, sizeof(d), "%s/d%lu", w, i);
		if (mkdir(d, 0755) < 0 && errno != EEXIST)
			_exit(3);
		if (chdir(d) < 0)
			_exit(4);
	}
}

static int mode_killrace(int n, const char *w)
{
	pid_t busy = -1;
	if (w) {
		busy = fork();
		if (busy == 0)
			chdir_loop(w);
	}
	srand((unsigned)getpid());
	int killed = 0, ran = 0, stuck = 0, other = 0, next_hung = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0)
			run_allowed();
		/* 0..3 ms: around the time the broker detaches at the exec stop */
		struct timespec d = {0, (rand() % 3000) * 1000L};
		nanosleep(&d, NULL);
		kill(c, SIGKILL);
		int code = reap(c, 2);
		if (code == 128 + SIGKILL)
			killed++;
		else if (code == 0)
			ran++;
		else if (code == -1) {
			if (stuck++ < 5)
				printf("STUCK killrace: SIGKILLed pid %d not reapable after 2 s\n", (int)c);
			if (getenv("EXECATTACK_PAUSE")) {
				printf("PAUSE for inspection\n");
				sleep(atoi(getenv("EXECATTACK_PAUSE")));
			}
			/* Then a plain exec, not killed: does it finish? */
			pid_t g = fork();
			if (g == 0)
				run_allowed();
			int gc = reap(g, 3);
			if (gc != 0)
				next_hung++;
			if (stuck < 6)
				printf("  ... the next plain exec (pid %d) ended with %d (-1: not in 3 s)%s\n", (int)g, gc,
				       gc == -1 ? ", it is left stopped" : "");
			if (gc == -1 && reap(g, 30) == -1)
				printf("  ... and is still not done after 30 s more\n");
			int later = reap(c, 1);
			if (stuck < 6)
				printf("  ... the SIGKILLed pid %d reaped after that: %d\n", (int)c, later);
		} else
			other++;
	}
	if (busy > 0) {
		kill(busy, SIGKILL);
		reap(busy, 10);
	}
	printf("RESULT killrace n=%d killed=%d ran=%d stuck=%d next-exec-hung=%d other=%d\n", n, killed, ran, stuck, next_hung, other);
	return stuck != 0 || next_hung != 0;
}

static void on_usr1(int s)
{
	(void)s;
}

static int mode_signals(int n, int stopcont)
{
	int ok = 0, bad = 0, stuck = 0;
	for (int i = 0; i < n; i++) {
		pid_t c = fork();
		if (c == 0) {
			struct sigaction sa = {.sa_handler = on_usr1};
			sigaction(SIGUSR1, &sa, NULL);
			run_allowed();
		}
		int code = -1;
		double end = now() + 10;
		for (int k = 0; now() < end; k++) {
			if (stopcont)
				kill(c, k & 1 ? SIGCONT : SIGSTOP);
			else
				kill(c, SIGUSR1);
			int st;
			pid_t w = waitpid(c, &st, WNOHANG);
			if (w == c) {
				code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
				break;
			}
			usleep(50);
		}
		if (code == -1) {
			kill(c, SIGCONT);
			code = reap(c, 2);
			char s[128];
			state_of(c, s, sizeof(s));
			if (code == -1 && stuck++ < 4)
				printf("STUCK %s: pid %d (%s)\n", stopcont ? "stopcont" : "signals", (int)c, s);
			if (code == -1)
				continue;
		}
		/* SIGUSR1 after the exec: the new image has no handler */
		if (code == 0 || (!stopcont && code == 128 + SIGUSR1))
			ok++;
		else if (bad++ < 4)
			printf("%s: ended with %d\n", stopcont ? "stopcont" : "signals", code);
	}
	printf("RESULT %s n=%d ok=%d bad=%d stuck=%d\n", stopcont ? "stopcont" : "signals", n, ok, bad, stuck);
	return bad || stuck;
}

static int mode_efail(int n)
{
	size_t big = 200 * 1024;
	char *s = malloc(big + 1);
	memset(s, 'a', big);
	s[big] = 0;
	char **args = calloc(20, sizeof(char *));
	args[0] = (char *)allowed;
	for (int i = 1; i < 19; i++)
		args[i] = s; /* 3.6 MB of arguments: over the 1/4 stack limit */
	int right = 0, wrong = 0;
	for (int i = 0; i < n; i++) {
		errno = 0;
		execve(allowed, args, envp);
		if (errno == E2BIG)
			right++;
		else if (wrong++ < 4)
			printf("efail: errno %d (%s)\n", errno, strerror(errno));
	}
	char st[128];
	state_of(getpid(), st, sizeof(st));
	printf("RESULT efail n=%d e2big=%d wrong=%d self: %s\n", n, right, wrong, st);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		run_allowed();
	int code = reap(c, 10);
	printf("RESULT efail then a good exec: %d\n", code);
	return wrong || code;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: execattack MODE N ALLOWED [W]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	int n = atoi(argv[2]);
	allowed = argv[3];
	const char *w = argc > 4 ? argv[4] : NULL;
	const char *m = argv[1];
	if (!strcmp(m, "dumpable"))
		return mode_dumpable(n);
	if (!strcmp(m, "twin"))
		return mode_threads(2, n);
	if (!strcmp(m, "threads"))
		return mode_threads(n, 5);
	if (!strcmp(m, "storm"))
		return mode_storm(n);
	if (!strcmp(m, "killrace"))
		return mode_killrace(n, NULL);
	if (!strcmp(m, "busychdir"))
		return mode_killrace(n, w);
	if (!strcmp(m, "signals"))
		return mode_signals(n, 0);
	if (!strcmp(m, "stopcont"))
		return mode_signals(n, 1);
	if (!strcmp(m, "efail"))
		return mode_efail(n);
	fprintf(stderr, "execattack: unknown mode %s\n", m);
	return 2;
}
