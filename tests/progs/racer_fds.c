/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: what read-only, write-only and swapped fds allow: fdmeta, emptypath,
 * dup2open, dup2link, procfd. */
#include "racer.h"

/* --- fdmeta ----------------------------------------------------------------- */
int cmd_fdmeta(const char *file, const char *dir)
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
		printf("ok fchmod on a read-only fd: %s\n", errstr(r));
	r = syscall(SYS_fchmodat2, fd, "", 0640, AT_EMPTY_PATH);
	if (r == 0)
		hole("fchmodat2(read-only fd, \"\", AT_EMPTY_PATH) succeeded");
	else
		printf("ok fchmodat2 AT_EMPTY_PATH on a read-only fd: %s\n", errstr(r));
	struct timespec ts[2] = {{1, 0}, {1, 0}};
	r = futimens(fd, ts);
	if (r == 0)
		hole("futimens(read-only fd of %s, 1970) succeeded", file);
	else
		printf("ok futimens on a read-only fd: %s\n", errstr(r));
	r = utimensat(fd, "", ts, AT_EMPTY_PATH);
	if (r == 0)
		hole("utimensat(read-only fd, \"\", AT_EMPTY_PATH) succeeded");
	else
		printf("ok utimensat AT_EMPTY_PATH on a read-only fd: %s\n", errstr(r));
	r = fsetxattr(fd, "user.racer", "x", 1, 0);
	if (r == 0)
		hole("fsetxattr(read-only fd of %s, user.racer) succeeded", file);
	else
		printf("ok fsetxattr on a read-only fd: %s\n", errstr(r));
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
		printf("ok FS_IOC_SETFLAGS on a read-only fd: %s\n", errstr(r));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	r = dfd < 0 ? -1 : fchmod(dfd, 0700);
	if (r == 0)
		hole("fchmod(read-only fd of the directory %s, 0700) succeeded", dir);
	else
		printf("ok fchmod on a read-only directory fd: %s\n", errstr(r));
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

int cmd_emptypath(const char *w, const char *rel, long size, int secs)
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

int cmd_dup2open(const char *ro, const char *rw, int secs)
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

int cmd_dup2link(const char *ro, const char *rw, const char *newp, int secs)
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

/* --- procfd ---------------------------------------------------------------------- */
int cmd_procfd(const char *w, int fd)
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
