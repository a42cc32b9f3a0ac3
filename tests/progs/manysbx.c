/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One launcher, one broker, many sandboxes at once, each with a policy of
 * its own that lets it read its own file f<I> and none of the others'.
 * Sandbox 0 first blocks in the open of a FIFO nobody writes to; the
 * others start, do their work and end while it waits; then the FIFO gets
 * its writer and sandbox 0 ends too. Last, nothing is left running (by
 * pid) and no broker thread or fd. The broker is in the launcher's process
 * (SBX_BROKER_IN_PROCESS, 4 sandboxes), or with --shared=N one broker
 * process for N sandboxes (sbx_broker_start_shared), which exits 0 once
 * the launcher closes its socket. With --kill=N, N sandboxes wait in a
 * shared broker's care and the broker is killed: every one must be gone
 * within a second. Prints "ok NAME" or "FAIL NAME: why" per check and
 * "N failures" last.
 *
 * Usage: manysbx DIR [--shared=N | --kill=N | --rss=N]   (DIR an empty directory of
 *        the caller's; sandbox-helper is $SBX_HELPER, the broker $SBX_BROKER) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/client.h"
#include "checkline.h"

#define MAX_N 128
#define MAX_PIDS 512
#define FLOOD_OPENS 120


static long long start_ms;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

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

/* PID's parent and start time (/proc/PID/stat); false when it is gone or
 * a zombie. */
static int proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold anything */
	char state;
	int pp;
	if (!p || sscanf(p + 1, " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &state, &pp, start) != 3)
		return 0;
	*ppid = pp;
	return state != 'Z';
}

/* Every process beneath ROOT (ROOT too), with its start time, so that a
 * pid reused later is not taken for it. */
static size_t descendants(pid_t root, pid_t *pids, unsigned long long *starts, size_t max)
{
	size_t n = 0;
	pid_t pp;
	if (!proc_stat(root, &pp, &starts[0]))
		return 0;
	pids[n++] = root;
	for (size_t done = 0; done < n; done++) {
		DIR *d = opendir("/proc");
		for (struct dirent *e; d && (e = readdir(d));) {
			pid_t pid = atoi(e->d_name);
			unsigned long long st;
			if (pid > 0 && n < max && proc_stat(pid, &pp, &st) && pp == pids[done]) {
				pids[n] = pid;
				starts[n++] = st;
			}
		}
		if (d)
			closedir(d);
	}
	return n;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	int r = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) < 0 ? -1 : r;
}

/* Wait up to MS for the sandbox on PIDFD to end; its status (as a shell
 * gives it), or -1 when it did not end in time. */
static int wait_end(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		return -1;
	siginfo_t si;
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		return -1;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

/* Wait up to MS for every sandbox to end; how many did. */
static int wait_all(const int *pidfd, int n, int ms)
{
	int gone = 0;
	for (int i = 0; i < n; i++) {
		long long left = ms - (now_ms() - start_ms);
		gone += pidfd[i] >= 0 && wait_end(pidfd[i], left > 0 ? (int)left : 0) >= 0;
	}
	return gone;
}

/* PID's proportional resident memory in kB (Pss: shared pages divided
 * among their users), or -1. */
static long rss_kb(pid_t pid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "re");
	long kb = -1;
	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Pss:", 4))
			kb = atol(buf + 4);
	if (f)
		fclose(f);
	return kb;
}

/* --kill=N: N sandboxes of one shared broker wait; the broker is killed.
 * --rss=N: the same N, measured (the broker's, the helpers' and inits'
 * resident memory), then ended by their helpers' pids. */
static int kill_test(const char *dir, int n, bool measure)
{
	int fd;
	pid_t broker;
	int r = sbx_broker_start_shared(&fd, &broker);
	result("a shared broker starts", r == 0, "%s", strerror(-r));
	if (r < 0)
		return 1;
	struct sbx_spawn_opts o = {.broker = SBX_BROKER_GIVEN, .broker_fd = fd, .policy = "shell"};
	pid_t pid[MAX_N];
	int pidfd[MAX_N], started = 0;
	char policy[4096], script[4096], text[8192], mark[4096];
	long long begun = now_ms();
	for (int i = 0; i < n; i++) {
		snprintf(policy, sizeof(policy), "%s/k%d.policy", dir, i);
		snprintf(text, sizeof(text), "include shell\nwrite %s/up%d\n", dir, i);
		if (write_file(policy, text) < 0)
			return 2;
		snprintf(script, sizeof(script), ": >'%s/up%d' && exec sleep 60", dir, i);
		const char *args[] = {"/bin/sh", "-c", script, NULL};
		o.policy = policy;
		pidfd[i] = -1;
		started += sbx_spawn(args, &o, &pid[i], &pidfd[i]) == 0;
	}
	close(fd);
	result("every sandbox starts with the shared broker", started == n, "%d of %d", started, n);
	long long t0 = now_ms();
	int up = 0;
	while (up < n && now_ms() - t0 < 60000) {
		up = 0;
		for (int i = 0; i < n; i++) {
			snprintf(mark, sizeof(mark), "%s/up%d", dir, i);
			up += access(mark, F_OK) == 0;
		}
		usleep(20000);
	}
	result("every program runs", up == n, "%d of %d after %lld ms", up, n, now_ms() - t0);
	printf("# %d sandboxes started and running in %lld ms\n", n, now_ms() - begun);
	pid_t held[MAX_PIDS];
	unsigned long long held_start[MAX_PIDS];
	size_t n_held = 0;
	for (int i = 0; i < n; i++)
		n_held += descendants(pid[i], held + n_held, held_start + n_held, MAX_PIDS - n_held);
	if (measure) {
		long helpers = 0, inits = 0;
		for (int i = 0; i < n; i++) {
			helpers += rss_kb(pid[i]);
			pid_t kid[4];
			unsigned long long ks[4];
			size_t k = descendants(pid[i], kid, ks, 4);
			inits += k > 1 ? rss_kb(kid[1]) : 0; /* the helper's child: init */
		}
		printf("# memory (Pss) with %d sandboxes: broker %ld kB (%.0f kB a sandbox), helper %.0f kB and init %.0f kB each\n",
		       n, rss_kb(broker), (double)rss_kb(broker) / n, (double)helpers / n, (double)inits / n);
		for (int i = 0; i < n; i++)
			kill(pid[i], SIGKILL);
		start_ms = now_ms();
		int ended = wait_all(pidfd, n, 10000);
		result("the sandboxes end with their helpers", ended == n, "%d of %d", ended, n);
		(void)waitpid(broker, NULL, 0);
		printf("%d failures\n", check_failures);
		return check_failures ? 1 : 0;
	}
	kill(broker, SIGKILL);
	start_ms = now_ms();
	int gone = wait_all(pidfd, n, 1000);
	long long took = now_ms() - start_ms;
	(void)waitpid(broker, NULL, 0);
	result("the broker killed: every sandbox ends within a second", gone == n, "%d of %d in %lld ms", gone, n,
	       took);
	size_t alive = 0;
	for (size_t i = 0; i < n_held; i++) {
		pid_t pp;
		unsigned long long st;
		alive += proc_stat(held[i], &pp, &st) && st == held_start[i];
	}
	result("and none of their processes is left", alive == 0, "%zu of %zu running", alive, n_held);
	printf("# %d sandboxes (%zu processes) gone %lld ms after their broker was killed\n", n, n_held, took);
	for (int i = 0; i < n; i++)
		if (pidfd[i] >= 0)
			close(pidfd[i]);
	printf("%d failures\n", check_failures);
	return check_failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int n = 4, shared = 0;
	if (argc == 3 && !strncmp(argv[2], "--kill=", 7) && (n = atoi(argv[2] + 7)) > 0 && n <= MAX_N)
		return kill_test(argv[1], n, false);
	if (argc == 3 && !strncmp(argv[2], "--rss=", 6) && (n = atoi(argv[2] + 6)) > 0 && n <= MAX_N)
		return kill_test(argv[1], n, true);
	if (argc == 3 && !strncmp(argv[2], "--shared=", 9) && (n = atoi(argv[2] + 9)) > 1 && n <= MAX_N)
		shared = 1;
	else if (argc != 2) {
		fprintf(stderr, "usage: manysbx DIR [--shared=N | --kill=N]\n");
		return 2;
	}
	const char *dir = argv[1];
	static char policy[MAX_N][4096], script[MAX_N][4096];
	char path[4096], text[8192], fifo[4096], ready[4096], flood[4096];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(flood, sizeof(flood), "%s/flood", dir);
	snprintf(ready, sizeof(ready), "%s/ready0", dir);
	if (mkfifo(fifo, 0600) < 0 || mkfifo(flood, 0600) < 0) {
		perror("manysbx: mkfifo");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		snprintf(text, sizeof(text), "secret-%d\n", i);
		if (write_file(path, text) < 0)
			return 2;
		/* Its own file; sandbox 0 also the FIFO and its mark. */
		snprintf(policy[i], sizeof(policy[i]), "%s/p%d.policy", dir, i);
		int l = snprintf(text, sizeof(text), "include shell\nread %s/f%d\n", dir, i);
		if (i == 0)
			snprintf(text + l, sizeof(text) - (size_t)l, "strict\nread %s\nread %s\nwrite %s\n", fifo,
				 flood, ready);
		if (write_file(policy[i], text) < 0)
			return 2;
		/* Sandbox 0 waits for the FIFO's writer first. Then each reads
		 * its own file and tries two others' (its neighbours'), and
		 * ends with 10 + I when it could read exactly its own. */
		l = snprintf(script[i], sizeof(script[i]), "i=%d d='%s'\n", i, dir);
		/* With a shared broker, it first leaves FLOOD_OPENS opens of
		 * another FIFO waiting (each a waiter in the broker). */
		if (i == 0 && shared)
			l += snprintf(script[i] + l, sizeof(script[i]) - (size_t)l,
				      "k=0; while [ $k -lt %d ]; do k=$((k+1)); "
				      "(exec 3<\"$d/flood\") 2>/dev/null & done\n", FLOOD_OPENS);
		if (i == 0)
			l += snprintf(script[i] + l, sizeof(script[i]) - (size_t)l,
				      ": >\"$d/ready0\" || exit 5\n"
				      "read x <\"$d/fifo\" || exit 6\n"
				      "[ \"$x\" = go ] || exit 7\n");
		snprintf(script[i] + l, sizeof(script[i]) - (size_t)l,
			 "[ \"$(cat \"$d/f$i\")\" = \"secret-$i\" ] || exit 3\n"
			 "for j in %d %d; do\n"
			 "  cat \"$d/f$j\" >/dev/null 2>&1 && exit 4\n"
			 "done\n"
			 "exit $((10 + i))\n", (i + n - 1) % n, (i + 1) % n);
	}
	int fds_before = count("/proc/self/fd");
	pid_t pid[MAX_N], broker = 0;
	int pidfd[MAX_N], status[MAX_N], broker_fd = -1;
	for (int i = 0; i < n; i++)
		pidfd[i] = -1;

	struct sbx_spawn_opts o = {.broker = SBX_BROKER_IN_PROCESS};
	if (shared) {
		int r = sbx_broker_start_shared(&broker_fd, &broker);
		result("a shared broker starts", r == 0, "%s", strerror(-r));
		if (r < 0)
			return 1;
		o.broker = SBX_BROKER_GIVEN;
		o.broker_fd = broker_fd;
	}
	o.policy = policy[0];
	const char *args0[] = {"/bin/sh", "-c", script[0], NULL};
	int r = sbx_spawn(args0, &o, &pid[0], &pidfd[0]);
	result("sandbox 0 starts", r == 0, "sbx_spawn: %s", strerror(-r));
	if (r < 0)
		return 1;
	/* Its mark, then a moment: it is in the FIFO's open. */
	long long t0 = now_ms();
	while (access(ready, F_OK) < 0 && now_ms() - t0 < 20000)
		usleep(10000);
	result("sandbox 0 reaches the FIFO", access(ready, F_OK) == 0, "no mark after %lld ms",
	       now_ms() - t0);
	usleep(300000);
	if (shared) {
		/* Its waiting opens (FLOOD_OPENS, under one sandbox's cap of
		 * 128) cost the shared broker one fd each, not two. */
		char bfd[64];
		snprintf(bfd, sizeof(bfd), "/proc/%d/fd", (int)broker);
		int most = 0;
		for (t0 = now_ms(); now_ms() - t0 < 1500; usleep(50000)) {
			int c = count(bfd);
			most = c > most ? c : most;
		}
		result("one sandbox's waiting opens hold one fd each of the shared broker's",
		       most >= FLOOD_OPENS && most < FLOOD_OPENS + 64, "%d fds at most for %d opens", most,
		       FLOOD_OPENS);
	}
	pid_t held[MAX_PIDS];
	unsigned long long held_start[MAX_PIDS];
	size_t n_held = descendants(pid[0], held, held_start, MAX_PIDS);
	result("sandbox 0 runs: its helper, init and program", n_held >= 3, "%zu processes", n_held);

	/* The others, at once, while sandbox 0 waits. */
	for (int i = 1; i < n; i++) {
		o.policy = policy[i];
		const char *args[] = {"/bin/sh", "-c", script[i], NULL};
		r = sbx_spawn(args, &o, &pid[i], &pidfd[i]);
		snprintf(text, sizeof(text), "sandbox %d starts while sandbox 0 waits", i);
		result(text, r == 0, "sbx_spawn: %s", strerror(-r));
	}
	for (int i = 1; i < n; i++) {
		status[i] = pidfd[i] < 0 ? -1 : wait_end(pidfd[i], 30000);
		snprintf(text, sizeof(text), "sandbox %d reads its own file, none of the others', and ends (%d)",
			 i, 10 + i);
		result(text, status[i] == 10 + i, "status %d", status[i]);
	}
	struct pollfd p = {.fd = pidfd[0], .events = POLLIN};
	result("sandbox 0 still waits in the FIFO's open meanwhile", poll(&p, 1, 0) == 0, "poll %d",
	       poll(&p, 1, 0));

	/* Its writer: the open (the broker's, for it) has a reader. */
	int w = -1;
	for (t0 = now_ms(); w < 0 && now_ms() - t0 < 10000; usleep(10000))
		w = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	result("the FIFO has its reader: sandbox 0's open", w >= 0, "%s", strerror(errno));
	if (w >= 0) {
		(void)!write(w, "go\n", 3);
		close(w);
	}
	status[0] = wait_end(pidfd[0], 30000);
	if (status[0] < 0) {
		kill(pid[0], SIGKILL); /* its helper, by pid: the sandbox ends with it */
		status[0] = wait_end(pidfd[0], 10000);
	}
	result("sandbox 0, released, reads its own file, none of the others', and ends (10)",
	       status[0] == 10, "status %d", status[0]);
	for (int i = 0; i < n; i++)
		if (pidfd[i] >= 0)
			close(pidfd[i]);
	if (shared) {
		/* No more sandboxes: the broker ends, with 0. */
		close(broker_fd);
		int st = -1;
		for (t0 = now_ms(); now_ms() - t0 < 10000; usleep(10000))
			if (waitpid(broker, &st, WNOHANG) == broker)
				break;
		result("the shared broker exits 0 once its socket is closed and its sandboxes ended",
		       WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
		if (!WIFEXITED(st) && !WIFSIGNALED(st))
			kill(broker, SIGKILL);
	}

	/* Nothing left: sandbox 0's processes (by pid and start time), no
	 * child of ours, no broker thread, no fd. */
	size_t alive = 0;
	for (t0 = now_ms(); now_ms() - t0 < 5000; usleep(20000)) {
		alive = 0;
		for (size_t i = 0; i < n_held; i++) {
			pid_t pp;
			unsigned long long st;
			alive += proc_stat(held[i], &pp, &st) && st == held_start[i];
		}
		if (!alive)
			break;
	}
	result("sandbox 0's processes are gone", alive == 0, "%zu still running", alive);
	pid_t kids[MAX_PIDS];
	unsigned long long kid_start[MAX_PIDS];
	size_t n_kids = descendants(getpid(), kids, kid_start, MAX_PIDS) - 1;
	result("no process of ours is left", n_kids == 0, "%zu left", n_kids);
	for (t0 = now_ms(); count("/proc/self/task") > 1 && now_ms() - t0 < 10000;)
		usleep(10000);
	int threads = count("/proc/self/task"), fds = count("/proc/self/fd");
	result("no broker thread is left", threads == 1, "%d threads", threads);
	result("no fd is left", fds == fds_before, "%d more fds", fds - fds_before);
	printf("%d failures\n", check_failures);
	return check_failures ? 1 : 0;
}
