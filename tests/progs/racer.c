/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: races and attacks for tests/races.sh. Every subcommand runs inside
 * the sandbox except xflip, which the test also runs on the host.
 *
 *   xflip A B SECS          exchange A and B (renameat2 RENAME_EXCHANGE) in a loop
 *   mutate D W SECS [A B]   every mutating syscall on D/NAME in a loop (a child
 *                           exchanges A and B meanwhile, when given)
 *   dotdot W SECS [inner]   open/mkdir/rename/chmod W/a/b/../../N and
 *                           W/m/n/a/b/../../../../N (N: sbx-race-x, -y) in a
 *                           loop; with "inner" a thread exchanges W/a and
 *                           W/m/n/a meanwhile (else the host moves things)
 *   dirfd W                 a dirfd on W/dir while the program moves it within
 *                           W, then the host to R (granted read), then to O
 *                           (granted nothing), told by W/ready-N and W/go-N
 *   exec W SECS             execve of W/x, W/y and of a path string while each
 *                           flips between a program-written copy of racer and an
 *                           allowed executable (/usr/bin/true): W/x flipped by
 *                           a thread, W/y by the host; the copy prints MARKER-RAN
 *   marker                  print MARKER-RAN, exit 42 (what the copy does)
 * Attacks: each prints "ok ..." for what held and "HOLE ..." for a way around
 * the policy, and exits 1 when it found one.
 *   fdmeta FILE DIR         metadata changes through read-only fds (fchmod,
 *                           futimens, fsetxattr, FS_IOC_SETFLAGS, AT_EMPTY_PATH)
 *   emptypath W REL SIZE SECS
 *                           AT_EMPTY_PATH with "" that becomes REL after the
 *                           broker read it (the kernel reads it again)
 *   dup2open RO RW SECS     reopen /proc/self/fd/N for write while N flips
 *                           between a read-only and a writable fd
 *   dup2link RO RW NEW SECS linkat(N, "", NEW, AT_EMPTY_PATH), N flipping so
 *   leak W H                errnos that tell what exists in the hidden H
 *   denyrename W            rename the parent of a denied directory
 *   rootcaps W              chown and security./trusted. xattrs done by a
 *                           broker that has capabilities the program lacks
 *   procfd W FD             reopen and link an inherited write-only fd
 *   ldso W                  run a program-written ELF through the loader
 *   misc W P H              openat2 RESOLVE_NO_MAGICLINKS, trailing slashes,
 *                           O_TMPFILE, xattr sizes, inotify, odd dirfds (a
 *                           socket, a memfd, a deleted directory, /proc, the
 *                           sandbox's root), long paths, /proc/PID from a
 *                           second thread
 * With SBX_RACE_NATIVE=1 tests/races.sh runs these without the sandbox, where
 * every check must fail. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static atomic_int stop;
static int holes;
/* Keep the compiler from merging or dropping the flippers' stores. */
#define barrier() __asm__ __volatile__("" ::: "memory")

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hole(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void hole(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("HOLE ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	holes++;
}

static const char *err(long r)
{
	return r < 0 ? strerror(errno) : "success";
}

static int xrename(const char *a, const char *b, unsigned flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

static char *path(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

/* Copy FROM to TO (mode 0755). */
static int copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int r = in >= 0 && out >= 0 && n == 0 ? 0 : -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

/* --- xflip ---------------------------------------------------------------- */
static unsigned long flip_loop(const char *a, const char *b, double end, unsigned long *errs)
{
	unsigned long n = 0;
	while (now() < end && !atomic_load(&stop))
		for (int i = 0; i < 64; i++) {
			if (xrename(a, b, RENAME_EXCHANGE) == 0)
				n++;
			else
				++*errs;
		}
	return n;
}

static int cmd_xflip(const char *a, const char *b, int secs)
{
	unsigned long e = 0, n = flip_loop(a, b, now() + secs, &e);
	printf("%lu exchanges, %lu errors\n", n, e);
	return n ? 0 : 1;
}

/* A child process that exchanges A and B until END. */
static pid_t flipper(const char *a, const char *b, double end)
{
	pid_t pid = fork();
	if (pid == 0) {
		unsigned long e = 0, n = flip_loop(a, b, end, &e);
		printf("inner flipper: %lu exchanges, %lu errors\n", n, e);
		_exit(n ? 0 : 1);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int st = 0;
	if (pid <= 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* --- mutate ----------------------------------------------------------------- */
enum { M_CREAT, M_OPENW, M_TRUNCOPEN, M_MKDIR, M_RMDIR, M_UNLINK, M_RENAME, M_RENAME_OUT, M_RENAME_IN,
       M_LINK, M_SYMLINK, M_CHMOD, M_TRUNCATE, M_UTIMES, M_XATTR, M_MKNOD, M_COUNT };
static const char *const mnames[M_COUNT] = {
	"creat", "open-wr", "open-trunc", "mkdir", "rmdir", "unlink", "rename", "rename-out",
	"rename-in", "link", "symlink", "chmod", "truncate", "utimes", "setxattr", "mknod",
};

static int cmd_mutate(const char *d, const char *w, int secs, const char *fa, const char *fb)
{
	unsigned long ok[M_COUNT] = {0}, tries = 0;
	double end = now() + secs;
	pid_t fl = fa ? flipper(fa, fb, end) : -1;
	char *f1 = path(d, "f1"), *f2 = path(d, "f2"), *f3 = path(d, "f3"), *hl = path(d, "hl"),
	     *sl = path(d, "sl"), *sub = path(d, "newdir"), *empty = path(d, "empty"),
	     *fifo = path(d, "fifo"), *stash = path(w, "stash");
	struct timeval tv[2] = {{1, 0}, {1, 0}};
	while (now() < end) {
		tries++;
		int fd = creat(f1, 0644);
		if (fd >= 0) {
			ok[M_CREAT]++;
			if (write(fd, "creat\n", 6) < 0)
				perror("write");
			close(fd);
		}
		fd = open(f2, O_CREAT | O_WRONLY | O_APPEND, 0644);
		if (fd >= 0) {
			ok[M_OPENW]++;
			if (write(fd, "append\n", 7) < 0)
				perror("write");
			close(fd);
		}
		fd = open(f1, O_WRONLY | O_TRUNC);
		if (fd >= 0) {
			ok[M_TRUNCOPEN]++;
			close(fd);
		}
		ok[M_MKDIR] += mkdir(sub, 0755) == 0;
		ok[M_RMDIR] += rmdir(sub) == 0;
		ok[M_RMDIR] += rmdir(empty) == 0;
		ok[M_MKDIR] += mkdir(empty, 0755) == 0;
		ok[M_RENAME] += rename(f1, f3) == 0;
		ok[M_RENAME] += rename(f3, f1) == 0;
		ok[M_LINK] += link(f1, hl) == 0;
		ok[M_UNLINK] += unlink(hl) == 0;
		ok[M_SYMLINK] += symlink("target", sl) == 0;
		ok[M_UNLINK] += unlink(sl) == 0;
		ok[M_CHMOD] += chmod(f1, 0600) == 0;
		ok[M_TRUNCATE] += truncate(f1, 1) == 0;
		ok[M_UTIMES] += utimes(f1, tv) == 0;
		ok[M_XATTR] += setxattr(f1, "user.racer", "1", 1, 0) == 0;
		ok[M_MKNOD] += mknod(fifo, S_IFIFO | 0644, 0) == 0;
		ok[M_UNLINK] += unlink(fifo) == 0;
		ok[M_RENAME_OUT] += rename(f2, stash) == 0;
		ok[M_RENAME_IN] += rename(stash, f2) == 0;
		ok[M_UNLINK] += unlink(f2) == 0;
	}
	unsigned long total = 0;
	printf("rounds=%lu", tries);
	for (int i = 0; i < M_COUNT; i++) {
		printf(" %s=%lu", mnames[i], ok[i]);
		total += ok[i];
	}
	printf("\n");
	int fr = fa ? reap(fl) : 0;
	/* The real path must have been exercised: most operations succeeded
	 * at least once. */
	int kinds = 0;
	for (int i = 0; i < M_COUNT; i++)
		kinds += ok[i] > 0;
	printf("succeeded=%lu kinds=%d flipper=%d\n", total, kinds, fr);
	return kinds >= M_COUNT - 2 && fr == 0 ? 0 : 1;
}

/* --- dotdot ---------------------------------------------------------------- */
struct dd {
	const char *w;
	double end;
	unsigned long n, e;
};

static void *dd_flip(void *arg)
{
	struct dd *d = arg;
	char *a = path(d->w, "a"), *b = path(d->w, "m/n/a");
	d->n = flip_loop(a, b, d->end, &d->e);
	free(a);
	free(b);
	return NULL;
}

static int cmd_dotdot(const char *w, int secs, bool inner)
{
	struct dd d = {.w = w, .end = now() + secs};
	pthread_t t;
	if (inner && pthread_create(&t, NULL, dd_flip, &d) != 0)
		return 2;
	/* Both name W/N lexically; resolved with ".." after a move, the
	 * second could climb above W. */
	static const char *const via[2] = {"a/b/../..", "m/n/a/b/../../../.."};
	char *x[2], *x2[2], *y[2];
	for (int i = 0; i < 2; i++) {
		if (asprintf(&x[i], "%s/%s/sbx-race-x", w, via[i]) < 0 ||
		    asprintf(&x2[i], "%s/%s/sbx-race-x2", w, via[i]) < 0 ||
		    asprintf(&y[i], "%s/%s/sbx-race-y", w, via[i]) < 0)
			return 2;
	}
	char *ay = path(w, "a");
	int wfd = open(w, O_RDONLY | O_DIRECTORY);
	unsigned long opens = 0, mk = 0, rn = 0, other = 0, rounds = 0;
	while (now() < d.end) {
		rounds++;
		int i = (int)(rounds & 1);
		int fd = open(x[i], O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			opens++;
			if (write(fd, "racer\n", 6) < 0)
				perror("write");
			close(fd);
		}
		fd = openat(wfd, i ? "m/n/a/b/../../../../sbx-race-x" : "a/b/../../sbx-race-x", O_WRONLY | O_APPEND);
		if (fd >= 0) {
			opens++;
			close(fd);
		}
		/* Relative to a dirfd on the moving directory itself: its path
		 * as it is now decides. */
		int afd = open(ay, O_RDONLY | O_DIRECTORY);
		if (afd >= 0) {
			fd = openat(afd, "b/../../sbx-race-x", O_WRONLY | O_APPEND);
			if (fd >= 0) {
				opens++;
				close(fd);
			}
			other += mkdirat(afd, "b/../../sbx-race-y", 0755) == 0;
			other += unlinkat(afd, "b/../../sbx-race-y", AT_REMOVEDIR) == 0;
			close(afd);
		}
		mk += mkdir(y[i], 0755) == 0;
		mk += rmdir(y[i]) == 0;
		rn += rename(x[i], x2[i]) == 0;
		rn += rename(x2[i], x[i]) == 0;
		other += chmod(x[i], 0644) == 0;
		other += truncate(x[i], 0) == 0;
	}
	if (inner)
		pthread_join(t, NULL);
	printf("rounds=%lu opens=%lu mkdir=%lu rename=%lu other=%lu exchanges=%lu\n", rounds, opens, mk, rn,
	       other, d.n);
	return opens && mk && rn && (!inner || d.n) ? 0 : 1;
}

/* --- dirfd ------------------------------------------------------------------ */
static int failures;
/* expect WHAT R WANT: R's errno is WANT (0: success). */
static void expect(const char *what, long r, int want)
{
	int e = r < 0 ? errno : 0;
	if (e == want) {
		printf("ok %s: %s\n", what, r < 0 ? strerror(e) : "success");
	} else {
		printf("FAIL %s: %s, wanted %s\n", what, r < 0 ? strerror(e) : "success",
		       want ? strerror(want) : "success");
		failures++;
	}
	if (r >= 0 && (strstr(what, "open") || strstr(what, "socket")))
		close((int)r);
}

/* Tell the host STEP is reached (W/ready-STEP), then wait for W/go-STEP. */
static int handshake(const char *w, int step)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/ready-%d", w, step);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(p, sizeof(p), "%s/go-%d", w, step);
	for (int i = 0; i < 1000; i++) {
		struct stat st;
		if (stat(p, &st) == 0)
			return 0;
		usleep(10000);
	}
	printf("FAIL no go-%d from the host\n", step);
	return -1;
}

static int cmd_dirfd(const char *w)
{
	char *dir = path(w, "dir"), *moved = path(w, "moved");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		printf("FAIL open %s: %s\n", dir, strerror(errno));
		return 1;
	}
	expect("openat(dfd, f, O_RDONLY) in W", openat(dfd, "f", O_RDONLY), 0);
	/* The program moves it within W: the new path is granted too. */
	expect("rename W/dir W/moved", rename(dir, moved), 0);
	expect("openat(dfd, f, O_WRONLY|O_APPEND) after the move within W", openat(dfd, "f", O_WRONLY | O_APPEND),
	       0);
	expect("mkdirat(dfd, made-in-w)", mkdirat(dfd, "made-in-w", 0755), 0);
	expect("rename W/moved W/dir", rename(moved, dir), 0);
	/* The host moves it to R, which the policy grants read only. */
	if (handshake(w, 1) < 0)
		return 1;
	expect("openat(dfd, f, O_RDONLY) in R", openat(dfd, "f", O_RDONLY), 0);
	expect("openat(dfd, f, O_WRONLY) in R", openat(dfd, "f", O_WRONLY), EACCES);
	expect("openat(dfd, new, O_CREAT) in R", openat(dfd, "new", O_CREAT | O_WRONLY, 0644), EACCES);
	expect("mkdirat(dfd, new) in R", mkdirat(dfd, "newdir", 0755), EACCES);
	expect("unlinkat(dfd, f) in R", unlinkat(dfd, "f", 0), EACCES);
	expect("fchmodat(dfd, f) in R", fchmodat(dfd, "f", 0600, 0), EACCES);
	/* Then beside it, where the policy grants nothing. */
	if (handshake(w, 2) < 0)
		return 1;
	int wfd = open(w, O_RDONLY | O_DIRECTORY);
	expect("openat(dfd, f, O_RDONLY) in O", openat(dfd, "f", O_RDONLY), EACCES);
	expect("fstatat(dfd, f) in O", fstatat(dfd, "f", &(struct stat){0}, 0), EACCES);
	expect("openat(dfd, f, O_WRONLY) in O", openat(dfd, "f", O_WRONLY), EACCES);
	expect("openat(dfd, new, O_CREAT) in O", openat(dfd, "new", O_CREAT | O_WRONLY, 0644), EACCES);
	expect("mkdirat(dfd, newdir) in O", mkdirat(dfd, "newdir", 0755), EACCES);
	expect("renameat(dfd, f, dfd, g) in O", renameat(dfd, "f", dfd, "g"), EACCES);
	expect("renameat(dfd, f, W, stolen) in O", renameat(dfd, "f", wfd, "stolen"), EACCES);
	expect("linkat(dfd, f, W, stolen) in O", linkat(dfd, "f", wfd, "stolen", 0), EACCES);
	expect("symlinkat(x, dfd, sl) in O", symlinkat("x", dfd, "sl"), EACCES);
	expect("fchmodat(dfd, f) in O", fchmodat(dfd, "f", 0600, 0), EACCES);
	expect("unlinkat(dfd, f) in O", unlinkat(dfd, "f", 0), EACCES);
	expect("openat(dfd, ., O_RDONLY) in O", openat(dfd, ".", O_RDONLY | O_DIRECTORY), EACCES);
	expect("openat(dfd, .., O_RDONLY) in O", openat(dfd, "..", O_RDONLY | O_DIRECTORY), EACCES);
	/* As the working directory. */
	expect("fchdir(dfd) in O", fchdir(dfd), 0);
	expect("open(f, O_RDONLY) with cwd in O", open("f", O_RDONLY), EACCES);
	expect("open(new, O_CREAT) with cwd in O", open("new", O_CREAT | O_WRONLY, 0644), EACCES);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}

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

/* Run PATH (or exec_buf when PATH is NULL, in a vfork child that shares
 * memory with the flipping thread). 0: the allowed program ran; 42: the
 * marker ran; else refused or failed. */
static int run_one(const char *p)
{
	char *const argv[] = {"x", "marker", NULL};
	char *const envp[] = {NULL};
	pid_t pid = p ? fork() : vfork();
	if (pid == 0) {
		execve(p ? p : exec_buf, argv, envp);
		_exit(errno == EACCES ? 126 : errno == ENOENT ? 127 : 125);
	}
	return reap(pid);
}

static int cmd_exec(const char *w, int secs)
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

/* --- fdmeta ----------------------------------------------------------------- */
static int cmd_fdmeta(const char *file, const char *dir)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0) {
		printf("FAIL open %s O_RDONLY: %s (the policy grants read)\n", file, strerror(errno));
		return 2;
	}
	expect("write-open of the read-only file (control)", open(file, O_WRONLY), EACCES);
	expect("chmod of the read-only file (control)", chmod(file, 0600), EACCES);
	long r = fchmod(fd, 0600);
	if (r == 0)
		hole("fchmod(read-only fd of %s, 0600) succeeded", file);
	else
		printf("ok fchmod on a read-only fd: %s\n", err(r));
	r = syscall(SYS_fchmodat2, fd, "", 0640, AT_EMPTY_PATH);
	if (r == 0)
		hole("fchmodat2(read-only fd, \"\", AT_EMPTY_PATH) succeeded");
	else
		printf("ok fchmodat2 AT_EMPTY_PATH on a read-only fd: %s\n", err(r));
	struct timespec ts[2] = {{1, 0}, {1, 0}};
	r = futimens(fd, ts);
	if (r == 0)
		hole("futimens(read-only fd of %s, 1970) succeeded", file);
	else
		printf("ok futimens on a read-only fd: %s\n", err(r));
	r = utimensat(fd, "", ts, AT_EMPTY_PATH);
	if (r == 0)
		hole("utimensat(read-only fd, \"\", AT_EMPTY_PATH) succeeded");
	else
		printf("ok utimensat AT_EMPTY_PATH on a read-only fd: %s\n", err(r));
	r = fsetxattr(fd, "user.racer", "x", 1, 0);
	if (r == 0)
		hole("fsetxattr(read-only fd of %s, user.racer) succeeded", file);
	else
		printf("ok fsetxattr on a read-only fd: %s\n", err(r));
	/* File attributes (chattr) through ioctl, which runs in the kernel
	 * on any fd: the owner may set most flags. */
	int flags = 0;
	r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
	if (r == 0) {
		flags |= FS_NODUMP_FL;
		r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	if (r == 0)
		hole("ioctl(read-only fd of %s, FS_IOC_SETFLAGS, +nodump) succeeded", file);
	else
		printf("ok FS_IOC_SETFLAGS on a read-only fd: %s\n", err(r));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	r = dfd < 0 ? -1 : fchmod(dfd, 0700);
	if (r == 0)
		hole("fchmod(read-only fd of the directory %s, 0700) succeeded", dir);
	else
		printf("ok fchmod on a read-only directory fd: %s\n", err(r));
	printf("%d holes\n", holes);
	return holes ? 1 : 0;
}

/* --- emptypath --------------------------------------------------------------- */
static char ep_buf[4096];
static char ep_first;
static long ep_size;
static int ep_dfd;
static atomic_ulong ep_leaks, ep_calls;

static void *ep_flip(void *arg)
{
	(void)arg;
	volatile char *b = ep_buf;
	while (!atomic_load(&stop)) {
		b[0] = '\0';
		for (volatile int j = 0; j < 50; j++)
			;
		b[0] = ep_first;
		for (volatile int j = 0; j < 50; j++)
			;
	}
	return NULL;
}

static void *ep_chmod(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		syscall(SYS_fchmodat2, ep_dfd, ep_buf, 0777, AT_EMPTY_PATH);
		atomic_fetch_add(&ep_calls, 1);
	}
	return NULL;
}

static void *ep_utimes(void *arg)
{
	(void)arg;
	struct timespec ts[2] = {{1, 0}, {1, 0}};
	while (!atomic_load(&stop))
		utimensat(ep_dfd, ep_buf, ts, AT_EMPTY_PATH);
	return NULL;
}

static void *ep_stat(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct statx stx;
		if (statx(ep_dfd, ep_buf, AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) == 0 &&
		    (long)stx.stx_size == ep_size)
			atomic_fetch_add(&ep_leaks, 1);
	}
	return NULL;
}

static int cmd_emptypath(const char *w, const char *rel, long size, int secs)
{
	ep_dfd = open(w, O_RDONLY | O_DIRECTORY);
	if (ep_dfd < 0) {
		printf("FAIL open %s: %s\n", w, strerror(errno));
		return 2;
	}
	snprintf(ep_buf, sizeof(ep_buf), "%s", rel);
	ep_first = rel[0];
	ep_size = size;
	/* Control: asked plainly, the path is refused. */
	struct stat st;
	expect("fstatat(W fd, REL) (control)", fstatat(ep_dfd, rel, &st, 0), EACCES);
	expect("fchmodat(W fd, REL) (control)", fchmodat(ep_dfd, rel, 0777, 0), EACCES);
	void *(*fn[])(void *) = {ep_flip, ep_chmod, ep_utimes, ep_stat};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fn[i], NULL))
			return 2;
	/* The whole time: chmod and utimes show only on the host. */
	usleep((useconds_t)secs * 1000000);
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	unsigned long leaks = atomic_load(&ep_leaks);
	printf("calls=%lu stat-leaks=%lu\n", atomic_load(&ep_calls), leaks);
	if (leaks)
		hole("statx(W fd, \"\"->\"%s\", AT_EMPTY_PATH) returned the hidden file's size %ld", rel, size);
	else
		printf("ok the hidden file's size never came back\n");
	/* chmod and utimes are for the host to see. */
	return holes || failures ? 1 : 0;
}

/* --- dup2open and dup2link ---------------------------------------------------- */
#define SLOT 200
static int d2_ro, d2_rw;

static void *d2_swap(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		dup2(d2_ro, SLOT);
		dup2(d2_rw, SLOT);
	}
	return NULL;
}

