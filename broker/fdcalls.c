/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls on an fd the program holds: fchmod, fchown, fsetxattr and
 * fremovexattr, and the AT_EMPTY_PATH (or NULL path) forms of the path
 * calls. They are done by the broker on its own copy of the program's fd,
 * since the kernel would read the path again, and "" may be "../secret" by
 * then. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "decide.h"
#include "learn.h"
#include "handlers.h"
#include "util.h"

#define XATTR_MAX 65536

/* May the program change the metadata (mode, owner, times, xattrs) of
 * the file behind COPY, a copy of one of its fds? If the fd is open for
 * writing, or the policy grants write where the file is now. */
static bool meta_allowed(struct broker *b, const struct request *f, int copy)
{
	int fl = fcntl(copy, F_GETFL);
	if (fl >= 0 && !(fl & O_PATH) && (fl & O_ACCMODE) != O_RDONLY)
		return true;
	char link[32], now[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", copy);
	ssize_t n = readlink(link, now, sizeof(now) - 1);
	if (n > 0)
		now[n] = '\0';
	if (n > 0 && now[0] == '/' && (sbx_policy_check(&b->policy, now) & SBX_PERM_WRITE)) {
		learn_path(b, now, SBX_PERM_WRITE, 0);
		req_allowed(b, f, SBX_PERM_WRITE, now);
		return true;
	}
	(void)req_refuse(b, f, SBX_PERM_WRITE, "the fd is read-only and the policy does not grant write");
	return false;
}

/* The AT_EMPTY_PATH (or NULL path) forms and fchmod, fchown, fsetxattr and
 * fremovexattr: on the broker's copy of the program's fd. */
int64_t fdcall_handle(struct broker *b, struct request *f)
{
	int pfd = f->p[0].dirfd;
	/* fchmod(AT_FDCWD, ...): no fd, not the working directory. (The
	 * f*xattr calls of newer kernels take AT_FDCWD as the working
	 * directory, as the AT_EMPTY_PATH forms do.) */
	if (f->fd_call && pfd < 0 && (f->op == OP_CHMOD || f->op == OP_CHOWN))
		return -EBADF;
	_cleanup_close_ int copy = -1;
	if (pfd == AT_FDCWD) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%u/cwd", f->n->pid);
		copy = open(p, O_PATH | O_CLOEXEC);
		if (copy < 0)
			return -errno;
		if (!req_alive(b, f))
			return -ENOENT;
	} else {
		/* A look needs only the object (one open through /proc); a
		 * change needs the program's open file itself, for its mode. */
		bool look = f->op == OP_STAT || f->op == OP_STATX || f->op == OP_ACCESS;
		copy = look ? req_program_fd(b, f, pfd, O_PATH) : -1;
		if (copy < 0 && copy != -ENOENT)
			copy = req_program_fd_any(b, f, pfd);
		if (copy < 0)
			return copy;
	}
	struct stat st;
	struct statx stx;
	char text[PATH_MAX];
	ssize_t n;
	int r;
	switch (f->op) {
	case OP_STAT:
		if (fstat(copy, &st) < 0)
			return -errno;
		return req_write(b, f, f->buf_addr, &st, sizeof(st));
	case OP_STATX:
		if (statx(copy, "", AT_EMPTY_PATH | (f->atflags & AT_STATX_SYNC_TYPE), f->statx_mask, &stx) < 0)
			return -errno;
		return req_write(b, f, f->buf_addr, &stx, sizeof(stx));
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
		r = req_write(b, f, f->buf_addr, text, (size_t)n);
		return r < 0 ? r : n;
	default:
		break;
	}
	if (fstat(copy, &st) < 0)
		return -errno;
	/* The sandbox's own root is read-only: the kernel says so (EROFS). */
	bool own_root = decide_sandbox_root(b, f) >= 0 && st.st_dev == b->sbx_dev;
	if (!own_root && !meta_allowed(b, f, copy))
		return -EACCES;
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", copy);
	switch (f->op) {
	case OP_CHMOD: /* fchmod; fchmodat2(fd, "", mode, AT_EMPTY_PATH) */
		if (!f->fd_call && S_ISLNK(st.st_mode))
			return -EOPNOTSUPP;
		return chmod(p, f->mode & 07777) < 0 ? -errno : 0;
	case OP_CHOWN:
		return fchownat(copy, "", f->uid, f->gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
	case OP_XATTR_SET:
	case OP_XATTR_REMOVE: {
		char xname[256];
		ssize_t l = req_read_string(b, f, f->name_addr, xname, sizeof(xname));
		if (l <= 0)
			return l == -ENAMETOOLONG || l == 0 ? -ERANGE : (int)l;
		if (f->op == OP_XATTR_REMOVE)
			return fremovexattr(copy, xname) < 0 ? -errno : 0;
		if (f->bufsiz > XATTR_MAX)
			return -E2BIG;
		_cleanup_free_ char *v = malloc(f->bufsiz ? f->bufsiz : 1);
		if (!v)
			return -ENOMEM;
		if (f->bufsiz && (r = req_read(b, f, f->buf_addr, v, f->bufsiz)) < 0)
			return r;
		return fsetxattr(copy, xname, v, f->bufsiz, f->oflags) < 0 ? -errno : 0;
	}
	case OP_UTIMES: {
		struct timespec ts[2], *tp = NULL;
		if (f->buf_addr) {
			if (f->times != TIMES_TIMESPEC)
				return -EINVAL; /* futimesat(fd, NULL, ...) is futimes */
			if ((r = req_read(b, f, f->buf_addr, ts, sizeof(ts))) < 0)
				return r;
			tp = ts;
		}
		return utimensat(AT_FDCWD, p, tp, 0) < 0 ? -errno : 0;
	}
	default:
		return -EINVAL;
	}
}
