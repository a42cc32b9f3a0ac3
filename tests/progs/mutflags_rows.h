/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mutflags' table: every mutating call with each of its flags, and the
 * errno each must answer (see mutflags.c). Included by mutflags.c only. */
#ifndef MUTFLAGS_ROWS_H
#define MUTFLAGS_ROWS_H

#define UNKNOWN_AT 0x40000000 /* a flag bit no *at call knows */
#define NOREPL RENAME_NOREPLACE
#define EXCH RENAME_EXCHANGE
#define WHITE RENAME_WHITEOUT

enum op {
	RENAME, RENAMEAT, RENAMEAT2, LINK, LINKAT, LINK_FD, LINK_PROCFD, UNLINK, RMDIR,
	UNLINKAT, MKDIRAT, MKNODAT, SYMLINKAT, FCHMODAT, FCHMODAT2, FCHOWNAT, UTIMENSAT,
	OPENAT, TRUNCATE, SETXATTR, REMOVEXATTR, CL_RENAME, CL_UNLINK, CL_RMDIR, CL_MKDIR,
};
static const char *const opname[] = {
	"rename", "renameat", "renameat2", "link", "linkat", "linkat(fd, \"\", AT_EMPTY_PATH)",
	"linkat(/proc/self/fd/N, AT_SYMLINK_FOLLOW)", "unlink", "rmdir", "unlinkat", "mkdirat",
	"mknodat", "symlinkat", "fchmodat", "fchmodat2", "fchownat", "utimensat", "openat",
	"truncate", "setxattr", "removexattr",
	"sbx_client_rename", "sbx_client_unlink", "sbx_client_rmdir", "sbx_client_mkdir",
};

/* One call. A and B: names in the row's directory ("R/x": in its part of
 * the read-only area, "SELF": the row's directory, "^x": W/rNN.x beside
 * it). FLAGS: the call's flags; ARG: a mode, or the open flags of the fd a
 * LINK_FD or LINK_PROCFD row links (A names the file, or the directory of
 * an O_TMPFILE when ARG has O_TMPFILE). EXPECT: 0 or the errno. */
struct row {
	enum op op;
	const char *a, *b;
	unsigned flags, arg;
	int expect;
};

