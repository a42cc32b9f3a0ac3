/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "policyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

int sbx_policy_fail(char **err, int r, const char *fmt, ...)
{
	if (!err)
		return r;
	free(*err);
	*err = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return r;
}

static const char *kind_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "not a file";
	}
}

/* File systems whose files say nothing true of their size. */
static const char *pseudo_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return NULL;
	switch (sf.f_type) {
	case PROC_SUPER_MAGIC:
		return "procfs";
	case SYSFS_MAGIC:
		return "sysfs";
	case DEBUGFS_MAGIC:
		return "debugfs";
	case TRACEFS_MAGIC:
		return "tracefs";
	case SECURITYFS_MAGIC:
		return "securityfs";
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		return "cgroupfs";
	default:
		return NULL;
	}
}

/* Line and column (from 1) of byte AT of TEXT. */
static void where(const char *text, size_t at, size_t *line, size_t *col)
{
	*line = 1;
	size_t start = 0;
	for (size_t i = 0; i < at; i++)
		if (text[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	*col = at - start + 1;
}

int sbx_policy_read_file(const char *path, char **text, char **err)
{
	*text = NULL;
	/* Looked at before it is opened for reading: opening a FIFO would
	 * wait for a writer, a device would be told it is opened. */
	_cleanup_close_ int pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return sbx_policy_fail(err, -errno, "%s: %s", path, strerror(errno));
	struct stat st, st2;
	if (fstat(pfd, &st) < 0)
		return sbx_policy_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sbx_policy_fail(err, -EINVAL, "%s: not a regular file (%s)", path, kind_of(st.st_mode));
	const char *fs = pseudo_fs(pfd);
	if (fs)
		return sbx_policy_fail(err, -EINVAL, "%s: not a regular file (a file of %s)", path, fs);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sbx_policy_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st2) < 0)
		return sbx_policy_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
		return sbx_policy_fail(err, -EAGAIN, "%s: replaced while it was opened", path);
	/* Read to the end, whatever the size says, up to one byte past the
	 * limit: the error names where the limit was passed. */
	size_t cap = (size_t)st.st_size < SBX_POLICY_MAX_SIZE ? (size_t)st.st_size + 1 : SBX_POLICY_MAX_SIZE + 1;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return sbx_policy_fail(err, -ENOMEM, "%s: out of memory", path);
	size_t got = 0;
	for (;;) {
		if (got == cap) {
			if (cap > SBX_POLICY_MAX_SIZE)
				break;
			/* It grew: read on, up to the limit. */
			size_t ncap = SBX_POLICY_MAX_SIZE + 1;
			char *nb = realloc(buf, ncap + 1);
			if (!nb)
				return sbx_policy_fail(err, -ENOMEM, "%s: out of memory", path);
			buf = nb;
			cap = ncap;
		}
		ssize_t n = SBX_RETRY(read(fd, buf + got, cap - got));
		if (n < 0)
			return sbx_policy_fail(err, -errno, "%s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	size_t line, col;
	const char *nul = memchr(buf, '\0', got);
	if (nul && (size_t)(nul - buf) < SBX_POLICY_MAX_SIZE) {
		where(buf, (size_t)(nul - buf), &line, &col);
		return sbx_policy_fail(err, -EINVAL, "%s:%zu:%zu: a NUL byte (a policy is text)", path, line, col);
	}
	if (got > SBX_POLICY_MAX_SIZE) {
		where(buf, SBX_POLICY_MAX_SIZE, &line, &col);
		return sbx_policy_fail(err, -EFBIG, "%s:%zu:%zu: the policy goes on past 1 MiB here", path, line,
				       col);
	}
	*text = buf;
	buf = NULL;
	return 0;
}
