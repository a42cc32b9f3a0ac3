/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

#define MAX_SYMLINKS 40
#define MAX_DEPTH 512

struct walk {
	int fds[MAX_DEPTH]; /* fds[0] is the caller's root fd, never closed */
	size_t lens[MAX_DEPTH]; /* canonical path length at each depth */
	size_t depth;
	char path[PATH_MAX];
};

static void walk_pop(struct walk *w)
{
	if (w->depth == 0)
		return; /* ".." at "/" stays at "/" */
	close(w->fds[w->depth]);
	w->depth--;
	w->path[w->lens[w->depth]] = '\0';
}

static int walk_push(struct walk *w, int fd, const char *name)
{
	size_t cur = w->lens[w->depth];
	size_t l = strlen(name);
	size_t sep = cur == 1 ? 0 : 1; /* path is "/" at depth 0 */
	if (w->depth + 1 >= MAX_DEPTH || cur + sep + l >= sizeof(w->path)) {
		close(fd);
		return -ENAMETOOLONG;
	}
	if (sep)
		w->path[cur] = '/';
	memcpy(w->path + cur + sep, name, l + 1);
	w->depth++;
	w->fds[w->depth] = fd;
	w->lens[w->depth] = cur + sep + l;
	return 0;
}

static int is_proc(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return -errno;
	return sf.f_type == PROC_SUPER_MAGIC;
}

/* Does PATH (relative or absolute) have a ".." component? */
static bool has_dotdot(const char *path)
{
	for (const char *d = strstr(path, ".."); d; d = strstr(d + 2, ".."))
		if ((d == path || d[-1] == '/') && (d[2] == '/' || !d[2]))
			return true;
	return false;
}

/* The canonical form of a missing path: current dir + the rest, with "." and
 * ".." applied lexically, for the policy to decide between ENOENT and EACCES. */
static void missing_path(struct walk *w, const char *name, const char *rest)
{
	char tmp[PATH_MAX];
	/* A ".." after the missing name would climb out of a directory that
	 * is not there: the missing path is that name, not where ".." leads. */
	if (has_dotdot(rest))
		rest = "";
	int n = snprintf(tmp, sizeof(tmp), "%s/%s/%s", w->path, name, rest);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(w->path, sizeof(w->path), "/");
		return;
	}
	size_t o = 0;
	char *save = NULL;
	w->path[0] = '\0';
	for (char *c = strtok_r(tmp, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			char *s = strrchr(w->path, '/');
			o = s ? (size_t)(s - w->path) : 0;
			w->path[o] = '\0';
			continue;
		}
		size_t l = strlen(c);
		if (o + 1 + l >= sizeof(w->path))
			break;
		w->path[o++] = '/';
		memcpy(w->path + o, c, l + 1);
		o += l;
	}
	if (!o)
		snprintf(w->path, sizeof(w->path), "/");
}

/* PATH with "." and ".." applied and slashes squeezed, as the walk would
 * name it when no symlink is on the way. False if it climbs above "/". */
bool sbx_path_lexical(const char *path, char *out, size_t size)
{
	size_t o = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t l = strcspn(p, "/");
		if (l == 1 && p[0] == '.') {
			p += l;
			continue;
		}
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (!o)
				return false;
			while (o && out[o - 1] != '/')
				o--;
			o = o > 1 ? o - 1 : 0;
			p += l;
			continue;
		}
		if (o + 1 + l >= size)
			return false;
		out[o++] = '/';
		memcpy(out + o, p, l);
		o += l;
		p += l;
	}
	if (!o)
		out[o++] = '/';
	out[o] = '\0';
	return true;
}

/* The common case in one system call: no symlink anywhere on the way
 * (RESOLVE_NO_SYMLINKS), so the canonical path is the lexical one. Returns
 * 1 when it cannot tell (a symlink, ".." at "/", an error the walk words
 * better) and the walk must decide. */
static int resolve_direct(int rootfd, const char *path, unsigned flags, struct sbx_resolved *out)
{
	char canon[PATH_MAX];
	/* ".." is the walk's: it asks the caller about each directory left. */
	if (has_dotdot(path))
		return 1;
	if (!sbx_path_lexical(path, canon, sizeof(canon)))
		return 1;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | ((flags & SBX_RESOLVE_NOFOLLOW) ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
	};
	const char *rel = path;
	while (*rel == '/')
		rel++;
	int fd = (int)syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
	if (fd < 0) {
		if (errno != ENOENT)
			return 1;
		/* Every step that exists is a directory: the missing path is
		 * the lexical one. */
		memcpy(out->path, canon, strlen(canon) + 1);
		return -ENOENT;
	}
	int r = 0;
	if (fstat(fd, &out->st) < 0)
		r = -errno;
	else if (!(flags & SBX_RESOLVE_ALLOW_PROC) && (r = is_proc(fd)) != 0)
		r = r < 0 ? r : -EACCES;
	if (r < 0) {
		close(fd);
		return r;
	}
	out->fd = fd;
	memcpy(out->path, canon, strlen(canon) + 1);
	return 0;
}

