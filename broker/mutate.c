/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Requests that make, remove, rename and link names: the broker does them
 * itself, with the program's umask, on the directory fd its own walk
 * reached, so the last component is the only name the kernel looks up,
 * never following a symlink. The policy decides on the canonical path of
 * each name: write permission, on both names for rename and link, and on
 * the object linked (names.c says what each call does to each name). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "decide.h"
#include "learn.h"
#include "handlers.h"
#include "names.h"
#include "util.h"

/* "/proc/self/fd/N": the object of the broker's fd N, by path. */
static const char *fdpath(char buf[static 32], int fd)
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
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
static int reach_names(struct broker *b, const struct request *f, int first, int last,
		       struct names *ns)
{
	ns->n = 0;
	for (int i = first; i <= last; i++) {
		int r = decide_name(b, f, &f->p[i], f->use[i], &ns->dfd[ns->n], ns->name[ns->n],
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
			return req_refuse(b, f, SBX_PERM_WRITE,
					      "rules treat what is beneath this directory apart");
		}
	}
	return 0;
}

static int do_mkdir_mknod(struct broker *b, struct request *f)
{
	struct names ns;
	unsigned type = f->mode & S_IFMT;
	int r = reach_names(b, f, 0, 0, &ns);
	if (r < 0)
		return r;
	mode_t old;
	if ((r = req_umask_begin(b, f, &old)) == 0) {
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

static int do_unlink(struct broker *b, struct request *f)
{
	struct names ns;
	int r = reach_names(b, f, 0, 0, &ns);
	if (r < 0)
		return r;
	r = unlinkat(ns.dfd[0], ns.name[0], f->atflags & AT_REMOVEDIR) < 0 ? -errno : 0;
	names_close(&ns);
	return r;
}

static int do_rename(struct broker *b, struct request *f)
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
static int do_link(struct broker *b, struct request *f)
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
		_cleanup_close_ int fd = req_program_fd_any(b, f, f->p[0].dirfd);
		struct stat st;
		r = fd < 0 ? fd : fstat(fd, &st) < 0 ? -errno : 0;
		/* A file linked nowhere yet (O_TMPFILE) may be named; any
		 * other needs write where it is now, as link(2) by path would. */
		char now[PATH_MAX];
		ssize_t nl = r == 0 && st.st_nlink ? readlink(fdpath(p, fd), now, sizeof(now) - 1) : 0;
		if (nl > 0)
			now[nl] = '\0';
		if (r == 0 && st.st_nlink &&
		    (nl <= 0 || now[0] != '/' || !(sbx_policy_check(&b->policy, now) & SBX_PERM_WRITE)))
			r = req_refuse(b, f, SBX_PERM_WRITE, "linking an fd of a file the policy does not let it write");
		else if (r == 0 && st.st_nlink) {
			learn_path(b, now, SBX_PERM_WRITE, 0);
			req_allowed(b, f, SBX_PERM_WRITE, now);
		}
		if (r == 0)
			r = linkat(AT_FDCWD, fdpath(p, fd), d1, n1, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
	} else {
		struct sbx_resolved res;
		r = decide_object(b, f, &f->p[0], false, SBX_PERM_WRITE, &res);
		if (r == 0) {
			r = linkat(AT_FDCWD, fdpath(p, res.fd), d1, n1, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
			close(res.fd);
		}
	}
	names_close(&ns);
	return r;
}

static int do_symlink(struct broker *b, struct request *f)
{
	char text[PATH_MAX];
	ssize_t len = req_read_string(b, f, f->name_addr, text, sizeof(text));
	if (len < 0)
		return (int)len;
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

int64_t mutate_handle(struct broker *b, struct request *f)
{
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
	default:
		return do_symlink(b, f);
	}
}
