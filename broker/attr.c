/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls on an existing object by path: chmod, chown, truncate, the four
 * time calls, xattrs, and inotify watches. The broker decides on the object
 * its walk reached and acts on that very inode through /proc/self/fd of
 * its O_PATH fd: write on the object for a change, read for a look. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "decide.h"
#include "handlers.h"
#include "util.h"

#define XATTR_MAX 65536

/* "/proc/self/fd/N": the object of the broker's fd N, by path. */
static const char *fdpath(char buf[static 32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* Times for utimensat from any of the four time syscalls; NULL for "now". */
static int read_times(struct broker *b, const struct request *f, struct timespec ts[2],
		      struct timespec **out)
{
	*out = NULL;
	if (!f->buf_addr)
		return 0;
	int r;
	switch (f->times) {
	case TIMES_UTIMBUF: {
		struct utimbuf u;
		r = req_read(b, f, f->buf_addr, &u, sizeof(u));
		ts[0] = (struct timespec){.tv_sec = u.actime};
		ts[1] = (struct timespec){.tv_sec = u.modtime};
		break;
	}
	case TIMES_TIMEVAL: {
		struct timeval tv[2];
		r = req_read(b, f, f->buf_addr, tv, sizeof(tv));
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				r = r < 0 ? r : -EINVAL;
			ts[i] = (struct timespec){.tv_sec = tv[i].tv_sec, .tv_nsec = tv[i].tv_usec * 1000};
		}
		break;
	}
	default:
		r = req_read(b, f, f->buf_addr, ts, 2 * sizeof(*ts));
	}
	if (r < 0)
		return r;
	*out = ts;
	return 0;
}

/* Read the xattr name argument. */
static int read_xattr_name(struct broker *b, const struct request *f, char name[256])
{
	ssize_t len = req_read_string(b, f, f->name_addr, name, 256);
	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	return len < 0 ? (int)len : 0;
}

int64_t attr_handle(struct broker *b, struct request *f)
{
	unsigned need = f->op == OP_XATTR_GET || f->op == OP_XATTR_LIST ? SBX_PERM_READ
		      : f->op == OP_INOTIFY ? SBX_PERM_READ : SBX_PERM_WRITE;
	char xname[256];
	struct timespec tsbuf[2], *ts = NULL;
	int r = 0;
	if (f->op == OP_XATTR_GET || f->op == OP_XATTR_SET || f->op == OP_XATTR_REMOVE)
		r = read_xattr_name(b, f, xname);
	else if (f->op == OP_UTIMES)
		r = read_times(b, f, tsbuf, &ts);
	if (r < 0)
		return r;
	struct sbx_resolved res;
	r = decide_object(b, f, &f->p[0], f->nofollow, need, &res);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = res.fd;
	char p[32];
	const char *path = fdpath(p, fd);
	void *buf = NULL;
	size_t size = f->bufsiz > XATTR_MAX ? XATTR_MAX : f->bufsiz;
	ssize_t n = 0;
	switch (f->op) {
	case OP_CHMOD:
		if (S_ISLNK(res.st.st_mode))
			return -EOPNOTSUPP;
		n = chmod(path, f->mode & 07777);
		break;
	case OP_CHOWN:
		n = fchownat(fd, "", f->uid, f->gid, AT_EMPTY_PATH);
		break;
	case OP_TRUNCATE:
		if (S_ISDIR(res.st.st_mode))
			return -EISDIR;
		n = truncate(path, f->length);
		break;
	case OP_UTIMES:
		n = utimensat(AT_FDCWD, path, ts, 0);
		break;
	case OP_XATTR_GET:
	case OP_XATTR_LIST:
		if (size && !(buf = malloc(size)))
			return -ENOMEM;
		n = f->op == OP_XATTR_GET ? getxattr(path, xname, buf, size) : listxattr(path, buf, size);
		if (n > 0 && size)
			r = req_write(b, f, f->buf_addr, buf, (size_t)n);
		free(buf);
		if (r < 0)
			return r;
		break;
	case OP_XATTR_SET:
		if (f->bufsiz > XATTR_MAX)
			return -E2BIG;
		if (size && !(buf = malloc(size)))
			return -ENOMEM;
		r = size ? req_read(b, f, f->buf_addr, buf, size) : 0;
		if (r == 0)
			n = setxattr(path, xname, buf, size, f->oflags);
		free(buf);
		if (r < 0)
			return r;
		break;
	case OP_XATTR_REMOVE:
		n = removexattr(path, xname);
		break;
	case OP_INOTIFY: {
		/* The watch goes on the program's own inotify instance. */
		if ((f->mode & IN_ONLYDIR) && !S_ISDIR(res.st.st_mode))
			return -ENOTDIR;
		_cleanup_close_ int ifd = req_program_fd_any(b, f, f->fd);
		if (ifd < 0)
			return ifd;
		n = inotify_add_watch(ifd, path, f->mode & ~(unsigned)IN_DONT_FOLLOW);
		break;
	}
	default:
		return -EACCES;
	}
	return n < 0 ? -errno : n;
}

