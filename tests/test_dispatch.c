/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the syscall table (syscalls.c), its decoding
 * (dispatch_decode) and the filter made from it (filter.c).
 *
 * The expected argument order of every call is written out here by hand,
 * from the man pages, so that a row that puts a role on the wrong argument
 * fails: nothing below is derived from the table itself. The filter is run
 * by a small classic-BPF interpreter over every syscall number. */
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

/* A classic-BPF interpreter for what libseccomp emits. Returns the
 * program's answer; fails the test on anything it does not understand. */
static uint32_t bpf_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (size_t pc = 0, steps = 0; pc < len; pc++, steps++) {
		if (steps > len)
			fail_msg("BPF: more steps than instructions (a backward jump?)");
		const struct sock_filter *in = &prog[pc];
		uint32_t k = in->k;
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : k;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX: {
			uint32_t v = 0;
			switch (BPF_MODE(in->code)) {
			case BPF_ABS:
				if (BPF_CLASS(in->code) != BPF_LD || BPF_SIZE(in->code) != BPF_W || k % 4 ||
				    k + 4 > sizeof(*d))
					fail_msg("BPF: bad load at %zu (k %u)", pc, k);
				memcpy(&v, (const char *)d + k, 4);
				break;
			case BPF_IMM:
				v = k;
				break;
			case BPF_MEM:
				if (k >= BPF_MEMWORDS)
					fail_msg("BPF: M[%u] at %zu", k, pc);
				v = mem[k];
				break;
			case BPF_LEN:
				v = sizeof(*d);
				break;
			default:
				fail_msg("BPF: load mode %#x at %zu", BPF_MODE(in->code), pc);
			}
			if (BPF_CLASS(in->code) == BPF_LD)
				a = v;
			else
				x = v;
			break;
		}
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				fail_msg("BPF: M[%u] at %zu", k, pc);
			mem[k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
			case BPF_MOD:
				if (!src)
					return SECCOMP_RET_KILL_THREAD; /* the kernel's answer */
				a = BPF_OP(in->code) == BPF_DIV ? a / src : a % src;
				break;
			case BPF_OR: a |= src; break;
			case BPF_AND: a &= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default:
				fail_msg("BPF: ALU op %#x at %zu", BPF_OP(in->code), pc);
			}
			break;
		case BPF_JMP: {
			bool t = false;
			if (BPF_OP(in->code) == BPF_JA) {
				pc += k;
				break;
			}
			switch (BPF_OP(in->code)) {
			case BPF_JEQ: t = a == src; break;
			case BPF_JGT: t = a > src; break;
			case BPF_JGE: t = a >= src; break;
			case BPF_JSET: t = (a & src) != 0; break;
			default:
				fail_msg("BPF: jump op %#x at %zu", BPF_OP(in->code), pc);
			}
			pc += t ? in->jt : in->jf;
			break;
		}
		case BPF_RET:
			if (BPF_RVAL(in->code) == BPF_K)
				return k;
			if (BPF_RVAL(in->code) == BPF_A)
				return a;
			fail_msg("BPF: ret %#x at %zu", in->code, pc);
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else if (BPF_MISCOP(in->code) == BPF_TXA)
				a = x;
			else
				fail_msg("BPF: misc %#x at %zu", in->code, pc);
			break;
		default:
			fail_msg("BPF: class %#x at %zu", BPF_CLASS(in->code), pc);
		}
	}
	fail_msg("BPF: ran off the end of the program");
	return 0;
}

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "unit test: no AUDIT_ARCH for this architecture"
#endif

#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (uint32_t)(e))

struct filter {
	struct sock_filter *prog;
	size_t len;
};

static struct filter build_with(bool dgram, bool fast)
{
	void *bpf = NULL;
	size_t len = 0;
	assert_int_equal(filter_build(&bpf, &len, dgram, fast, false), 0);
	assert_true(len > 0 && len % sizeof(struct sock_filter) == 0);
	return (struct filter){bpf, len / sizeof(struct sock_filter)};
}

static struct filter build(bool dgram)
{
	return build_with(dgram, false);
}

static uint32_t answer(const struct filter *fl, int nr, uint32_t arch, const uint64_t *args)
{
	struct seccomp_data d = {.nr = nr, .arch = arch, .instruction_pointer = 0x400000};
	if (args)
		memcpy(d.args, args, sizeof(d.args));
	return bpf_run(fl->prog, fl->len, &d);
}

