/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of the broker's file-syscall handlers: the decoded
 * request, how a path is decided, and the handler families. */
#ifndef SBX_FILEOPS_H
#define SBX_FILEOPS_H

#include <limits.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "broker.h"
#include "resolve.h"

enum op {
	OP_OPEN, OP_STAT, OP_STATX, OP_STATFS, OP_ACCESS, OP_READLINK, OP_EXEC,
	OP_CHDIR, OP_FCHDIR, OP_MKDIR, OP_MKNOD, OP_UNLINK, OP_RENAME, OP_LINK,
	OP_SYMLINK, OP_CHMOD, OP_CHOWN, OP_TRUNCATE, OP_UTIMES, OP_XATTR_GET,
	OP_XATTR_LIST, OP_XATTR_SET, OP_XATTR_REMOVE, OP_INOTIFY, OP_FDMETA, OP_NET, OP_OTHER,
};

/* A path argument: where it starts, as the program gave it, and its
 * absolute form in the broker's namespace. */
struct fpath {
	int dirfd;
	uint64_t addr;
	char path[PATH_MAX];
	char abs[PATH_MAX];
};

/* One decoded request. */
struct freq {
	enum op op;
	const char *name;      /* syscall name for messages */
	const struct seccomp_notif *n;
	int npaths;            /* path arguments to read: 0, 1 or 2 */
	bool empty_ok;         /* AT_EMPTY_PATH given */
	uint64_t buf_addr;     /* stat buffer, link buffer, xattr value, times */
	uint64_t bufsiz;
	uint64_t name_addr;    /* xattr name; symlink text */
	int oflags;            /* open flags */
	int atflags;           /* AT_* flags, RENAME_* flags, xattr flags */
	unsigned mode;         /* mode of open, mkdir, mknod, chmod */
	uint64_t dev;          /* mknod */
	uint32_t uid, gid;     /* chown */
	int64_t length;        /* truncate */
	int amode;             /* access mode */
	unsigned statx_mask;
	bool nofollow;         /* the last component is not followed */
	bool no_magic;         /* openat2's RESOLVE_NO_MAGICLINKS */
	/* A client library request: results go here, not into memory. */
	void *client_out;
	size_t client_out_len;
	int *client_fd;        /* receives the opened fd */
	unsigned use[2];       /* NAME_* for p[0] and p[1] (names_plan) */
	struct fpath p[2];     /* p[1]: the new name of rename, link, symlink;
				* last, so the fields above are cleared apart */
};

#define CONTINUE 1

/* What a mutation does to one of its names (names.c); every name it
 * touches needs write on it besides. */
enum {
	NAME_MAKES = 1 << 0,       /* made anew: EEXIST where the program may see it */
	NAME_DIR_LEAVES = 1 << 1,  /* a directory there leaves it (moved, removed,
				    * replaced), its subtree with it */
	NAME_DIR_ARRIVES = 1 << 2, /* a directory from the other name arrives here */
	NAME_OBJECT = 1 << 3,      /* the object is changed or linked: write on it */
	NAME_FOLLOW = 1 << 4,      /* the object reached through a last symlink */
};

/* names.c: fill F->use from F's operation and flags. 0; -EINVAL for a
 * flag the call does not know; -EPERM for what the program may never do
 * (device nodes, whiteouts). Before any name is read, as in the kernel. */
int names_plan(struct freq *f);

/* decode.c: fill F from the notification N (the syscall and its
 * arguments; nothing is read from the program). */
void fileops_decode(const struct seccomp_notif *n, struct freq *f);

bool fileops_id_valid(const struct broker *b, uint64_t id);
/* Refuse F with EACCES, with a (rate-limited) line saying why. */
int fileops_refuse(struct broker *b, const struct freq *f, unsigned need, const char *why);
/* Resolve P for NEED: 0 with RES open on the object (on the host, or in the
 * sandbox's own root when the policy grants nothing there), or a negative
 * errno, logged when it is a refusal. NOFOLLOW: the last component. */
int fileops_decide(struct broker *b, const struct freq *f, const struct fpath *p,
		   bool nofollow, unsigned need, struct sbx_resolved *res);
