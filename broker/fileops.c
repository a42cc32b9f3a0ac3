/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File syscalls of the sandboxed program, answered by the broker.
 *
 * A path the policy grants is resolved by the broker itself (resolve.c) and
 * the answer is the object it opened: an fd injected with ADDFD, or a stat
 * buffer or link text written into the program. A path the policy refuses is
 * still fine when it names something in the sandbox's own root (its
 * directories and approved executables): then the kernel resolves it there
 * (CONTINUE), which can reach nothing else. Anything else is refused with
 * EACCES and a line on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "memio.h"
#include "resolve.h"
#include "util.h"

enum op { OP_OPEN, OP_STAT, OP_STATX, OP_STATFS, OP_ACCESS, OP_READLINK, OP_EXEC, OP_XATTR, OP_OTHER };

/* One decoded request. */
struct freq {
	enum op op;
	const char *name;    /* syscall name for messages */
	int dirfd;
	uint64_t path_addr;
	uint64_t buf_addr;   /* stat buffer, link buffer */
	uint64_t bufsiz;
	int oflags;          /* open flags */
	int atflags;         /* AT_* flags */
	int amode;           /* access mode */
	unsigned statx_mask;
	bool nofollow;
	char path[PATH_MAX]; /* as the program gave it */
	char abs[PATH_MAX];  /* absolute form */
};

#define CONTINUE 1

/* Set the fields every request has. */
static void req(struct freq *f, enum op op, const char *name, int dirfd, uint64_t path)
{
	f->op = op;
	f->name = name;
	f->dirfd = dirfd;
	f->path_addr = path;
}

