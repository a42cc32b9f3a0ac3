/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests that change the file system: the broker does them itself, with
 * the program's umask, on the directory fd its own walk reached (so the last
 * component is the only name the kernel looks up, never following a
 * symlink) or on the O_PATH fd of the object it decided on (reached through
 * /proc/self/fd, which names that very inode). The policy decides on the
 * canonical path of the object made, removed or changed: write permission,
 * on both names for rename and link. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include "fileops.h"
#include "log.h"
#include "memio.h"
#include "util.h"

#define XATTR_MAX 65536

/* "/proc/self/fd/N": the object of the broker's fd N, by path. */
static const char *fdpath(char buf[static 32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* Set our umask to the program's for one operation. */
static int umask_begin(const struct freq *f, mode_t *old)
{
	int u = fileops_umask(f);
	if (u < 0)
		return u;
	*old = umask((mode_t)u);
	return 0;
}

/* What the kernel says for "." and ".." as the last component. */
static int dot_errno(const struct freq *f, const struct fpath *p)
{
	size_t l = strlen(p->path);
	while (l > 1 && p->path[l - 1] == '/')
		l--;
	bool dotdot = l >= 2 && p->path[l - 1] == '.' && p->path[l - 2] == '.';
	switch (f->op) {
	case OP_MKDIR:
	case OP_MKNOD:
	case OP_SYMLINK:
	case OP_LINK:
		return -EEXIST;
	case OP_UNLINK:
		if (!(f->atflags & AT_REMOVEDIR))
			return -EISDIR;
		return dotdot ? -ENOTEMPTY : -EINVAL;
	default:
		return dotdot ? -ENOTEMPTY : -EBUSY;
	}
}

/* Making a name that exists is EEXIST before anything else, as in the
 * kernel, wherever the program may know it exists: the policy grants
 * something there or beneath, or it is part of the sandbox's root. */
static bool exists_visibly(struct broker *b, const struct fpath *p)
{
	struct sbx_resolved res;
	if (fileops_resolve(b, p->abs, SBX_RESOLVE_NOFOLLOW, &res) < 0)
		return false;
	close(res.fd);
	return sbx_policy_check(&b->policy, res.path) ||
	       sbx_policy_covers_below(&b->policy, res.path);
}

/* The directory of P's last component, checked for write on the name
 * (CANON, its canonical path); USE: what the call does there (NAME_*). */
static int parent(struct broker *b, const struct freq *f, const struct fpath *p, unsigned use,
		  int *dfd, char *name, char *canon)
{
	if ((use & NAME_MAKES) && exists_visibly(b, p))
		return -EEXIST;
	int r = fileops_parent(b, f, p, SBX_PERM_WRITE, dfd, name, canon);
	if (r == -EINVAL)
		return dot_errno(f, p);
	if (r == -EBUSY)
		return f->op == OP_MKDIR ? -EEXIST : -EBUSY;
	if (r < 0)
		return r;
	/* "name/" names a directory: anything else there is ENOTDIR. */
	size_t l = strlen(p->path);
	struct stat st;
	if (l && p->path[l - 1] == '/' && f->op != OP_MKDIR &&
	    fstatat(*dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		close(*dfd);
		return -ENOTDIR;
	}
	return 0;
}

/* The names of one mutation, each in the directory that holds it. */
struct names {
	int n;
	int dfd[2];
	char name[2][NAME_MAX + 1];
	char canon[2][PATH_MAX];
};

static void names_close(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		close(ns->dfd[i]);
	ns->n = 0;
}

/* Reach F's names FIRST..LAST (indexes into F->p, checked as F->use says),
 * then check the subtrees: a directory that leaves one of them or arrives
 * at one (NAME_DIR_*) is taken from under, or put under, the rules of that
 * name's subtree, which is refused where a rule treats what is beneath the
 * name apart: whatever the name holds when the broker looks, since a
 * rename or an exchange from another thread may put a directory there
 * before the call. On success NS holds the directories. */
static int reach_names(struct broker *b, const struct freq *f, int first, int last,
		       struct names *ns)
{
	ns->n = 0;
	for (int i = first; i <= last; i++) {
		int r = parent(b, f, &f->p[i], f->use[i], &ns->dfd[ns->n], ns->name[ns->n],
			       ns->canon[ns->n]);
		if (r < 0) {
			names_close(ns);
			return r;
		}
		ns->n++;
	}
	/* Whatever each name holds now: another thread may exchange a file
	 * for a directory between this look and the call. */
	for (int i = 0; i < ns->n; i++) {
		unsigned use = f->use[first + i];
		if ((use & (NAME_DIR_LEAVES | NAME_DIR_ARRIVES)) &&
		    sbx_policy_specific_below(&b->policy, ns->canon[i])) {
			names_close(ns);
			return fileops_refuse(b, f, SBX_PERM_WRITE,
					      "rules treat what is beneath this directory apart");
		}
	}
	return 0;
}

static int do_mkdir_mknod(struct broker *b, struct freq *f)
{
	struct names ns;
	unsigned type = f->mode & S_IFMT;
	int r = reach_names(b, f, 0, 0, &ns);
	if (r < 0)
		return r;
	mode_t old;
	if ((r = umask_begin(f, &old)) == 0) {
		if (f->op == OP_MKDIR)
			r = mkdirat(ns.dfd[0], ns.name[0], f->mode & 07777);
		else
			r = mknodat(ns.dfd[0], ns.name[0], (type ? type : S_IFREG) | (f->mode & 07777), 0);
		r = r < 0 ? -errno : 0;
		umask(old);
	}
	names_close(&ns);
	return r;
}

static int do_unlink(struct broker *b, struct freq *f)
{
	struct names ns;
	int r = reach_names(b, f, 0, 0, &ns);
	if (r < 0)
		return r;
	r = unlinkat(ns.dfd[0], ns.name[0], f->atflags & AT_REMOVEDIR) < 0 ? -errno : 0;
	names_close(&ns);
	return r;
}

static int do_rename(struct broker *b, struct freq *f)
{
	struct names ns;
	int r = reach_names(b, f, 0, 1, &ns);
	if (r < 0)
		return r;
	r = (int)syscall(SYS_renameat2, ns.dfd[0], ns.name[0], ns.dfd[1], ns.name[1],
			 (unsigned)f->atflags) < 0 ? -errno : 0;
	names_close(&ns);
	return r;
}

/* link: the new name needs write, and so does the old object: a second name
 * must not make a file writable that the policy keeps read-only, nor give a
 * denied one a name the deny does not cover. */
static int do_link(struct broker *b, struct freq *f)
{
	struct names ns;
	char p[32];
	bool by_name = f->p[0].path[0] && !(f->use[0] & NAME_FOLLOW);
	int r = reach_names(b, f, by_name ? 0 : 1, 1, &ns);
	if (r < 0)
		return r;
	int d1 = ns.dfd[ns.n - 1];
	const char *n1 = ns.name[ns.n - 1];
	if (by_name) {
		/* The name itself: a symlink is linked, not followed. */
		r = linkat(ns.dfd[0], ns.name[0], d1, n1, 0) < 0 ? -errno : 0;
	} else if (!f->p[0].path[0]) {
		/* linkat(fd, "", AT_EMPTY_PATH): an fd the program holds,
		 * open for writing or not linked anywhere (O_TMPFILE). */
		_cleanup_close_ int fd = fileops_program_fd_any(f, f->p[0].dirfd);
		struct stat st;
		r = fd < 0 ? fd : fstat(fd, &st) < 0 ? -errno : 0;
		if (r == 0 && !fileops_id_valid(b, f->n->id))
			r = -ENOENT;
		/* A file linked nowhere yet (O_TMPFILE) may be named; any
		 * other needs write where it is now, as link(2) by path would. */
		char now[PATH_MAX];
		ssize_t nl = r == 0 && st.st_nlink ? readlink(fdpath(p, fd), now, sizeof(now) - 1) : 0;
		if (nl > 0)
			now[nl] = '\0';
		if (r == 0 && st.st_nlink &&
		    (nl <= 0 || now[0] != '/' || !(sbx_policy_check(&b->policy, now) & SBX_PERM_WRITE)))
			r = fileops_refuse(b, f, SBX_PERM_WRITE, "linking an fd of a file the policy does not let it write");
		if (r == 0)
			r = linkat(AT_FDCWD, fdpath(p, fd), d1, n1, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	} else {
		struct sbx_resolved res;
		r = fileops_decide(b, f, &f->p[0], false, SBX_PERM_WRITE, &res);
		if (r == 0) {
			r = linkat(AT_FDCWD, fdpath(p, res.fd), d1, n1, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
			close(res.fd);
		}
	}
	names_close(&ns);
	return r;
}

static int do_symlink(struct broker *b, struct freq *f)
{
	char text[PATH_MAX];
	ssize_t len = memio_read_string((pid_t)f->n->pid, f->name_addr, text, sizeof(text));
	if (len < 0)
		return (int)len;
	if (!fileops_id_valid(b, f->n->id))
		return -ENOENT;
	if (len == 0)
		return -ENOENT;
	struct names ns;
	int r = reach_names(b, f, 1, 1, &ns);
	if (r < 0)
		return r;
	r = symlinkat(text, ns.dfd[0], ns.name[0]) < 0 ? -errno : 0;
	names_close(&ns);
	return r;
}

/* Times for utimensat from any of the four time syscalls; NULL for "now". */
static int read_times(struct broker *b, const struct freq *f, struct timespec ts[2],
		      struct timespec **out)
{
	*out = NULL;
	if (!f->buf_addr)
		return 0;
	pid_t pid = (pid_t)f->n->pid;
	int r;
	switch (f->n->data.nr) {
	case SYS_utime: {
		struct utimbuf u;
		r = memio_read(pid, f->buf_addr, &u, sizeof(u));
		ts[0] = (struct timespec){.tv_sec = u.actime};
		ts[1] = (struct timespec){.tv_sec = u.modtime};
		break;
	}
	case SYS_utimes:
	case SYS_futimesat: {
		struct timeval tv[2];
		r = memio_read(pid, f->buf_addr, tv, sizeof(tv));
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				r = r < 0 ? r : -EINVAL;
			ts[i] = (struct timespec){.tv_sec = tv[i].tv_sec, .tv_nsec = tv[i].tv_usec * 1000};
		}
		break;
	}
	default:
		r = memio_read(pid, f->buf_addr, ts, 2 * sizeof(*ts));
	}
	if (r < 0)
		return r;
	if (!fileops_id_valid(b, f->n->id))
		return -ENOENT;
	*out = ts;
	return 0;
}

/* Read the xattr name argument. */
static int read_xattr_name(struct broker *b, const struct freq *f, char name[256])
{
	ssize_t len = memio_read_string((pid_t)f->n->pid, f->name_addr, name, 256);
	if (len == -ENAMETOOLONG || len == 0)
		return -ERANGE;
	if (len < 0)
		return (int)len;
	return fileops_id_valid(b, f->n->id) ? 0 : -ENOENT;
}

/* The operations on an existing object, reached through its fd. */
static int on_object(struct broker *b, struct freq *f, int64_t *val)
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
	r = fileops_decide(b, f, &f->p[0], f->nofollow, need, &res);
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
			r = memio_write(b->listener, f->n->id, (pid_t)f->n->pid, f->buf_addr, buf, (size_t)n);
		free(buf);
		if (r < 0)
			return r;
		break;
	case OP_XATTR_SET:
		if (f->bufsiz > XATTR_MAX)
			return -E2BIG;
		if (size && !(buf = malloc(size)))
			return -ENOMEM;
		r = size ? memio_read((pid_t)f->n->pid, f->buf_addr, buf, size) : 0;
		if (r == 0 && !fileops_id_valid(b, f->n->id))
			r = -ENOENT;
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
		_cleanup_close_ int ifd = fileops_program_fd_any(f, f->oflags);
		if (ifd < 0)
			return ifd;
		if (!fileops_id_valid(b, f->n->id))
			return -ENOENT;
		n = inotify_add_watch(ifd, path, f->mode & ~(unsigned)IN_DONT_FOLLOW);
		break;
	}
	default:
		return -EACCES;
	}
	if (n < 0)
		return -errno;
	*val = n;
	return 0;
}

int mutate_handle(struct broker *b, struct freq *f, int64_t *val)
{
	int r = names_plan(f);
	if (r < 0)
		return r;
	switch (f->op) {
	case OP_MKDIR:
	case OP_MKNOD:
		return do_mkdir_mknod(b, f);
	case OP_UNLINK:
		return do_unlink(b, f);
	case OP_RENAME:
		return do_rename(b, f);
	case OP_LINK:
		return do_link(b, f);
	case OP_SYMLINK:
		return do_symlink(b, f);
	default:
		return on_object(b, f, val);
	}
}

int mutate_create_file(struct broker *b, struct freq *f, const char *missing, bool *sent)
{
	struct fpath p;
	p.dirfd = AT_FDCWD;
	snprintf(p.path, sizeof(p.path), "%s", f->p[0].path);
	if (snprintf(p.abs, sizeof(p.abs), "%s", missing) >= (int)sizeof(p.abs))
		return -ENAMETOOLONG;
	int dfd;
	char name[NAME_MAX + 1], canon[PATH_MAX];
	int r = parent(b, f, &p, 0, &dfd, name, canon);
	if (r < 0)
		return r == -EEXIST || r == -EBUSY ? -EISDIR : r;
	int keep = f->oflags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT |
				O_NOATIME | O_LARGEFILE);
	mode_t old;
	if ((r = umask_begin(f, &old)) == 0) {
		int fd = openat(dfd, name, keep | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
				f->mode & 07777);
		r = fd < 0 ? -errno : 0;
		umask(old);
		if (fd >= 0) {
			r = fileops_inject(b, f, fd, f->oflags & O_CLOEXEC);
			if (r == 0)
				*sent = true;
			close(fd);
		} else if (r == -EEXIST && !(f->oflags & O_EXCL)) {
			r = -EAGAIN; /* made meanwhile: the caller looks again */
		}
	}
	close(dfd);
	return r;
}

int mutate_tmpfile(struct broker *b, struct freq *f, bool *sent)
{
	if ((f->oflags & O_ACCMODE) == O_RDONLY)
		return -EINVAL; /* an O_TMPFILE file is made to be written */
	struct sbx_resolved res;
	int r = fileops_decide(b, f, &f->p[0], false, SBX_PERM_WRITE, &res);
	if (r < 0)
		return r;
	_cleanup_close_ int dfd = res.fd;
	if (!S_ISDIR(res.st.st_mode))
		return -ENOTDIR;
	int keep = f->oflags & (O_TMPFILE | O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
				O_DIRECT | O_NOATIME | O_LARGEFILE | O_EXCL);
	mode_t old;
	if ((r = umask_begin(f, &old)) < 0)
		return r;
	int fd = openat(dfd, ".", keep | O_NOCTTY | O_CLOEXEC, f->mode & 07777);
	r = fd < 0 ? -errno : 0;
	umask(old);
	if (fd < 0)
		return r;
	r = fileops_inject(b, f, fd, f->oflags & O_CLOEXEC);
	if (r == 0)
		*sent = true;
	close(fd);
	return r;
}
