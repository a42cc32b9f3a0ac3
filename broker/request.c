/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one place that touches the sandboxed program for a request: see
 * request.h. Reads of its memory and of its /proc entries are followed by
 * SECCOMP_IOCTL_NOTIF_ID_VALID here, before anything is returned: a pid
 * read after the program died may name another process by then. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "memio.h"
#include "request.h"
#include "resolve.h"
#include "util.h"

bool req_alive(const struct broker *b, const struct request *f)
{
	/* 0: a client library request, which no notification stands for. */
	uint64_t id = f->n->id;
	return id == 0 || ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* R, unless the request is gone. */
static long checked(const struct broker *b, const struct request *f, long r)
{
	return req_alive(b, f) ? r : -ENOENT;
}

ssize_t req_read_string(const struct broker *b, const struct request *f, uint64_t addr, char *buf,
			size_t size)
{
	return checked(b, f, memio_read_string((pid_t)f->n->pid, addr, buf, size));
}

int req_read(const struct broker *b, const struct request *f, uint64_t addr, void *buf, size_t len)
{
	return (int)checked(b, f, memio_read((pid_t)f->n->pid, addr, buf, len));
}

/* The directory a relative path of the program starts from: its working
 * directory, or DIRFD, as the broker sees them in /proc. */
static int request_base(const struct request *f, int dirfd, char *out, size_t size)
{
	char link[64];
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", f->n->pid);
	else if (dirfd < 0)
		return -EBADF;
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", f->n->pid, dirfd);
	ssize_t len = readlink(link, out, size - 1);
	if (len < 0)
		return errno == ENOENT && dirfd != AT_FDCWD ? -EBADF : -errno;
	if ((size_t)len >= size - 1)
		return -ENAMETOOLONG;
	out[len] = '\0';
	if (out[0] != '/')
		return -ENOTDIR; /* a pipe, a socket, an anonymous inode */
	static const char deleted[] = " (deleted)";
	if ((size_t)len >= sizeof(deleted) && !strcmp(out + len - (sizeof(deleted) - 1), deleted))
		return -ENOENT;
	return 0;
}

int req_abs(const struct broker *b, const struct request *f, struct fpath *p)
{
	if (p->path[0] == '/')
		return sbx_path_join(p->abs, sizeof(p->abs), "/", p->path);
	char base[PATH_MAX];
	int r = request_base(f, p->dirfd, base, sizeof(base));
	if (r < 0)
		return r;
	if (!req_alive(b, f))
		return -ENOENT;
	return sbx_path_join(p->abs, sizeof(p->abs), base, p->path);
}

int req_read_path(const struct broker *b, const struct request *f, struct fpath *p)
{
	p->empty = false;
	ssize_t len = req_read_string(b, f, p->addr, p->path, sizeof(p->path));
	if (len < 0)
		return (int)len;
	if (len == 0 && !f->empty_ok)
		return -ENOENT;
	if (len == 0) {
		p->empty = true;
		return 0;
	}
	return req_abs(b, f, p);
}

int req_write(const struct broker *b, const struct request *f, uint64_t addr, const void *data,
	      size_t len)
{
	if (f->client_out) {
		memcpy(f->client_out, data, len < f->client_out_len ? len : f->client_out_len);
		return 0;
	}
	return memio_write(b->listener, f->n->id, (pid_t)f->n->pid, addr, data, len);
}

int64_t req_inject(struct broker *b, const struct request *f, int fd, bool cloexec)
{
	if (f->client_fd) {
		*f->client_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		return *f->client_fd < 0 ? -errno : REQ_ANSWERED;
	}
	struct seccomp_notif_addfd add = {
		.id = f->n->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd = 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	/* ADDFD with SEND waits only until the program has taken the fd (a
	 * signal to the program ends the wait with ESRCH), so no other worker
	 * is woken for it: one more would only ping-pong with this one. */
	return ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 ? -errno : REQ_ANSWERED;
}

int req_replace_fd(struct broker *b, const struct request *f, int pfd, int hfd, bool cloexec)
{
	struct seccomp_notif_addfd add = {
		.id = f->n->id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)hfd,
		.newfd = (uint32_t)pfd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	pool_may_block(b); /* ADDFD waits for the program to take it */
	return ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0 ? -errno : 0;
}

int64_t req_continue(struct broker *b, struct request *f)
{
	if (!f->n->id) {
		f->continued = true;
		return REQ_ANSWERED;
	}
	struct seccomp_notif_resp resp = {
		.id = f->n->id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE,
	};
	if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		sbx_log_errno(errno, "cannot answer a notification");
	return REQ_ANSWERED;
}

bool req_may_log(struct broker *b)
{
	return audit_may_print(b);
}

/* The path F's program gave (the first of two when both are names; the
 * new name of symlink, whose first is its text), or what fchdir names
 * ("fd N"); NULL for a call without one. */
static const char *given_path(const struct request *f)
{
	if (!f->npaths)
		return f->op == OP_FCHDIR ? f->p[0].path : NULL;
	return f->p[f->npaths == 2 && !f->p[0].path[0]].path;
}

/* The audit event of F's decision on what needs NEED, its real path REAL. */
static struct audit_event event_of(const struct request *f, unsigned need, const char *real)
{
	bool two = f->npaths == 2 && f->p[0].path[0];
	return (struct audit_event){
		.syscall = f->name,
		.pid = f->n->pid,
		.path = given_path(f),
		.path2 = two ? f->p[1].path : NULL,
		.real = real,
		.need = need,
	};
}

int req_refuse_how(struct broker *b, const struct request *f, unsigned need, const char *why,
		   const struct req_refusal *how)
{
	struct audit_event e = event_of(f, need, how->real);
	e.why = why;
	e.answer = -EACCES;
	e.suggest = how->suggest;
	/* A look at metadata is how shells and loaders search: refusing one
	 * is routine and gets no line on stderr (the audit log has it),
	 * unless it was a chdir. */
	e.quiet = how->quiet || (need == SBX_PERM_STAT && !how->told && f->op != OP_CHDIR && f->op != OP_FCHDIR);
	e.missing = how->missing;
	audit_decision(b, &e);
	return -EACCES;
}

int req_refuse(struct broker *b, const struct request *f, unsigned need, const char *why)
{
	struct req_refusal how = {.suggest = !strcmp(why, REQ_NOT_ALLOWED)};
	return req_refuse_how(b, f, need, why, &how);
}

void req_allowed(struct broker *b, const struct request *f, unsigned need, const char *real)
{
	if (!audit_allowed_wanted(b))
		return;
	struct audit_event e = event_of(f, need, real);
	audit_decision(b, &e);
}

ssize_t req_read_proc(const struct broker *b, const struct request *f, const char *name, char *buf,
		      size_t size)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/%s", f->n->pid, name);
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = SBX_RETRY(read(fd, buf, size - 1));
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return checked(b, f, n);
}

long req_proc_field(const struct broker *b, const struct request *f, const char *name,
		    const char *key, int base)
{
	char buf[4096];
	ssize_t n = req_read_proc(b, f, name, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (const char *l = buf; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (!strncmp(l, key, strlen(key)))
			return strtol(l + strlen(key), NULL, base);
	}
	return -EIO;
}

long req_tgid(const struct broker *b, const struct request *f)
{
	return req_proc_field(b, f, "status", "Tgid:", 10);
}

int req_umask_begin(const struct broker *b, const struct request *f, mode_t *old)
{
	long u = req_proc_field(b, f, "status", "Umask:", 8);
	if (u < 0)
		return (int)u;
	*old = umask((mode_t)(u & 0777));
	return 0;
}

long req_fd_flags(const struct broker *b, const struct request *f, int fd)
{
	char name[32];
	if (fd < 0)
		return -EBADF;
	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	long r = req_proc_field(b, f, name, "flags:", 8);
	return r == -ENOENT && req_alive(b, f) ? -EBADF : r;
}

int req_program_fd_any(const struct broker *b, const struct request *f, int fd)
{
	if (fd < 0)
		return -EBADF;
	long tgid = req_tgid(b, f);
	if (tgid < 0)
		return (int)tgid;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0);
	if (pidfd < 0)
		return -errno;
	int r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (r < 0)
		return -errno;
	if (!req_alive(b, f)) {
		close(r);
		return -ENOENT;
	}
	return r;
}

int req_program_fd(const struct broker *b, const struct request *f, int fd, int flags)
{
	if (fd < 0)
		return -EBADF;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/fd/%d", f->n->pid, fd);
	int r = open(p, flags | O_CLOEXEC);
	if (r < 0)
		return errno == ENOENT ? -EBADF : -errno;
	if (!req_alive(b, f)) {
		close(r);
		return -ENOENT;
	}
	return r;
}