/* The interpreter itself, on answers known from filter.c's lists. */
static void test_filter_known_answers(void **state)
{
	(void)state;
	for (int dgram = 0; dgram < 2; dgram++) {
		struct filter fl = build(dgram);
		assert_int_equal(answer(&fl, SYS_read, NATIVE_ARCH, NULL), SECCOMP_RET_ALLOW);
		assert_int_equal(answer(&fl, SYS_exit_group, NATIVE_ARCH, NULL), SECCOMP_RET_ALLOW);
		assert_int_equal(answer(&fl, SYS_ptrace, NATIVE_ARCH, NULL), RET_ERRNO(EPERM));
		assert_int_equal(answer(&fl, SYS_mount, NATIVE_ARCH, NULL), RET_ERRNO(EPERM));
		/* clone3 hides its flags: ENOSYS, so the C library uses clone. */
		assert_int_equal(answer(&fl, SYS_clone3, NATIVE_ARCH, NULL), RET_ERRNO(ENOSYS));
		assert_int_equal(answer(&fl, 590, NATIVE_ARCH, NULL), RET_ERRNO(ENOSYS));
		assert_int_equal(answer(&fl, SYS_openat, NATIVE_ARCH, NULL), SECCOMP_RET_USER_NOTIF);
		/* clone: a new namespace is refused, a thread is fine. */
		uint64_t ns[6] = {CLONE_NEWUSER}, thread[6] = {0x3d0f00};
		assert_int_equal(answer(&fl, SYS_clone, NATIVE_ARCH, thread), SECCOMP_RET_ALLOW);
		assert_int_not_equal(answer(&fl, SYS_clone, NATIVE_ARCH, ns), SECCOMP_RET_ALLOW);
		/* Another ABI is killed. */
		uint32_t other = NATIVE_ARCH == AUDIT_ARCH_X86_64 ? AUDIT_ARCH_I386 : AUDIT_ARCH_ARM;
		assert_int_equal(answer(&fl, SYS_read, other, NULL), SECCOMP_RET_KILL_PROCESS);
#ifdef __x86_64__
		/* x32 entry points (bit 30 of the number) are another ABI too. */
		assert_int_equal(answer(&fl, SYS_read | 0x40000000, NATIVE_ARCH, NULL),
				 SECCOMP_RET_KILL_PROCESS);
#endif
		free(fl.prog);
	}
}

static bool is_send(const char *name)
{
	return !strcmp(name, "sendto") || !strcmp(name, "sendmsg") || !strcmp(name, "sendmmsg");
}

/* The filter notifies exactly the table's calls, under the table's
 * conditions, for every syscall number. */