static int d2_setup(const char *ro, const char *rw, struct stat *target)
{
	d2_ro = open(ro, O_RDONLY);
	d2_rw = open(rw, O_RDWR | O_CREAT, 0644);
	if (d2_ro < 0 || d2_rw < 0 || fstat(d2_ro, target) < 0) {
		printf("FAIL open %s / %s: %s\n", ro, rw, strerror(errno));
		return -1;
	}
	dup2(d2_rw, SLOT);
	/* Controls: the read-only fd cannot be reopened for writing, nor
	 * linked. */
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", d2_ro);
	expect("open(/proc/self/fd/RO, O_WRONLY) (control)", open(p, O_WRONLY | O_APPEND), EACCES);
	return 0;
}

static int cmd_dup2open(const char *ro, const char *rw, int secs)
{
	struct stat target;
	if (d2_setup(ro, rw, &target) < 0)
		return 2;
	pthread_t t;
	if (pthread_create(&t, NULL, d2_swap, NULL))
		return 2;
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", SLOT);
	unsigned long tries = 0, opened = 0;
	double end = now() + secs;
	bool won = false;
	while (now() < end && !won) {
		tries++;
		int fd = open(p, O_WRONLY | O_APPEND);
		if (fd < 0)
			continue;
		opened++;
		struct stat st;
		if (fstat(fd, &st) == 0 && st.st_ino == target.st_ino && st.st_dev == target.st_dev) {
			won = write(fd, "PWNED-BY-RACER\n", 15) == 15;
			hole("open(/proc/self/fd/%d, O_WRONLY) while dup2 flips it gave a writable fd on %s "
			     "(after %lu tries)", SLOT, ro, tries);
			won = true;
		}
		close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("tries=%lu opened=%lu\n", tries, opened);
	if (!won)
		printf("ok never a writable fd on the read-only file\n");
	return holes || failures ? 1 : 0;
}

static int cmd_dup2link(const char *ro, const char *rw, const char *newp, int secs)
{
	struct stat target;
	if (d2_setup(ro, rw, &target) < 0)
		return 2;
	expect("linkat(RO fd, \"\", NEW, AT_EMPTY_PATH) (control)", linkat(d2_ro, "", AT_FDCWD, newp, AT_EMPTY_PATH),
	       EACCES);
	pthread_t t;
	if (pthread_create(&t, NULL, d2_swap, NULL))
		return 2;
	unsigned long tries = 0, linked = 0;
	double end = now() + secs;
	bool won = false;
	while (now() < end && !won) {
		tries++;
		if (linkat(SLOT, "", AT_FDCWD, newp, AT_EMPTY_PATH) < 0)
			continue;
		linked++;
		struct stat st;
		if (lstat(newp, &st) == 0 && st.st_ino == target.st_ino && st.st_dev == target.st_dev) {
			int fd = open(newp, O_WRONLY | O_APPEND);
			bool wrote = fd >= 0 && write(fd, "PWNED-BY-RACER\n", 15) == 15;
			if (fd >= 0)
				close(fd);
			hole("linkat(%d, \"\", %s, AT_EMPTY_PATH) while dup2 flips it linked %s into W%s "
			     "(after %lu tries)", SLOT, newp, ro, wrote ? ", and writing through it worked" : "",
			     tries);
			won = true;
		} else {
			unlink(newp);
		}
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("tries=%lu linked=%lu\n", tries, linked);
	if (!won)
		printf("ok the read-only file was never linked\n");
	return holes || failures ? 1 : 0;
}

/* --- leak ----------------------------------------------------------------------- */
/* Errno of running P (in a child): 0 if it ran. */
static int exec_errno(const char *p)
{
	char *const argv[] = {"x", NULL};
	char *const envp[] = {NULL};
	int pfd[2];
	if (pipe(pfd) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		execve(p, argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(1);
		_exit(1);
	}
	close(pfd[1]);
	int e = 0;
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(pfd[0]);
	reap(pid);
	return e;
}

static int cmd_leak(const char *w, const char *h)
{
	static const char *const names[3] = {"file", "dir", "missing"};
	/* Symlinks in W to each hidden name. */
	for (int i = 0; i < 3; i++) {
		char l[4096], t[4096];
		snprintf(l, sizeof(l), "%s/lnk-%s", w, names[i]);
		snprintf(t, sizeof(t), "%s/%s", h, names[i]);
		unlink(l);
		if (symlink(t, l) < 0)
			printf("# symlink %s: %s\n", l, strerror(errno));
	}
	const char *wbase = strrchr(w, '/') + 1;
	static const char *const probes[] = {
		"stat W/../H/NAME/x", "stat W/lnk-NAME/", "stat H/NAME/../../W/x", "chdir W/../H/NAME",
		"mkdir W/../H/NAME/x", "execve W/../H/NAME", "open W/../H/NAME/x", "mkdir H/NAME/../../W/x",
		"stat W/lnk-NAME/x",
	};
	int leaks = 0;
	for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++) {
		int e[3];
		for (int i = 0; i < 3; i++) {
			char p[4096];
			const char *n = names[i];
			struct stat st;
			long r = 0;
			switch (k) {
			case 0:
				snprintf(p, sizeof(p), "%s/../%s/%s/x", w, strrchr(h, '/') + 1, n);
				r = stat(p, &st);
				break;
			case 1:
				snprintf(p, sizeof(p), "%s/lnk-%s/", w, n);
				r = stat(p, &st);
				break;
			case 2:
				snprintf(p, sizeof(p), "%s/%s/../../%s/x", h, n, wbase);
				r = stat(p, &st);
				break;
			case 3:
				snprintf(p, sizeof(p), "%s/../%s/%s", w, strrchr(h, '/') + 1, n);
				r = chdir(p);
				if (r == 0 && chdir("/") < 0)
					perror("chdir /");
				break;
			case 4:
				snprintf(p, sizeof(p), "%s/../%s/%s/x", w, strrchr(h, '/') + 1, n);
				r = mkdir(p, 0755);
				break;
			case 5:
				snprintf(p, sizeof(p), "%s/../%s/%s", w, strrchr(h, '/') + 1, n);
				errno = exec_errno(p);
				r = errno ? -1 : 0;
				break;
			case 6:
				snprintf(p, sizeof(p), "%s/../%s/%s/x", w, strrchr(h, '/') + 1, n);
				r = open(p, O_RDONLY);
				if (r >= 0)
					close((int)r);
				break;
			case 7:
				snprintf(p, sizeof(p), "%s/%s/../../%s/x", h, n, wbase);
				r = mkdir(p, 0755);
				break;
			case 8:
				snprintf(p, sizeof(p), "%s/lnk-%s/x", w, n);
				r = stat(p, &st);
				break;
			}
			e[i] = r < 0 ? errno : 0;
		}
		bool same = e[0] == e[1] && e[1] == e[2];
		printf("%s %s: file=%s dir=%s missing=%s\n", same ? "ok" : "HOLE", probes[k],
		       e[0] ? strerrorname_np(e[0]) : "0", e[1] ? strerrorname_np(e[1]) : "0",
		       e[2] ? strerrorname_np(e[2]) : "0");
		leaks += !same;
	}
	printf("%d leaks\n", leaks);
	return leaks ? 1 : 0;
}

/* --- denyrename --------------------------------------------------------------- */
static int cmd_denyrename(const char *w)
{
	char *f = path(w, "a/secret/f"), *a = path(w, "a"), *b = path(w, "b"), *g = path(w, "b/secret/f");
	expect("open W/a/secret/f (denied; control)", open(f, O_RDONLY), EACCES);
	expect("rename W/a/secret W/x (denied; control)", rename(path(w, "a/secret"), path(w, "x")), EACCES);
	if (rename(a, b) < 0) {
		printf("ok rename of the denied directory's parent: %s\n", strerror(errno));
		return failures ? 1 : 0;
	}
	int fd = open(g, O_RDWR | O_APPEND);
	char buf[64] = "";
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		bool wrote = write(fd, "PWNED-BY-RACER\n", 15) == 15;
		close(fd);
		hole("rename(W/a, W/b) then open W/b/secret/f: read \"%s\"%s", buf, wrote ? " and wrote" : "");
	} else {
		printf("ok after renaming W/a, W/b/secret/f: %s\n", strerror(errno));
	}
	if (rename(b, a) < 0)
		perror("rename back");
	return holes || failures ? 1 : 0;
}

/* --- rootcaps ------------------------------------------------------------------ */
static int cmd_rootcaps(const char *w)
{
	char *f = path(w, "capfile");
	int fd = creat(f, 0755);
	if (fd < 0) {
		printf("FAIL creat %s: %s\n", f, strerror(errno));
		return 2;
	}
	close(fd);
	/* What the kernel would answer the program itself: it has no
	 * capabilities, so no chown to another uid, no file capabilities, no
	 * trusted.* xattrs. */
	long r = chown(f, 12345, 12345);
	if (r == 0)
		hole("chown(W/capfile, 12345, 12345) succeeded (the program has no CAP_CHOWN)");
	else
		printf("ok chown to another uid: %s\n", err(r));
	struct {
		uint32_t magic_etc;
		struct {
			uint32_t permitted, inheritable;
		} data[2];
	} cap = {0x02000001, {{1u << 7 /* CAP_SETUID */, 0}, {0, 0}}}; /* VFS_CAP_REVISION_2 | EFFECTIVE */
	r = setxattr(f, "security.capability", &cap, sizeof(cap), 0);
	if (r == 0)
		hole("setxattr(W/capfile, security.capability = cap_setuid+ep) succeeded (no CAP_SETFCAP)");
	else
		printf("ok security.capability: %s\n", err(r));
	r = setxattr(f, "trusted.racer", "1", 1, 0);
	if (r == 0)
		hole("setxattr(W/capfile, trusted.racer) succeeded (no CAP_SYS_ADMIN)");
	else
		printf("ok trusted.racer: %s\n", err(r));
	printf("%d holes\n", holes);
	return holes ? 1 : 0;
}

/* --- procfd ---------------------------------------------------------------------- */
static int cmd_procfd(const char *w, int fd)
{
	char p[64], buf[64] = "";
	long fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != O_WRONLY) {
		printf("FAIL fd %d is not an inherited write-only fd\n", fd);
		return 2;
	}
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	int r = open(p, O_RDONLY);
	if (r >= 0) {
		ssize_t n = read(r, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(r);
		hole("open(/proc/self/fd/%d, O_RDONLY) of a write-only fd read \"%s\"", fd, buf);
	} else {
		printf("ok reopen of a write-only fd for reading: %s\n", strerror(errno));
	}
	char *l = path(w, "log");
	if (linkat(fd, "", AT_FDCWD, l, AT_EMPTY_PATH) == 0) {
		int g = open(l, O_RDONLY);
		ssize_t n = g >= 0 ? read(g, buf, sizeof(buf) - 1) : -1;
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (g >= 0)
			close(g);
		hole("linkat(%d, \"\", W/log, AT_EMPTY_PATH) gave the outside file a name in W (read \"%s\")", fd,
		     buf);
	} else {
		printf("ok linkat of an inherited fd into W: %s\n", strerror(errno));
	}
	printf("%d holes\n", holes);
	return holes ? 1 : 0;
}

/* --- ldso ------------------------------------------------------------------------ */
static int cmd_ldso(const char *w)
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

static void *proc_pid_thread(void *arg)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)getpid());
	int fd = open(p, O_RDONLY);
	*(long *)arg = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* --- misc -------------------------------------------------------------------------- */
