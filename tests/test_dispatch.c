/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the syscall table (syscalls.c), its decoding
 * (dispatch_decode); test_filter.c runs the filter made from it.
 *
 * The expected argument order of every call is written out here by hand,
 * from the man pages, so that a row that puts a role on the wrong argument
 * fails: nothing below is derived from the table itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>

#include "broker.h"
#include "dispatch.h"
#include "util.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* Argument N of the call; 0 stands for "the call has no such argument". */
#define AR(n) ((n) + 1)

struct want {
	const char *name;
	long nr;
	enum op op;
	handler_fn *handler;
	/* AR(n) of each role, 0 when absent */
	int dirfd, path, dirfd2, path2, oflags, atflags, mode, dev, uid, gid, length, amode, mask,
		buf, bufsiz, xname, fd;
	int imp_atflags, imp_oflags; /* flags the call implies */
	int npaths;
	bool fd_call, null_is_fd, how;
	enum times_form times;
};

#define W(sys, o, h, ...) {.name = #sys, .nr = SYS_##sys, .op = (o), .handler = (h), __VA_ARGS__}

static const struct want wants[] = {
#ifdef SYS_open
	W(open, OP_OPEN, open_handle, .path = AR(0), .oflags = AR(1), .mode = AR(2), .npaths = 1),
#endif
#ifdef SYS_creat
	W(creat, OP_OPEN, open_handle, .path = AR(0), .mode = AR(1), .npaths = 1,
	  .imp_oflags = O_CREAT | O_WRONLY | O_TRUNC),
#endif
	W(openat, OP_OPEN, open_handle, .dirfd = AR(0), .path = AR(1), .oflags = AR(2), .mode = AR(3),
	  .npaths = 1),
	/* openat2(dirfd, path, how, size) */
	W(openat2, OP_OPEN, open_handle, .dirfd = AR(0), .path = AR(1), .buf = AR(2), .bufsiz = AR(3),
	  .npaths = 1, .how = true),
#ifdef SYS_stat
	W(stat, OP_STAT, looks_handle, .path = AR(0), .buf = AR(1), .npaths = 1),
	W(lstat, OP_STAT, looks_handle, .path = AR(0), .buf = AR(1), .npaths = 1,
	  .imp_atflags = AT_SYMLINK_NOFOLLOW),
#endif
#ifdef SYS_newfstatat
	W(newfstatat, OP_STAT, looks_handle, .dirfd = AR(0), .path = AR(1), .buf = AR(2),
	  .atflags = AR(3), .npaths = 1),
#endif
	/* statx(dirfd, path, flags, mask, buf) */
	W(statx, OP_STATX, looks_handle, .dirfd = AR(0), .path = AR(1), .atflags = AR(2), .mask = AR(3),
	  .buf = AR(4), .npaths = 1),
	W(statfs, OP_STATFS, looks_handle, .path = AR(0), .buf = AR(1), .npaths = 1),
#ifdef SYS_access
	W(access, OP_ACCESS, looks_handle, .path = AR(0), .amode = AR(1), .npaths = 1),
#endif
	/* The kernel's faccessat has no flags argument; faccessat2 has. */
	W(faccessat, OP_ACCESS, looks_handle, .dirfd = AR(0), .path = AR(1), .amode = AR(2), .npaths = 1),
	W(faccessat2, OP_ACCESS, looks_handle, .dirfd = AR(0), .path = AR(1), .amode = AR(2),
	  .atflags = AR(3), .npaths = 1),
#ifdef SYS_readlink
	W(readlink, OP_READLINK, looks_handle, .path = AR(0), .buf = AR(1), .bufsiz = AR(2), .npaths = 1,
	  .imp_atflags = AT_SYMLINK_NOFOLLOW),
#endif
	W(readlinkat, OP_READLINK, looks_handle, .dirfd = AR(0), .path = AR(1), .buf = AR(2),
	  .bufsiz = AR(3), .npaths = 1, .imp_atflags = AT_SYMLINK_NOFOLLOW),
	/* execve(path, argv, envp); execveat(dirfd, path, argv, envp, flags) */
	W(execve, OP_EXEC, exec_handle, .path = AR(0), .npaths = 1),
	W(execveat, OP_EXEC, exec_handle, .dirfd = AR(0), .path = AR(1), .atflags = AR(4), .npaths = 1),
	W(chdir, OP_CHDIR, chdir_handle, .path = AR(0), .npaths = 1),
	W(fchdir, OP_FCHDIR, fchdir_handle, .dirfd = AR(0)),
#ifdef SYS_mkdir
	W(mkdir, OP_MKDIR, mutate_handle, .path = AR(0), .mode = AR(1), .npaths = 1),
#endif
	W(mkdirat, OP_MKDIR, mutate_handle, .dirfd = AR(0), .path = AR(1), .mode = AR(2), .npaths = 1),
#ifdef SYS_mknod
	W(mknod, OP_MKNOD, mutate_handle, .path = AR(0), .mode = AR(1), .dev = AR(2), .npaths = 1),
#endif
	W(mknodat, OP_MKNOD, mutate_handle, .dirfd = AR(0), .path = AR(1), .mode = AR(2), .dev = AR(3),
	  .npaths = 1),
#ifdef SYS_rmdir
	W(rmdir, OP_UNLINK, mutate_handle, .path = AR(0), .npaths = 1, .imp_atflags = AT_REMOVEDIR),
#endif
#ifdef SYS_unlink
	W(unlink, OP_UNLINK, mutate_handle, .path = AR(0), .npaths = 1),
#endif
	W(unlinkat, OP_UNLINK, mutate_handle, .dirfd = AR(0), .path = AR(1), .atflags = AR(2), .npaths = 1),
#ifdef SYS_rename
	W(rename, OP_RENAME, mutate_handle, .path = AR(0), .path2 = AR(1), .npaths = 2),
#endif
#ifdef SYS_renameat
	W(renameat, OP_RENAME, mutate_handle, .dirfd = AR(0), .path = AR(1), .dirfd2 = AR(2),
	  .path2 = AR(3), .npaths = 2),
#endif
	W(renameat2, OP_RENAME, mutate_handle, .dirfd = AR(0), .path = AR(1), .dirfd2 = AR(2),
	  .path2 = AR(3), .atflags = AR(4), .npaths = 2),
#ifdef SYS_link
	W(link, OP_LINK, mutate_handle, .path = AR(0), .path2 = AR(1), .npaths = 2),
#endif
	W(linkat, OP_LINK, mutate_handle, .dirfd = AR(0), .path = AR(1), .dirfd2 = AR(2), .path2 = AR(3),
	  .atflags = AR(4), .npaths = 2),
	/* symlink(target, linkpath): the target is text, not a path to read;
	 * symlinkat(target, newdirfd, linkpath). */
#ifdef SYS_symlink
	W(symlink, OP_SYMLINK, mutate_handle, .xname = AR(0), .path2 = AR(1), .npaths = 2),
#endif
	W(symlinkat, OP_SYMLINK, mutate_handle, .xname = AR(0), .dirfd2 = AR(1), .path2 = AR(2),
	  .npaths = 2),
#ifdef SYS_chmod
	W(chmod, OP_CHMOD, attr_handle, .path = AR(0), .mode = AR(1), .npaths = 1),
#endif
	W(fchmodat, OP_CHMOD, attr_handle, .dirfd = AR(0), .path = AR(1), .mode = AR(2), .npaths = 1),
	W(fchmodat2, OP_CHMOD, attr_handle, .dirfd = AR(0), .path = AR(1), .mode = AR(2),
	  .atflags = AR(3), .npaths = 1),
#ifdef SYS_chown
	W(chown, OP_CHOWN, attr_handle, .path = AR(0), .uid = AR(1), .gid = AR(2), .npaths = 1),
#endif
#ifdef SYS_lchown
	W(lchown, OP_CHOWN, attr_handle, .path = AR(0), .uid = AR(1), .gid = AR(2), .npaths = 1,
	  .imp_atflags = AT_SYMLINK_NOFOLLOW),
#endif
	W(fchownat, OP_CHOWN, attr_handle, .dirfd = AR(0), .path = AR(1), .uid = AR(2), .gid = AR(3),
	  .atflags = AR(4), .npaths = 1),
	W(truncate, OP_TRUNCATE, attr_handle, .path = AR(0), .length = AR(1), .npaths = 1),
#ifdef SYS_utime
	W(utime, OP_UTIMES, attr_handle, .path = AR(0), .buf = AR(1), .npaths = 1, .times = TIMES_UTIMBUF),
#endif
#ifdef SYS_utimes
	W(utimes, OP_UTIMES, attr_handle, .path = AR(0), .buf = AR(1), .npaths = 1, .times = TIMES_TIMEVAL),
#endif
#ifdef SYS_futimesat
	W(futimesat, OP_UTIMES, attr_handle, .dirfd = AR(0), .path = AR(1), .buf = AR(2), .npaths = 1,
	  .times = TIMES_TIMEVAL, .null_is_fd = true),
#endif
	W(utimensat, OP_UTIMES, attr_handle, .dirfd = AR(0), .path = AR(1), .buf = AR(2), .atflags = AR(3),
	  .npaths = 1, .times = TIMES_TIMESPEC, .null_is_fd = true),
	/* getxattr(path, name, value, size); listxattr(path, list, size);
	 * setxattr(path, name, value, size, flags); removexattr(path, name) */
	W(getxattr, OP_XATTR_GET, attr_handle, .path = AR(0), .xname = AR(1), .buf = AR(2), .bufsiz = AR(3),
	  .npaths = 1),
	W(lgetxattr, OP_XATTR_GET, attr_handle, .path = AR(0), .xname = AR(1), .buf = AR(2),
	  .bufsiz = AR(3), .npaths = 1, .imp_atflags = AT_SYMLINK_NOFOLLOW),
	W(listxattr, OP_XATTR_LIST, attr_handle, .path = AR(0), .buf = AR(1), .bufsiz = AR(2), .npaths = 1),
	W(llistxattr, OP_XATTR_LIST, attr_handle, .path = AR(0), .buf = AR(1), .bufsiz = AR(2), .npaths = 1,
	  .imp_atflags = AT_SYMLINK_NOFOLLOW),
	W(setxattr, OP_XATTR_SET, attr_handle, .path = AR(0), .xname = AR(1), .buf = AR(2), .bufsiz = AR(3),
	  .oflags = AR(4), .npaths = 1),
	W(lsetxattr, OP_XATTR_SET, attr_handle, .path = AR(0), .xname = AR(1), .buf = AR(2),
	  .bufsiz = AR(3), .oflags = AR(4), .npaths = 1, .imp_atflags = AT_SYMLINK_NOFOLLOW),
	W(removexattr, OP_XATTR_REMOVE, attr_handle, .path = AR(0), .xname = AR(1), .npaths = 1),
	W(lremovexattr, OP_XATTR_REMOVE, attr_handle, .path = AR(0), .xname = AR(1), .npaths = 1,
	  .imp_atflags = AT_SYMLINK_NOFOLLOW),
	/* inotify_add_watch(fd, path, mask): the mask is decoded as the mode */
	W(inotify_add_watch, OP_INOTIFY, attr_handle, .fd = AR(0), .path = AR(1), .mode = AR(2), .npaths = 1),
	/* On an fd: fchmod(fd, mode), fchown(fd, uid, gid),
	 * fsetxattr(fd, name, value, size, flags), fremovexattr(fd, name) */
	W(fchmod, OP_CHMOD, fdcall_handle, .dirfd = AR(0), .mode = AR(1), .fd_call = true),
	W(fchown, OP_CHOWN, fdcall_handle, .dirfd = AR(0), .uid = AR(1), .gid = AR(2), .fd_call = true),
	W(fsetxattr, OP_XATTR_SET, fdcall_handle, .dirfd = AR(0), .xname = AR(1), .buf = AR(2),
	  .bufsiz = AR(3), .oflags = AR(4), .fd_call = true),
	W(fremovexattr, OP_XATTR_REMOVE, fdcall_handle, .dirfd = AR(0), .xname = AR(1), .fd_call = true),
	/* Refused: no handler. */
	W(fanotify_mark, OP_OTHER, NULL),
	/* The network: the socket is argument 0 of each. */
	W(connect, OP_CONNECT, net_handle, .fd = AR(0)),
	W(bind, OP_BIND, net_handle, .fd = AR(0)),
	W(sendto, OP_SEND, net_handle, .fd = AR(0)),
	W(sendmsg, OP_SEND, net_handle, .fd = AR(0)),
	W(sendmmsg, OP_SEND, net_handle, .fd = AR(0)),
};

