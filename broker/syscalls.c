/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall table: every syscall the broker serves, one row each. The
 * filter notifies exactly these (filter.c); the dispatcher decodes each
 * notification by its row and calls the row's handler (dispatch.c). The
 * old calls some architectures lack (open, stat, rename...) have rows only
 * where the C library's headers know them. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "dispatch.h"
#include "util.h"

/* fchmodat2 (Linux 6.6) is newer than some C libraries' headers; its
 * number is the same on every architecture that has the generic table. */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

#define ROW(sys, o, h, ...) {.nr = SYS_##sys, .name = #sys, .op = (o), .handler = (h), __VA_ARGS__}
#define ARGS(...) .arg = {__VA_ARGS__}

static const struct syscall_row rows[] = {
	/* Opens. */
#ifdef SYS_open
	ROW(open, OP_OPEN, open_handle, ARGS([ARG_PATH] = A(0), [ARG_OFLAGS] = A(1), [ARG_MODE] = A(2))),
#endif
#ifdef SYS_creat
	ROW(creat, OP_OPEN, open_handle, ARGS([ARG_PATH] = A(0), [ARG_MODE] = A(1)),
	    .oflags = O_CREAT | O_WRONLY | O_TRUNC),
#endif
	ROW(openat, OP_OPEN, open_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_OFLAGS] = A(2), [ARG_MODE] = A(3))),
	ROW(openat2, OP_OPEN, open_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3)), .how = true),
	/* Looks. */
#ifdef SYS_stat
	ROW(stat, OP_STAT, looks_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1))),
	ROW(lstat, OP_STAT, looks_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
#endif
#ifdef SYS_newfstatat
	ROW(newfstatat, OP_STAT, looks_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_BUF] = A(2), [ARG_ATFLAGS] = A(3))),
#endif
	ROW(statx, OP_STATX, looks_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_ATFLAGS] = A(2), [ARG_MASK] = A(3),
		 [ARG_BUF] = A(4))),
	ROW(statfs, OP_STATFS, looks_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1))),
#ifdef SYS_access
	ROW(access, OP_ACCESS, looks_handle, ARGS([ARG_PATH] = A(0), [ARG_AMODE] = A(1))),
#endif
	ROW(faccessat, OP_ACCESS, looks_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_AMODE] = A(2))),
	ROW(faccessat2, OP_ACCESS, looks_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_AMODE] = A(2), [ARG_ATFLAGS] = A(3))),
#ifdef SYS_readlink
	ROW(readlink, OP_READLINK, looks_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1), [ARG_BUFSIZ] = A(2)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
#endif
	ROW(readlinkat, OP_READLINK, looks_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
	/* Exec and the working directory. */
	ROW(execve, OP_EXEC, exec_handle, ARGS([ARG_PATH] = A(0))),
	ROW(execveat, OP_EXEC, exec_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_ATFLAGS] = A(4))),
	ROW(chdir, OP_CHDIR, chdir_handle, ARGS([ARG_PATH] = A(0))),
	ROW(fchdir, OP_FCHDIR, fchdir_handle, ARGS([ARG_DIRFD] = A(0))),
	/* Names made, removed, renamed, linked. */
#ifdef SYS_mkdir
	ROW(mkdir, OP_MKDIR, mutate_handle, ARGS([ARG_PATH] = A(0), [ARG_MODE] = A(1))),
#endif
	ROW(mkdirat, OP_MKDIR, mutate_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_MODE] = A(2))),
#ifdef SYS_mknod
	ROW(mknod, OP_MKNOD, mutate_handle, ARGS([ARG_PATH] = A(0), [ARG_MODE] = A(1), [ARG_DEV] = A(2))),
#endif
	ROW(mknodat, OP_MKNOD, mutate_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_MODE] = A(2), [ARG_DEV] = A(3))),
#ifdef SYS_rmdir
	ROW(rmdir, OP_UNLINK, mutate_handle, ARGS([ARG_PATH] = A(0)), .atflags = AT_REMOVEDIR),
	ROW(unlink, OP_UNLINK, mutate_handle, ARGS([ARG_PATH] = A(0))),
#endif
	ROW(unlinkat, OP_UNLINK, mutate_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_ATFLAGS] = A(2))),
#ifdef SYS_rename
	ROW(rename, OP_RENAME, mutate_handle, ARGS([ARG_PATH] = A(0), [ARG_PATH2] = A(1))),
#endif
#ifdef SYS_renameat
	ROW(renameat, OP_RENAME, mutate_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_DIRFD2] = A(2), [ARG_PATH2] = A(3))),
#endif
	ROW(renameat2, OP_RENAME, mutate_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_DIRFD2] = A(2), [ARG_PATH2] = A(3),
		 [ARG_ATFLAGS] = A(4))),
#ifdef SYS_link
	ROW(link, OP_LINK, mutate_handle, ARGS([ARG_PATH] = A(0), [ARG_PATH2] = A(1))),
#endif
	ROW(linkat, OP_LINK, mutate_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_DIRFD2] = A(2), [ARG_PATH2] = A(3),
		 [ARG_ATFLAGS] = A(4))),
	/* symlink's first argument is the link's text, not a path. */
#ifdef SYS_symlink
	ROW(symlink, OP_SYMLINK, mutate_handle, ARGS([ARG_NAME] = A(0), [ARG_PATH2] = A(1))),