static void decode(const struct seccomp_notif *n, struct freq *f)
{
	const __u64 *a = n->data.args;
	f->buf_addr = f->bufsiz = 0;
	f->oflags = f->atflags = f->amode = 0;
	f->statx_mask = 0;
	req(f, OP_OTHER, "syscall", AT_FDCWD, 0);
	switch (n->data.nr) {
	case SYS_open:
		req(f, OP_OPEN, "open", AT_FDCWD, a[0]);
		f->oflags = (int)a[1];
		break;
	case SYS_creat:
		req(f, OP_OPEN, "creat", AT_FDCWD, a[0]);
		f->oflags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case SYS_openat:
		req(f, OP_OPEN, "openat", (int)a[0], a[1]);
		f->oflags = (int)a[2];
		break;
	case SYS_openat2:
		req(f, OP_OPEN, "openat2", (int)a[0], a[1]);
		f->buf_addr = a[2]; /* struct open_how */
		f->bufsiz = a[3];
		break;
	case SYS_stat:
		req(f, OP_STAT, "stat", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		break;
	case SYS_lstat:
		req(f, OP_STAT, "lstat", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		f->atflags = AT_SYMLINK_NOFOLLOW;
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
	case SYS_access:
		req(f, OP_ACCESS, "access", AT_FDCWD, a[0]);
		f->amode = (int)a[1];
		break;
	case SYS_faccessat:
		req(f, OP_ACCESS, "faccessat", (int)a[0], a[1]);
		f->amode = (int)a[2];
		break;
	case SYS_faccessat2:
		req(f, OP_ACCESS, "faccessat2", (int)a[0], a[1]);
		f->amode = (int)a[2];
		f->atflags = (int)a[3];
		break;
	case SYS_readlink:
		req(f, OP_READLINK, "readlink", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		f->bufsiz = a[2];
		break;
	case SYS_readlinkat:
		req(f, OP_READLINK, "readlinkat", (int)a[0], a[1]);
		f->buf_addr = a[2];
		f->bufsiz = a[3];
		break;
	case SYS_statfs:
		req(f, OP_STATFS, "statfs", AT_FDCWD, a[0]);
		f->buf_addr = a[1];
		break;
	case SYS_getxattr:
	case SYS_lgetxattr:
	case SYS_listxattr:
	case SYS_llistxattr:
		req(f, OP_XATTR, "getxattr", AT_FDCWD, a[0]);
		break;
	case SYS_execve:
		req(f, OP_EXEC, "execve", AT_FDCWD, a[0]);
		break;
	case SYS_execveat:
		req(f, OP_EXEC, "execveat", (int)a[0], a[1]);
		f->atflags = (int)a[4];
		break;
	default:
		break;
	}
	f->nofollow = (f->atflags & AT_SYMLINK_NOFOLLOW) || f->op == OP_READLINK ||
		      (f->op == OP_OPEN && (f->oflags & O_NOFOLLOW));
}

static bool id_valid(const struct broker *b, uint64_t id)
{
	return ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

static const char *perm_name(unsigned need)
{
	if (need & SBX_PERM_WRITE)
		return "write";
	if (need & SBX_PERM_EXEC)
		return "exec";
	if (need & SBX_PERM_READ)
		return "read";
	return "stat";
}

/* A program may be refused in a loop: print at most 20 refusals a second
 * (bursts of 50), and say how many were not printed. */
static bool may_log(struct broker *b)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (!b->log_bucket.last_ns)
		b->log_bucket.tokens = 50;
	else
		b->log_bucket.tokens += (double)(now - b->log_bucket.last_ns) * 20e-9;
	if (b->log_bucket.tokens > 50)
		b->log_bucket.tokens = 50;
	b->log_bucket.last_ns = now;
	if (b->log_bucket.tokens < 1) {
		b->log_bucket.suppressed++;
		return false;
	}
	b->log_bucket.tokens -= 1;
	if (b->log_bucket.suppressed) {
		sbx_log("(%lu more refusals not shown)", b->log_bucket.suppressed);
		b->log_bucket.suppressed = 0;
	}
	return true;
}

static int refuse(struct broker *b, const struct seccomp_notif *n, const struct freq *f,
		  unsigned need, const char *why)
{
	if (may_log(b))
		sbx_log("refused %s(\"%s\") for pid %u: %s (needs %s)", f->name, f->path,
			n->pid, why, perm_name(need));
	return -EACCES;
}

struct link_check {
	const struct broker *b;
};

/* Every symlink a walk follows must itself be visible to the program. */
static int link_allowed(void *ctx, const char *link_path, const char *target)
{
	const struct link_check *c = ctx;
	return sbx_policy_check(&c->b->policy, link_path) ? 0 : -EACCES;
}

/* Decide F for NEED: 0 with RES open on the host object, CONTINUE, or a
 * negative errno (logged when it is a refusal). */
static int decide(struct broker *b, const struct seccomp_notif *n, const struct freq *f,
		  unsigned need, struct sbx_resolved *res)
{
	struct link_check lc = {b};
	int r = sbx_resolve(b->rootfd, f->abs, f->nofollow ? SBX_RESOLVE_NOFOLLOW : 0,
			    link_allowed, &lc, res);
	if (r == 0) {
		if ((sbx_policy_check(&b->policy, res->path) & need) == need)
			return 0;
		sbx_closep(&res->fd);
	} else if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP || r == -ENAMETOOLONG) {
		/* Say the truth only where the policy lets the program look:
		 * the missing path (ENOENT), or the path as asked. */
		const char *where = r == -ENOENT ? res->path : f->abs;
		if (sbx_policy_check(&b->policy, where))
			return r;
	}
	if (sbx_rootview_contains(&b->root, f->abs, f->nofollow))
		return CONTINUE;
	return refuse(b, n, f, need, r == -EACCES || r == 0 || r == -ENOENT
					  ? "not allowed by the policy" : strerror(-r));
}

static int inject_fd(struct broker *b, const struct seccomp_notif *n, int fd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = n->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd = 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	int r = ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	return r < 0 ? -errno : 0;
}

static int do_open(struct broker *b, const struct seccomp_notif *n, struct freq *f, bool *sent)
{
	if (n->data.nr == SYS_openat2) {
		struct open_how how;
		if (f->bufsiz < sizeof(how))
			return -EINVAL;
		int r = memio_read((pid_t)n->pid, f->buf_addr, &how, sizeof(how));
		if (r < 0)
			return r;
		if (!id_valid(b, n->id))
			return -ENOENT;
		if (how.resolve & ~(uint64_t)RESOLVE_NO_MAGICLINKS)
			return refuse(b, n, f, SBX_PERM_READ, "openat2 resolve flags are not supported yet");
		f->oflags = (int)how.flags;
		f->nofollow = f->oflags & O_NOFOLLOW;
	}
	int fl = f->oflags;
	unsigned need = SBX_PERM_READ;
	if ((fl & O_ACCMODE) != O_RDONLY || (fl & (O_CREAT | O_TRUNC)) ||
	    (fl & O_TMPFILE) == O_TMPFILE)
		need = SBX_PERM_WRITE;
	else if (fl & O_PATH)
		need = SBX_PERM_STAT;
	struct sbx_resolved res;
	int r = decide(b, n, f, need, &res);
	if (r == -ENOENT && (fl & O_CREAT))
		return refuse(b, n, f, need, "creating files is not supported yet");
	if (r != 0)
		return r;
	_cleanup_close_ int pfd = res.fd;
	if (need == SBX_PERM_WRITE) {
		/* Writing to a file that exists is served; creating one (and
		 * O_TMPFILE) comes with the next version of the broker. */
		if ((fl & O_TMPFILE) == O_TMPFILE)
			return refuse(b, n, f, need, "O_TMPFILE is not supported yet");
		if ((fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		if (S_ISDIR(res.st.st_mode))
			return -EISDIR;
	}
	if ((fl & O_DIRECTORY) && !S_ISDIR(res.st.st_mode))
		return -ENOTDIR;
	if (S_ISLNK(res.st.st_mode) && !(fl & O_PATH))
		return -ELOOP;
	_cleanup_close_ int fd = -1;
	if (fl & O_PATH) {
		fd = sbx_take_fd(&pfd);
	} else {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
		int keep = fl & (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_DIRECTORY |
				 O_NOATIME | O_DSYNC | O_SYNC | O_DIRECT | O_LARGEFILE);
		/* A FIFO must not block the broker waiting for a writer. */
		bool fifo = S_ISFIFO(res.st.st_mode) && !(fl & O_NONBLOCK);
		fd = open(proc, keep | O_NOCTTY | O_CLOEXEC | (fifo ? O_NONBLOCK : 0));
		if (fd < 0)
			return -errno;
		if (fifo && fcntl(fd, F_SETFL, keep & ~O_NONBLOCK & ~O_ACCMODE) < 0)
			return -errno;
	}
	r = inject_fd(b, n, fd, fl & O_CLOEXEC);
	if (r == 0)
		*sent = true;
	return r;
}

static int do_stat(struct broker *b, const struct seccomp_notif *n, struct freq *f)
{
	struct sbx_resolved res;
	int r = decide(b, n, f, SBX_PERM_STAT, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	if (f->op == OP_STAT)
		return memio_write((pid_t)n->pid, f->buf_addr, &res.st, sizeof(res.st));
	if (f->op == OP_STATFS) {
		struct statfs sf;
		if (fstatfs(fd, &sf) < 0)
			return -errno;
		return memio_write((pid_t)n->pid, f->buf_addr, &sf, sizeof(sf));
	}
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | (f->atflags & AT_STATX_SYNC_TYPE), f->statx_mask, &stx) < 0)
		return -errno;
	return memio_write((pid_t)n->pid, f->buf_addr, &stx, sizeof(stx));
}

static int do_access(struct broker *b, const struct seccomp_notif *n, struct freq *f)
{
	if (f->amode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	unsigned need = SBX_PERM_STAT;
	if (f->amode & R_OK)
		need |= SBX_PERM_READ;
	if (f->amode & W_OK)
		need |= SBX_PERM_WRITE;
	if (f->amode & X_OK)
		need |= SBX_PERM_EXEC;
	struct sbx_resolved res;
	int r = decide(b, n, f, need, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	if (faccessat(fd, "", f->amode, AT_EMPTY_PATH | (f->atflags & AT_EACCESS)) < 0)
		return -errno;
	return 0;
}

static int do_readlink(struct broker *b, const struct seccomp_notif *n, struct freq *f,
		       int64_t *val)
{
	if ((int64_t)f->bufsiz <= 0)
		return -EINVAL;
	struct sbx_resolved res;
	int r = decide(b, n, f, SBX_PERM_STAT, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	if (!S_ISLNK(res.st.st_mode))
		return -EINVAL;
	char text[PATH_MAX];
	ssize_t len = readlinkat(fd, "", text, sizeof(text));
	if (len < 0)
		return -errno;
	if ((uint64_t)len > f->bufsiz)
		len = (ssize_t)f->bufsiz;
	r = memio_write((pid_t)n->pid, f->buf_addr, text, (size_t)len);
	*val = len;
	return r;
}

static int do_exec(struct broker *b, const struct seccomp_notif *n, struct freq *f)
{
	if (!f->path[0])
		return refuse(b, n, f, SBX_PERM_EXEC, "executing an open fd is not supported");
	if (sbx_rootview_contains(&b->root, f->abs, false))
		return CONTINUE; /* already in the root: approved before */
	int r = plan_exec(b, f->abs, false, NULL, 0);
	if (r == 0)
		return CONTINUE;
	/* "Not found" only where the policy lets the program look. */
	if (r == -ENOENT && sbx_policy_check(&b->policy, f->abs))
		return r;
	return refuse(b, n, f, SBX_PERM_EXEC, r == -EACCES ? "not allowed by the policy" : strerror(-r));
}

void fileops_handle(struct broker *b, const struct seccomp_notif *n,
		    struct seccomp_notif_resp *resp, bool *sent)
{
	static struct freq f; /* the broker serves one request at a time */
	decode(n, &f);
	int r;
	int64_t val = 0;
	if (f.op == OP_OTHER) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, n->data.nr);
		if (may_log(b))
			sbx_log("refused %s for pid %u: not supported yet", name ? name : "syscall", n->pid);
		free(name);
		r = -EACCES;
		goto answer;
	}
	if (f.op == OP_XATTR) {
		/* Extended attributes: none in the sandbox, for now. */
		r = -ENOTSUP;
		goto answer;
	}
	ssize_t len = memio_read_string((pid_t)n->pid, f.path_addr, f.path, sizeof(f.path));
	if (!id_valid(b, n->id))
		return; /* the request is gone; nothing to answer */
	if (len < 0) {
		r = (int)len;
		goto answer;
	}
	if (len == 0) {
		/* An fd the program holds (fstat's AT_EMPTY_PATH form): the
		 * kernel acts on it, no lookup happens. */
		if ((f.atflags & AT_EMPTY_PATH) && f.op != OP_EXEC) {
			r = CONTINUE;
			goto answer;
		}
		if (f.op != OP_EXEC) {
			r = -ENOENT;
			goto answer;
		}
	}
	if (f.path[0] == '/' || f.dirfd == AT_FDCWD) {
		/* The program's working directory is its root's "/": chdir is
		 * not granted yet. */
		r = sbx_path_join(f.abs, sizeof(f.abs), "/", f.path);
		if (r < 0)
			goto answer;
	} else {
		r = refuse(b, n, &f, SBX_PERM_STAT, "paths relative to a directory fd are not supported yet");
		goto answer;
	}
	switch (f.op) {
	case OP_OPEN:
		r = do_open(b, n, &f, sent);
		break;
	case OP_STAT:
	case OP_STATX:
	case OP_STATFS:
		r = do_stat(b, n, &f);
		break;
	case OP_ACCESS:
		r = do_access(b, n, &f);
		break;
	case OP_READLINK:
		r = do_readlink(b, n, &f, &val);
		break;
	case OP_EXEC:
		r = do_exec(b, n, &f);
		break;
	default:
		r = -EACCES;
	}
answer:
	if (*sent)
		return;
	if (r == CONTINUE) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (r < 0) {
		resp->error = r;
	} else {
		resp->val = val;
	}
}
