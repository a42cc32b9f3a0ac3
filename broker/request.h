/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One request of the sandboxed program, and the only code that touches the
 * program to serve it: its memory (every read checked against the
 * notification's id before it is trusted, inside the reader, so no caller
 * can forget), its /proc entries, its fds, and the answer (a result written
 * into it, an fd injected, CONTINUE, a refusal with its rate-limited line).
 *
 * A handler returns one value: a result (>= 0), a negative errno, or
 * REQ_ANSWERED when the request has been answered already. */
#ifndef SBX_REQUEST_H
#define SBX_REQUEST_H

#include <limits.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker.h"

#define REQ_ANSWERED INT64_MIN

enum op {
	OP_OPEN, OP_STAT, OP_STATX, OP_STATFS, OP_ACCESS, OP_READLINK, OP_EXEC,
	OP_CHDIR, OP_FCHDIR, OP_MKDIR, OP_MKNOD, OP_UNLINK, OP_RENAME, OP_LINK,
	OP_SYMLINK, OP_CHMOD, OP_CHOWN, OP_TRUNCATE, OP_UTIMES, OP_XATTR_GET,
	OP_XATTR_LIST, OP_XATTR_SET, OP_XATTR_REMOVE, OP_INOTIFY, OP_CONNECT,
	OP_BIND, OP_SEND, OP_OTHER,
};

/* How a time syscall gives its times (utime, utimes and futimesat,
 * utimensat). */
enum times_form { TIMES_UTIMBUF = 1, TIMES_TIMEVAL, TIMES_TIMESPEC };

/* A path argument: where it starts, as the program gave it, and its
 * absolute form in the broker's namespace. */
struct fpath {
	int dirfd;
	uint64_t addr;
	bool empty;            /* "" read where the call takes AT_EMPTY_PATH */
	char path[PATH_MAX];
	char abs[PATH_MAX];
};

struct syscall_row;

/* One decoded request. */
struct request {
	enum op op;
	const char *name;      /* syscall name for messages */
	const struct syscall_row *row; /* its row in the syscall table */
	const struct seccomp_notif *n;
	int npaths;            /* path arguments to read: 0, 1 or 2 */
	bool empty_ok;         /* AT_EMPTY_PATH given */
	bool fd_call;          /* fchmod, fchown, fsetxattr, fremovexattr: on an fd */
	bool how;              /* openat2: the flags are in a struct open_how */
	bool continued;        /* a client library request answered "do it yourself" */
	enum times_form times;
	uint64_t buf_addr;     /* stat buffer, link buffer, xattr value, times */
	uint64_t bufsiz;
	uint64_t name_addr;    /* xattr name; symlink text */
	int fd;                /* another fd argument (inotify_add_watch's) */
	int oflags;            /* open flags; xattr flags */
	int atflags;           /* AT_* flags, RENAME_* flags */
	unsigned mode;         /* mode of open, mkdir, mknod, chmod; inotify mask */
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

/* Is the notification still there (its process waiting in that call)?
 * Always for a client library request. */
bool req_alive(const struct broker *b, const struct request *f);

/* The program's memory: read, then checked (-ENOENT when the request is
 * gone). req_read_string returns the length, -ENAMETOOLONG or another
 * negative errno. */
ssize_t req_read_string(const struct broker *b, const struct request *f, uint64_t addr, char *buf,
			size_t size);
int req_read(const struct broker *b, const struct request *f, uint64_t addr, void *buf, size_t len);
/* Read P's string and make it absolute (P->empty for "" under AT_EMPTY_PATH).
 * 0 or a negative errno. */
int req_read_path(const struct broker *b, const struct request *f, struct fpath *p);
/* Make P->path absolute in P->abs (from P->dirfd or the working directory,
 * as /proc shows them). 0 or a negative errno. */
int req_abs(const struct broker *b, const struct request *f, struct fpath *p);

/* Results. req_write: into the program's memory (or a client's reply).
 * req_inject: FD into the program, answering the request (REQ_ANSWERED),
 * or a negative errno to answer with. req_continue: let the kernel carry
 * out the call (REQ_ANSWERED). */
int req_write(const struct broker *b, const struct request *f, uint64_t addr, const void *data,
	      size_t len);
int64_t req_inject(struct broker *b, const struct request *f, int fd, bool cloexec);
int64_t req_continue(struct broker *b, struct request *f);
/* HFD in place of the program's fd PFD (ADDFD with SETFD); the request is
 * still to be answered. 0 or a negative errno. */
int req_replace_fd(struct broker *b, const struct request *f, int pfd, int hfd, bool cloexec);

/* Refuse F with EACCES, told (audit.h): a line on stderr (rate-limited,
 * once for each distinct refusal) saying why and what it needed (NEED:
 * SBX_PERM_*), and a line in the audit log. Metadata looks get no stderr
 * line. WHY is REQ_NOT_ALLOWED when a rule could allow it. */
#define REQ_NOT_ALLOWED "not allowed by the policy"
int req_refuse(struct broker *b, const struct request *f, unsigned need, const char *why);
/* What a refusal knows beyond its reason: the object it reached (REAL,
 * canonical; NULL: not known), whether a rule could allow it (SUGGEST:
 * the line then names one), and QUIET: a lookup of what is not there,
 * which gets no stderr line (MISSING: REAL is not there). A metadata look
 * (NEED SBX_PERM_STAT, not a chdir) is quiet whatever QUIET says. */
struct req_refusal {
	const char *real;
	bool suggest, quiet;
	bool missing; /* REAL is not there */
	bool told;    /* said on stderr even as a refused look (NEED stat) */
};
int req_refuse_how(struct broker *b, const struct request *f, unsigned need, const char *why,
		   const struct req_refusal *how);
/* F was allowed NEED on REAL (canonical): a line in the audit log with
 * --log-allowed, else nothing. */
void req_allowed(struct broker *b, const struct request *f, unsigned need, const char *real);
/* May a line about a refusal be printed now (20 a second, bursts of 50)? */
bool req_may_log(struct broker *b);

/* The program's /proc: the file NAME (e.g. "status") into BUF, NUL
 * terminated (its length); the number after KEY in it, read in BASE; its
 * umask. Each checked against the request, or a negative errno. */
ssize_t req_read_proc(const struct broker *b, const struct request *f, const char *name, char *buf,
		      size_t size);
long req_proc_field(const struct broker *b, const struct request *f, const char *name,
		    const char *key, int base);
/* The process (thread group) of the request's thread, as the broker's pid
 * namespace numbers it; or a negative errno. */
long req_tgid(const struct broker *b, const struct request *f);
/* Set the calling thread's umask to the program's; *OLD to restore. */
int req_umask_begin(const struct broker *b, const struct request *f, mode_t *old);
/* The program's fd FD: its object opened anew through /proc with FLAGS
 * (O_PATH: any object but anonymous inodes), or the fd itself
 * (pidfd_getfd); its open flags. Checked against the request. */
int req_program_fd(const struct broker *b, const struct request *f, int fd, int flags);
int req_program_fd_any(const struct broker *b, const struct request *f, int fd);
long req_fd_flags(const struct broker *b, const struct request *f, int fd);

#endif