static const struct want *want_of(const char *name)
{
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
		if (!strcmp(wants[i].name, name))
			return &wants[i];
	return NULL;
}

/* The value of argument role ROLE (AR(n) or 0) in ARGS, or DFLT. */
static uint64_t val(const uint64_t *args, int role, uint64_t dflt)
{
	return role ? args[role - 1] : dflt;
}

#define CHECK(what, got, exp)                                                                 \
	do {                                                                                  \
		if ((uint64_t)(got) != (uint64_t)(exp))                                       \
			fail_msg("%s, args set %d: %s is %#llx, expected %#llx", w->name, set, \
				 (what), (unsigned long long)(got), (unsigned long long)(exp)); \
	} while (0)

static void check_decoded(const struct want *w, const struct syscall_row *row, int set,
			  const uint64_t *args)
{
	struct seccomp_notif n = {.id = 77, .pid = 1234};
	n.data.nr = (int)w->nr;
	memcpy(n.data.args, args, sizeof(n.data.args));
	static struct request f;
	memset(&f, 0xa5, sizeof(f)); /* every field must be set by the decoder */
	dispatch_decode(row, &n, &f);

	CHECK("n", (uintptr_t)f.n, (uintptr_t)&n);
	CHECK("row", (uintptr_t)f.row, (uintptr_t)row);
	CHECK("op", f.op, w->op);
	if (!f.name || strcmp(f.name, w->name))
		fail_msg("%s: decoded name %s", w->name, f.name ? f.name : "(null)");
	CHECK("npaths", f.npaths, w->npaths);
	CHECK("fd_call", f.fd_call, w->fd_call);
	CHECK("how", f.how, w->how);
	CHECK("times", f.times, w->times);
	CHECK("p[0].dirfd", f.p[0].dirfd, (int)val(args, w->dirfd, (uint64_t)AT_FDCWD));
	CHECK("p[0].addr", f.p[0].addr, val(args, w->path, 0));
	CHECK("p[1].dirfd", f.p[1].dirfd, (int)val(args, w->dirfd2, (uint64_t)AT_FDCWD));
	CHECK("p[1].addr", f.p[1].addr, val(args, w->path2, 0));
	CHECK("p[0].empty", f.p[0].empty, false);
	CHECK("p[1].empty", f.p[1].empty, false);
	CHECK("p[0].path[0]", f.p[0].path[0], 0);
	CHECK("p[1].path[0]", f.p[1].path[0], 0);
	int oflags = (int)val(args, w->oflags, 0) | w->imp_oflags;
	int atflags = (int)val(args, w->atflags, 0) | w->imp_atflags;
	unsigned mode = (unsigned)val(args, w->mode, 0);
	CHECK("oflags", f.oflags, oflags);
	CHECK("atflags", f.atflags, atflags);
	CHECK("mode", f.mode, mode);
	CHECK("dev", f.dev, val(args, w->dev, 0));
	CHECK("uid", f.uid, (uint32_t)val(args, w->uid, 0));
	CHECK("gid", f.gid, (uint32_t)val(args, w->gid, 0));
	CHECK("length", f.length, (int64_t)val(args, w->length, 0));
	CHECK("amode", f.amode, (int)val(args, w->amode, 0));
	CHECK("statx_mask", f.statx_mask, (unsigned)val(args, w->mask, 0));
	CHECK("buf_addr", f.buf_addr, val(args, w->buf, 0));
	CHECK("bufsiz", f.bufsiz, val(args, w->bufsiz, 0));
	CHECK("name_addr", f.name_addr, val(args, w->xname, 0));
	CHECK("fd", f.fd, (int)val(args, w->fd, (uint64_t)-1));
	CHECK("empty_ok", f.empty_ok, (atflags & AT_EMPTY_PATH) != 0);
	bool nofollow = (atflags & AT_SYMLINK_NOFOLLOW) || (w->op == OP_OPEN && (oflags & O_NOFOLLOW)) ||
			(w->op == OP_INOTIFY && (mode & IN_DONT_FOLLOW));
	CHECK("nofollow", f.nofollow, nofollow);
	/* Cleared, not left from an earlier request. */
	CHECK("continued", f.continued, false);
	CHECK("client_out", (uintptr_t)f.client_out, 0);
	CHECK("client_fd", (uintptr_t)f.client_fd, 0);
	CHECK("no_magic", f.no_magic, false);
}

