/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: exec of names and path strings that flip (exec), and a program-written
 * file run through the loader (ldso). */
#include "racer.h"

/* --- exec ------------------------------------------------------------------- */
static char exec_buf[4096];
static char exec_alt[2][4096];

static void *exec_strflip(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; !atomic_load(&stop); i++) {
		/* Byte by byte would make paths nobody wrote: copy whole. */
		memcpy(exec_buf, exec_alt[i & 1], sizeof(exec_buf));
		barrier();
		for (volatile int j = 0; j < 200; j++)
			;
	}
	return NULL;
}

struct xf {
	const char *a, *b;
	double end;
	unsigned long n, e;
};

static void *exec_flip(void *arg)
{
	struct xf *x = arg;
	x->n = flip_loop(x->a, x->b, x->end, &x->e);
	return NULL;
}

static char *const run_argv[] = {"x", "marker", NULL};
static char *const run_envp[] = {NULL};

static void exec_or_exit(const char *p)
{
	execve(p, run_argv, run_envp);
	_exit(errno == EACCES ? 126 : errno == ENOENT ? 127 : 125);
}

/* The child of a clone sharing our memory: it execs exec_buf as the flipping
 * thread leaves it. */
static int exec_shared(void *arg)
{
	(void)arg;
	exec_or_exit(exec_buf);
	return 125;
}

/* Run PATH, or exec_buf when PATH is NULL in a child that shares memory with
 * the flipping thread. 0: the allowed program ran; 42: the marker ran; else
 * refused or failed. */
static int run_one(const char *p)
{
	if (p) {
		pid_t pid = fork();
		if (pid == 0)
			exec_or_exit(p);
		return reap(pid);
	}
	/* What vfork does (shared memory, this thread waits until the child
	 * execs or exits), but with the child running exec_shared on a stack
	 * of its own: vfork returns twice on our stack, so the compiler must
	 * assume any local kept in a register across it can be clobbered
	 * (gcc's -Wclobbered); here no function returns twice. The stack is
	 * only used while this thread is suspended, one child at a time. */
	static char stack[64 * 1024] __attribute__((aligned(16)));
	return reap(clone(exec_shared, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL));
}

int cmd_exec(const char *w, int secs)
{
	char *mine = path(w, "mine"), *x = path(w, "x"), *xalt = path(w, "x.alt"), *y = path(w, "y");
	/* The program's own file: a copy of racer, whose "marker" prints. */
	if (copy("/proc/self/exe", mine) < 0 || copy("/proc/self/exe", x) < 0) {
		printf("FAIL cannot copy /proc/self/exe into W: %s\n", strerror(errno));
		return 1;
	}
	/* W/y and W/y.alt the same, for the host to exchange. */
	char *yalt = path(w, "y.alt");
	unlink(xalt);
	unlink(yalt);
	if (copy("/proc/self/exe", y) < 0 || symlink("/usr/bin/true", xalt) < 0 ||
	    symlink("/usr/bin/true", yalt) < 0) {
		printf("FAIL preparing W/x, W/y: %s\n", strerror(errno));
		return 1;
	}
	/* Control: the file it wrote does not run, the allowed one does. */
	int c1 = run_one(mine), c2 = run_one("/usr/bin/true");
	printf("control: %s -> %d, /usr/bin/true -> %d\n", mine, c1, c2);
	snprintf(exec_alt[0], sizeof(exec_alt[0]), "/usr/bin/true");
	snprintf(exec_alt[1], sizeof(exec_alt[1]), "%s", mine);
	memcpy(exec_buf, exec_alt[0], sizeof(exec_buf));
	struct xf xf = {.a = x, .b = xalt, .end = now() + secs};
	pthread_t t1, t2;
	if (pthread_create(&t1, NULL, exec_flip, &xf) || pthread_create(&t2, NULL, exec_strflip, NULL))
		return 2;
	unsigned long allowed = 0, marker = 0, refused = 0, other = 0, runs = 0;
	/* Relative paths start on the host from now on: a working directory
	 * outside the root (Landlock keeps execve from it). */
	int wfd = open(w, O_RDONLY | O_DIRECTORY);
	if (wfd < 0 || fchdir(wfd) < 0)
		printf("# fchdir to W: %s\n", strerror(errno));
	snprintf(exec_alt[1], sizeof(exec_alt[1]), "mine");
	while (now() < xf.end) {
		const char *which[3] = {x, y, NULL};
		for (int i = 0; i < 3; i++) {
			int r = run_one(which[i]);
			runs++;
			if (r == 0)
				allowed++;
			else if (r == 42)
				marker++;
			else if (r == 126 || r == 127)
				refused++;
			else
				other++;
		}
		/* The absolute form of the string flip too, every other round. */
		snprintf(exec_alt[1], sizeof(exec_alt[1]), "%s", runs & 1 ? mine : "mine");
	}
	atomic_store(&stop, 1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	printf("runs=%lu allowed=%lu marker=%lu refused=%lu other=%lu exchanges=%lu\n", runs, allowed, marker,
	       refused, other, xf.n);
	return !marker && allowed && c1 == 126 && c2 == 0 ? 0 : 1;
}

/* --- ldso ------------------------------------------------------------------------ */
int cmd_ldso(const char *w)
{
	char *mine = path(w, "mine-ld");
	if (copy("/proc/self/exe", mine) < 0) {
		printf("FAIL copy: %s\n", strerror(errno));
		return 2;
	}
	errno = exec_errno(mine);
	expect("execve of the copy (control)", errno ? -1 : 0, EACCES);
	static const char *const loaders[] = {"/lib64/ld-linux-x86-64.so.2",
					      "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"};
	for (size_t i = 0; i < 2; i++) {
		char *const argv[] = {"ld.so", mine, "marker", NULL};
		char *const envp[] = {NULL};
		pid_t pid = fork();
		if (pid == 0) {
			execve(loaders[i], argv, envp);
			_exit(errno == EACCES ? 126 : 127);
		}
		int r = reap(pid);
		if (r == 42)
			hole("execve(%s, [ld.so, W/mine-ld]) ran the program-written file", loaders[i]);
		else
			printf("ok execve(%s, W/mine-ld): status %d\n", loaders[i], r);
	}
	printf("%d holes\n", holes);
	return holes || failures ? 1 : 0;
}
