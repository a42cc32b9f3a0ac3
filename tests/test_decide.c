/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for decide.c: the policy's decisions on the object a path
 * reaches and on the directory a name is made or removed in, on a
 * temporary tree:
 *   T/r/      read          file, sub/, link_in -> file, link_out -> ../secret,
 *                           link_abs -> T/secret, deny/x (denied)
 *   T/w/      write         file, dir/, dir2/x
 *   T/secret, T/nogrant/x   nothing granted
 *   T/l/      read (the directory only: listed): f, sub/x (not granted)
 *   T/s/      stat (the directory only: not listed)
 * Where the decision is an errno the kernel gives for a name ("." or ".."
 * last, "/", a name that exists, "name/" on a file), the real syscall on
 * the tree says which: the table's errno is checked against it too.
 * Refusals print a line on stderr. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brokerfix.h"
#include "decide.h"
#include "names.h"

/* Say one wrong decision and go on, so that a run lists them all. */
#define MISS(...)                          \
	do {                               \
		print_error(__VA_ARGS__);  \
		print_error("\n");         \
		bad++;                     \
	} while (0)

/* A run with --known-bug=NAME decides only the cases of that known bug
 * (meson expects it to fail while the bug stands); a plain run all others. */
static const char *only_bug;
static int total_ran;

static bool want_case(const char *bug)
{
	return only_bug ? bug && !strcmp(bug, only_bug) : !bug;
}

struct fixture {
	char top[PATH_MAX]; /* T, canonical */
	struct broker b;
	struct seccomp_notif n;
	struct request f;
};

/* OUT (PATH_MAX) = T/REL, or REL when absolute. */
static void path_of(const struct fixture *x, char *out, const char *rel)
{
	size_t tl = rel[0] == '/' ? 0 : strlen(x->top), rl = strlen(rel);
	assert_true(tl + 1 + rl < PATH_MAX);
	memmove(out + tl + (tl ? 1 : 0), rel, rl + 1);
	if (tl) {
		memcpy(out, x->top, tl);
		out[tl] = '/';
	}
}

static void make(const struct fixture *x, const char *rel, mode_t type, const char *target)
{
	char p[PATH_MAX];
	path_of(x, p, rel);
	if (type == S_IFDIR) {
		assert_int_equal(mkdir(p, 0755), 0);
	} else if (type == S_IFLNK) {
		char t[PATH_MAX];
		if (target[0] == '@')
			path_of(x, t, target + 1); /* absolute, inside T */
		else
			snprintf(t, sizeof(t), "%s", target);
		assert_int_equal(symlink(t, p), 0);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
}

static void add_rule(struct fixture *x, enum sbx_rule_kind kind, const char *rel)
{
	char p[PATH_MAX];
	char *err = NULL;
	struct sbx_policy_vars vars = {.home = "/root", .cwd = "/", .user = "u"};
	path_of(x, p, rel);
	int r = sbx_policy_add_rule(&x->b.policy, kind, p, "test", &vars, &err);
	if (r < 0)
		fail_msg("rule %s: %s", p, err ? err : "?");
}

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	char tmpl[] = "/tmp/sbx-decide-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, x->top));
	static const struct {
		const char *rel;
		mode_t type;
		const char *target;
	} tree[] = {
		{"r", S_IFDIR, NULL},         {"r/file", S_IFREG, NULL},
		{"r/sub", S_IFDIR, NULL},      {"r/link_in", S_IFLNK, "file"},
		{"r/link_out", S_IFLNK, "../secret"}, {"r/link_abs", S_IFLNK, "@secret"},
		{"r/deny", S_IFDIR, NULL},     {"r/deny/x", S_IFREG, NULL},
		{"r/deny/d", S_IFDIR, NULL},
		{"w", S_IFDIR, NULL},          {"w/file", S_IFREG, NULL},
		{"w/dir", S_IFDIR, NULL},      {"w/dir2", S_IFDIR, NULL},
		{"w/dir2/x", S_IFREG, NULL},   {"secret", S_IFREG, NULL},
		{"nogrant", S_IFDIR, NULL},    {"nogrant/x", S_IFREG, NULL},
		{"nogrant/to_r", S_IFLNK, "@r/file"}, {"to_r", S_IFLNK, "r/file"},
		{"l", S_IFDIR, NULL},          {"l/f", S_IFREG, NULL},
		{"l/sub", S_IFDIR, NULL},      {"l/sub/x", S_IFREG, NULL},
		{"s", S_IFDIR, NULL},
	};
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		make(x, tree[i].rel, tree[i].type, tree[i].target);

	struct broker *b = &x->b;
	assert_int_equal(brokerfix_init(b), 0);
	add_rule(x, SBX_RULE_READ, "r/**");
	add_rule(x, SBX_RULE_WRITE, "w/**");
	add_rule(x, SBX_RULE_DENY, "r/deny/**");
	add_rule(x, SBX_RULE_READ, "l");
	add_rule(x, SBX_RULE_STAT, "s");

	/* A client library request (id 0): always alive. */
	x->n.id = 0;
	x->n.pid = (uint32_t)getpid();
	x->f.n = &x->n;
	x->f.name = "test";
	assert_true(req_alive(b, &x->f));
	*state = x;
	return 0;
}

