/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The file syscalls' arguments, as the seccomp notification carries them,
 * into a struct freq: which operation, which paths (dirfd and address in
 * the program's memory), flags, modes and buffers. Nothing is read from
 * the program here. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileops.h"

/* Set the fields every request has; PATH is the first path argument. */
static void req(struct freq *f, enum op op, const char *name, int dirfd, uint64_t path)
{
	f->op = op;
	f->name = name;
	f->p[0].dirfd = dirfd;
	f->p[0].addr = path;
	f->npaths = path || op == OP_EXEC ? 1 : 0;
}

/* The second path argument (rename, link, symlink's new name). */
static void req2(struct freq *f, int dirfd, uint64_t path)
{
	f->p[1].dirfd = dirfd;
	f->p[1].addr = path;
	f->npaths = 2;
}

void fileops_decode(const struct seccomp_notif *n, struct freq *f)
{
	const __u64 *a = n->data.args;
	memset(f, 0, offsetof(struct freq, p));
	f->n = n;
	f->npaths = 0;
	f->p[0].path[0] = f->p[1].path[0] = '\0';
	req(f, OP_OTHER, "syscall", AT_FDCWD, 0);
	switch (n->data.nr) {
	case SYS_open:
		req(f, OP_OPEN, "open", AT_FDCWD, a[0]);
		f->oflags = (int)a[1];
		f->mode = (unsigned)a[2];
		break;
	case SYS_creat:
		req(f, OP_OPEN, "creat", AT_FDCWD, a[0]);
		f->oflags = O_CREAT | O_WRONLY | O_TRUNC;
		f->mode = (unsigned)a[1];
		break;
	case SYS_openat:
		req(f, OP_OPEN, "openat", (int)a[0], a[1]);
		f->oflags = (int)a[2];
		f->mode = (unsigned)a[3];
		break;
	case SYS_openat2:
		req(f, OP_OPEN, "openat2", (int)a[0], a[1]);
		f->buf_addr = a[2]; /* struct open_how */
		f->bufsiz = a[3];
		break;
	case SYS_stat:
	case SYS_lstat:
		req(f, OP_STAT, n->data.nr == SYS_stat ? "stat" : "lstat", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		f->atflags = n->data.nr == SYS_lstat ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_newfstatat:
		req(f, OP_STAT, "newfstatat", (int)a[0], a[1]);
		f->buf_addr = a[2];
		f->atflags = (int)a[3];
		break;
	case SYS_statx:
		req(f, OP_STATX, "statx", (int)a[0], a[1]);
		f->atflags = (int)a[2];
		f->statx_mask = (unsigned)a[3];
		f->buf_addr = a[4];
		break;
	case SYS_statfs:
		req(f, OP_STATFS, "statfs", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		break;
	case SYS_access:
		req(f, OP_ACCESS, "access", AT_FDCWD, a[0]);
		f->amode = (int)a[1];
		break;
	case SYS_faccessat:
	case SYS_faccessat2:
		req(f, OP_ACCESS, n->data.nr == SYS_faccessat ? "faccessat" : "faccessat2", (int)a[0], a[1]);
		f->amode = (int)a[2];
		f->atflags = n->data.nr == SYS_faccessat2 ? (int)a[3] : 0;
		break;
	case SYS_readlink:
		req(f, OP_READLINK, "readlink", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		f->bufsiz = a[2];
		f->atflags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYS_readlinkat:
		req(f, OP_READLINK, "readlinkat", (int)a[0], a[1]);
		f->buf_addr = a[2];
		f->bufsiz = a[3];
		f->atflags = AT_SYMLINK_NOFOLLOW;
		break;
	case SYS_execve:
		req(f, OP_EXEC, "execve", AT_FDCWD, a[0]);
		break;
	case SYS_execveat:
		req(f, OP_EXEC, "execveat", (int)a[0], a[1]);
		f->atflags = (int)a[4];
		break;
	case SYS_chdir:
		req(f, OP_CHDIR, "chdir", AT_FDCWD, a[0]);
		break;
	case SYS_fchdir:
		req(f, OP_FCHDIR, "fchdir", (int)a[0], 0);
		break;
	case SYS_mkdir:
		req(f, OP_MKDIR, "mkdir", AT_FDCWD, a[0]);
		f->mode = (unsigned)a[1];
		break;
	case SYS_mkdirat:
		req(f, OP_MKDIR, "mkdirat", (int)a[0], a[1]);
		f->mode = (unsigned)a[2];
		break;
	case SYS_mknod:
		req(f, OP_MKNOD, "mknod", AT_FDCWD, a[0]);
		f->mode = (unsigned)a[1];
		f->dev = a[2];
		break;
	case SYS_mknodat:
		req(f, OP_MKNOD, "mknodat", (int)a[0], a[1]);
		f->mode = (unsigned)a[2];
		f->dev = a[3];
		break;
	case SYS_rmdir:
		req(f, OP_UNLINK, "rmdir", AT_FDCWD, a[0]);
		f->atflags = AT_REMOVEDIR;
		break;
	case SYS_unlink:
		req(f, OP_UNLINK, "unlink", AT_FDCWD, a[0]);
		break;
	case SYS_unlinkat:
		req(f, OP_UNLINK, "unlinkat", (int)a[0], a[1]);
		f->atflags = (int)a[2];
		break;
	case SYS_rename:
		req(f, OP_RENAME, "rename", AT_FDCWD, a[0]);
		req2(f, AT_FDCWD, a[1]);
		break;
	case SYS_renameat:
	case SYS_renameat2:
		req(f, OP_RENAME, n->data.nr == SYS_renameat ? "renameat" : "renameat2", (int)a[0], a[1]);
		req2(f, (int)a[2], a[3]);
		f->atflags = n->data.nr == SYS_renameat2 ? (int)a[4] : 0;
		break;
	case SYS_link:
		req(f, OP_LINK, "link", AT_FDCWD, a[0]);
		req2(f, AT_FDCWD, a[1]);
		break;
	case SYS_linkat:
		req(f, OP_LINK, "linkat", (int)a[0], a[1]);
		req2(f, (int)a[2], a[3]);
		f->atflags = (int)a[4];
		break;
	case SYS_symlink:
		req(f, OP_SYMLINK, "symlink", AT_FDCWD, 0);
		req2(f, AT_FDCWD, a[1]);
		f->name_addr = a[0];
		break;
	case SYS_symlinkat:
		req(f, OP_SYMLINK, "symlinkat", AT_FDCWD, 0);
		req2(f, (int)a[1], a[2]);
		f->name_addr = a[0];
		break;
	case SYS_chmod:
		req(f, OP_CHMOD, "chmod", AT_FDCWD, a[0]);
		f->mode = (unsigned)a[1];
		break;
	case SYS_fchmodat:
		req(f, OP_CHMOD, "fchmodat", (int)a[0], a[1]);
		f->mode = (unsigned)a[2];
		break;
	case 452: /* fchmodat2, Linux 6.6 */
		req(f, OP_CHMOD, "fchmodat2", (int)a[0], a[1]);
		f->mode = (unsigned)a[2];
		f->atflags = (int)a[3];
		break;
	case SYS_chown:
	case SYS_lchown:
		req(f, OP_CHOWN, n->data.nr == SYS_chown ? "chown" : "lchown", AT_FDCWD, a[0]);
		f->uid = (uint32_t)a[1];
		f->gid = (uint32_t)a[2];
		f->atflags = n->data.nr == SYS_lchown ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_fchownat:
		req(f, OP_CHOWN, "fchownat", (int)a[0], a[1]);
		f->uid = (uint32_t)a[2];
		f->gid = (uint32_t)a[3];
		f->atflags = (int)a[4];
		break;
	case SYS_truncate:
		req(f, OP_TRUNCATE, "truncate", AT_FDCWD, a[0]);
		f->length = (int64_t)a[1];
		break;
	case SYS_utime:
	case SYS_utimes:
		req(f, OP_UTIMES, n->data.nr == SYS_utime ? "utime" : "utimes", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		break;
	case SYS_futimesat:
		req(f, OP_UTIMES, "futimesat", (int)a[0], a[1]);
		f->buf_addr = a[2];
		break;
	case SYS_utimensat:
		req(f, OP_UTIMES, "utimensat", (int)a[0], a[1]);
		f->buf_addr = a[2];
		f->atflags = (int)a[3];
		break;
	case SYS_getxattr:
	case SYS_lgetxattr:
		req(f, OP_XATTR_GET, n->data.nr == SYS_getxattr ? "getxattr" : "lgetxattr", AT_FDCWD, a[0]);
		f->name_addr = a[1];
		f->buf_addr = a[2];
		f->bufsiz = a[3];
		f->atflags = n->data.nr == SYS_lgetxattr ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_listxattr:
	case SYS_llistxattr:
		req(f, OP_XATTR_LIST, n->data.nr == SYS_listxattr ? "listxattr" : "llistxattr", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		f->bufsiz = a[2];
		f->atflags = n->data.nr == SYS_llistxattr ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_setxattr:
	case SYS_lsetxattr:
		req(f, OP_XATTR_SET, n->data.nr == SYS_setxattr ? "setxattr" : "lsetxattr", AT_FDCWD, a[0]);
		f->name_addr = a[1];
		f->buf_addr = a[2];
		f->bufsiz = a[3];
		f->oflags = (int)a[4]; /* XATTR_CREATE, XATTR_REPLACE */
		f->atflags = n->data.nr == SYS_lsetxattr ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_removexattr:
	case SYS_lremovexattr:
		req(f, OP_XATTR_REMOVE, n->data.nr == SYS_removexattr ? "removexattr" : "lremovexattr",
		    AT_FDCWD, a[0]);
		f->name_addr = a[1];
		f->atflags = n->data.nr == SYS_lremovexattr ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_inotify_add_watch:
		req(f, OP_INOTIFY, "inotify_add_watch", AT_FDCWD, a[1]);
		f->oflags = (int)a[0]; /* the inotify fd */
		f->mode = (unsigned)a[2];
		f->atflags = (a[2] & IN_DONT_FOLLOW) ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case SYS_connect:
	case SYS_bind:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_sendmmsg:
		req(f, OP_NET, n->data.nr == SYS_connect ? "connect" : n->data.nr == SYS_bind ? "bind" : "send",
		    AT_FDCWD, 0);
		break;
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_fsetxattr:
	case SYS_fremovexattr:
		/* Metadata changes through an fd the program holds. */
		req(f, OP_FDMETA, n->data.nr == SYS_fchmod ? "fchmod" : n->data.nr == SYS_fchown ? "fchown"
				  : n->data.nr == SYS_fsetxattr ? "fsetxattr" : "fremovexattr", (int)a[0], 0);
		break;
	default:
		break;
	}
	if (f->op == OP_UTIMES)
		f->npaths = 1; /* a NULL path means the fd itself */
	f->empty_ok = f->atflags & AT_EMPTY_PATH;
	f->nofollow = (f->atflags & AT_SYMLINK_NOFOLLOW) ||
		      (f->op == OP_OPEN && (f->oflags & O_NOFOLLOW));
}
