/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: names and directories that move under the broker: xflip, mutate,
 * dotdot, dirfd. */
#include "racer.h"

/* --- xflip ---------------------------------------------------------------- */
int cmd_xflip(const char *a, const char *b, int secs)
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

/* --- mutate ----------------------------------------------------------------- */
enum { M_CREAT, M_OPENW, M_TRUNCOPEN, M_MKDIR, M_RMDIR, M_UNLINK, M_RENAME, M_RENAME_OUT, M_RENAME_IN,
       M_LINK, M_SYMLINK, M_CHMOD, M_TRUNCATE, M_UTIMES, M_XATTR, M_MKNOD, M_COUNT };
static const char *const mnames[M_COUNT] = {
	"creat", "open-wr", "open-trunc", "mkdir", "rmdir", "unlink", "rename", "rename-out",
	"rename-in", "link", "symlink", "chmod", "truncate", "utimes", "setxattr", "mknod",
};

int cmd_mutate(const char *d, const char *w, int secs, const char *fa, const char *fb)
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

int cmd_dotdot(const char *w, int secs, bool inner)
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

int cmd_dirfd(const char *w)
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
