/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: hidden and denied names, capabilities and odd corners: leak,
 * denyrename, rootcaps, misc. */
#include "racer.h"

/* --- leak ----------------------------------------------------------------------- */
int cmd_leak(const char *w, const char *h)
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
int cmd_denyrename(const char *w)
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
int cmd_rootcaps(const char *w)
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
		printf("ok chown to another uid: %s\n", errstr(r));
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
		printf("ok security.capability: %s\n", errstr(r));
	r = setxattr(f, "trusted.racer", "1", 1, 0);
	if (r == 0)
		hole("setxattr(W/capfile, trusted.racer) succeeded (no CAP_SYS_ADMIN)");
	else
		printf("ok trusted.racer: %s\n", errstr(r));
	printf("%d holes\n", holes);
	return holes ? 1 : 0;
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
int cmd_misc(const char *w, const char *p, const char *h)
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
		hole("unlink(\"W/misc-f/\") of a regular file: %s, and the file is %s", errstr(r),
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
	/* The broker serves no /proc/self/fd/.., the view's procfs is the
	 * kernel's: there it is the program's own environment. */
	expect("openat(/proc/self/fd, ../environ)", openat(pfd, "../environ", O_RDONLY),
	       getenv("SBX_RACER_VIEW") ? 0 : EACCES);
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
