/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Warm sandboxes (sbx_warm_new), checked and timed.
 *
 *   warmsbx check DIR [--shared]   checks, "ok NAME" / "FAIL NAME: why", "N failures"
 *                          last; with --shared the pool's sandboxes are a
 *                          shared broker's (sbx_broker_start_shared)
 *   warmsbx bench N PAR MODE -- PROGRAM ARGS...
 *                          N sandboxes, PAR at a time; prints the time each
 *                          (the run's time over N) and the median time from
 *                          sbx_spawn to the sandbox's end, in ms. MODE: cold
 *                          or warm (a pool of PAR), with "-shared" one shared
 *                          broker, with "-gap" 30 ms untimed between starts
 *
 * DIR is an empty directory of the caller's. sandbox-helper is $SBX_HELPER,
 * the broker $SBX_BROKER, sandbox-warm $SBX_WARM. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/client.h"
#include "checkline.h"


static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Run ARGV in a sandbox of W with OUT as its stdout (-1: ours); its exit
 * status (or -errno), its stdout in BUF. */
static int run(struct sbx_warm *w, const char *const *argv, char *buf, size_t size, int in)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	int save_out = dup(1), save_in = dup(0);
	dup2(p[1], 1);
	if (in >= 0)
		dup2(in, 0);
	pid_t pid;
	int r = sbx_spawn(argv, &(struct sbx_spawn_opts){.warm = w}, &pid, NULL);
	dup2(save_out, 1);
	dup2(save_in, 0);
	close(save_out);
	close(save_in);
	close(p[1]);
	ssize_t n = 0, got;
	while ((got = read(p[0], buf + n, size - 1 - (size_t)n)) > 0)
		n += got;
	buf[n] = '\0';
	close(p[0]);
	int st;
	if (r < 0)
		return r;
	if (waitpid(pid, &st, 0) != pid)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void *other_thread(void *arg)
{
	static const char *const argv[] = {"/usr/bin/dash", "-c", "exit 0", NULL};
	pid_t pid;
	return (void *)(long)sbx_spawn(argv, &(struct sbx_spawn_opts){.warm = arg}, &pid, NULL);
}

static int check(const char *dir, bool shared)
{
	char secret[4096], rule[4200], buf[4096], script[8300];
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	FILE *f = fopen(secret, "w");
	if (!f || fputs("secret\n", f) < 0 || fclose(f) != 0) {
		perror(secret);
		return 1;
	}
	snprintf(rule, sizeof(rule), "--read=%s/granted", dir);
	snprintf(buf, sizeof(buf), "%s/granted", dir);
	f = fopen(buf, "w");
	if (!f || fputs("granted\n", f) < 0 || fclose(f) != 0) {
		perror(buf);
		return 1;
	}
	const char *rules[] = {"--exec=/usr/bin/dash", "--stat=/usr/bin/sh", rule, NULL};
	struct sbx_spawn_opts o = {.policy = "minimal", .rules = rules};
	int bfd = -1;
	pid_t bpid = -1;
	if (shared) {
		int r = sbx_broker_start_shared(&bfd, &bpid);
		result("a shared broker starts", r == 0, "%s", strerror(-r));
		if (r < 0)
			return 1;
		o.broker = SBX_BROKER_GIVEN;
		o.broker_fd = bfd;
	}
	struct sbx_warm *w;
	int r = sbx_warm_new(&o, 2, &w);
	result("a pool of 2 warm sandboxes starts", r == 0, "%s", strerror(-r));
	if (r < 0)
		return 1;
	const char *echo[] = {"sh", "-c", "echo hi $$", NULL};
	r = run(w, echo, buf, sizeof(buf), -1);
	result("a warm sandbox runs the program, with the caller's stdout, as pid 2 of its own namespace",
	       r == 0 && !strcmp(buf, "hi 2\n"), "status %d, output '%s'", r, buf);
	snprintf(script, sizeof(script), "read x <%s/granted && echo $x; read y <%s/secret && echo $y; exit 7",
		 dir, dir);
	const char *both[] = {"/bin/sh", "-c", script, NULL};
	r = run(w, both, buf, sizeof(buf), -1);
	result("the pool's policy holds: its granted file is read, another is not, the status passes",
	       r == 7 && !strcmp(buf, "granted\n"), "status %d, output '%s'", r, buf);
	const char *cat[] = {"/usr/bin/cat", secret, NULL};
	r = run(w, cat, buf, sizeof(buf), -1);
	result("a program the policy does not let it execute is refused", r == 126 && !*buf,
	       "status %d, output '%s'", r, buf);
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = run(w, echo, buf, sizeof(buf), d);
	close(d);
	result("a directory as stdin is refused (no host directory fd in the sandbox)", r == 125 && !*buf,
	       "status %d, output '%s'", r, buf);
	/* Only the pool's thread takes its sandboxes (they die with it). */
	pthread_t t;
	void *ret = NULL;
	r = pthread_create(&t, NULL, other_thread, w) == 0 && pthread_join(t, &ret) == 0 ? (int)(long)ret : 1;
	result("another thread may not take the pool's sandboxes (EPERM)", r == -EPERM, "%d", r);
	/* More arguments than sandbox-warm takes: refused, not cut. */
	static const char *many[4100];
	many[0] = "/usr/bin/dash";
	for (int i = 1; i < 4099; i++)
		many[i] = "x";
	pid_t pid;
	r = sbx_spawn(many, &(struct sbx_spawn_opts){.warm = w}, &pid, NULL);
	result("4,099 arguments are refused (E2BIG), not cut", r == -E2BIG, "%d", r);
	/* A relative program is found from the caller's directory now. */
	char here[4096];
	if (!getcwd(here, sizeof(here)) || chdir("/usr") < 0)
		return 1;
	const char *rel[] = {"bin/dash", "-c", "echo rel", NULL};
	r = run(w, rel, buf, sizeof(buf), -1);
	result("a relative program path is the caller's, from its directory at sbx_spawn", r == 0 && !strcmp(buf, "rel\n"),
	       "status %d, output '%s'", r, buf);
	if (chdir(here) < 0)
		return 1;
	/* 20 in a row, each its own sandbox. */
	int bad = 0;
	for (int i = 0; i < 20; i++)
		bad += run(w, echo, buf, sizeof(buf), -1) != 0 || strcmp(buf, "hi 2\n");
	result("20 warm sandboxes in a row", !bad, "%d failed", bad);
	/* Freed, the sandboxes not taken end: nothing left. */
	sbx_warm_free(w);
	if (shared) {
		int st = -1;
		close(bfd);
		result("the shared broker exits 0 once its socket is closed and its sandboxes ended",
		       waitpid(bpid, &st, 0) == bpid && WIFEXITED(st) && !WEXITSTATUS(st), "status %#x", st);
	}
	errno = 0;
	result("freed, the pool leaves no child", waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
	       "a child is left (%s)", strerror(errno));
	printf("%d failures\n", check_failures);
	return check_failures != 0;
}

static int bench(int n, int par, const char *mode, const char *const *argv)
{
	bool warm = !strncmp(mode, "warm", 4), shared = strstr(mode, "shared") != NULL,
	     gap = strstr(mode, "gap") != NULL;
	int bfd = -1;
	pid_t bpid = -1;
	struct sbx_spawn_opts o = {.policy = "minimal", .rules = (const char *[]){"--exec=/bin/true",
		"--exec=/usr/bin/true", NULL}};
	if (shared) {
		int r = sbx_broker_start_shared(&bfd, &bpid);
		if (r < 0) {
			fprintf(stderr, "warmsbx: cannot start the broker: %s\n", strerror(-r));
			return 1;
		}
		o.broker = SBX_BROKER_GIVEN;
		o.broker_fd = bfd;
	}
	struct sbx_warm *w = NULL;
	double t0 = now_ms();
	int r = warm ? sbx_warm_new(&o, (unsigned)par, &w) : 0;
	if (r < 0) {
		fprintf(stderr, "warmsbx: cannot start the pool: %s\n", strerror(-r));
		return 1;
	}
	struct sbx_spawn_opts use = warm ? (struct sbx_spawn_opts){.warm = w} : o;
	pid_t live[64];
	double began[64], *lat = calloc((size_t)n, sizeof(double)), gaps = 0;
	int nlive = 0, bad = 0, done = 0;
	for (int i = 0; i < n || nlive; ) {
		if (i < n && nlive < par) {
			if (gap && i) {
				/* Untimed: the pool is ready again by the next. */
				double g = now_ms();
				usleep(30000);
				gaps += now_ms() - g;
			}
			began[nlive] = now_ms();
			r = sbx_spawn(argv, &use, &live[nlive], NULL);
			if (r < 0) {
				fprintf(stderr, "warmsbx: sbx_spawn: %s\n", strerror(-r));
				bad++;
			} else {
				nlive++;
			}
			i++;
			continue;
		}
		int st;
		pid_t p = wait(&st);
		for (int k = 0; k < nlive; k++)
			if (live[k] == p) {
				if (lat && done < n)
					lat[done++] = now_ms() - began[k];
				live[k] = live[nlive - 1];
				began[k] = began[--nlive];
				bad += !WIFEXITED(st) || WEXITSTATUS(st);
			}
	}
	double t = now_ms() - t0 - gaps;
	double med = 0;
	if (lat && done) {
		for (int i = 1; i < done; i++)
			for (int k = i; k > 0 && lat[k - 1] > lat[k]; k--) {
				double x = lat[k];
				lat[k] = lat[k - 1];
				lat[k - 1] = x;
			}
		med = lat[done / 2];
	}
	free(lat);
	sbx_warm_free(w);
	if (shared) {
		close(bfd);
		(void)waitpid(bpid, NULL, 0);
	}
	printf("%.3f %.3f\n", t / n, med);
	fprintf(stderr, "# %d sandboxes, %d at a time, %s: %.2f ms each, start to end %.2f ms (median), %d failed\n",
		n, par, mode, t / n, med, bad);
	return bad != 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "--shared"))) && !strcmp(argv[1], "check"))
		return check(argv[2], argc == 4);
	if (argc >= 7 && !strcmp(argv[1], "bench") && !strcmp(argv[5], "--"))
		return bench(atoi(argv[2]), atoi(argv[3]) < 1 ? 1 : atoi(argv[3]) > 64 ? 64 : atoi(argv[3]),
			     argv[4], (const char *const *)argv + 6);
	fprintf(stderr, "usage: warmsbx check DIR [--shared] | warmsbx bench N PAR cold|warm[-shared][-gap] -- PROGRAM...\n");
	return 2;
}
