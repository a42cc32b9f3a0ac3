/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for names.c: what each mutating call does to each of its
 * names, by the call and its flags; flags a call does not know. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "names.h"

#define LEAVES NAME_DIR_LEAVES
#define ARRIVES NAME_DIR_ARRIVES

static const struct {
	enum op op;
	int atflags;
	unsigned mode;
	int oflags;
	bool nofollow;
	int ret;
	unsigned use0, use1;
} cases[] = {
	/* rename: the old name loses what it holds; the new one gets it, and
	 * loses what it held unless RENAME_NOREPLACE; an exchange is both
	 * ways on both names. */
	{OP_RENAME, 0, 0, 0, false, 0, LEAVES, ARRIVES | LEAVES},
	{OP_RENAME, RENAME_NOREPLACE, 0, 0, false, 0, LEAVES, ARRIVES},
	{OP_RENAME, RENAME_EXCHANGE, 0, 0, false, 0, LEAVES | ARRIVES, LEAVES | ARRIVES},
	{OP_RENAME, RENAME_WHITEOUT, 0, 0, false, -EPERM, 0, 0},
	{OP_RENAME, RENAME_EXCHANGE | RENAME_NOREPLACE, 0, 0, false, -EINVAL, 0, 0},
	{OP_RENAME, RENAME_EXCHANGE | RENAME_WHITEOUT, 0, 0, false, -EINVAL, 0, 0},
	{OP_RENAME, 1 << 3, 0, 0, false, -EINVAL, 0, 0},
	{OP_RENAME, AT_EMPTY_PATH, 0, 0, false, -EINVAL, 0, 0},
	/* unlink: only rmdir lets a directory leave its name. */
	{OP_UNLINK, 0, 0, 0, false, 0, 0, 0},
	{OP_UNLINK, AT_REMOVEDIR, 0, 0, false, 0, LEAVES, 0},
	{OP_UNLINK, AT_EMPTY_PATH, 0, 0, false, -EINVAL, 0, 0},
	{OP_UNLINK, AT_SYMLINK_NOFOLLOW, 0, 0, false, -EINVAL, 0, 0},
	/* link: write on the object, a new name. */
	{OP_LINK, 0, 0, 0, false, 0, NAME_OBJECT, NAME_MAKES},
	{OP_LINK, AT_SYMLINK_FOLLOW, 0, 0, false, 0, NAME_OBJECT | NAME_FOLLOW, NAME_MAKES},
	{OP_LINK, AT_EMPTY_PATH, 0, 0, false, 0, NAME_OBJECT, NAME_MAKES},
	{OP_LINK, AT_REMOVEDIR, 0, 0, false, -EINVAL, 0, 0},
	{OP_LINK, AT_SYMLINK_NOFOLLOW, 0, 0, false, -EINVAL, 0, 0},
	/* Making names. */
	{OP_MKDIR, 0, 0755, 0, false, 0, NAME_MAKES, 0},
	{OP_SYMLINK, 0, 0, 0, false, 0, 0, NAME_MAKES | NAME_DIR_ARRIVES},
	{OP_MKNOD, 0, S_IFREG | 0644, 0, false, 0, NAME_MAKES, 0},
	{OP_MKNOD, 0, 0644, 0, false, 0, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFIFO | 0644, 0, false, 0, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFSOCK | 0644, 0, false, 0, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFCHR | 0644, 0, false, -EPERM, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFBLK | 0644, 0, false, -EPERM, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFDIR | 0755, 0, false, -EPERM, NAME_MAKES, 0},
	{OP_MKNOD, 0, S_IFLNK | 0644, 0, false, -EINVAL, NAME_MAKES, 0},
	/* Changing the object: through the last symlink unless told not to. */
	{OP_CHMOD, 0, 0644, 0, false, 0, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_CHMOD, AT_SYMLINK_NOFOLLOW, 0644, 0, true, 0, NAME_OBJECT, 0},
	{OP_CHMOD, AT_EMPTY_PATH, 0644, 0, false, 0, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_CHMOD, AT_REMOVEDIR, 0644, 0, false, -EINVAL, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_CHOWN, AT_SYMLINK_NOFOLLOW, 0, 0, true, 0, NAME_OBJECT, 0},
	{OP_CHOWN, 0x40000000, 0, 0, false, -EINVAL, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_UTIMES, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, 0, 0, true, 0, NAME_OBJECT, 0},
	{OP_UTIMES, AT_SYMLINK_FOLLOW, 0, 0, false, -EINVAL, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_TRUNCATE, 0, 0, 0, false, 0, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_XATTR_SET, 0, 0, XATTR_CREATE, false, 0, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_XATTR_SET, 0, 0, XATTR_CREATE | 4, false, -EINVAL, NAME_OBJECT | NAME_FOLLOW, 0},
	{OP_XATTR_REMOVE, AT_SYMLINK_NOFOLLOW, 0, 0, true, 0, NAME_OBJECT, 0},
	/* Not mutations by name: nothing. */
	{OP_STAT, AT_EMPTY_PATH, 0, 0, false, 0, 0, 0},
	{OP_OPEN, 0, 0644, O_CREAT, false, 0, 0, 0},
};

static void test_plans(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct request f;
		memset(&f, 0, sizeof(f));
		f.op = cases[i].op;
		f.atflags = cases[i].atflags;
		f.mode = cases[i].mode;
		f.oflags = cases[i].oflags;
		f.nofollow = cases[i].nofollow;
		f.use[0] = f.use[1] = 0xffff; /* cleared by names_plan */
		int r = names_plan(&f);
		if (r != cases[i].ret || (r == 0 && (f.use[0] != cases[i].use0 || f.use[1] != cases[i].use1)))
			fail_msg("case %zu (op %d, flags %#x): %d, use %#x %#x; expected %d, use %#x %#x", i,
				 cases[i].op, (unsigned)cases[i].atflags, r, f.use[0], f.use[1], cases[i].ret,
				 cases[i].use0, cases[i].use1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