static int cmd_misc(const char *w, const char *p, const char *h)
{
	char *f = path(w, "misc-f"), *pf = path(p, "f1"), *hd = path(h, "dir");
	int fd = open(f, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	/* openat2 RESOLVE_NO_MAGICLINKS: /proc/self/fd/N is a magic link. */
	int ro = open(pf, O_RDONLY);
	char mp[64];
	snprintf(mp, sizeof(mp), "/proc/self/fd/%d", ro);
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_NO_MAGICLINKS};
	long r = syscall(SYS_openat2, AT_FDCWD, mp, &how, sizeof(how));
	if (r >= 0) {
		close((int)r);
		hole("openat2(/proc/self/fd/N, RESOLVE_NO_MAGICLINKS) followed the magic link");
	} else {
		printf("ok openat2 RESOLVE_NO_MAGICLINKS: %s\n", strerror(errno));
	}
	/* Trailing slash on a regular file: ENOTDIR, nothing removed. */
	char fs[4096];
	snprintf(fs, sizeof(fs), "%s/", f);
	r = unlink(fs);
	struct stat st;
	if (r == 0 || stat(f, &st) < 0)
		hole("unlink(\"W/misc-f/\") of a regular file: %s, and the file is %s", err(r),
		     stat(f, &st) < 0 ? "gone" : "there");
	else
		printf("ok unlink(\"W/misc-f/\"): %s\n", strerror(errno));
	if ((fd = open(f, O_CREAT | O_WRONLY, 0644)) >= 0)
		close(fd);
	char *g = path(w, "misc-g");
	r = rename(fs, g);
	if (r == 0) {
		hole("rename(\"W/misc-f/\", W/misc-g) of a regular file succeeded");
		rename(g, f);
	} else {
		printf("ok rename(\"W/misc-f/\", ...): %s\n", strerror(errno));
	}
	if ((fd = open(f, O_CREAT | O_WRONLY, 0644)) >= 0)
		close(fd);
	/* O_TMPFILE in W cannot be linked into P. */
	int tf = open(w, O_TMPFILE | O_RDWR, 0600);
	if (tf < 0) {
		printf("FAIL O_TMPFILE in W: %s\n", strerror(errno));
		failures++;
	} else {
		char *pn = path(p, "from-tmpfile");
		expect("linkat(O_TMPFILE, \"\", P/from-tmpfile, AT_EMPTY_PATH)",
		       linkat(tf, "", AT_FDCWD, pn, AT_EMPTY_PATH), EACCES);
		snprintf(mp, sizeof(mp), "/proc/self/fd/%d", tf);
		expect("linkat(/proc/self/fd/TMPFILE, P/from-tmpfile, AT_SYMLINK_FOLLOW)",
		       linkat(AT_FDCWD, mp, AT_FDCWD, pn, AT_SYMLINK_FOLLOW), EACCES);
		char *wn = path(w, "from-tmpfile");
		expect("linkat(O_TMPFILE, \"\", W/from-tmpfile, AT_EMPTY_PATH)",
		       linkat(tf, "", AT_FDCWD, wn, AT_EMPTY_PATH), 0);
		close(tf);
	}
	/* Extended attribute sizes as the kernel has them. */
	char name[300];
	memset(name, 'a', sizeof(name));
	memcpy(name, "user.", 5);
	name[255] = '\0';
	expect("setxattr with a 255-byte name", setxattr(f, name, "v", 1, 0), 0);
	name[255] = 'a';
	name[256] = '\0';
	expect("setxattr with a 256-byte name", setxattr(f, name, "v", 1, 0), ERANGE);
	static char big[65537];
	expect("setxattr of 65537 bytes", setxattr(f, "user.big", big, sizeof(big), 0), E2BIG);
	expect("setxattr of 100 bytes", setxattr(f, "user.big", big, 100, 0), 0);
	char small[16];
	expect("getxattr of 100 bytes into 16", getxattr(f, "user.big", small, sizeof(small)), ERANGE);
	expect("getxattr of 100 bytes into 70000", getxattr(f, "user.big", big, 70000 > sizeof(big) ? sizeof(big) : 70000), 0);
	expect("setxattr on P/f1 (read only)", setxattr(pf, "user.x", "v", 1, 0), EACCES);
	/* inotify: read on P, nothing on H. */
	int in = inotify_init1(IN_CLOEXEC);
	expect("inotify_add_watch(P)", inotify_add_watch(in, p, IN_ALL_EVENTS) >= 0 ? 0 : -1, 0);
	expect("inotify_add_watch(H/dir)", inotify_add_watch(in, hd, IN_ALL_EVENTS), EACCES);
	/* Odd dirfds: a socket, a memfd, a deleted directory, a /proc fd,
	 * the sandbox's own root. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	expect("openat(socket, x, O_CREAT)", openat(s, "x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
	int m = memfd_create("x/../../etc", 0);
	r = openat(m, "passwd", O_RDONLY);
	if (r >= 0) {
		close((int)r);
		hole("openat(memfd named x/../../etc, passwd) opened something");
	} else {
		printf("ok openat(memfd, passwd): %s\n", strerror(errno));
	}
	char *del = path(w, "deleted");
	mkdir(del, 0755);
	int dd = open(del, O_RDONLY | O_DIRECTORY);
	rmdir(del);
	mkdir(del, 0755); /* a new directory at the old name */
	expect("openat(deleted dir, x, O_CREAT)", openat(dd, "x", O_CREAT | O_WRONLY, 0644), ENOENT);
	char *dx = path(del, "x");
	expect("... made nothing in the new directory of that name", stat(dx, &st), ENOENT);
	int pfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	expect("openat(/proc/self/fd, ../environ)", openat(pfd, "../environ", O_RDONLY), EACCES);
	expect("mkdirat(/proc/self/fd, x)", mkdirat(pfd, "x", 0755), EACCES);
	int ps = open("/proc/self", O_RDONLY | O_DIRECTORY);
	expect("openat(/proc/self, root/etc/passwd)", openat(ps, "root/etc/passwd", O_RDONLY), EACCES);
	expect("openat(/proc/self, task/../../1/environ)", openat(ps, "task/../../1/environ", O_RDONLY), EACCES);
	int sr = open("/", O_RDONLY | O_DIRECTORY);
	char *hrel = path(h + 1, "file");
	expect("openat(sandbox root fd, H/file)", openat(sr, hrel, O_RDONLY), EACCES);
	expect("fchmod(sandbox root fd)", sr < 0 ? -1 : fchmod(sr, 0777), EROFS);
	/* Very long paths: as the kernel. */
	static char lp[8192];
	memset(lp, 'a', sizeof(lp) - 1);
	expect("open of a 8191-byte path", open(lp, O_RDONLY), ENAMETOOLONG);
	char deep[4096] = "";
	size_t o = (size_t)snprintf(deep, sizeof(deep), "%s", w);
	while (o + 3 < 4000)
		o += (size_t)snprintf(deep + o, sizeof(deep) - o, "/.");
	snprintf(deep + o, sizeof(deep) - o, "/misc-f");
	expect("stat of W/./././.../misc-f (4000 bytes)", stat(deep, &st), 0);
	/* /proc/PID for the program's own pid, from a thread other than the
	 * first (the broker compares PID with the thread's own ids). */
	pthread_t t;
	long tr = -1;
	if (pthread_create(&t, NULL, proc_pid_thread, &tr) == 0)
		pthread_join(t, NULL);
	errno = tr < 0 ? (int)-tr : 0;
	expect("open(/proc/<getpid()>/status) from a second thread", tr < 0 ? -1 : 0, 0);
	printf("%d holes, %d failures\n", holes, failures);
	return holes || failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: racer COMMAND ARGS... (see the source)\n");
		return 2;
	}
	const char *c = argv[1];
	int n = argc - 2;
	char **a = argv + 2;
	if (!strcmp(c, "xflip") && n == 3)
		return cmd_xflip(a[0], a[1], atoi(a[2]));
	if (!strcmp(c, "mutate") && (n == 3 || n == 5))
		return cmd_mutate(a[0], a[1], atoi(a[2]), n == 5 ? a[3] : NULL, n == 5 ? a[4] : NULL);
	if (!strcmp(c, "dotdot") && (n == 2 || n == 3))
		return cmd_dotdot(a[0], atoi(a[1]), n == 3);
	if (!strcmp(c, "dirfd") && n == 1)
		return cmd_dirfd(a[0]);
	if (!strcmp(c, "exec") && n == 2)
		return cmd_exec(a[0], atoi(a[1]));
	if (!strcmp(c, "marker")) {
		printf("MARKER-RAN\n");
		return 42;
	}
	if (!strcmp(c, "fdmeta") && n == 2)
		return cmd_fdmeta(a[0], a[1]);
	if (!strcmp(c, "emptypath") && n == 4)
		return cmd_emptypath(a[0], a[1], atol(a[2]), atoi(a[3]));
	if (!strcmp(c, "dup2open") && n == 3)
		return cmd_dup2open(a[0], a[1], atoi(a[2]));
	if (!strcmp(c, "dup2link") && n == 4)
		return cmd_dup2link(a[0], a[1], a[2], atoi(a[3]));
	if (!strcmp(c, "leak") && n == 2)
		return cmd_leak(a[0], a[1]);
	if (!strcmp(c, "denyrename") && n == 1)
		return cmd_denyrename(a[0]);
	if (!strcmp(c, "rootcaps") && n == 1)
		return cmd_rootcaps(a[0]);
	if (!strcmp(c, "procfd") && n == 2)
		return cmd_procfd(a[0], atoi(a[1]));
	if (!strcmp(c, "ldso") && n == 1)
		return cmd_ldso(a[0]);
	if (!strcmp(c, "misc") && n == 3)
		return cmd_misc(a[0], a[1], a[2]);
	fprintf(stderr, "racer: unknown command or wrong arguments: %s\n", c);
	return 2;
}
