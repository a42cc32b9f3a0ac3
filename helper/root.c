/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The empty root, built by init from the broker's plan. init never resolves a
 * symlink in a path it was given: every component is opened with O_NOFOLLOW
 * (stage) or RESOLVE_NO_SYMLINKS (the caller's tree), and a bind source must
 * be the very file (dev, inode, type) the broker checked. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"
#include "util.h"

#define BASE "/tmp"

int root_setup_base(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	if (mount("sandbox-base", BASE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=64k") < 0)
		return -errno;
	if (mkdir(BASE "/oldroot", 0700) < 0 || mkdir(BASE "/stage", 0700) < 0 ||
	    mkdir(BASE "/newroot", 0700) < 0)
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
			memcpy(comp, p, l);
			comp[l] = '\0';
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

int root_add_bind(const struct sbx_bind_req *req, const char *path)
{
	mode_t type = req->mode & S_IFMT;
	if (type != S_IFREG && type != S_IFDIR)
		return -EINVAL;
	const char *last = NULL;
	_cleanup_close_ int dfd = stage_parent(path, &last);
	if (dfd < 0)
		return dfd;

	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
	};
	_cleanup_close_ int oldroot = open("/oldroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return -errno;
	_cleanup_close_ int src = (int)syscall(SYS_openat2, oldroot, path + 1, &how, sizeof(how));
	if (src < 0)
		return -errno;
	struct stat st;
	if (fstat(src, &st) < 0)
		return -errno;
	if (st.st_dev != req->dev || st.st_ino != req->ino || (st.st_mode & S_IFMT) != type)
		return -ESTALE;

	char target[4200];
	snprintf(target, sizeof(target), "/newroot%s", path);
	/* Already bound (the same exec approved twice)? */
	struct stat cur;
	if (stat(target, &cur) == 0 && cur.st_dev == st.st_dev && cur.st_ino == st.st_ino)
		return 0;
	/* The mount point: a directory, or a new empty file (mknodat
	 * follows no symlink and fails on anything already there). */
	if ((type == S_IFDIR ? mkdirat(dfd, last, 0755) : mknodat(dfd, last, S_IFREG | 0644, 0)) < 0 &&
	    !(type == S_IFDIR && errno == EEXIST))
		return -errno;
	_cleanup_close_ int mnt = open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (mnt < 0)
		return -errno;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	if (mount_setattr(mnt, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -errno;
	if (move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
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