int sbx_resolve(int rootfd, const char *path, unsigned flags, sbx_symlink_cb cb,
		void *ctx, struct sbx_resolved *out)
{
	out->fd = -1;
	if (path[0] == '/' && strlen(path) < PATH_MAX) {
		int d = resolve_direct(rootfd, path, flags, out);
		if (d <= 0)
			return d;
	}
	/* Work buffer: the part of the path still to walk. Symlink text is
	 * spliced in front of the rest. */
	char *todo = malloc(PATH_MAX * 2);
	struct walk *w = malloc(sizeof(*w));
	int r = 0, links = 0;
	out->fd = -1;
	if (!todo || !w) {
		free(todo);
		free(w);
		return -ENOMEM;
	}
	w->depth = 0;
	w->fds[0] = rootfd;
	w->lens[0] = 1;
	strcpy(w->path, "/");
	if (path[0] != '/' || strlen(path) >= PATH_MAX) {
		r = path[0] != '/' ? -EINVAL : -ENAMETOOLONG;
		goto out;
	}
	struct stat st;
	bool want_dir = path[strlen(path) - 1] == '/';
	strcpy(todo, path);

	char *p = todo;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		char *e = strchrnul(p, '/');
		char name[NAME_MAX + 1];
		size_t l = (size_t)(e - p);
		if (l > NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, p, l);
		name[l] = '\0';
		char *rest = e;
		while (*rest == '/')
			rest++;
		bool last = !*rest;
		if (!strcmp(name, "."))  {
			p = rest;
			continue;
		}
		if (!strcmp(name, "..")) {
			/* Whether ".." leads on tells whether the directory
			 * exists: the caller decides which may be left so. */
			if (cb && w->depth && (r = cb(ctx, w->path, NULL)) < 0)
				goto out;
			walk_pop(w);
			p = rest;
			continue;
		}
		int fd;
		if (!last || want_dir) {
			/* The common case, a directory on the way: O_DIRECTORY with
			 * O_NOFOLLOW opens nothing else (a symlink gives ENOTDIR),
			 * so no fstat is needed. */
			fd = openat(w->fds[w->depth], name,
				    O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0) {
				r = walk_push(w, fd, name);
				if (r < 0)
					goto out;
				p = rest;
				continue;
			}
			if (errno != ENOTDIR) {
				r = -errno;
				if (r == -ENOENT)
					missing_path(w, name, rest);
				goto out;
			}
		}
		fd = openat(w->fds[w->depth], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			if (r == -ENOENT)
				missing_path(w, name, rest);
			goto out;
		}
		if (fstat(fd, &st) < 0) {
			r = -errno;
			close(fd);
			goto out;
		}
		if (S_ISLNK(st.st_mode) && (!last || want_dir || !(flags & SBX_RESOLVE_NOFOLLOW))) {
			char target[PATH_MAX];
			ssize_t n = readlinkat(fd, "", target, sizeof(target));
			close(fd);
			if (n < 0 || (size_t)n >= sizeof(target) || n == 0) {
				r = n < 0 ? -errno : -ENAMETOOLONG;
				goto out;
			}
			target[n] = '\0';
			if (++links > MAX_SYMLINKS) {
				r = -ELOOP;
				goto out;
			}
			if (cb) {
				char lp[PATH_MAX];
				if (sbx_path_join(lp, sizeof(lp), w->path, name) < 0) {
					r = -ENAMETOOLONG;
					goto out;
				}
				r = cb(ctx, lp, target);
				if (r < 0)
					goto out;
			}
			/* todo := target "/" rest (rest may alias todo: move it first) */
			size_t rl = strlen(rest), tl = (size_t)n;
			if (tl + 1 + rl + 1 > PATH_MAX * 2) {
				r = -ENAMETOOLONG;
				goto out;
			}
			memmove(todo + tl + 1, rest, rl + 1);
			memcpy(todo, target, tl);
			todo[tl] = '/';
			/* A link whose text ends in '/', last on the way,
			 * names a directory (as for the kernel). */
			if (!rl && target[tl - 1] == '/')
				want_dir = true;
			if (!rl && !want_dir)
				todo[tl] = '\0';
			if (target[0] == '/')
				while (w->depth)
					walk_pop(w);
			p = todo;
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			close(fd);
			r = -ENOTDIR;
			/* The object that is not a directory, by its path. */
			if (sbx_path_join(out->path, sizeof(out->path), w->path, name) < 0)
				snprintf(out->path, sizeof(out->path), "%s", w->path);
			goto out;
		}
		r = walk_push(w, fd, name);
		if (r < 0)
			goto out;
		p = rest;
	}
	if (w->depth == 0) {
		out->fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (out->fd < 0) {
			r = -errno;
			goto out;
		}
	} else {
		out->fd = w->fds[w->depth];
		w->depth--;
	}
	if (fstat(out->fd, &out->st) < 0) {
		r = -errno;
		sbx_closep(&out->fd);
		goto out;
	}
	/* Nothing on procfs is handed out by path: the broker's own /proc
	 * would be the program's. The walk itself follows procfs symlinks
	 * only as text. */
	if (!(flags & SBX_RESOLVE_ALLOW_PROC)) {
		int pr = is_proc(out->fd);
		if (pr != 0) {
			r = pr < 0 ? pr : -EACCES;
			sbx_closep(&out->fd);
			goto out;
		}
	}
	if (want_dir && !S_ISDIR(out->st.st_mode)) {
		r = -ENOTDIR;
		sbx_closep(&out->fd);
		memcpy(out->path, w->path, strlen(w->path) + 1);
		goto out;
	}
	memcpy(out->path, w->path, strlen(w->path) + 1);
	r = 0;
out:
	if (r == -ENOENT)
		memcpy(out->path, w->path, strlen(w->path) + 1);
	while (w->depth) {
		close(w->fds[w->depth]);
		w->depth--;
	}
	free(w);
	free(todo);
	return r;
}

int sbx_path_join(char *out, size_t size, const char *base, const char *path)
{
	int n;
	if (path[0] == '/')
		n = snprintf(out, size, "%s", path);
	else if (!strcmp(base, "/"))
		n = snprintf(out, size, "/%s", path);
	else
		n = snprintf(out, size, "%s/%s", base, path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}
