/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the seccomp filter made from the syscall table (filter.c):
 * a small classic-BPF interpreter runs it over every syscall number and
 * the arguments that matter, with and without the view's fast path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "broker.h"
#include "dispatch.h"
#include "util.h"

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
 * in the kernel, and openat2 (the kernel decides it on the view's mounts
 * and Landlock); every other open that writes, makes or truncates and
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
				      SYS_chdir, SYS_fchdir, SYS_getxattr, SYS_openat2};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(kernel); i++)
		assert_int_equal(answer(&fl, (int)kernel[i], NATIVE_ARCH, NULL), SECCOMP_RET_ALLOW);
	static const long broker[] = {SYS_statfs, SYS_execve, SYS_execveat, SYS_unlinkat, SYS_mkdirat,
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
/* The programs the broker sends are libseccomp's, made at build time
 * for every choice: each equal, byte for byte, to the one made now. */
static void test_filter_prebuilt(void **state)
{
	(void)state;
	for (unsigned k = 0; k < FILTER_KEYS + 2; k++) {
		bool guard = k >= FILTER_KEYS;
		unsigned key = guard ? k - FILTER_KEYS : k;
		size_t n = 0;
		const void *p = filter_prebuilt(guard, key, &n);
		assert_non_null(p);
		void *bpf = NULL, *built = NULL;
		size_t len = 0, blen = 0;
		assert_int_equal(guard ? filter_compile_guard(&bpf, &len, key)
				       : filter_compile(&bpf, &len, key & 1, key & 2, key & 4), 0);
		assert_int_equal(guard ? filter_build_guard(&built, &blen, key)
				       : filter_build(&built, &blen, key & 1, key & 2, key & 4), 0);
		assert_int_equal(n, len);
		assert_int_equal(blen, len);
		assert_memory_equal(p, bpf, len);
		assert_memory_equal(built, bpf, len);
		free(bpf);
		free(built);
	}
	size_t n;
	assert_null(filter_prebuilt(true, 2, &n));
	assert_null(filter_prebuilt(false, FILTER_KEYS, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_known_answers),
		cmocka_unit_test(test_filter_notifies_table),
		cmocka_unit_test(test_filter_fast),
		cmocka_unit_test(test_filter_prebuilt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