/* Every row decodes each argument into the field its man page says, with
 * the flags the call implies; and every call expected has its row. */
static void test_decode_every_row(void **state)
{
	(void)state;
	size_t n;
	const struct syscall_row *rows = syscalls_table(&n);
	assert_true(n > 0);
	uint64_t sets[4][6];
	for (int i = 0; i < 6; i++) {
		sets[0][i] = 0x1000u * (uint64_t)(i + 1) + (uint64_t)i;
		/* High bits: the int and 32-bit fields take the low half. */
		sets[1][i] = 0xdead000000000000ull + 0x10000u * (uint64_t)(i + 1) + (uint64_t)i;
		/* Every flag set: nofollow and empty_ok follow from them. */
		sets[2][i] = ~0ull;
		sets[3][i] = (uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | O_NOFOLLOW | IN_DONT_FOLLOW) << i;
	}
	for (size_t i = 0; i < n; i++) {
		const struct want *w = want_of(rows[i].name);
		if (!w)
			fail_msg("row %s: no expectation written for it", rows[i].name);
		if (rows[i].nr != w->nr)
			fail_msg("row %s has number %d, expected %ld", rows[i].name, rows[i].nr, w->nr);
		if (rows[i].handler != w->handler)
			fail_msg("row %s: not the expected handler", rows[i].name);
		for (int s = 0; s < 4; s++)
			check_decoded(w, &rows[i], s, sets[s]);
	}
	for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found |= !strcmp(rows[j].name, wants[i].name);
		if (!found)
			fail_msg("%s has no row in the table", wants[i].name);
	}
}

/* Every row is served or explicitly refused; numbers are unique; the
 * lookup finds each row and nothing else. */
static void test_rows_sane(void **state)
{
	(void)state;
	size_t n;
	const struct syscall_row *rows = syscalls_table(&n);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].handler && strcmp(rows[i].name, "fanotify_mark"))
			fail_msg("row %s has no handler", rows[i].name);
		if (rows[i].handler && !strcmp(rows[i].name, "fanotify_mark"))
			fail_msg("fanotify_mark is to be refused, yet has a handler");
		for (size_t j = i + 1; j < n; j++)
			if (rows[i].nr == rows[j].nr)
				fail_msg("rows %s and %s share number %d", rows[i].name, rows[j].name,
					 rows[i].nr);
		if (syscalls_find(rows[i].nr) != &rows[i])
			fail_msg("syscalls_find(%d) does not find row %s", rows[i].nr, rows[i].name);
	}
	assert_null(syscalls_find(SYS_read));
	assert_null(syscalls_find(SYS_ptrace));
	assert_null(syscalls_find(-1));
	assert_null(syscalls_find(100000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_every_row),
		cmocka_unit_test(test_rows_sane),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
