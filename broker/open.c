/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* open, openat, openat2 and creat. The broker decides on the object its own
 * walk reached and opens that very object again (through /proc/self/fd of
 * its O_PATH fd) with the program's flags; the fd goes to the program with
 * ADDFD. A file made by O_CREAT is made by the broker in the directory fd
 * its walk reached, with the program's umask, never following a symlink;
 * O_TMPFILE likewise. FIFOs and devices, whose opens may wait, are opened
 * in threads of their own (waiter.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decide.h"
#include "handlers.h"
#include "util.h"
#include "waiter.h"

/* Is the program in the broker's session (and so has its terminal)? */
static bool same_session(struct broker *b, const struct request *f)
{
	char buf[1024];
	if (req_read_proc(b, f, "stat", buf, sizeof(buf)) <= 0)
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

/* Make MISSING, the canonical path F's walk found missing, and open it;
 * AGAIN when something else made it meanwhile. */
enum { AGAIN = 1 };
static int64_t create_file(struct broker *b, struct request *f, const char *missing)
{
	struct fpath p;
	p.dirfd = AT_FDCWD;
	snprintf(p.path, sizeof(p.path), "%s", f->p[0].path);
	if (snprintf(p.abs, sizeof(p.abs), "%s", missing) >= (int)sizeof(p.abs))
		return -ENAMETOOLONG;
	int dfd;
	char name[NAME_MAX + 1], canon[PATH_MAX];
	int r = decide_name(b, f, &p, 0, &dfd, name, canon);
	if (r < 0)
		return r;
	int keep = f->oflags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT |
				O_NOATIME | O_LARGEFILE);
	mode_t old;
	int64_t answer = r = req_umask_begin(b, f, &old);
	if (r == 0) {
		int fd = openat(dfd, name, keep | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
				f->mode & 07777);
		answer = fd < 0 ? -errno : 0;
		umask(old);
		if (fd >= 0) {
			answer = req_inject(b, f, fd, f->oflags & O_CLOEXEC);
			close(fd);
		} else if (answer == -EEXIST && !(f->oflags & O_EXCL)) {
			answer = AGAIN; /* made meanwhile: the caller looks again */
		}
	}
	close(dfd);
	return answer;
}

/* A file with no name in the directory DFD (O_TMPFILE, with FLAGS), made
 * with the program's umask and MODE, handed to it. */
static int64_t make_unnamed(struct broker *b, struct request *f, int dfd, int flags, mode_t mode)
{
	mode_t old;
	int r = req_umask_begin(b, f, &old);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = openat(dfd, ".", flags | O_TMPFILE | O_NOCTTY | O_CLOEXEC, mode);
	r = fd < 0 ? -errno : 0;
	umask(old);
	return fd < 0 ? r : req_inject(b, f, fd, f->oflags & O_CLOEXEC);
}

static int64_t open_tmpfile(struct broker *b, struct request *f)
{
	if ((f->oflags & O_ACCMODE) == O_RDONLY)
		return -EINVAL; /* an O_TMPFILE file is made to be written */
	struct sbx_resolved res;
	int r = decide_object(b, f, &f->p[0], false, SBX_PERM_WRITE, &res);
	if (r < 0)
		return r;
	_cleanup_close_ int dfd = res.fd;
	if (!S_ISDIR(res.st.st_mode))
		return -ENOTDIR;
	int keep = f->oflags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
				O_DIRECT | O_NOATIME | O_LARGEFILE | O_EXCL);
	return make_unnamed(b, f, dfd, keep, f->mode & 07777);
}

/* "temporary": an exclusive create of a name the policy grants only so
 * gets a new file with no name, made in the directory the walk reached
 * (O_TMPFILE): no path to it, or to what another made there, ever exists
 * for the program. 1 when the policy grants the name more than that, or
 * nothing: the usual create decides. */
static int64_t open_temporary(struct broker *b, struct request *f)
{
	int dfd;
	char name[NAME_MAX + 1], canon[PATH_MAX];
	size_t l = strlen(f->p[0].path);
	/* (a directory, an O_PATH or a "name/" is no file to make) */
	if ((f->oflags & (O_DIRECTORY | O_PATH)) || (l && f->p[0].path[l - 1] == '/') ||
	    decide_name_quiet(b, &f->p[0], &dfd, name, canon) < 0)
		return 1;
	if (!decide_temporary(b, canon) || (sbx_policy_check(&b->policy, canon) & SBX_PERM_WRITE)) {
		close(dfd);
		return 1;
	}
	int keep = f->oflags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_NOATIME | O_LARGEFILE);
	if ((keep & O_ACCMODE) == O_RDONLY)
		keep |= O_RDWR; /* an unnamed file is made to be written */
	req_allowed(b, f, SBX_PERM_TEMP, canon);
	/* O_EXCL: it can never be linked into a name either. */
	int64_t answer = make_unnamed(b, f, dfd, keep | O_EXCL, (f->mode & 07777) | 0600);
	close(dfd);
	return answer;
}

int64_t open_handle(struct broker *b, struct request *f)
{
	if (f->how) {
		struct open_how how;
		if (f->bufsiz < sizeof(how))
			return -EINVAL;
		int r = req_read(b, f, f->buf_addr, &how, sizeof(how));
		if (r < 0)
			return r;
		if (how.resolve & ~(uint64_t)RESOLVE_NO_MAGICLINKS)
			return req_refuse(b, f, SBX_PERM_READ, "openat2 resolve flags are not supported yet");
		f->oflags = (int)how.flags;
		f->mode = (unsigned)how.mode;
		f->no_magic = how.resolve & RESOLVE_NO_MAGICLINKS;
		f->nofollow = f->oflags & O_NOFOLLOW;
	}
	int fl = f->oflags;
	/* On the view's fast path an O_PATH open with write bits (which the
	 * kernel drops for O_PATH: it writes nothing) came here only for
	 * those bits. Our answer would be our fd of the host's object (a
	 * directory's: a lookup from it, or a working directory there, would
	 * leave the view, and stat, readlink and access from it are the
	 * kernel's, which Landlock does not limit). The kernel does it in the
	 * view, as it does the same open without those bits: every lookup
	 * the program can start is in the view there. */
	if (b->fast && (fl & O_PATH) && !f->how && !f->client_fd)
		return req_continue(b, f);
	if ((fl & O_TMPFILE) == O_TMPFILE)
		return open_tmpfile(b, f);
	int64_t temp = (fl & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) && !f->client_fd && b->policy.temporary
		       ? open_temporary(b, f) : 1;
	if (temp != 1)
		return temp;
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
		r = decide_object(b, f, &f->p[0], f->nofollow || excl, excl ? SBX_PERM_STAT : need, &res);
		if (r != -ENOENT || !(fl & O_CREAT))
			break;
		int64_t made = create_file(b, f, res.path);
		if (made != AGAIN)
			return made;
		if (tries == 8)
			return -EAGAIN;
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
	if (!strcmp(res.path, "/dev/tty") && !same_session(b, f))
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
			return r == 0 ? REQ_ANSWERED : r;
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
	return req_inject(b, f, fd, fl & O_CLOEXEC);
}

