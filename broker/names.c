/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a call that changes the file system does to each name it touches,
 * worked out from the call and its flags alone, in one place: every
 * mutation handler (mutate.c) and the client library's requests decide by
 * this, never by the syscall's name.
 *
 * Every name a mutation touches needs write on it. Beyond that:
 *   - a name made anew answers EEXIST where the program may see one;
 *   - a directory that leaves a name (moved, exchanged, removed, replaced)
 *     takes its subtree along, out from under the rules written for that
 *     name's subtree; a directory that arrives at a name (or a symlink
 *     made there, which stands for one) puts its subtree under them:
 *     where a rule treats what is beneath that name apart (a deny, a
 *     narrower grant), a call that may do either is refused whatever the
 *     name holds when the broker looks, since another thread's exchange
 *     may put a directory there before the call (mutate.c);
 *   - a call on the object (chmod, chown, times, truncate, xattrs) needs
 *     write on the object reached; so does a link, which gives the object
 *     another name (by the old name, through a last symlink it follows, or
 *     through an fd).
 * For RENAME_EXCHANGE both names are sources and destinations; a rename
 * that may replace its destination removes what is there.
 *
 * Flags a call does not know are EINVAL, as in the kernel, before any name
 * is looked at; what the broker never makes for the program, device nodes
 * (a whiteout is one, 0:0), is EPERM, as without CAP_MKNOD. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* RENAME_* */
#include <sys/stat.h>
#include <sys/xattr.h>

#include "names.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* The flags each call knows (the kernel's own lists). */
static int flags_known(const struct request *f, unsigned known)
{
	return (unsigned)f->atflags & ~known ? -EINVAL : 0;
}

static int plan_rename(struct request *f)
{
	int r = flags_known(f, RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT);
	if (r < 0)
		return r;
	if ((f->atflags & RENAME_EXCHANGE) && (f->atflags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (f->atflags & RENAME_WHITEOUT)
		return -EPERM; /* a character device 0:0 at the old name */
	if (f->atflags & RENAME_EXCHANGE) {
		/* Both names lose what they hold and get the other's. */
		f->use[0] = f->use[1] = NAME_DIR_LEAVES | NAME_DIR_ARRIVES;
		return 0;
	}
	f->use[0] = NAME_DIR_LEAVES;
	f->use[1] = NAME_DIR_ARRIVES;
	if (!(f->atflags & RENAME_NOREPLACE))
		f->use[1] |= NAME_DIR_LEAVES; /* a directory replaced is removed */
	return 0;
}

static int plan_mknod(const struct request *f)
{
	switch (f->mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		return 0;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFDIR:
		return -EPERM; /* device nodes never, as without CAP_MKNOD */
	default:
		return -EINVAL;
	}
}

int names_plan(struct request *f)
{
	f->use[0] = f->use[1] = 0;
	switch (f->op) {
	case OP_MKDIR:
		f->use[0] = NAME_MAKES;
		return 0;
	case OP_MKNOD:
		f->use[0] = NAME_MAKES;
		return plan_mknod(f);
	case OP_SYMLINK:
		/* A link to a directory stands for one to whoever follows it. */
		f->use[1] = NAME_MAKES | NAME_DIR_ARRIVES;
		return 0;
	case OP_UNLINK:
		/* Without AT_REMOVEDIR a directory stays (EISDIR). */
		f->use[0] = f->atflags & AT_REMOVEDIR ? NAME_DIR_LEAVES : 0;
		return flags_known(f, AT_REMOVEDIR);
	case OP_RENAME:
		return plan_rename(f);
	case OP_LINK:
		/* The object gets a second name: it needs write where it is,
		 * through the last component or not. */
		f->use[0] = NAME_OBJECT | (f->atflags & AT_SYMLINK_FOLLOW ? NAME_FOLLOW : 0);
		f->use[1] = NAME_MAKES;
		return flags_known(f, AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
	case OP_CHMOD:
	case OP_CHOWN:
	case OP_UTIMES:
		f->use[0] = NAME_OBJECT | (f->nofollow ? 0 : NAME_FOLLOW);
		return flags_known(f, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	case OP_TRUNCATE:
	case OP_XATTR_REMOVE:
		f->use[0] = NAME_OBJECT | (f->nofollow ? 0 : NAME_FOLLOW);
		return 0;
	case OP_XATTR_SET:
		f->use[0] = NAME_OBJECT | (f->nofollow ? 0 : NAME_FOLLOW);
		return f->oflags & ~(XATTR_CREATE | XATTR_REPLACE) ? -EINVAL : 0;
	default:
		/* Not a mutation by name: open decides its creates itself
		 * (write on the new name), the rest only look. */
		return 0;
	}
}
