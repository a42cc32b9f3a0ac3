/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Looks at metadata by path: the stat family, statfs, access, readlink. The
 * answer is the object the broker's own walk reached, written into the
 * program. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "decide.h"
#include "handlers.h"
#include "util.h"

static int64_t do_stat(struct broker *b, struct request *f)
{
	struct sbx_resolved res;
	int r = decide_object(b, f, &f->p[0], f->nofollow, SBX_PERM_STAT, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	if (f->op == OP_STAT)
		return req_write(b, f, f->buf_addr, &res.st, sizeof(res.st));
	if (f->op == OP_STATFS) {
		struct statfs sf;
		if (fstatfs(fd, &sf) < 0)
			return -errno;
		return req_write(b, f, f->buf_addr, &sf, sizeof(sf));
	}
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | (f->atflags & AT_STATX_SYNC_TYPE), f->statx_mask, &stx) < 0)
		return -errno;
	return req_write(b, f, f->buf_addr, &stx, sizeof(stx));
}

static int64_t do_access(struct broker *b, struct request *f)
{
	if (f->amode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	unsigned need = SBX_PERM_STAT;
	if (f->amode & R_OK)
		need |= SBX_PERM_READ;
	if (f->amode & W_OK)
		need |= SBX_PERM_WRITE;
	struct sbx_resolved res;
	int r = decide_object(b, f, &f->p[0], f->nofollow, need, &res);
	if (r != 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	/* X_OK answers what the kernel says of the file: running it is
	 * decided at execve. */
	if (faccessat(fd, "", f->amode, AT_EMPTY_PATH | (f->atflags & AT_EACCESS)) < 0)
		return -errno;
	return 0;
}

static int64_t do_readlink(struct broker *b, struct request *f)
{
	if ((int64_t)f->bufsiz <= 0)
		return -EINVAL;
	struct sbx_resolved res;
	int r = decide_object(b, f, &f->p[0], true, SBX_PERM_STAT, &res);
	/* A directory on the way to something granted is visible (a walk may
	 * pass it): say it is no symlink, so that realpath() works. */
	if (r == -EACCES && decide_visible(b, f->p[0].abs) &&
	    decide_resolve(b, f->p[0].abs, SBX_RESOLVE_NOFOLLOW, &res) == 0) {
		bool dir = S_ISDIR(res.st.st_mode) && decide_visible(b, res.path);
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
	r = req_write(b, f, f->buf_addr, text, (size_t)len);
	return r < 0 ? r : len;
}

int64_t looks_handle(struct broker *b, struct request *f)
{
	switch (f->op) {
	case OP_ACCESS:
		return do_access(b, f);
	case OP_READLINK:
		return do_readlink(b, f);
	default:
		return do_stat(b, f);
	}
}
