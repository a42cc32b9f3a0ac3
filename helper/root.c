/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The empty root, built by init from the broker's plan. init never resolves a
 * symlink in a path it was given: every component is opened with O_NOFOLLOW
 * (stage) or RESOLVE_NO_SYMLINKS (the caller's tree), and a bind source must
 * be the very file (dev, inode, type) the broker checked. */
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "helper.h"

#define BASE "/tmp"

int root_setup_base(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (mount("sandbox-base", BASE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=64k") < 0)
		return -errno;
	/* /empty: what a hidden file shows (root_hide). */
	if (mkdir(BASE "/oldroot", 0700) < 0 || mkdir(BASE "/stage", 0700) < 0 ||
	    mkdir(BASE "/newroot", 0700) < 0 || mknod(BASE "/empty", S_IFREG | 0444, 0) < 0)
		return -errno;
	if (chdir(BASE) < 0 || syscall(SYS_pivot_root, ".", "oldroot") < 0 ||
	    chdir("/") < 0)
		return -errno;
	if (mount("sandbox-root", "/stage", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=0755,size=1m,nr_inodes=65536") < 0)
		return -errno;
	if (mount("/stage", "/newroot", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, "/newroot", NULL,
		  MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0 ||
	    mount(NULL, "/newroot", NULL, MS_SHARED, NULL) < 0)
		return -errno;
	return 0;
}

/* Open (creating as needed) the stage directory that will hold PATH's last
 * component; *LAST points at that component. PATH must be absolute, with
 * no empty, "." or ".." component. */
static int stage_parent(const char *path, const char **last)
{
	if (path[0] != '/' || strlen(path) >= 4096)
		return -EINVAL;
	if (!path[1])
		return -EEXIST; /* "/" itself */
	int dfd = open("/stage", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	for (const char *p = path + 1; dfd >= 0;) {
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		char comp[256];
		int r = l >= sizeof(comp) ? -ENAMETOOLONG
			: !l || (l <= 2 && !strncmp(p, "..", l)) ? -EINVAL : 0;
		if (r == 0 && !*e) {
			*last = p;
			return dfd;
		}
		if (r == 0) {
			snprintf(comp, sizeof(comp), "%.*s", (int)l, p);
			if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST)
				r = -errno;
		}
		int nfd = r < 0 ? -1 : openat(dfd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = r < 0 ? r : nfd < 0 ? -errno : 0;
		close(dfd);
		if (r < 0)
			return r;
		dfd = nfd;
		p = e + 1;
	}
	return -errno;
}

int root_add_dir(const char *path)
{
	if (!strcmp(path, "/"))
		return 0;
	const char *last = NULL;
	_cleanup_close_ int dfd = stage_parent(path, &last);
	if (dfd < 0)
		return dfd;
	if (mkdirat(dfd, last, 0755) < 0 && errno != EEXIST)
		return -errno;
	struct stat st;
	if (fstatat(dfd, last, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int root_add_symlink(const char *path, const char *target)
{
	if (!*target || strlen(target) >= 4096)
		return -EINVAL;
	const char *last = NULL;
	_cleanup_close_ int dfd = stage_parent(path, &last);
	if (dfd < 0)
		return dfd;
	if (symlinkat(target, dfd, last) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	char old[4096];
	ssize_t n = readlinkat(dfd, last, old, sizeof(old) - 1);
	if (n < 0)
		return errno == EINVAL ? -EEXIST : -errno;
	old[n] = '\0';
	return strcmp(old, target) ? -EEXIST : 0;
}

/* PATH in the root as it is now (inside a bind, perhaps), following no
 * symlink; with TYPE and (unless 0) DEV:INO as the broker saw them. */
static int open_in(const char *dir, const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
	};
	_cleanup_close_ int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = d < 0 ? -1 : (int)syscall(SYS_openat2, d, path[1] ? path + 1 : ".", &how, sizeof(how));
	return fd < 0 || fstat(fd, st) < 0 ? (fd >= 0 ? close(fd) : 0, -errno) : fd;
}

static int checked(int fd, const struct stat *st, const struct sbx_bind_req *req)
{
	bool ok = (st->st_mode & S_IFMT) == (req->mode & S_IFMT) &&
		  ((!req->dev && !req->ino) || (st->st_dev == req->dev && st->st_ino == req->ino));
	return fd < 0 || ok ? fd : (close(fd), -ESTALE);
}

/* Put the detached mount MNT at PATH in the root, over what is there. */
static int place(int mnt, const char *path, mode_t type, uint32_t flags, const struct stat *src)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | (flags & SBX_BIND_DEVICE ? 0 : MOUNT_ATTR_NODEV) |
			    (flags & SBX_BIND_WRITABLE ? 0 : MOUNT_ATTR_RDONLY) |
			    (flags & SBX_BIND_NOEXEC ? MOUNT_ATTR_NOEXEC : 0),
	};
	if (mount_setattr(mnt, "", AT_EMPTY_PATH | (flags & SBX_BIND_RECURSIVE ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return -errno;
	struct stat cur;
	_cleanup_close_ int to = open_in("/newroot", path, &cur);
	if (to == -ENOENT) {
		/* The mount point: a directory, or a new empty file (mknodat
		 * follows no symlink and fails on anything already there; a
		 * device goes over an empty file, or over itself in a tree). */
		const char *last = NULL;
		_cleanup_close_ int dfd = stage_parent(path, &last);
		if (dfd < 0)
			return dfd;
		if ((type == S_IFDIR ? mkdirat(dfd, last, 0755) : mknodat(dfd, last, S_IFREG | 0644, 0)) < 0)
			return -errno;
		to = open_in("/newroot", path, &cur);
	}
	if (to < 0)
		return to;
	/* Of the wrong type, or already there, and runs where it should (the same exec approved
	 * twice; an exec inside a noexec tree is bound over it)? */
	struct statfs sf;
	bool fits = (cur.st_mode & S_IFMT) == type || (type == S_IFCHR && S_ISREG(cur.st_mode));
	if (!fits || (src && !flags && cur.st_dev == src->st_dev &&
	    cur.st_ino == src->st_ino && fstatfs(to, &sf) == 0 && !(sf.f_flags & ST_NOEXEC)))
		return fits ? 0 : -EEXIST;
	if (move_mount(mnt, "", to, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int root_add_bind(const struct sbx_bind_req *req, const char *path)
{
	/* A directory only with what is mounted beneath it: a mount that
	 * hides part of the tree on the host hides it here too. */
	mode_t type = req->mode & S_IFMT;
	/* Only a hidden mount may stand over whatever is there: a bind is of
	 * the very object the broker checked (dev, ino 0 would pass any). */
	bool recursive = req->flags & SBX_BIND_RECURSIVE, dev = req->flags & SBX_BIND_DEVICE;
	if ((dev ? type != S_IFCHR || recursive : type != S_IFREG && !(type == S_IFDIR && recursive)) ||
	    (req->flags & ~15u) || path[0] != '/' || (!req->dev && !req->ino))
		return -EINVAL;
	struct stat st;
	struct statvfs sv;
	_cleanup_close_ int src = checked(open_in("/oldroot", path, &st), &st, req);
	/* A device opens here only where it opens on the host (no nodev
	 * mount a user made, such as FUSE, lends it). */
	if (src >= 0 && dev && (fstatvfs(src, &sv) < 0 || (sv.f_flag & ST_NODEV)))
		return -EPERM;
	if (src < 0)
		return src;
	_cleanup_close_ int mnt = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
					    (recursive ? AT_RECURSIVE : 0));
	if (mnt < 0)
		return -errno;
	return place(mnt, path, type, req->flags, &st);
}

int root_hide(const struct sbx_bind_req *req, const char *path)
{
	mode_t type = req->mode & S_IFMT;
	struct stat st;
	_cleanup_close_ int to = path[0] != '/' ? -EINVAL : checked(open_in("/newroot", path, &st), &st, req);
	_cleanup_close_ int fs = to >= 0 && type == S_IFDIR ? fsopen("tmpfs", FSOPEN_CLOEXEC) : -1;
	if (fs >= 0 && (fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
			fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0))
		return -errno;
	_cleanup_close_ int mnt = fs >= 0 ? fsmount(fs, FSMOUNT_CLOEXEC, 0)
				: type == S_IFREG ? open_tree(AT_FDCWD, "/empty", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)
				: -1;
	if (to < 0 || mnt < 0)
		return to < 0 ? to : type == S_IFDIR || type == S_IFREG ? -errno : -EINVAL;
	return place(mnt, path, type, SBX_BIND_NOEXEC, NULL);
}

int root_add_proc(const char *path, bool pid_only)
{
	/* Processes the caller may not trace (init) are invisible in it.
	 * Placed like a bind, from a detached mount: the path may run through a
	 * writable bind of the caller's, and a mount(2) by name would follow a
	 * symlink planted there to anywhere in init's own tree. */
	int r = path[0] != '/' ? -EINVAL : root_add_dir(path);
	_cleanup_close_ int fs = r < 0 ? -1 : fsopen("proc", FSOPEN_CLOEXEC);
	_cleanup_close_ int mnt = fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "hidepid", "invisible", 0) < 0 ||
				  (pid_only && fsconfig(fs, FSCONFIG_SET_STRING, "subset", "pid", 0) < 0) ||
				  fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ? -1 : fsmount(fs, FSMOUNT_CLOEXEC, 0);
	return r < 0 ? r : mnt < 0 ? -errno : place(mnt, path, S_IFDIR, SBX_BIND_WRITABLE | SBX_BIND_NOEXEC, NULL);
}

int root_enter(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return -errno;
	/* Stack the old root on the new one and detach it: no put_old
	 * directory is needed in the read-only root. */
	if (chdir("/newroot") < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return -errno;
	return 0;
}