#endif
	ROW(symlinkat, OP_SYMLINK, mutate_handle, ARGS([ARG_NAME] = A(0), [ARG_DIRFD2] = A(1), [ARG_PATH2] = A(2))),
	/* Attributes of an object by path. */
#ifdef SYS_chmod
	ROW(chmod, OP_CHMOD, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_MODE] = A(1))),
#endif
	ROW(fchmodat, OP_CHMOD, attr_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_MODE] = A(2))),
	ROW(fchmodat2, OP_CHMOD, attr_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_MODE] = A(2), [ARG_ATFLAGS] = A(3))),
#ifdef SYS_chown
	ROW(chown, OP_CHOWN, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_UID] = A(1), [ARG_GID] = A(2))),
	ROW(lchown, OP_CHOWN, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_UID] = A(1), [ARG_GID] = A(2)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
#endif
	ROW(fchownat, OP_CHOWN, attr_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_UID] = A(2), [ARG_GID] = A(3), [ARG_ATFLAGS] = A(4))),
	ROW(truncate, OP_TRUNCATE, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_LENGTH] = A(1))),
#ifdef SYS_utime
	ROW(utime, OP_UTIMES, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1)), .times = TIMES_UTIMBUF),
#endif
#ifdef SYS_utimes
	ROW(utimes, OP_UTIMES, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1)), .times = TIMES_TIMEVAL),
#endif
#ifdef SYS_futimesat
	ROW(futimesat, OP_UTIMES, attr_handle, ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_BUF] = A(2)),
	    .times = TIMES_TIMEVAL, .null_is_fd = true),
#endif
	ROW(utimensat, OP_UTIMES, attr_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_PATH] = A(1), [ARG_BUF] = A(2), [ARG_ATFLAGS] = A(3)),
	    .times = TIMES_TIMESPEC, .null_is_fd = true),
	ROW(getxattr, OP_XATTR_GET, attr_handle,
	    ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3))),
	ROW(lgetxattr, OP_XATTR_GET, attr_handle,
	    ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
	ROW(listxattr, OP_XATTR_LIST, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1), [ARG_BUFSIZ] = A(2))),
	ROW(llistxattr, OP_XATTR_LIST, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_BUF] = A(1), [ARG_BUFSIZ] = A(2)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
	ROW(setxattr, OP_XATTR_SET, attr_handle,
	    ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3), [ARG_OFLAGS] = A(4))),
	ROW(lsetxattr, OP_XATTR_SET, attr_handle,
	    ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3), [ARG_OFLAGS] = A(4)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
	ROW(removexattr, OP_XATTR_REMOVE, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1))),
	ROW(lremovexattr, OP_XATTR_REMOVE, attr_handle, ARGS([ARG_PATH] = A(0), [ARG_NAME] = A(1)),
	    .atflags = AT_SYMLINK_NOFOLLOW),
	/* The watch goes on the program's own inotify fd. */
	ROW(inotify_add_watch, OP_INOTIFY, attr_handle, ARGS([ARG_FD] = A(0), [ARG_PATH] = A(1), [ARG_MODE] = A(2))),
	/* Calls on an fd the program holds. */
	ROW(fchmod, OP_CHMOD, fdcall_handle, ARGS([ARG_DIRFD] = A(0), [ARG_MODE] = A(1)), .fd_call = true),
	ROW(fchown, OP_CHOWN, fdcall_handle, ARGS([ARG_DIRFD] = A(0), [ARG_UID] = A(1), [ARG_GID] = A(2)),
	    .fd_call = true),
	ROW(fsetxattr, OP_XATTR_SET, fdcall_handle,
	    ARGS([ARG_DIRFD] = A(0), [ARG_NAME] = A(1), [ARG_BUF] = A(2), [ARG_BUFSIZ] = A(3), [ARG_OFLAGS] = A(4)),
	    .fd_call = true),
	ROW(fremovexattr, OP_XATTR_REMOVE, fdcall_handle, ARGS([ARG_DIRFD] = A(0), [ARG_NAME] = A(1)),
	    .fd_call = true),
	/* Marks of a fanotify group: the program can make none
	 * (fanotify_init is refused), so this is refused too. */
	ROW(fanotify_mark, OP_OTHER, NULL, ARGS([0] = 0)),
	/* The network: carried out by the broker on the host's side. */
	ROW(connect, OP_CONNECT, net_handle, ARGS([ARG_FD] = A(0))),
	ROW(bind, OP_BIND, net_handle, ARGS([ARG_FD] = A(0))),
	ROW(sendto, OP_SEND, net_handle, ARGS([ARG_FD] = A(0)), .when = NOTIFY_DGRAM, .addr_arg = A(4)),
	ROW(sendmsg, OP_SEND, net_handle, ARGS([ARG_FD] = A(0)), .when = NOTIFY_DGRAM),
	ROW(sendmmsg, OP_SEND, net_handle, ARGS([ARG_FD] = A(0)), .when = NOTIFY_DGRAM),
};

const struct syscall_row *syscalls_table(size_t *n)
{
	*n = SBX_ARRAY_SIZE(rows);
	return rows;
}

const struct syscall_row *syscalls_find(int nr)
{
	/* A few dozen rows: a scan costs less than one round trip's cache
	 * misses. */
	for (size_t i = 0; i < SBX_ARRAY_SIZE(rows); i++)
		if (rows[i].nr == nr)
			return &rows[i];
	return NULL;
}