static void remove_tree(int dfd)
{
	/* The tree is the test's own, a few levels deep. */
	static const char *const order[] = {
		"r/deny/x", "r/deny/d", "r/deny", "r/link_in", "r/link_out", "r/link_abs", "r/sub",
		"r/file", "r", "w/dir2/x", "w/dir2", "w/dir", "w/file", "w/new", "w", "secret",
		"nogrant/x", "nogrant/to_r", "nogrant", "to_r", "l/f", "l/sub/x", "l/sub", "l", "s",
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct stat st;
		if (fstatat(dfd, order[i], &st, AT_SYMLINK_NOFOLLOW) == 0)
			unlinkat(dfd, order[i], S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
	}
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	int dfd = open(x->top, O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		remove_tree(dfd);
		close(dfd);
	}
	if (rmdir(x->top) < 0)
		fprintf(stderr, "could not remove %s\n", x->top);
	sbx_policy_free(&x->b.policy);
	close(x->b.rootfd);
	free(x);
	return 0;
}

static void set_path(const struct fixture *x, struct fpath *p, const char *rel)
{
	memset(p, 0, sizeof(*p));
	p->dirfd = AT_FDCWD;
	path_of(x, p->path, rel);
	memcpy(p->abs, p->path, sizeof(p->abs));
}

/* decide_object: the object actually reached, decided on its canonical
 * path. */
static void test_object(void **state)
{
	struct fixture *x = *state;
	int bad = 0, ran = 0;
	static const struct {
		const char *rel;
		bool nofollow;
		unsigned need;
		int ret;
		const char *canon; /* for 0: what res.path must say */
		const char *bug;   /* a known bug (see want_case) */
	} cases[] = {
		{"r/file", false, SBX_PERM_READ, 0, "r/file", NULL},
		{"r//./file", false, SBX_PERM_READ, 0, "r/file", NULL},
		{"r/sub/../file", false, SBX_PERM_READ, 0, "r/file", NULL},
		{"r/link_in", false, SBX_PERM_READ, 0, "r/file", NULL},
		{"r/link_in", true, SBX_PERM_READ, 0, "r/link_in", NULL},
		{"r", false, SBX_PERM_READ, 0, "r", NULL},
		{"r/file", false, SBX_PERM_STAT, 0, "r/file", NULL},
		{"w/file", false, SBX_PERM_READ | SBX_PERM_WRITE, 0, "w/file", NULL},
		/* Not granted. */
		{"secret", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"secret", false, SBX_PERM_STAT, -EACCES, NULL, NULL},
		{"nogrant/x", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/file", false, SBX_PERM_READ | SBX_PERM_WRITE, -EACCES, NULL, NULL},
		{"r/file", false, SBX_PERM_EXEC, -EACCES, NULL, NULL},
		/* A symlink inside the grant to a file outside it. */
		{"r/link_out", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/link_abs", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		/* A symlink the policy does not grant, into a granted tree: the
		 * program may not learn what it says. */
		{"nogrant/to_r", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"to_r", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		/* The link itself is granted. */
		{"r/link_out", true, SBX_PERM_STAT, 0, "r/link_out", NULL},
		/* ".." out of a grant, and through a directory not visible. */
		{"r/../secret", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/sub/../../secret", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"nogrant/../r/file", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		/* Missing: told where the policy grants, else refused. */
		{"r/missing", false, SBX_PERM_READ, -ENOENT, NULL, NULL},
		{"w/missing", false, SBX_PERM_READ | SBX_PERM_WRITE, -ENOENT, NULL, NULL},
		{"w/missing/../file", false, SBX_PERM_READ, -ENOENT, NULL, NULL},
		{"nogrant/missing", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"missing", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"missing", false, SBX_PERM_READ | SBX_PERM_WRITE, -EACCES, NULL, NULL},
		/* A name missing from a directory the program may list: it
		 * could see so itself (ENOENT). What exists there is still
		 * refused; below a directory it may not list (one it may only
		 * stat, one it sees the name of), or past a name that exists,
		 * missing is refused too: no oracle of what exists. */
		{"l/missing", false, SBX_PERM_READ, -ENOENT, NULL, NULL},
		{"l/missing/deeper", false, SBX_PERM_STAT, -ENOENT, NULL, NULL},
		{"l/f", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"l/f", false, SBX_PERM_STAT, -EACCES, NULL, NULL},
		{"l/sub/missing", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"l/sub/x", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"s/missing", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"nogrant/missing/deeper", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"l", false, SBX_PERM_READ, 0, "l", NULL},
		/* Not a directory: told where granted, else refused. */
		{"r/file/x", false, SBX_PERM_READ, -ENOTDIR, NULL, NULL},
		{"secret/x", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		/* deny inside a granted tree. */
		{"r/deny/x", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/deny/x", false, SBX_PERM_STAT, -EACCES, NULL, NULL},
		{"r/deny/missing", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/deny/missing/../../file", false, SBX_PERM_READ, -EACCES, NULL, NULL},
		{"r/deny/d/../../file", false, SBX_PERM_READ, -EACCES, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!want_case(cases[i].bug))
			continue;
		ran++;
		struct fpath *p = &x->f.p[0];
		set_path(x, p, cases[i].rel);
		x->f.op = OP_OPEN;
		x->f.npaths = 1;
		static struct sbx_resolved res;
		memset(&res, 0, sizeof(res));
		res.fd = -1;
		int r = decide_object(&x->b, &x->f, p, cases[i].nofollow, cases[i].need, &res);
		if (r != cases[i].ret) {
			MISS("decide_object(%s, nofollow %d, need %#x) = %d, expected %d", cases[i].rel,
			     cases[i].nofollow, cases[i].need, r, cases[i].ret);
			if (r == 0)
				close(res.fd);
			continue;
		}
		if (r < 0)
			continue;
		char want[PATH_MAX];
		path_of(x, want, cases[i].canon);
		if (strcmp(res.path, want))
			fail_msg("decide_object(%s): res.path %s, expected %s", cases[i].rel, res.path, want);
		/* The fd is on that object. */
		struct stat st, fst;
		assert_int_equal(lstat(want, &st), 0);
		assert_int_equal(fstat(res.fd, &fst), 0);
		if (st.st_dev != fst.st_dev || st.st_ino != fst.st_ino || res.st.st_ino != st.st_ino)
			fail_msg("decide_object(%s): the fd is not on %s", cases[i].rel, want);
		close(res.fd);
	}
	total_ran += ran;
	if (bad)
		fail_msg("%d of %d decisions wrong", bad, ran);
	assert_true(ran > 0 || only_bug);
}

/* decide_visible and decide_may_tell: what the program may learn exists. */
static void test_visible(void **state)
{
	struct fixture *x = *state;
	int bad = 0, ran = 0;
	static const struct {
		const char *rel;
		bool visible, may_tell;
		const char *bug;
	} cases[] = {
		{"/", true, false, NULL},
		{"", true, false, NULL}, /* T: on the way to the grants */
		{"r", true, true, NULL},
		{"r/file", true, true, NULL},
		{"r/missing", true, true, NULL},
		{"w/anything/below", true, true, NULL},
		{"secret", false, false, NULL},
		{"nogrant", false, false, NULL},
		{"nogrant/x", false, false, NULL},
		{"r/../secret", false, false, NULL},
		{"nogrant/../r/file", true, true, NULL},
		{"r/deny/x", false, false, NULL},
		{"r/deny/d", false, false, NULL},
		{"/etc", false, false, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!want_case(cases[i].bug))
			continue;
		ran++;
		char p[PATH_MAX];
		path_of(x, p, cases[i].rel);
		if (decide_visible(&x->b, p) != cases[i].visible)
			MISS("decide_visible(%s) is %d", cases[i].rel, !cases[i].visible);
		if (decide_may_tell(&x->b, p) != cases[i].may_tell)
			MISS("decide_may_tell(%s) is %d", cases[i].rel, !cases[i].may_tell);
	}
	total_ran += ran;
	if (bad)
		fail_msg("%d of %d decisions wrong", bad, ran);
	assert_true(ran > 0 || only_bug);
}

/* The real call for a name, for the errno the kernel gives: -errno or 0. */
enum real { REAL_NONE, REAL_MKDIR, REAL_UNLINK, REAL_RMDIR, REAL_RENAME_FROM, REAL_RENAME_TO,
	    REAL_SYMLINK, REAL_LINK, REAL_MKNOD };

static int real_call(const struct fixture *x, enum real how, const char *p)
{
	char other[PATH_MAX];
	int r = 0;
	switch (how) {
	case REAL_NONE:
		return 0;
	case REAL_MKDIR:
		r = mkdir(p, 0755);
		break;
	case REAL_UNLINK:
		r = unlink(p);
		break;
	case REAL_RMDIR:
		r = rmdir(p);
		break;
	case REAL_RENAME_FROM:
		path_of(x, other, "w/renamed");
		r = rename(p, other);
		break;
	case REAL_RENAME_TO:
		path_of(x, other, "w/dir2/x");
		r = rename(other, p);
		break;
	case REAL_SYMLINK:
		r = symlink("target", p);
		break;
	case REAL_LINK:
		path_of(x, other, "w/dir2/x");
		r = link(other, p);
		break;
	case REAL_MKNOD:
		r = mknod(p, S_IFREG | 0644, 0);
		break;
	}
	return r < 0 ? -errno : 0;
}

/* decide_name: the directory a name is made, removed or renamed in. */
static void test_name(void **state)
{
	struct fixture *x = *state;
	int bad = 0, ran = 0;
	static const struct {
		enum op op;
		int atflags;
		unsigned use;
		int which; /* 0: p[0], 1: p[1] */
		const char *rel;
		int ret;
		const char *name; /* for 0 */
		const char *canon;
		enum real real; /* also ask the kernel (errors only) */
		const char *bug;
	} cases[] = {
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/new", 0, "new", "w/new", REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/new/", 0, "new", "w/new", REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/dir/../new", 0, "new", "w/new", REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "r/new", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "nogrant/new", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "new", -EACCES, NULL, NULL, REAL_NONE, NULL},
		/* An existing visible name is EEXIST, read-only or not. */
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/file", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/dir", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "r/file", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKNOD, 0, NAME_MAKES, 0, "w/file", -EEXIST, NULL, NULL, REAL_MKNOD, NULL},
		{OP_SYMLINK, 0, NAME_MAKES | NAME_DIR_ARRIVES, 1, "w/file", -EEXIST, NULL, NULL, REAL_SYMLINK, NULL},
		{OP_LINK, 0, NAME_MAKES, 1, "w/file", -EEXIST, NULL, NULL, REAL_LINK, NULL},
		/* ... but an invisible one is not told. */
		{OP_MKDIR, 0, NAME_MAKES, 0, "secret", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "nogrant/x", -EACCES, NULL, NULL, REAL_NONE, NULL},
		/* "." and ".." last, and "/". */
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/dir/.", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/dir/..", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "/", -EEXIST, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKNOD, 0, NAME_MAKES, 0, "w/dir/.", -EEXIST, NULL, NULL, REAL_MKNOD, NULL},
		{OP_SYMLINK, 0, NAME_MAKES | NAME_DIR_ARRIVES, 1, "w/dir/..", -EEXIST, NULL, NULL, REAL_SYMLINK, NULL},
		{OP_UNLINK, 0, 0, 0, "w/dir/.", -EISDIR, NULL, NULL, REAL_UNLINK, NULL},
		{OP_UNLINK, 0, 0, 0, "w/dir/..", -EISDIR, NULL, NULL, REAL_UNLINK, NULL},
		{OP_UNLINK, AT_REMOVEDIR, NAME_DIR_LEAVES, 0, "w/dir/.", -EINVAL, NULL, NULL, REAL_RMDIR, NULL},
		{OP_UNLINK, AT_REMOVEDIR, NAME_DIR_LEAVES, 0, "w/dir/..", -ENOTEMPTY, NULL, NULL, REAL_RMDIR, NULL},
		{OP_UNLINK, AT_REMOVEDIR, NAME_DIR_LEAVES, 0, "/", -EBUSY, NULL, NULL, REAL_RMDIR, NULL},
		{OP_RENAME, 0, NAME_DIR_LEAVES, 0, "w/dir/.", -EBUSY, NULL, NULL, REAL_RENAME_FROM, NULL},
		{OP_RENAME, 0, NAME_DIR_ARRIVES | NAME_DIR_LEAVES, 1, "w/dir/.", -EBUSY, NULL, NULL,
		 REAL_RENAME_TO, NULL},
		{OP_RENAME, 0, NAME_DIR_LEAVES, 0, "w/dir/..", -EBUSY, NULL, NULL, REAL_RENAME_FROM, NULL},
		{OP_RENAME, 0, NAME_DIR_ARRIVES | NAME_DIR_LEAVES, 1, "w/dir/..", -EBUSY, NULL, NULL,
		 REAL_RENAME_TO, NULL},
		{OP_RENAME, 0, NAME_DIR_ARRIVES | NAME_DIR_LEAVES, 1, "/", -EBUSY, NULL, NULL, REAL_NONE, NULL},
		{OP_UNLINK, 0, 0, 0, "/", -EISDIR, NULL, NULL, REAL_UNLINK, NULL},
		/* A name in a denied directory: nothing told, existing or not. */
		{OP_MKDIR, 0, NAME_MAKES, 0, "r/deny/x", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "r/deny/new", -EACCES, NULL, NULL, REAL_NONE, NULL},
		/* Removing and renaming. */
		{OP_UNLINK, 0, 0, 0, "w/file", 0, "file", "w/file", REAL_NONE, NULL},
		{OP_UNLINK, AT_REMOVEDIR, NAME_DIR_LEAVES, 0, "w/dir", 0, "dir", "w/dir", REAL_NONE, NULL},
		{OP_UNLINK, 0, 0, 0, "r/file", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_UNLINK, 0, 0, 0, "r/deny/x", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_UNLINK, 0, 0, 0, "secret", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_RENAME, 0, NAME_DIR_LEAVES, 0, "w/file", 0, "file", "w/file", REAL_NONE, NULL},
		{OP_RENAME, 0, NAME_DIR_ARRIVES | NAME_DIR_LEAVES, 1, "w/other", 0, "other", "w/other", REAL_NONE, NULL},
		{OP_RENAME, 0, NAME_DIR_LEAVES, 0, "r/file", -EACCES, NULL, NULL, REAL_NONE, NULL},
		{OP_RENAME, 0, NAME_DIR_ARRIVES | NAME_DIR_LEAVES, 1, "r/other", -EACCES, NULL, NULL, REAL_NONE, NULL},
		/* "name/" on a file. */
		{OP_UNLINK, 0, 0, 0, "w/file/", -ENOTDIR, NULL, NULL, REAL_UNLINK, NULL},
		{OP_UNLINK, AT_REMOVEDIR, NAME_DIR_LEAVES, 0, "w/file/", -ENOTDIR, NULL, NULL, REAL_RMDIR, NULL},
		{OP_RENAME, 0, NAME_DIR_LEAVES, 0, "w/file/", -ENOTDIR, NULL, NULL, REAL_RENAME_FROM, NULL},
		/* The directory on the way is missing or a file. */
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/missing/new", -ENOENT, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "w/file/new", -ENOTDIR, NULL, NULL, REAL_MKDIR, NULL},
		{OP_MKDIR, 0, NAME_MAKES, 0, "nogrant/missing/new", -EACCES, NULL, NULL, REAL_NONE, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!want_case(cases[i].bug))
			continue;
		ran++;
		struct request *f = &x->f;
		memset(f->p, 0, sizeof(f->p));
		f->op = cases[i].op;
		f->atflags = cases[i].atflags;
		f->npaths = f->op == OP_RENAME || f->op == OP_LINK || f->op == OP_SYMLINK ? 2 : 1;
		struct fpath *p = &f->p[cases[i].which];
		set_path(x, p, cases[i].rel);
		if (cases[i].which == 1)
			set_path(x, &f->p[0], "w/dir2/x");
		char want_path[PATH_MAX];
		path_of(x, want_path, cases[i].rel);
		int kr = real_call(x, cases[i].real, want_path);
		if (kr != (cases[i].real == REAL_NONE ? 0 : cases[i].ret))
			fail_msg("case %zu (%s): the kernel says %d, the table %d", i, cases[i].rel, kr,
				 cases[i].ret);
		int dirfd = -1;
		char name[NAME_MAX + 1] = "", canon[PATH_MAX] = "";
		int r = decide_name(&x->b, f, p, cases[i].use, &dirfd, name, canon);
		if (r != cases[i].ret) {
			MISS("case %zu: decide_name(op %d, flags %#x, %s) = %d, expected %d", i,
			     cases[i].op, (unsigned)cases[i].atflags, cases[i].rel, r, cases[i].ret);
			if (r == 0)
				close(dirfd);
			continue;
		}
		if (r < 0)
			continue;
		char want[PATH_MAX];
		path_of(x, want, cases[i].canon);
		if (strcmp(name, cases[i].name) || strcmp(canon, want))
			fail_msg("case %zu (%s): name %s, canon %s; expected %s, %s", i, cases[i].rel, name,
				 canon, cases[i].name, want);
		/* DIRFD is the directory holding the name. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", want);
		*strrchr(dir, '/') = '\0';
		struct stat st, fst;
		assert_int_equal(stat(dir, &st), 0);
		assert_int_equal(fstat(dirfd, &fst), 0);
		if (st.st_ino != fst.st_ino || st.st_dev != fst.st_dev)
			fail_msg("case %zu (%s): dirfd is not on %s", i, cases[i].rel, dir);
		close(dirfd);
	}
	total_ran += ran;
	if (bad)
		fail_msg("%d of %d decisions wrong", bad, ran);
	assert_true(ran > 0 || only_bug);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strncmp(argv[1], "--known-bug=", 12)) {
		only_bug = argv[1] + 12;
		/* TAP: the test command counts cmocka's usual summary lines,
		 * and these failures are expected ones. */
		cmocka_set_message_output(CM_OUTPUT_TAP);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name, setup, teardown),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	if (only_bug && !total_ran) {
		/* Nothing of that name: exit 0, which meson's should_fail
		 * reports as a failure. */
		fprintf(stderr, "no cases of the known bug %s\n", only_bug);
		return 0;
	}
	return r;
}
