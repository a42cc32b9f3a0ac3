/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Directories a sandbox makes for itself outside (its private TMPDIR, its
 * cgroups) and that must not outlive it, whatever dies and whenever.
 *
 * The broker removes them when the sandbox ends, also after a fatal error;
 * a broker that is killed cannot. So each one is locked (flock) by the
 * broker that made it, for the sandbox's whole life, and every start sweeps
 * the caller's own directories of that kind that no one holds locked: only
 * their owner's death releases the lock. A starting sandbox never loses its
 * directory to a sweep: it takes the lock on the directory it made and then
 * checks that the name still leads to it; a sweep removes only what it
 * holds locked itself, and only after the same check. Nothing is followed:
 * entries are opened beneath the base directory with O_NOFOLLOW, and their
 * contents removed beneath the directory's fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "broker.h"
#include "util.h"

/* FD and NAME beneath BASE (AT_FDCWD: NAME is a path) are the same
 * directory, still linked. */
static bool same_dir(int fd, int base, const char *name)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(base, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(b.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_nlink > 0;
}

int leftover_claim(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EAGAIN : -errno; /* a sweep removed it before we opened it */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EAGAIN : -errno;
		close(fd);
		return r; /* a sweep took it first: it goes */
	}
	if (!same_dir(fd, AT_FDCWD, path)) {
		close(fd);
		return -EAGAIN; /* a sweep removed it before we locked it */
	}
	return fd;
}

/* A directory the program made unreadable or unsearchable: open it
 * after making it the owner's again (by its inode, through an O_PATH fd,
 * so that no symlink put at the name is followed). */
static int open_dir_anyway(int dfd, const char *name)
{
	int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub >= 0 || errno != EACCES)
		return sub;
	_cleanup_close_ int p = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
	if (p < 0 || chmod(proc, S_IRWXU) < 0)
		return -1;
	return openat(p, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Empty DFD, DEPTH levels below TOP. A directory deeper than 64 levels is
 * moved up to TOP (*MOVED counts them, and names the next), to be emptied
 * on another pass with few fds open, however deep the program made it. */
static void empty_at(int dfd, int top, int depth, int *moved)
{
	int dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		sbx_closep(&dup_fd);
		return;
	}
	rewinddir(d); /* the dup shares where the last pass stopped reading */
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0 || (errno != EISDIR && errno != EPERM))
			continue;
		if (depth >= 64) {
			/* Moving a directory needs write on it (its ".."). */
			int p = openat(dfd, e->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			char proc[64], up[64];
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
			if (p >= 0)
				(void)chmod(proc, S_IRWXU);
			sbx_closep(&p);
			snprintf(up, sizeof(up), ".sbx-deep-%d-%ld", *moved, (long)getpid());
			if (renameat(dfd, e->d_name, top, up) == 0)
				++*moved;
			continue;
		}
		int sub = open_dir_anyway(dfd, e->d_name);
		/* One the program made unwritable is still emptied. */
		if (sub >= 0 && (fchmod(sub, S_IRWXU) == 0 || errno == EPERM))
			empty_at(sub, top, depth + 1, moved);
		sbx_closep(&sub);
		(void)unlinkat(dfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void leftover_empty(int dfd, int depth)
{
	(void)depth;
	int moved = 0; /* also names the next one moved up */
	for (int pass = 0; pass < 10000; pass++) {
		int before = moved;
		empty_at(dfd, dfd, 0, &moved);
		if (moved == before)
			break;
	}
}

/* NAME is PREFIX followed by what a leftover of this kind has there:
 * digits (a pid), or six characters of mkdtemp's. */
static bool leftover_name(const char *name, const char *prefix, bool pid)
{
	size_t l = strlen(prefix);
	if (strncmp(name, prefix, l))
		return false;
	name += l;
	if (!pid)
		return strlen(name) == 6 && !strchr(name, '/');
	if (!*name)
		return false;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

int leftover_sweep(const char *base, const char *prefix, bool pid, bool contents, int *busy)
{
	_cleanup_close_ int bfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return -errno;
	int dup_fd = dup(bfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		sbx_closep(&dup_fd);
		return -ENOMEM;
	}
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (!leftover_name(e->d_name, prefix, pid) ||
		    fstatat(bfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue; /* not ours */
		_cleanup_close_ int fd = openat(bfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			continue; /* its sandbox lives (or is starting) */
		if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || !same_dir(fd, bfd, e->d_name))
			continue;
		if (contents)
			leftover_empty(fd, 0);
		if (unlinkat(bfd, e->d_name, AT_REMOVEDIR) == 0)
			removed++;
		else if (busy)
			++*busy; /* a cgroup whose tasks are still going */
	}
	closedir(d);
	return removed;
}
