/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mutflags: every mutating call, with each of its flags, on names placed
 * apart from the policy's trees: a denied file, a directory that holds a
 * denied subtree, the denied directory itself, a read-only area, a missing
 * name, and plain names of the writable tree. One table; each row has a
 * directory of its own, made alike by "setup":
 *
 *   W/rNN/   file  dir/  decoy/  full/f  sub/open  sub/locked/f (denied)
 *            denied (denied)  lnk_denied -> denied  lnk_file -> file
 *            lnk_locked -> sub/locked/f
 *   R/rNN/   f  d/g            (the read-only area)
 *
 * Usage (BASE is a directory the caller owns):
 *   mutflags setup BASE     make W, R, the rows' directories and BASE/policy
 *                           (minimal, write W, read R, the rows' denies)
 *   mutflags run BASE       in the sandbox (--policy=BASE/policy --client):
 *                           each row's call must answer its errno, and
 *                           afterwards no name under W/rNN (a walk, and the
 *                           row's names) may open a denied file, nor open a
 *                           read-only file for writing
 *   mutflags verify BASE    outside again: every denied and read-only file
 *                           is where it was, as it was, with one link
 *   mutflags repro W        the issue's reproducer, in a sandbox of
 *                           --write=W --deny="W/sub/locked/" followed by
 *                           "**": W holds sub/locked/f and decoy/
 * Without the sandbox "run" fails (the denied files open): that is how the
 * test shows it can fail. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sandbox/client.h>

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#include "mutflags_rows.h"

static char base[PATH_MAX];
static int failures, holes;

/* snprintf into a PATH_MAX buffer; a path too long ends the test. */
static void __attribute__((format(printf, 2, 3))) fmt(char *out, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(out, PATH_MAX, f, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX) {
		fprintf(stderr, "mutflags: a path too long\n");
		exit(2);
	}
}

/* NAME of row K, as a path (see struct row). */
static const char *at(char out[PATH_MAX], size_t k, const char *name)
{
	if (!name)
		return NULL;
	if (!*name)
		fmt(out, "%s", "");
	else if (!strcmp(name, "SELF"))
		fmt(out, "%s/W/r%02zu", base, k);
	else if (name[0] == '^')
		fmt(out, "%s/W/r%02zu.%s", base, k, name + 1);
	else if (!strncmp(name, "R/", 2))
		fmt(out, "%s/R/r%02zu/%s", base, k, name + 2);
	else
		fmt(out, "%s/W/r%02zu/%s", base, k, name);
	return out;
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "mutflags: cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return 0;
}

static void must(int r, const char *what, const char *path)
{
	if (r < 0) {
		fprintf(stderr, "mutflags: %s %s: %s\n", what, path, strerror(errno));
		exit(2);
	}
}

static int setup(void)
{
	char p[PATH_MAX], q[PATH_MAX];
	umask(022);
	fmt(p, "%s/W", base);
	must(mkdir(p, 0777), "mkdir", p);
	fmt(p, "%s/R", base);
	must(mkdir(p, 0755), "mkdir", p);
	fmt(p, "%s/policy", base);
	FILE *pol = fopen(p, "w");
	if (!pol)
		must(-1, "create", p);
	fprintf(pol, "include minimal\nwrite %s/W/**\nread %s/R/**\n", base, base);
	for (size_t k = 0; k < NROWS; k++) {
		static const char *const dirs[] = {"SELF", "dir", "decoy", "full", "sub", "sub/locked"};
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			must(mkdir(at(p, k, dirs[i]), 0755), "mkdir", p);
		put(at(p, k, "file"), "plain\n");
		put(at(p, k, "full/f"), "plain\n");
		put(at(p, k, "sub/open"), "plain\n");
		snprintf(q, sizeof(q), "SECRET-%02zu\n", k);
		put(at(p, k, "sub/locked/f"), q);
		put(at(p, k, "denied"), q);
		must(symlink("denied", at(p, k, "lnk_denied")), "symlink", p);
		must(symlink("file", at(p, k, "lnk_file")), "symlink", p);
		must(symlink("sub/locked/f", at(p, k, "lnk_locked")), "symlink", p);
		fmt(p, "%s/R/r%02zu", base, k);
		must(mkdir(p, 0755), "mkdir", p);
		must(mkdir(at(p, k, "R/d"), 0755), "mkdir", p);
		put(at(p, k, "R/f"), "READONLY\n");
		put(at(p, k, "R/d/g"), "READONLY\n");
		fprintf(pol, "deny %s/W/r%02zu/sub/locked/**\ndeny %s/W/r%02zu/denied\n", base, k, base, k);
	}
	if (fclose(pol) != 0)
		must(-1, "write", p);
	printf("%zu rows\n", NROWS);
	return 0;
}

/* Make the call of row K; 0 or the errno. */
static int call(size_t k)
{
	const struct row *r = &rows[k];
	char a[PATH_MAX], b[PATH_MAX], proc[64];
	at(a, k, r->a);
	at(b, k, r->b);
	long v = -1;
	int fd = -1;
	switch (r->op) {
	case RENAME: v = syscall(SYS_rename, a, b); break;
	case RENAMEAT: v = syscall(SYS_renameat, AT_FDCWD, a, AT_FDCWD, b); break;
	case RENAMEAT2: v = syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, r->flags); break;
	case LINK: v = syscall(SYS_link, a, b); break;
	case LINKAT: v = syscall(SYS_linkat, AT_FDCWD, a, AT_FDCWD, b, r->flags); break;
	case LINK_FD:
	case LINK_PROCFD:
		fd = open(a, (int)r->arg | O_CLOEXEC, 0600);
		if (fd < 0) {
			printf("FAIL row %zu: cannot open %s for it: %s\n", k, a, strerror(errno));
			return -1;
		}
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (r->op == LINK_FD)
			v = syscall(SYS_linkat, fd, "", AT_FDCWD, b, r->flags);
		else
			v = syscall(SYS_linkat, AT_FDCWD, proc, AT_FDCWD, b, r->flags);
		break;
	case UNLINK: v = syscall(SYS_unlink, a); break;
	case RMDIR: v = syscall(SYS_rmdir, a); break;
	case UNLINKAT: v = syscall(SYS_unlinkat, AT_FDCWD, a, r->flags); break;
	case MKDIRAT: v = syscall(SYS_mkdirat, AT_FDCWD, a, r->arg); break;
	case MKNODAT:
		v = syscall(SYS_mknodat, AT_FDCWD, a, r->arg, r->flags ? makedev(1, 3) : 0);
		break;
	case SYMLINKAT: v = syscall(SYS_symlinkat, r->a, AT_FDCWD, b); break;
	case FCHMODAT: v = syscall(SYS_fchmodat, AT_FDCWD, a, r->arg); break;
	case FCHMODAT2: v = syscall(SYS_fchmodat2, AT_FDCWD, a, r->arg, r->flags); break;
	case FCHOWNAT: v = syscall(SYS_fchownat, AT_FDCWD, a, getuid(), getgid(), r->flags); break;
	case UTIMENSAT: v = syscall(SYS_utimensat, AT_FDCWD, a, NULL, r->flags); break;
	case OPENAT:
		v = fd = (int)syscall(SYS_openat, AT_FDCWD, a, r->flags | O_CLOEXEC | O_NONBLOCK, r->arg);
		break;
	case TRUNCATE: v = syscall(SYS_truncate, a, 0L); break;
	case SETXATTR: v = syscall(SYS_setxattr, a, "user.mutflags", "x", 1, r->flags); break;
	case REMOVEXATTR: v = syscall(SYS_removexattr, a, "user.mutflags"); break;
	case CL_RENAME: v = sbx_client_rename(a, b); break;
	case CL_UNLINK: v = sbx_client_unlink(a); break;
	case CL_RMDIR: v = sbx_client_rmdir(a); break;
	case CL_MKDIR: v = sbx_client_mkdir(a, r->arg); break;
	}
	int e = v < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	return e;
}

/* What opening PATH gives: a hole when it reads a denied file, or opens a
 * read-only file for writing. */
static size_t cur_row;
static void probe(const char *path)
{
	char buf[32];
	for (int w = 0; w < 2; w++) {
		int fd = open(path, (w ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (!strncmp(buf, "SECRET", 6) || (w && !strncmp(buf, "READONLY", 8))) {
			buf[strcspn(buf, "\n")] = '\0';
			printf("HOLE row %zu (%s %s %s): %s opens for %s and reads \"%s\"\n", cur_row,
			       opname[rows[cur_row].op], rows[cur_row].a, rows[cur_row].b ? rows[cur_row].b : "",
			       path, w ? "writing" : "reading", buf);
			holes++;
		}
	}
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	probe(path);
	return 0;
}

/* Every name row K could have given a denied or read-only file. */
static void reach(size_t k)
{
	static const char *const names[] = {"SELF", "^moved", "x"};
	static const char *const tails[] = {"", "/f", "/g", "/locked/f", "/sub/locked/f", "/x"};
	char p[PATH_MAX], q[PATH_MAX + 16];
	cur_row = k;
	for (size_t i = 0; i < 2 + sizeof(names) / sizeof(names[0]); i++) {
		const char *n = i == 0 ? rows[k].a : i == 1 ? rows[k].b : names[i - 2];
		if (!n || !*n || (i == 0 && rows[k].op == SYMLINKAT))
			continue;
		at(p, k, n);
		for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
			snprintf(q, sizeof(q), "%s%s", p, tails[t]);
			probe(q);
		}
	}
	nftw(at(p, k, "SELF"), walk_one, 16, FTW_PHYS);
	nftw(at(p, k, "^moved"), walk_one, 16, FTW_PHYS);
}

static int run(void)
{
	if (!sbx_client_available())
		printf("# no client library socket: its rows answer as it does without one\n");
	for (size_t k = 0; k < NROWS; k++) {
		const struct row *r = &rows[k];
		int e = call(k);
		if (e != r->expect) {
			printf("FAIL row %zu: %s(%s%s%s, flags %#x, %#o): %s, expected %s\n", k, opname[r->op],
			       r->a, r->b ? ", " : "", r->b ? r->b : "", r->flags, r->arg,
			       e < 0 ? "?" : e ? strerror(e) : "success", r->expect ? strerror(r->expect) : "success");
			failures++;
		}
		reach(k);
	}
	printf("%zu rows, %d failures, %d holes\n", NROWS, failures, holes);
	return failures || holes ? 1 : 0;
}

/* PATH holds TEXT, has mode MODE and one link. */
static void same(const char *path, const char *text, mode_t mode)
{
	char buf[64] = "";
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	if (fd < 0 || fstat(fd, &st) < 0 || strcmp(buf, text) || (st.st_mode & 07777) != mode ||
	    st.st_nlink != 1) {
		printf("FAIL %s: %s\n", path, fd < 0 ? strerror(errno) : "changed (content, mode or links)");
		failures++;
	}
	if (fd >= 0)
		close(fd);
}

/* Nothing more in DIR than the N names given. */
static void only(const char *dir, size_t n)
{
	DIR *d = opendir(dir);
	size_t c = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		c += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (!d || c != n) {
		printf("FAIL %s: %zu entries, expected %zu\n", dir, c, n);
		failures++;
	}
	if (d)
		closedir(d);
}

static int verify(void)
{
	char p[PATH_MAX], s[32];
	for (size_t k = 0; k < NROWS; k++) {
		snprintf(s, sizeof(s), "SECRET-%02zu\n", k);
		same(at(p, k, "sub/locked/f"), s, 0644);
		same(at(p, k, "denied"), s, 0644);
		only(at(p, k, "sub/locked"), 1);
		same(at(p, k, "R/f"), "READONLY\n", 0644);
		same(at(p, k, "R/d/g"), "READONLY\n", 0644);
		only(at(p, k, "R/"), 2);
		only(at(p, k, "R/d"), 1);
	}
	printf("%zu rows verified, %d failures\n", NROWS, failures);
	return failures ? 1 : 0;
}

/* The issue's reproducer, word for word. */
static int repro(const char *w)
{
	char sub[PATH_MAX], moved[PATH_MAX], decoy[PATH_MAX], f[PATH_MAX];
	snprintf(sub, sizeof(sub), "%s/sub", w);
	snprintf(moved, sizeof(moved), "%s/moved", w);
	snprintf(decoy, sizeof(decoy), "%s/decoy", w);
	snprintf(f, sizeof(f), "%s/decoy/locked/f", w);
	int e1 = rename(sub, moved) < 0 ? errno : 0;
	int e2 = syscall(SYS_renameat2, AT_FDCWD, decoy, AT_FDCWD, sub, RENAME_EXCHANGE) < 0 ? errno : 0;
	int fd = open(f, O_RDONLY | O_CLOEXEC);
	printf("rename(W/sub, W/moved): %s\n", e1 ? strerror(e1) : "done");
	printf("renameat2(W/decoy, W/sub, RENAME_EXCHANGE): %s\n", e2 ? strerror(e2) : "done");
	printf("open(W/decoy/locked/f): %s\n", fd >= 0 ? "OPENED (the hole)" : strerror(errno));
	if (fd >= 0)
		close(fd);
	return e1 == EACCES && e2 == EACCES && fd < 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mutflags setup|run|verify BASE, or mutflags repro W\n");
		return 2;
	}
	if (!strcmp(argv[1], "repro"))
		return repro(argv[2]);
	if (!realpath(argv[2], base)) {
		fprintf(stderr, "mutflags: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	if (!strcmp(argv[1], "setup"))
		return setup();
	if (!strcmp(argv[1], "run"))
		return run();
	if (!strcmp(argv[1], "verify"))
		return verify();
	fprintf(stderr, "mutflags: unknown command %s\n", argv[1]);
	return 2;
}