/* Resolve the directory that holds P's last component, for an operation
 * that makes, removes or renames that name. Returns 0 with *DIRFD open
 * (O_PATH), NAME the last component and CANON the object's canonical path,
 * after checking NEED on CANON; or a negative errno. */
int fileops_parent(struct broker *b, const struct freq *f, const struct fpath *p,
		   unsigned need, int *dirfd, char *name, char *canon);
/* Put FD into the program; answers the request (ADDFD with SEND). */
int fileops_inject(struct broker *b, const struct freq *f, int fd, bool cloexec);
/* Read the program's /proc file NAME (e.g. "status") into BUF, NUL
 * terminated; its length or a negative errno. */
ssize_t fileops_read_proc(const struct freq *f, const char *name, char *buf, size_t size);
/* The number after KEY in the program's /proc file NAME (e.g. "Umask:" in
 * "status"), read in BASE; or a negative errno. */
long fileops_proc_field(const struct freq *f, const char *name, const char *key, int base);
/* The program's umask, from /proc; or a negative errno. */
int fileops_umask(const struct freq *f);
/* The object of the program's fd FD, opened anew through /proc with FLAGS
 * (O_PATH: any object but anonymous inodes), or a negative errno. */
int fileops_program_fd(const struct freq *f, int fd, int flags);
/* The program's fd FD itself (pidfd_getfd), or a negative errno. */
int fileops_program_fd_any(const struct freq *f, int fd);
/* The open flags of the program's fd FD, from /proc; or a negative errno. */
long fileops_fd_flags(const struct freq *f, int fd);

/* sbx_resolve with the broker's checks on the way: symlinks followed must
 * be granted, directories left by ".." visible. */
int fileops_resolve(struct broker *b, const char *abs, unsigned flags, struct sbx_resolved *res);
/* Is PATH granted something, or on the way to something granted? */
bool fileops_visible(const struct broker *b, const char *path);
/* May a refusal be logged now (the rate limit)? */
bool fileops_may_log(struct broker *b);
/* Make P->path absolute in P->abs (from P->dirfd or the working
 * directory). 0 or a negative errno. */
int fileops_abs(const struct freq *f, struct fpath *p);
/* The directory of P's last component and its canonical path, without a
 * policy check; *DIRFD open (O_PATH). */
int fileops_parent_quiet(struct broker *b, const struct fpath *p, int *dirfd, char *name,
			 char *canon);

/* A client library request from PID, decided and done like the syscall;
 * REP gets the result, *FD an opened fd (or -1). */
struct sbx_client_req;
struct sbx_client_reply;
void fileops_client(struct broker *b, const struct sbx_client_req *req, pid_t pid,
		    struct sbx_client_reply *rep, int *fd);

/* net.c: connect, bind and datagram sends (see there). */
int net_handle(struct broker *b, struct freq *f, int64_t *val);
/* A client library connect of a new socket of TYPE to ADDR (LEN bytes),
 * decided and started as the syscall's is: 0 or -EINPROGRESS with *FD the
 * connected (or connecting) socket, nonblocking; CONTINUE when the peer is
 * the sandbox's own loopback; or a negative errno. Never waits for the
 * peer. */
struct sockaddr_storage;
int net_client_connect(struct broker *b, struct freq *f, int type, const struct sockaddr_storage *addr,
		       unsigned len, int *fd);

/* procself.c: P under /proc/ naming a process. Sets *HANDLED and answers
 * like fileops_decide for the program's own entries (which the policy does
 * not govern), or refuses; leaves *HANDLED false for any other path. */
int procself_resolve(struct broker *b, const struct freq *f, const struct fpath *p, bool nofollow,
		     unsigned need, struct sbx_resolved *res, bool *handled);

/* mutate.c: making, removing, renaming, linking; attributes; xattrs;
 * inotify. VAL receives a syscall's non-error return value. */
int mutate_handle(struct broker *b, struct freq *f, int64_t *val);
/* open with O_CREAT of a missing file, or O_TMPFILE: served and answered. */
int mutate_create_file(struct broker *b, struct freq *f, const char *missing, bool *sent);
int mutate_tmpfile(struct broker *b, struct freq *f, bool *sent);

#endif
