/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* File syscalls of the sandboxed program, answered by the broker.
 *
 * Every path is made absolute first: a relative one starts at the program's
 * working directory or at its dirfd, as /proc shows them to the broker. A
 * path the policy grants is resolved by the broker itself (resolve.c) and
 * the answer is the object it opened: an fd injected with ADDFD, or a stat
 * buffer or link text written into the program. A path the policy refuses
 * is still fine to look at when it names something in the sandbox's own
 * root (its directories and approved executables): the broker opens it
 * there, beneath the program's root. Anything else is refused with EACCES
 * and a line on stderr.
 *
 * The kernel itself resolves only execve's path (after the broker approved
 * it and init bound it into the root; Landlock keeps the kernel from
 * executing anything outside that root) and chdir's (after the broker made
 * the directory in the root). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "clientproto.h"
#include "execwatch.h"
#include "fileops.h"
#include "log.h"
#include "memio.h"
#include "util.h"
#include "waiter.h"
bool fileops_id_valid(const struct broker *b, uint64_t id)
{
	/* 0: a client library request, which no notification stands for. */
	return id == 0 || ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* A result for the program: into its memory, or a client's reply. */
static int put(const struct broker *b, const struct freq *f, uint64_t addr, const void *data, size_t len)
{
	if (f->client_out) {
		memcpy(f->client_out, data, len < f->client_out_len ? len : f->client_out_len);
		return 0;
	}
	return memio_write(b->listener, f->n->id, (pid_t)f->n->pid, addr, data, len);
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
static bool may_log_locked(struct broker *b)
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

static bool may_log(struct broker *b)
{
	pthread_mutex_lock(&b->log_lock);
	bool r = may_log_locked(b);
	pthread_mutex_unlock(&b->log_lock);
	return r;
}

bool fileops_may_log(struct broker *b)
{
	return may_log(b);
}

int fileops_refuse(struct broker *b, const struct freq *f, unsigned need, const char *why)
{
	/* A look at metadata is how shells and loaders search: refusing one
	 * is routine and goes unsaid, unless it was a chdir. */
	if (need == SBX_PERM_STAT && f->op != OP_CHDIR && f->op != OP_FCHDIR)
		return -EACCES;
	if (may_log(b)) {
		if (f->npaths == 2 && f->p[0].path[0])
			sbx_log("refused %s(\"%s\", \"%s\") for pid %u: %s (needs %s)", f->name,
				f->p[0].path, f->p[1].path, f->n->pid, why, perm_name(need));
		else
			sbx_log("refused %s(\"%s\") for pid %u: %s (needs %s)", f->name,
				f->p[f->npaths == 2].path, f->n->pid, why, perm_name(need));
	}
	return -EACCES;
}

/* Every symlink a walk follows must itself be visible to the program, and
 * so must every directory it leaves by "..": granted something, or on the
 * way to something granted. Else ".." would tell what exists there. */
static int link_allowed(void *ctx, const char *link_path, const char *target)
{
	const struct broker *b = ctx;
	if (!target)
		return fileops_visible(b, link_path) ? 0 : -EACCES;
	return sbx_policy_check(&b->policy, link_path) ? 0 : -EACCES;
}

int fileops_resolve(struct broker *b, const char *abs, unsigned flags, struct sbx_resolved *res)
{
	return sbx_resolve(b->rootfd, abs, flags, link_allowed, b, res);
}

bool fileops_visible(const struct broker *b, const char *path)
{
	char lex[PATH_MAX];
	if (!sbx_path_lexical(path, lex, sizeof(lex)))
		strcpy(lex, "/");
	return sbx_policy_check(&b->policy, lex) || sbx_policy_covers_below(&b->policy, lex);
}

/* May the program learn that PATH (absolute, maybe with "..") is missing or
 * not a directory? Only where the policy grants something. */
static bool may_tell(const struct broker *b, const char *path)
{
	char lex[PATH_MAX];
	return sbx_path_lexical(path, lex, sizeof(lex)) && sbx_policy_check(&b->policy, lex);
}

/* Does PATH name something of the sandbox's own root? */
static bool root_contains(struct broker *b, const char *path, bool nofollow)
{
	pthread_mutex_lock(&b->root_lock);
	bool r = sbx_rootview_contains(&b->root, path, nofollow);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

/* The program's root, opened once through /proc: every sandboxed process
 * has the same one (chroot and pivot_root are refused). */
static int sandbox_root_locked(struct broker *b, const struct freq *f)
{
	if (b->sbxroot >= 0)
		return b->sbxroot;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/root", f->n->pid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (!fileops_id_valid(b, f->n->id) || fstat(fd, &st) < 0) {
		close(fd);
		return -ENOENT;
	}
	b->sbx_dev = st.st_dev;
	b->sbxroot = fd;
	return fd;
}

static int sandbox_root(struct broker *b, const struct freq *f)
{
	pthread_mutex_lock(&b->root_lock);
	int r = sandbox_root_locked(b, f);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

/* ABS in the sandbox's own root, beneath it whatever its symlinks say. */
static int sandbox_lookup(struct broker *b, const struct freq *f, const char *abs,
			  bool nofollow, struct sbx_resolved *res)
{
	int root = sandbox_root(b, f);
	if (root < 0)
		return root;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	res->fd = (int)syscall(SYS_openat2, root, abs, &how, sizeof(how));
	if (res->fd < 0)
		return -errno;
	if (fstat(res->fd, &res->st) < 0 ||
	    snprintf(res->path, sizeof(res->path), "%s", abs) >= (int)sizeof(res->path)) {
		sbx_closep(&res->fd);
		return -ENAMETOOLONG;
	}
	return 0;
}

int fileops_decide(struct broker *b, const struct freq *f, const struct fpath *p,
		   bool nofollow, unsigned need, struct sbx_resolved *res)
{
	bool handled;
	int r = procself_resolve(b, f, p, nofollow, need, res, &handled);
	if (handled)
		return r;
	/* Files of /proc that belong to no process may be granted. */
	bool proc = !strncmp(p->abs, "/proc/", 6);
	r = sbx_resolve(b->rootfd, p->abs, (nofollow ? SBX_RESOLVE_NOFOLLOW : 0) |
				  (proc ? SBX_RESOLVE_ALLOW_PROC : 0), link_allowed, b, res);
	if (r == 0 && proc && (strncmp(res->path, "/proc/", 6) || isdigit((unsigned char)res->path[6]))) {
		sbx_closep(&res->fd);
		return fileops_refuse(b, f, need, "another process's /proc entry");
	}
	if (r == 0) {
		if ((sbx_policy_check(&b->policy, res->path) & need) == need)
			return 0;
		sbx_closep(&res->fd);
	} else if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP || r == -ENAMETOOLONG) {
		/* Say the truth only where the policy lets the program look:
		 * the missing path (ENOENT), or the path as asked. */
		const char *where = r == -ENOENT || r == -ENOTDIR ? res->path : p->abs;
		if (may_tell(b, where))
			return r;
	}
	if (!(need & (SBX_PERM_WRITE | SBX_PERM_EXEC)) &&
	    root_contains(b, p->abs, nofollow) &&
	    sandbox_lookup(b, f, p->abs, nofollow, res) == 0)
		return 0;
	/* A look for something that is not there (a loader or interpreter
	 * probing for optional files) is refused without a word. */
	if (r == -ENOENT && !(need & SBX_PERM_WRITE))
		return -EACCES;
	return fileops_refuse(b, f, need, r == -EACCES || r == 0 || r == -ENOENT
						  ? "not allowed by the policy" : strerror(-r));
}

/* Split the absolute PATH into the directory DIR and the last component
 * NAME (trailing slashes dropped). 0; -EBUSY for "/", -EINVAL for "." or
 * "..", -ENAMETOOLONG. */
static int split_last(const char *path, char *dir, char *name)
{
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	memcpy(dir, path, l);
	dir[l] = '\0';
	char *slash = strrchr(dir, '/');
	const char *last = slash + 1;
	if (!*last)
		return -EBUSY; /* "/" itself */
	if (strlen(last) > NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(name, last);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return !strcmp(name, ".") || !strcmp(name, "..") ? -EINVAL : 0;
}

int fileops_parent_quiet(struct broker *b, const struct fpath *p, int *dirfd, char *name,
			 char *canon)
{
	char dir[PATH_MAX];
	if (split_last(p->abs, dir, name) < 0)
		return -EINVAL;
	struct sbx_resolved res;
	int r = sbx_resolve(b->rootfd, dir, 0, link_allowed, b, &res);
	if (r == 0 && !S_ISDIR(res.st.st_mode))
		r = -ENOTDIR;
	if (r == 0 && sbx_path_join(canon, PATH_MAX, res.path, name) < 0)
		r = -ENAMETOOLONG;
	if (r < 0) {
		sbx_closep(&res.fd);
		return r;
	}
	*dirfd = res.fd;
	return 0;
}

int fileops_parent(struct broker *b, const struct freq *f, const struct fpath *p,
		   unsigned need, int *dirfd, char *name, char *canon)
{
	char dir[PATH_MAX];
	int r = split_last(p->abs, dir, name);
	if (r < 0)
		return r; /* EINVAL: the caller says what the kernel would */
	struct sbx_resolved *res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	r = sbx_resolve(b->rootfd, dir, 0, link_allowed, b, res);
	if (r == 0 && !S_ISDIR(res->st.st_mode))
		r = -ENOTDIR;
	/* Nothing is made, removed or renamed in /proc (whose "self" would be
	 * the broker's). */
	if (r == 0 && (!strcmp(res->path, "/proc") || !strncmp(res->path, "/proc/", 6)))
		r = -EACCES;
	if (r == 0 && sbx_path_join(canon, PATH_MAX, res->path, name) < 0)
		r = -ENAMETOOLONG;
	if (r == 0) {
		unsigned has = sbx_policy_check(&b->policy, canon);
		if ((has & need) == need) {
			*dirfd = sbx_take_fd(&res->fd);
			free(res);
			return 0;
		}
		sbx_closep(&res->fd);
		r = fileops_refuse(b, f, need, "not allowed by the policy");
	} else if ((r == -ENOENT || r == -ENOTDIR) && may_tell(b, res->path)) {
		/* the program may know */
	} else {
		sbx_closep(&res->fd);
		r = fileops_refuse(b, f, need, r == -EACCES || r == -ENOENT
						       ? "not allowed by the policy" : strerror(-r));
	}
	sbx_closep(&res->fd);
	free(res);
	return r;
}

int fileops_inject(struct broker *b, const struct freq *f, int fd, bool cloexec)
{
	if (f->client_fd) {
		*f->client_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		return *f->client_fd < 0 ? -errno : 0;
	}
	struct seccomp_notif_addfd add = {
		.id = f->n->id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd = 0,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	/* ADDFD waits until the program has taken the fd; the program goes
	 * on meanwhile, so another worker must be there for its next one. */
	pool_may_block(b);
	int r = ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	return r < 0 ? -errno : 0;
}

ssize_t fileops_read_proc(const struct freq *f, const char *name, char *buf, size_t size)
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
	return n;
}

long fileops_proc_field(const struct freq *f, const char *name, const char *key, int base)
{
	char buf[4096];
	ssize_t n = fileops_read_proc(f, name, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (const char *l = buf; l; l = strchr(l, '\n')) {
		l += *l == '\n';
		if (!strncmp(l, key, strlen(key)))
			return strtol(l + strlen(key), NULL, base);
	}
	return -EIO;
}

int fileops_umask(const struct freq *f)
{
	long u = fileops_proc_field(f, "status", "Umask:", 8);
	return u < 0 ? (int)u : (int)(u & 0777);
}

long fileops_fd_flags(const struct freq *f, int fd)
{
	char name[32];
	if (fd < 0)
		return -EBADF;
	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	long r = fileops_proc_field(f, name, "flags:", 8);
	return r == -ENOENT ? -EBADF : r;
}

int fileops_program_fd_any(const struct freq *f, int fd)
{
	if (fd < 0)
		return -EBADF;
	long tgid = fileops_proc_field(f, "status", "Tgid:", 10);
	if (tgid < 0)
		return (int)tgid;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)tgid, 0);
	if (pidfd < 0)
		return -errno;
	int r = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	return r < 0 ? -errno : r;
}

int fileops_program_fd(const struct freq *f, int fd, int flags)
{
	if (fd < 0)
		return -EBADF;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/fd/%d", f->n->pid, fd);
	int r = open(p, flags | O_CLOEXEC);
	if (r < 0)
		return errno == ENOENT ? -EBADF : -errno;
	return r;
}

/* The directory a relative path of the program starts from: its working
 * directory, or DIRFD, as the broker sees them in /proc. */
static int request_base(const struct freq *f, int dirfd, char *out, size_t size)
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

/* Read P's string and make it absolute. 0, or a negative errno; 1 when the
 * path is empty and AT_EMPTY_PATH names the fd itself. */
static int read_path(struct broker *b, struct freq *f, struct fpath *p)
{
	ssize_t len = memio_read_string((pid_t)f->n->pid, p->addr, p->path, sizeof(p->path));
	if (len < 0)
		return (int)len;
	if (len == 0)
		return f->empty_ok ? 1 : -ENOENT;
	int r = fileops_abs(f, p);
	if (r < 0)
		return r;
	return fileops_id_valid(b, f->n->id) ? 0 : -ENOENT;
}

int fileops_abs(const struct freq *f, struct fpath *p)
{
	if (p->path[0] == '/')
		return sbx_path_join(p->abs, sizeof(p->abs), "/", p->path);
	char base[PATH_MAX];
	int r = request_base(f, p->dirfd, base, sizeof(base));
	if (r < 0)
		return r;
	return sbx_path_join(p->abs, sizeof(p->abs), base, p->path);
}

/* Is the program in the broker's session (and so has its terminal)? */
static bool same_session(const struct freq *f)
{
	char buf[1024];
	if (fileops_read_proc(f, "stat", buf, sizeof(buf)) <= 0)
		return false;
	/* pid (comm) state ppid pgrp session: comm may hold anything but
	 * ends at the last ')'. */
	const char *c = strrchr(buf, ')');
	int ppid, pgrp, sid;
	char state;
	if (!c || sscanf(c + 1, " %c %d %d %d", &state, &ppid, &pgrp, &sid) != 4)
		return false;
	return sid == getsid(0);
}

static int do_open(struct broker *b, struct freq *f, bool *sent)
{
	if (f->n->data.nr == SYS_openat2) {
		struct open_how how;
		if (f->bufsiz < sizeof(how))
			return -EINVAL;
		int r = memio_read((pid_t)f->n->pid, f->buf_addr, &how, sizeof(how));
		if (r < 0)
			return r;
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		if (how.resolve & ~(uint64_t)RESOLVE_NO_MAGICLINKS)
			return fileops_refuse(b, f, SBX_PERM_READ, "openat2 resolve flags are not supported yet");
		f->oflags = (int)how.flags;
		f->mode = (unsigned)how.mode;
		f->no_magic = how.resolve & RESOLVE_NO_MAGICLINKS;
		f->nofollow = f->oflags & O_NOFOLLOW;
	}
	int fl = f->oflags;
	if ((fl & O_TMPFILE) == O_TMPFILE)
		return mutate_tmpfile(b, f, sent);
	/* ADDFD cannot pass an O_PATH fd: O_PATH is served as a read-only
	 * open, and needs read. */
	if (fl & O_PATH)
		fl = (fl & (O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)) | O_RDONLY;
	bool writes = (fl & O_ACCMODE) != O_RDONLY || (fl & O_TRUNC);
	unsigned need = writes ? SBX_PERM_WRITE : SBX_PERM_READ;
	/* O_CREAT|O_EXCL never follows a symlink in the last component. */
	bool excl = (fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	struct sbx_resolved res;
	int r;
	for (int tries = 0;; tries++) {
		r = fileops_decide(b, f, &f->p[0], f->nofollow || excl,
				   excl ? SBX_PERM_STAT : need, &res);
		if (r != -ENOENT || !(fl & O_CREAT))
			break;
		r = mutate_create_file(b, f, res.path, sent);
		if (r != -EAGAIN || tries == 8)
			return r;
	}
	if (r != 0)
		return r;
	_cleanup_close_ int pfd = res.fd;
	if (excl)
		return -EEXIST;
	if (S_ISDIR(res.st.st_mode) && (writes || (fl & O_CREAT)))
		return -EISDIR;
	if ((fl & O_DIRECTORY) && !S_ISDIR(res.st.st_mode))
		return -ENOTDIR;
	/* /dev/tty is the opener's controlling terminal: the program gets
	 * the broker's only while it is in the broker's session. */
	if (!strcmp(res.path, "/dev/tty") && !same_session(f))
		return -ENXIO;
	/* No O_PATH fd of a symlink can be handed over. The C library's
	 * lchmod and fchmodat(AT_SYMLINK_NOFOLLOW) open one only to answer
	 * EOPNOTSUPP for it: say that at once. */
	if (S_ISLNK(res.st.st_mode))
		return (f->oflags & O_PATH) ? -EOPNOTSUPP : -ELOOP;
	_cleanup_close_ int fd = -1;
	{
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
		int keep = fl & (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_DIRECTORY |
				 O_NOATIME | O_DSYNC | O_SYNC | O_DIRECT | O_LARGEFILE);
		/* A FIFO waits for its peer, as in the kernel (and a device
		 * may wait): in a thread of its own, never in a worker. */
		if (!f->client_fd && waiter_needed(&res.st, fl)) {
			r = waiter_open(b, f, pfd, &res.st, keep | O_NOCTTY | O_CLOEXEC, fl & O_CLOEXEC);
			*sent = r == 0;
			return r;
		}
		/* The client library's one thread must not wait: its open of
		 * a FIFO or a device does not wait for the peer (ENXIO for a
		 * writer without a reader), and is then blocking as asked. */
		bool nowait = f->client_fd && waiter_needed(&res.st, fl);
		fd = SBX_RETRY(open(proc, keep | O_NOCTTY | O_CLOEXEC | (nowait ? O_NONBLOCK : 0)));
		if (fd < 0)
			return -errno;
		if (nowait && fcntl(fd, F_SETFL, keep & ~O_ACCMODE & ~O_TRUNC) < 0)
			return -errno;
	}
	r = fileops_inject(b, f, fd, fl & O_CLOEXEC);
	if (r == 0)
		*sent = true;
	return r;
}

static int do_stat(struct broker *b, struct freq *f)
{
	struct sbx_resolved res;
	int r = fileops_decide(b, f, &f->p[0], f->nofollow, SBX_PERM_STAT, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	pid_t pid = (pid_t)f->n->pid;
	if (f->op == OP_STAT)
		return put(b, f, f->buf_addr, &res.st, sizeof(res.st));
	if (f->op == OP_STATFS) {
		struct statfs sf;
		if (fstatfs(fd, &sf) < 0)
			return -errno;
		return memio_write(b->listener, f->n->id, pid, f->buf_addr, &sf, sizeof(sf));
	}
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | (f->atflags & AT_STATX_SYNC_TYPE), f->statx_mask, &stx) < 0)
		return -errno;
	return memio_write(b->listener, f->n->id, pid, f->buf_addr, &stx, sizeof(stx));
}

static int do_access(struct broker *b, struct freq *f)
{
	if (f->amode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	unsigned need = SBX_PERM_STAT;
	if (f->amode & R_OK)
		need |= SBX_PERM_READ;
	if (f->amode & W_OK)
		need |= SBX_PERM_WRITE;
	struct sbx_resolved res;
	int r = fileops_decide(b, f, &f->p[0], f->nofollow, need, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	/* X_OK answers what the kernel says of the file: running it is
	 * decided at execve. */
	if (faccessat(fd, "", f->amode, AT_EMPTY_PATH | (f->atflags & AT_EACCESS)) < 0)
		return -errno;
	return 0;
}

static int do_readlink(struct broker *b, struct freq *f, int64_t *val)
{
	if ((int64_t)f->bufsiz <= 0)
		return -EINVAL;
	struct sbx_resolved res;
	int r = fileops_decide(b, f, &f->p[0], true, SBX_PERM_STAT, &res);
	/* A directory on the way to something granted is visible (a walk may
	 * pass it): say it is no symlink, so that realpath() works. */
	if (r == -EACCES && fileops_visible(b, f->p[0].abs) &&
	    fileops_resolve(b, f->p[0].abs, SBX_RESOLVE_NOFOLLOW, &res) == 0) {
		bool dir = S_ISDIR(res.st.st_mode) && fileops_visible(b, res.path);
		sbx_closep(&res.fd);
		return dir ? -EINVAL : r;
	}
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
	r = put(b, f, f->buf_addr, text, (size_t)len);
	*val = len;
	return r;
}

static int do_exec(struct broker *b, struct freq *f)
{
	const struct fpath *p = &f->p[0];
	if (!p->path[0])
		return fileops_refuse(b, f, SBX_PERM_EXEC, "executing an open fd is not supported");
	/* The kernel resolves the path again: relative to a dirfd it could
	 * start on the host, where only Landlock keeps it from running a file
	 * the broker did not bind. */
	if (!b->landlock && p->path[0] != '/' && p->dirfd != AT_FDCWD)
		return fileops_refuse(b, f, SBX_PERM_EXEC, "execveat relative to a dirfd needs Landlock");
	/* Approved before: the kernel runs what is bound there. */
	pthread_mutex_lock(&b->root_lock);
	bool approved = sbx_rootview_exec_ok(&b->root, p->abs);
	pthread_mutex_unlock(&b->root_lock);
	if (approved)
		return CONTINUE;
	int r = plan_exec(b, p->abs, false, NULL, 0);
	if (r == 0)
		return CONTINUE;
	/* "Not found" only where the policy lets the program look; a search
	 * along $PATH that misses is routine and goes unsaid. */
	if (r == -ENOENT)
		return may_tell(b, p->abs) ? r : -EACCES;
	/* Nor is one through a directory we cannot search ourselves. */
	struct sbx_resolved res;
	if (r == -EACCES && sbx_resolve(b->rootfd, p->abs, 0, NULL, NULL, &res) < 0)
		return r;
	if (r == -EACCES)
		close(res.fd);
	return fileops_refuse(b, f, SBX_PERM_EXEC, r == -EACCES ? "not allowed by the policy" : strerror(-r));
}

/* chdir: the broker makes the directory (empty) in the sandbox's root, at
 * its host path, and the kernel moves there. Relative paths are then read
 * from /proc/PID/cwd and resolved by the broker on the host. */
static int do_chdir(struct broker *b, struct freq *f)
{
	const struct fpath *p = &f->p[0];
	int r = plan_dir(b, p->abs, false, NULL);
	if (r == 0)
		return CONTINUE;
	if (root_contains(b, p->abs, false))
		return CONTINUE; /* a directory of the root itself */
	if ((r == -ENOENT || r == -ENOTDIR) && may_tell(b, p->abs))
		return r;
	return fileops_refuse(b, f, SBX_PERM_STAT, r == -EACCES ? "not allowed by the policy" : strerror(-r));
}

/* fchdir: a working directory on the host is where the kernel itself
 * resolves the relative names no request shows the broker: a core dump
 * (there are none: RLIMIT_CORE is 0) and the address of a unix datagram
 * (the program has no unix datagram socket unless the policy has unix
 * rules). With Landlock, execve reaches nothing outside the root from
 * there either; every other path is still the broker's. So fchdir to a
 * host directory is allowed with Landlock and without unix rules; else
 * only to directories of the sandbox's root, like chdir. */
static int do_fchdir(struct broker *b, struct freq *f)
{
	if (b->landlock && !b->unix_rules)
		return CONTINUE;
	_cleanup_close_ int fd = fileops_program_fd(f, f->p[0].dirfd, O_PATH);
	if (fd < 0)
		return fd;
	if (!fileops_id_valid(b, f->n->id))
		return -ENOENT;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	int root = sandbox_root(b, f);
	if (root >= 0 && st.st_dev == b->sbx_dev)
		return CONTINUE;
	snprintf(f->p[0].path, sizeof(f->p[0].path), "fd %d", f->p[0].dirfd);
	return fileops_refuse(b, f, SBX_PERM_STAT,
			      b->landlock ? "fchdir to a host directory under a policy with unix rules"
					  : "fchdir to a host directory needs Landlock, which this kernel lacks");
}

/* May the program change the metadata (mode, owner, times, xattrs) of
 * the file behind COPY, a copy of one of its fds? If the fd is open for
 * writing, or the policy grants write where the file is now. */
static bool meta_allowed(struct broker *b, const struct freq *f, int copy)
{
	int fl = fcntl(copy, F_GETFL);
	if (fl >= 0 && !(fl & O_PATH) && (fl & O_ACCMODE) != O_RDONLY)
		return true;
	char link[32], now[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", copy);
	ssize_t n = readlink(link, now, sizeof(now) - 1);
	if (n > 0)
		now[n] = '\0';
	if (n > 0 && now[0] == '/' && (sbx_policy_check(&b->policy, now) & SBX_PERM_WRITE))
		return true;
	(void)fileops_refuse(b, f, SBX_PERM_WRITE, "the fd is read-only and the policy does not grant write");
	return false;
}

/* The AT_EMPTY_PATH (or NULL path) forms and fchmod, fchown, fsetxattr and
 * fremovexattr: on the broker's copy of the program's fd. */
static int on_fd(struct broker *b, struct freq *f, int64_t *val)
{
	int pfd = f->p[0].dirfd;
	const __u64 *a = f->n->data.args;
	pid_t pid = (pid_t)f->n->pid;
	_cleanup_close_ int copy = -1;
	if (pfd == AT_FDCWD) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%u/cwd", f->n->pid);
		copy = open(p, O_PATH | O_CLOEXEC);
		if (copy < 0)
			return -errno;
	} else {
		/* A look needs only the object (one open through /proc); a
		 * change needs the program's open file itself, for its mode. */
		bool look = f->op == OP_STAT || f->op == OP_STATX || f->op == OP_ACCESS;
		copy = look ? fileops_program_fd(f, pfd, O_PATH) : -1;
		if (copy < 0)
			copy = fileops_program_fd_any(f, pfd);
		if (copy < 0)
			return copy;
	}
	if (!fileops_id_valid(b, f->n->id))
		return -ENOENT;
	struct stat st;
	struct statx stx;
	char text[PATH_MAX], xname[256];
	ssize_t n;
	int r;
	switch (f->op) {
	case OP_STAT:
		if (fstat(copy, &st) < 0)
			return -errno;
		return memio_write(b->listener, f->n->id, pid, f->buf_addr, &st, sizeof(st));
	case OP_STATX:
		if (statx(copy, "", AT_EMPTY_PATH | (f->atflags & AT_STATX_SYNC_TYPE), f->statx_mask, &stx) < 0)
			return -errno;
		return memio_write(b->listener, f->n->id, pid, f->buf_addr, &stx, sizeof(stx));
	case OP_ACCESS:
		return faccessat(copy, "", f->amode, AT_EMPTY_PATH | (f->atflags & AT_EACCESS)) < 0 ? -errno : 0;
	case OP_READLINK:
		if ((int64_t)f->bufsiz <= 0)
			return -EINVAL;
		n = readlinkat(copy, "", text, sizeof(text));
		if (n < 0)
			return -errno;
		if ((uint64_t)n > f->bufsiz)
			n = (ssize_t)f->bufsiz;
		*val = n;
		return memio_write(b->listener, f->n->id, pid, f->buf_addr, text, (size_t)n);
	default:
		break;
	}
	if (fstat(copy, &st) < 0)
		return -errno;
	/* The sandbox's own root is read-only: the kernel says so (EROFS). */
	bool own_root = sandbox_root(b, f) >= 0 && st.st_dev == b->sbx_dev;
	if (!own_root && !meta_allowed(b, f, copy))
		return -EACCES;
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", copy);
	switch (f->n->data.nr) {
	case SYS_fchmod:
		return chmod(p, (mode_t)a[1] & 07777) < 0 ? -errno : 0;
	case SYS_fchown:
		return fchownat(copy, "", (uid_t)a[1], (gid_t)a[2], AT_EMPTY_PATH) < 0 ? -errno : 0;
	case SYS_fsetxattr:
	case SYS_fremovexattr: {
		ssize_t l = memio_read_string(pid, a[1], xname, sizeof(xname));
		if (l <= 0)
			return l == -ENAMETOOLONG || l == 0 ? -ERANGE : (int)l;
		if (f->n->data.nr == SYS_fremovexattr)
			return fremovexattr(copy, xname) < 0 ? -errno : 0;
		if (a[3] > 65536)
			return -E2BIG;
		_cleanup_free_ char *v = malloc(a[3] ? a[3] : 1);
		if (!v)
			return -ENOMEM;
		if (a[3] && (r = memio_read(pid, a[2], v, a[3])) < 0)
			return r;
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		return fsetxattr(copy, xname, v, a[3], (int)a[4]) < 0 ? -errno : 0;
	}
	default:
		break;
	}
	switch (f->op) {
	case OP_CHMOD: /* fchmodat2(fd, "", mode, AT_EMPTY_PATH) */
		if (S_ISLNK(st.st_mode))
			return -EOPNOTSUPP;
		return chmod(p, f->mode & 07777) < 0 ? -errno : 0;
	case OP_CHOWN:
		return fchownat(copy, "", f->uid, f->gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
	case OP_UTIMES: {
		struct timespec ts[2], *tp = NULL;
		if (f->buf_addr) {
			if (f->n->data.nr != SYS_utimensat)
				return -EINVAL; /* futimesat(fd, NULL, ...) is futimes */
			if ((r = memio_read(pid, f->buf_addr, ts, sizeof(ts))) < 0)
				return r;
			tp = ts;
		}
		return utimensat(AT_FDCWD, p, tp, 0) < 0 ? -errno : 0;
	}
	default:
		return -EINVAL;
	}
}

void fileops_client(struct broker *b, const struct sbx_client_req *req, pid_t pid,
		    struct sbx_client_reply *rep, int *fd)
{
	static __thread struct freq f;
	struct seccomp_notif n = {.id = 0, .pid = (uint32_t)pid};
	memset(&f, 0, offsetof(struct freq, p));
	f.n = &n;
	f.npaths = 1;
	f.p[0].dirfd = f.p[1].dirfd = AT_FDCWD;
	snprintf(f.p[0].path, sizeof(f.p[0].path), "%s", req->path);
	snprintf(f.p[0].abs, sizeof(f.p[0].abs), "%s", req->path);
	*fd = -1;
	bool sent = false;
	int64_t val = 0;
	int r;
	switch (req->op) {
	case SBX_CLIENT_OPEN:
		f.op = OP_OPEN;
		f.name = "client open";
		n.data.nr = SYS_openat;
		f.oflags = req->flags;
		f.mode = req->mode;
		f.nofollow = f.oflags & O_NOFOLLOW;
		f.client_fd = fd;
		r = do_open(b, &f, &sent);
		break;
	case SBX_CLIENT_STAT:
	case SBX_CLIENT_LSTAT:
		f.op = OP_STAT;
		f.name = "client stat";
		f.nofollow = req->op == SBX_CLIENT_LSTAT;
		f.client_out = &rep->st;
		f.client_out_len = sizeof(rep->st);
		r = do_stat(b, &f);
		break;
	case SBX_CLIENT_ACCESS:
		f.op = OP_ACCESS;
		f.name = "client access";
		f.amode = req->flags;
		r = do_access(b, &f);
		break;
	case SBX_CLIENT_READLINK:
		f.op = OP_READLINK;
		f.name = "client readlink";
		f.nofollow = true;
		f.bufsiz = sizeof(rep->text) - 1;
		f.client_out = rep->text;
		f.client_out_len = sizeof(rep->text) - 1;
		r = do_readlink(b, &f, &val);
		break;
	case SBX_CLIENT_MKDIR:
		f.op = OP_MKDIR;
		f.name = "client mkdir";
		f.mode = req->mode;
		r = mutate_handle(b, &f, &val);
		break;
	case SBX_CLIENT_UNLINK:
	case SBX_CLIENT_RMDIR:
		f.op = OP_UNLINK;
		f.name = req->op == SBX_CLIENT_RMDIR ? "client rmdir" : "client unlink";
		f.atflags = req->op == SBX_CLIENT_RMDIR ? AT_REMOVEDIR : 0;
		r = mutate_handle(b, &f, &val);
		break;
	case SBX_CLIENT_RENAME:
		f.op = OP_RENAME;
		f.name = "client rename";
		f.npaths = 2;
		snprintf(f.p[1].path, sizeof(f.p[1].path), "%s", req->path2);
		snprintf(f.p[1].abs, sizeof(f.p[1].abs), "%s", req->path2);
		r = mutate_handle(b, &f, &val);
		break;
	case SBX_CLIENT_CONNECT:
		f.op = OP_NET;
		f.name = "client connect";
		n.data.nr = SYS_connect;
		r = net_client_connect(b, &f, req->flags, &req->addr, req->addrlen, fd);
		if (r == CONTINUE)
			val = SBX_CLIENT_CONNECT_LOCAL;
		break;
	default:
		r = -EBADMSG;
	}
	rep->result = r < 0 ? r : (int32_t)val;
}

void fileops_handle(struct broker *b, const struct seccomp_notif *n,
		    struct seccomp_notif_resp *resp, bool *sent)
{
	static __thread struct freq f; /* one request at a time per worker */
	fileops_decode(n, &f);
	int r = 0;
	int64_t val = 0;
	if (f.op == OP_OTHER) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, n->data.nr);
		if (may_log(b))
			sbx_log("refused %s for pid %u: not supported", name ? name : "syscall", n->pid);
		free(name);
		r = -EACCES;
		goto answer;
	}
	if (f.op == OP_NET) {
		r = net_handle(b, &f, &val);
		goto answer;
	}
	if (f.op == OP_FDMETA) {
		r = on_fd(b, &f, &val);
		goto answer;
	}
	/* A flag the call does not know is EINVAL before any name is read. */
	if ((r = names_plan(&f)) < 0)
		goto answer;
	bool empty = false; /* the first path is empty: AT_EMPTY_PATH */
	for (int i = 0; i < f.npaths && r >= 0; i++) {
		if (i == 0 && f.op == OP_SYMLINK)
			continue; /* its first argument is the link's text */
		if (i == 0 && f.op == OP_UTIMES && !f.p[0].addr) {
			empty = true; /* utimensat(fd, NULL, ...) */
			continue;
		}
		r = read_path(b, &f, &f.p[i]);
		if (r == 1 && i == 0)
			empty = true;
		else if (r == 1)
			r = -ENOENT;
	}
	if (!fileops_id_valid(b, n->id))
		return; /* the request is gone; nothing to answer */
	if (r < 0)
		goto answer;
	if (empty && f.op != OP_EXEC && f.op != OP_LINK) {
		/* An fd the program holds: done by the broker on its own copy,
		 * since the kernel would read the path again, and "" may be
		 * "../secret" by then. */
		r = on_fd(b, &f, &val);
		goto answer;
	}
	switch (f.op) {
	case OP_OPEN:
		r = do_open(b, &f, sent);
		break;
	case OP_STAT:
	case OP_STATX:
	case OP_STATFS:
		r = do_stat(b, &f);
		break;
	case OP_ACCESS:
		r = do_access(b, &f);
		break;
	case OP_READLINK:
		r = do_readlink(b, &f, &val);
		break;
	case OP_EXEC:
		r = do_exec(b, &f);
		if (r == CONTINUE) {
			/* Not on the word of the path string: the kernel
			 * reads it again. */
			r = execwatch_continue(b, &f, resp);
			if (r == 0 || r == -ENOENT) {
				*sent = true;
				return;
			}
		}
		break;
	case OP_CHDIR:
		r = do_chdir(b, &f);
		break;
	case OP_FCHDIR:
		r = do_fchdir(b, &f);
		break;
	default:
		r = mutate_handle(b, &f, &val);
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