static const struct row rows[] = {
	/* The hole: an exchange moves the directory that holds a
	 * denied subtree, from either side. */
	{RENAMEAT2, "decoy", "sub", EXCH, 0, EACCES},
	{RENAMEAT2, "sub", "decoy", EXCH, 0, EACCES},
	{RENAMEAT2, "file", "sub", EXCH, 0, EACCES},
	{RENAMEAT2, "sub/open", "sub", EXCH, 0, EACCES},
	{RENAMEAT2, "decoy", "SELF", EXCH, 0, EACCES},
	{RENAMEAT2, "decoy", "sub/locked", EXCH, 0, EACCES},
	{RENAMEAT2, "file", "denied", EXCH, 0, EACCES},
	{RENAMEAT2, "denied", "file", EXCH, 0, EACCES},
	{RENAMEAT2, "file", "sub/locked/f", EXCH, 0, EACCES},
	{RENAMEAT2, "file", "R/f", EXCH, 0, EACCES},
	{RENAMEAT2, "dir", "R/d", EXCH, 0, EACCES},
	{RENAMEAT2, "file", "missing", EXCH, 0, ENOENT},
	{RENAMEAT2, "file", "dir", EXCH, 0, 0},
	{RENAMEAT2, "dir", "full", EXCH, 0, 0},
	{RENAMEAT2, "sub/open", "decoy", EXCH, 0, 0},
	/* Plain renames: the directory that holds the denied subtree may
	 * neither leave its name nor be replaced; nothing arrives there. */
	{RENAME, "sub", "^moved", 0, 0, EACCES},
	{RENAMEAT, "sub", "^moved", 0, 0, EACCES},
	{RENAMEAT2, "sub", "^moved", 0, 0, EACCES},
	{RENAMEAT2, "sub", "^moved", NOREPL, 0, EACCES},
	{RENAMEAT2, "SELF", "^moved", 0, 0, EACCES},
	{RENAMEAT2, "decoy", "sub", 0, 0, EACCES},
	{RENAMEAT2, "decoy", "sub", NOREPL, 0, EACCES},
	{RENAMEAT2, "file", "sub", 0, 0, EACCES},
	{RENAME, "decoy", "sub/locked", 0, 0, EACCES},
	{RENAME, "sub/locked", "^moved", 0, 0, EACCES},
	{RENAME, "sub/locked/f", "x", 0, 0, EACCES},
	{RENAME, "file", "sub/locked/f", 0, 0, EACCES},
	{RENAME, "file", "sub/locked/x", 0, 0, EACCES},
	{RENAME, "file", "denied", 0, 0, EACCES},
	{RENAMEAT2, "file", "denied", NOREPL, 0, EACCES},
	{RENAME, "denied", "x", 0, 0, EACCES},
	{RENAME, "R/f", "x", 0, 0, EACCES},
	{RENAME, "R/d", "x", 0, 0, EACCES},
	{RENAME, "file", "R/x", 0, 0, EACCES},
	{RENAME, "file", "R/f", 0, 0, EACCES},
	{RENAME, "missing", "x", 0, 0, ENOENT},
	{RENAME, "file", "missing/x", 0, 0, ENOENT},
	{RENAME, "full", "^moved", 0, 0, 0},
	{RENAME, "full", "sub/new", 0, 0, 0},
	{RENAME, "file", "lnk_denied", 0, 0, 0},
	{RENAME, "lnk_locked", "x", 0, 0, 0},
	{RENAMEAT2, "sub/open", "x", NOREPL, 0, 0},
	{RENAMEAT2, "file", "dir/x", NOREPL, 0, 0},
	{RENAMEAT2, "file", "full/f", NOREPL, 0, EEXIST},
	/* Whiteouts are device nodes: never. Flags no call knows, and
	 * pairs the kernel refuses: EINVAL, before any name is looked at. */
	{RENAMEAT2, "file", "x", WHITE, 0, EPERM},
	{RENAMEAT2, "sub", "^moved", WHITE, 0, EPERM},
	{RENAMEAT2, "file", "x", EXCH | NOREPL, 0, EINVAL},
	{RENAMEAT2, "file", "dir", EXCH | WHITE, 0, EINVAL},
	{RENAMEAT2, "decoy", "sub", EXCH | 8, 0, EINVAL},
	{RENAMEAT2, "file", "x", UNKNOWN_AT, 0, EINVAL},
	{RENAMEAT2, "", "x", AT_EMPTY_PATH, 0, EINVAL},
	/* Links: no second name for a denied or read-only file, none in a
	 * denied or read-only place. */
	{LINK, "sub/locked/f", "x", 0, 0, EACCES},
	{LINKAT, "sub/locked/f", "x", 0, 0, EACCES},
	{LINKAT, "sub/locked/f", "x", AT_SYMLINK_FOLLOW, 0, EACCES},
	{LINKAT, "denied", "x", 0, 0, EACCES},
	{LINKAT, "lnk_denied", "x", AT_SYMLINK_FOLLOW, 0, EACCES},
	{LINKAT, "lnk_locked", "x", AT_SYMLINK_FOLLOW, 0, EACCES},
	{LINKAT, "lnk_denied", "x", 0, 0, 0}, /* the symlink itself */
	{LINKAT, "R/f", "x", 0, 0, EACCES},
	{LINKAT, "R/f", "x", AT_SYMLINK_FOLLOW, 0, EACCES},
	{LINKAT, "file", "denied", 0, 0, EEXIST}, /* its name is listed in W */
	{LINKAT, "file", "sub/locked/x", 0, 0, EACCES},
	{LINKAT, "file", "R/x", 0, 0, EACCES},
	{LINKAT, "file", "x", UNKNOWN_AT, 0, EINVAL},
	{LINKAT, "file", "x", AT_REMOVEDIR, 0, EINVAL},
	{LINKAT, "missing", "x", 0, 0, ENOENT},
	{LINKAT, "dir", "x", 0, 0, EPERM},
	{LINKAT, "file", "x", 0, 0, 0},
	{LINKAT, "lnk_file", "x", AT_SYMLINK_FOLLOW, 0, 0},
	{LINK, "file", "full/f", 0, 0, EEXIST},
	{LINK_FD, "R/f", "x", AT_EMPTY_PATH, O_RDONLY, EACCES},
	{LINK_FD, "file", "x", AT_EMPTY_PATH, O_RDONLY, 0},
	{LINK_FD, "file", "x", AT_EMPTY_PATH | UNKNOWN_AT, O_RDONLY, EINVAL},
	{LINK_FD, "dir", "x", AT_EMPTY_PATH, O_TMPFILE | O_RDWR, 0},
	{LINK_FD, "dir", "sub/locked/x", AT_EMPTY_PATH, O_TMPFILE | O_RDWR, EACCES},
	{LINK_FD, "dir", "R/x", AT_EMPTY_PATH, O_TMPFILE | O_RDWR, EACCES},
	{LINK_FD, "dir", "denied", AT_EMPTY_PATH, O_TMPFILE | O_RDWR, EEXIST},
	{LINK_FD, "dir", "x", AT_EMPTY_PATH, O_TMPFILE | O_RDWR | O_EXCL, ENOENT}, /* never linkable */
	{LINK_PROCFD, "dir", "x", AT_SYMLINK_FOLLOW, O_TMPFILE | O_RDWR | O_EXCL, ENOENT},
	{LINK_PROCFD, "R/f", "x", AT_SYMLINK_FOLLOW, O_RDONLY, EACCES},
	{LINK_PROCFD, "dir", "x", AT_SYMLINK_FOLLOW, O_TMPFILE | O_RDWR, 0},
	{LINK_PROCFD, "dir", "sub/locked/x", AT_SYMLINK_FOLLOW, O_TMPFILE | O_RDWR, EACCES},
	/* Removing: a directory that holds a denied subtree stays. */
	{UNLINK, "denied", NULL, 0, 0, EACCES},
	{UNLINK, "sub/locked/f", NULL, 0, 0, EACCES},
	{UNLINKAT, "sub/locked/f", NULL, 0, 0, EACCES},
	{RMDIR, "sub/locked", NULL, 0, 0, EACCES},
	{RMDIR, "sub", NULL, 0, 0, EACCES},
	{UNLINKAT, "sub", NULL, AT_REMOVEDIR, 0, EACCES},
	{UNLINKAT, "sub/locked", NULL, AT_REMOVEDIR, 0, EACCES},
	{UNLINKAT, "R/f", NULL, 0, 0, EACCES},
	{UNLINKAT, "R/d", NULL, AT_REMOVEDIR, 0, EACCES},
	{UNLINKAT, "missing", NULL, 0, 0, ENOENT},
	{UNLINKAT, "file", NULL, UNKNOWN_AT, 0, EINVAL},
	{UNLINKAT, "file", NULL, AT_EMPTY_PATH, 0, EINVAL},
	{UNLINKAT, "", NULL, AT_EMPTY_PATH, 0, EINVAL},
	{UNLINKAT, "dir", NULL, 0, 0, EISDIR},
	{UNLINKAT, "file", NULL, AT_REMOVEDIR, 0, ENOTDIR},
	{UNLINKAT, "dir", NULL, AT_REMOVEDIR, 0, 0},
	{UNLINKAT, "lnk_denied", NULL, 0, 0, 0}, /* the symlink itself */
	/* Making names. */
	{MKDIRAT, "sub/locked/x", NULL, 0, 0755, EACCES},
	{MKDIRAT, "R/x", NULL, 0, 0755, EACCES},
	{MKDIRAT, "denied", NULL, 0, 0755, EEXIST},
	{MKDIRAT, "missing/x", NULL, 0, 0755, ENOENT},
	{MKDIRAT, "file", NULL, 0, 0755, EEXIST},
	{MKDIRAT, "x", NULL, 0, 0755, 0},
	{MKNODAT, "x", NULL, 0, S_IFREG | 0644, 0},
	{MKNODAT, "x", NULL, 0, S_IFIFO | 0644, 0},
	{MKNODAT, "x", NULL, 0, S_IFCHR | 0644, EPERM}, /* 0:0, a whiteout */
	{MKNODAT, "x", NULL, 1, S_IFCHR | 0644, EPERM}, /* 1:3 */
	{MKNODAT, "x", NULL, 1, S_IFBLK | 0644, EPERM},
	{MKNODAT, "x", NULL, 0, S_IFDIR | 0755, EPERM},
	{MKNODAT, "x", NULL, 0, S_IFLNK | 0644, EINVAL},
	{MKNODAT, "sub/locked/x", NULL, 0, S_IFREG | 0644, EACCES},
	{MKNODAT, "R/x", NULL, 0, S_IFIFO | 0644, EACCES},
	{SYMLINKAT, "denied", "x", 0, 0, 0}, /* a name that does not open it */
	{SYMLINKAT, "f", "sub/locked/x", 0, 0, EACCES},
	{SYMLINKAT, "f", "R/x", 0, 0, EACCES},
	{SYMLINKAT, "f", "denied", 0, 0, EEXIST},
	{SYMLINKAT, "f", "file", 0, 0, EEXIST},
	/* Changing an object: its flags, and through symlinks. */
	{FCHMODAT, "denied", NULL, 0, 0666, EACCES},
	{FCHMODAT, "lnk_denied", NULL, 0, 0666, EACCES},
	{FCHMODAT, "R/f", NULL, 0, 0666, EACCES},
	{FCHMODAT, "file", NULL, 0, 0600, 0},
	{FCHMODAT2, "denied", NULL, 0, 0666, EACCES},
	{FCHMODAT2, "sub/locked/f", NULL, AT_SYMLINK_NOFOLLOW, 0666, EACCES},
	{FCHMODAT2, "lnk_denied", NULL, 0, 0666, EACCES},
	{FCHMODAT2, "lnk_denied", NULL, AT_SYMLINK_NOFOLLOW, 0666, EOPNOTSUPP},
	{FCHMODAT2, "R/f", NULL, 0, 0666, EACCES},
	{FCHMODAT2, "R/f", NULL, AT_EMPTY_PATH, 0666, EACCES},
	{FCHMODAT2, "file", NULL, UNKNOWN_AT, 0600, EINVAL},
	{FCHMODAT2, "file", NULL, AT_REMOVEDIR, 0600, EINVAL},
	{FCHMODAT2, "file", NULL, AT_EMPTY_PATH, 0600, 0},
	{FCHMODAT2, "file", NULL, 0, 0600, 0},
	{FCHOWNAT, "denied", NULL, 0, 0, EACCES},
	{FCHOWNAT, "lnk_denied", NULL, 0, 0, EACCES},
	{FCHOWNAT, "sub/locked/f", NULL, AT_SYMLINK_NOFOLLOW, 0, EACCES},
	{FCHOWNAT, "R/f", NULL, 0, 0, EACCES},
	{FCHOWNAT, "file", NULL, UNKNOWN_AT, 0, EINVAL},
	{FCHOWNAT, "file", NULL, AT_REMOVEDIR, 0, EINVAL},
	{FCHOWNAT, "lnk_denied", NULL, AT_SYMLINK_NOFOLLOW, 0, 0}, /* the symlink's */
	{FCHOWNAT, "file", NULL, AT_EMPTY_PATH, 0, 0},
	{UTIMENSAT, "denied", NULL, 0, 0, EACCES},
	{UTIMENSAT, "lnk_denied", NULL, 0, 0, EACCES},
	{UTIMENSAT, "sub/locked/f", NULL, AT_SYMLINK_NOFOLLOW, 0, EACCES},
	{UTIMENSAT, "R/f", NULL, 0, 0, EACCES},
	{UTIMENSAT, "file", NULL, UNKNOWN_AT, 0, EINVAL},
	{UTIMENSAT, "file", NULL, AT_REMOVEDIR, 0, EINVAL},
	{UTIMENSAT, "lnk_denied", NULL, AT_SYMLINK_NOFOLLOW, 0, 0},
	{UTIMENSAT, "file", NULL, AT_EMPTY_PATH, 0, 0},
	/* open: creating, truncating, O_TMPFILE. */
	{OPENAT, "sub/locked/x", NULL, O_CREAT | O_WRONLY, 0644, EACCES},
	{OPENAT, "R/x", NULL, O_CREAT | O_WRONLY, 0644, EACCES},
	{OPENAT, "denied", NULL, O_WRONLY | O_TRUNC, 0, EACCES},
	{OPENAT, "denied", NULL, O_RDONLY | O_TRUNC, 0, EACCES},
	{OPENAT, "denied", NULL, O_CREAT | O_EXCL | O_WRONLY, 0644, EACCES},
	{OPENAT, "lnk_denied", NULL, O_CREAT | O_WRONLY, 0644, EACCES},
	{OPENAT, "R/f", NULL, O_RDONLY | O_TRUNC, 0, EACCES},
	{OPENAT, "R/f", NULL, O_CREAT | O_RDONLY, 0644, 0}, /* exists: a read */
	{OPENAT, "sub/locked", NULL, O_TMPFILE | O_RDWR, 0600, EACCES},
	{OPENAT, "R/d", NULL, O_TMPFILE | O_RDWR, 0600, EACCES},
	{OPENAT, "dir", NULL, O_TMPFILE | O_RDONLY, 0600, EINVAL},
	{OPENAT, "dir", NULL, O_TMPFILE | O_RDWR, 0600, 0},
	{OPENAT, "x", NULL, O_CREAT | O_EXCL | O_WRONLY, 0644, 0},
	{OPENAT, "file", NULL, O_CREAT | O_EXCL | O_WRONLY, 0644, EEXIST},
	{OPENAT, "file", NULL, O_WRONLY | O_TRUNC, 0, 0},
	{TRUNCATE, "denied", NULL, 0, 0, EACCES},
	{TRUNCATE, "lnk_denied", NULL, 0, 0, EACCES},
	{TRUNCATE, "R/f", NULL, 0, 0, EACCES},
	{TRUNCATE, "file", NULL, 0, 0, 0},
	{SETXATTR, "denied", NULL, XATTR_CREATE, 0, EACCES},
	{SETXATTR, "lnk_locked", NULL, XATTR_CREATE, 0, EACCES},
	{SETXATTR, "R/f", NULL, XATTR_CREATE, 0, EACCES},
	{SETXATTR, "file", NULL, XATTR_CREATE | XATTR_REPLACE << 1, 0, EINVAL},
	{REMOVEXATTR, "denied", NULL, 0, 0, EACCES},
	{REMOVEXATTR, "R/f", NULL, 0, 0, EACCES},
	/* The client library: the same checks as the system calls. */
	{CL_RENAME, "sub", "^moved", 0, 0, EACCES},
	{CL_RENAME, "decoy", "sub", 0, 0, EACCES},
	{CL_RENAME, "file", "sub", 0, 0, EACCES},
	{CL_RENAME, "SELF", "^moved", 0, 0, EACCES},
	{CL_RENAME, "file", "denied", 0, 0, EACCES},
	{CL_RENAME, "denied", "x", 0, 0, EACCES},
	{CL_RENAME, "sub/locked/f", "x", 0, 0, EACCES},
	{CL_RENAME, "R/f", "x", 0, 0, EACCES},
	{CL_RENAME, "file", "R/x", 0, 0, EACCES},
	{CL_RENAME, "full", "^moved", 0, 0, 0},
	{CL_UNLINK, "denied", NULL, 0, 0, EACCES},
	{CL_RMDIR, "sub", NULL, 0, 0, EACCES},
	{CL_RMDIR, "dir", NULL, 0, 0, 0},
	{CL_MKDIR, "sub/locked/x", NULL, 0, 0755, EACCES},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

#endif