static void test_filter_notifies_table(void **state)
{
	(void)state;
	size_t n;
	const struct syscall_row *rows = syscalls_table(&n);
	uint64_t vecs[5][6] = {{0}, {1, 1, 1, 1, 1, 1}, {0}, {0}, {0}};
	for (int i = 0; i < 6; i++) {
		vecs[2][i] = ~0ull;
		vecs[3][i] = 0x1000u * (uint64_t)(i + 1) + (uint64_t)i;
	}
	vecs[4][4] = 0x7fff0000; /* only an address in argument 4 */
	for (int dgram = 0; dgram < 2; dgram++) {
		struct filter fl = build(dgram);
		for (int nr = 0; nr <= 600; nr++) {
			const struct syscall_row *row = NULL;
			for (size_t i = 0; i < n; i++)
				if (rows[i].nr == nr)
					row = &rows[i];
			for (int v = 0; v < 5; v++) {
				uint32_t got = answer(&fl, nr, NATIVE_ARCH, vecs[v]);
				bool notified = got == SECCOMP_RET_USER_NOTIF;
				if (notified && !row)
					fail_msg("dgram %d: syscall %d notified with no row", dgram, nr);
				if (notified && !row->handler && strcmp(row->name, "fanotify_mark"))
					fail_msg("dgram %d: %s notified with no handler", dgram, row->name);
				if (!row)
					continue;
				bool want = true;
				if (is_send(row->name))
					want = dgram && (strcmp(row->name, "sendto") || vecs[v][4] != 0);
				if (notified != want)
					fail_msg("dgram %d, args %d: %s answered %#x, %s", dgram, v, row->name,
						 got, want ? "expected a notification" : "expected none");
				/* A send the broker does not see is the kernel's. */
				if (!want && got != SECCOMP_RET_ALLOW)
					fail_msg("dgram %d, args %d: %s answered %#x, expected ALLOW", dgram, v,
						 row->name, got);
			}
		}
		/* Calls that name a path but have no row must never run in the
		 * kernel: the broker would not see the path. */
		static const long pathcalls[] = {
			SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_chroot, SYS_mount, SYS_swapon,
			SYS_acct, SYS_pivot_root, SYS_open_tree, SYS_move_mount, SYS_fspick,
#ifdef SYS_uselib
			SYS_uselib,
#endif
			SYS_quotactl,
			463, 464, 465, 466, /* setxattrat, getxattrat, listxattrat, removexattrat */
		};
		for (size_t i = 0; i < sizeof(pathcalls) / sizeof(pathcalls[0]); i++) {
			uint32_t got = answer(&fl, (int)pathcalls[i], NATIVE_ARCH, vecs[0]);
			if (got == SECCOMP_RET_ALLOW || (got & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)
				fail_msg("syscall %ld (names a path, no row) answered %#x", pathcalls[i], got);
		}
		free(fl.prog);
	}
}

/* The view's fast path: a read-only open and the read-only path calls run
 * in the kernel; every open that writes, makes or truncates, openat2 and
 * every call that changes the tree still stop for the broker. */
static void test_filter_fast(void **state)
{
	(void)state;
	struct filter fl = build_with(false, true);
	static const uint64_t ro[] = {O_RDONLY, O_RDONLY | O_CLOEXEC | O_DIRECTORY, O_PATH | O_NOFOLLOW,
				      O_RDONLY | O_NONBLOCK | O_NOCTTY | O_LARGEFILE};
	static const uint64_t rw[] = {O_WRONLY, O_RDWR, O_CREAT, O_RDONLY | O_TRUNC, O_TMPFILE | O_RDWR,
				      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, O_APPEND | O_WRONLY,
				      0xffffffffull};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(ro); i++) {
		uint64_t at[6] = {(uint64_t)AT_FDCWD, 0x1000, ro[i]}, plain[6] = {0x1000, ro[i]};
		assert_int_equal(answer(&fl, SYS_openat, NATIVE_ARCH, at), SECCOMP_RET_ALLOW);
#ifdef SYS_open
		assert_int_equal(answer(&fl, SYS_open, NATIVE_ARCH, plain), SECCOMP_RET_ALLOW);
#endif
		(void)plain;
	}
	for (size_t i = 0; i < SBX_ARRAY_SIZE(rw); i++) {
		uint64_t at[6] = {(uint64_t)AT_FDCWD, 0x1000, rw[i]}, plain[6] = {0x1000, rw[i]};
		if (answer(&fl, SYS_openat, NATIVE_ARCH, at) != SECCOMP_RET_USER_NOTIF)
			fail_msg("openat flags %#llx not notified", (unsigned long long)rw[i]);
#ifdef SYS_open
		if (answer(&fl, SYS_open, NATIVE_ARCH, plain) != SECCOMP_RET_USER_NOTIF)
			fail_msg("open flags %#llx not notified", (unsigned long long)rw[i]);
#endif
		(void)plain;
	}
	static const long kernel[] = {SYS_newfstatat, SYS_statx, SYS_readlinkat, SYS_faccessat,
				      SYS_chdir, SYS_fchdir, SYS_getxattr};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(kernel); i++)
		assert_int_equal(answer(&fl, (int)kernel[i], NATIVE_ARCH, NULL), SECCOMP_RET_ALLOW);
	static const long broker[] = {SYS_openat2, SYS_statfs, SYS_execve, SYS_execveat, SYS_unlinkat, SYS_mkdirat,
				      SYS_renameat2, SYS_linkat, SYS_symlinkat, SYS_fchmodat, SYS_fchownat,
				      SYS_utimensat, SYS_setxattr, SYS_removexattr, SYS_mknodat,
				      SYS_truncate, SYS_connect, SYS_bind};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(broker); i++)
		if (answer(&fl, (int)broker[i], NATIVE_ARCH, NULL) != SECCOMP_RET_USER_NOTIF)
			fail_msg("syscall %ld not notified on the fast path", broker[i]);
	free(fl.prog);
	/* With unix rules fchdir stays the broker's (exec.c's fchdir_handle). */
	void *bpf = NULL;
	size_t len = 0;
	assert_int_equal(filter_build(&bpf, &len, false, true, true), 0);
	struct filter un = {bpf, len / sizeof(struct sock_filter)};
	assert_int_equal(answer(&un, SYS_fchdir, NATIVE_ARCH, NULL), SECCOMP_RET_USER_NOTIF);
	free(un.prog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_every_row),
		cmocka_unit_test(test_rows_sane),
		cmocka_unit_test(test_filter_known_answers),
		cmocka_unit_test(test_filter_notifies_table),
		cmocka_unit_test(test_filter_fast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
