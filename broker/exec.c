/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* execve and execveat; chdir and fchdir. The kernel itself resolves these
 * paths once the broker has approved them: an exec after init bound the
 * executable into the root (plan.c; Landlock keeps the kernel from running
 * anything outside that root, and execwatch.c checks the image it loaded),
 * a chdir after the broker made the directory, empty, in the root.
 * Relative paths are then read from /proc/PID/cwd and resolved by the
 * broker on the host. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decide.h"
#include "execwatch.h"
#include "handlers.h"
#include "util.h"

int64_t exec_handle(struct broker *b, struct request *f)
{
	const struct fpath *p = &f->p[0];
	if (!p->path[0])
		return req_refuse(b, f, SBX_PERM_EXEC, "executing an open fd is not supported");
	/* The kernel resolves the path again: relative to a dirfd it could
	 * start on the host, where only Landlock keeps it from running a file
	 * the broker did not bind. */
	if (!b->landlock && p->path[0] != '/' && p->dirfd != AT_FDCWD)
		return req_refuse(b, f, SBX_PERM_EXEC, "execveat relative to a dirfd needs Landlock");
	/* Approved before: the kernel runs what is bound there. */
	pthread_mutex_lock(&b->root_lock);
	bool approved = sbx_rootview_exec_ok(&b->root, p->abs);
	pthread_mutex_unlock(&b->root_lock);
	char canon[PATH_MAX] = "";
	int r = approved ? 0 : plan_exec(b, p->abs, false, canon, sizeof(canon));
	if (r == 0) {
		req_allowed(b, f, SBX_PERM_EXEC, canon[0] ? canon : p->abs);
		/* Not on the word of the path string: the kernel reads it
		 * again, and the image it loads is checked. */
		r = execwatch_continue(b, f);
		return r == 0 || r == -ENOENT ? REQ_ANSWERED : r;
	}
	/* "Not found" only where the policy lets the program look; a search
	 * along $PATH that misses is routine and goes unsaid. */
	struct sbx_resolved res;
	if (r == -ENOENT && decide_may_tell(b, p->abs))
		return r;
	if (r == -ENOENT) { /* the audit log has it, and the count */
		int r2 = sbx_resolve(b->rootfd, p->abs, 0, NULL, NULL, &res);
		if (r2 == 0)
			close(res.fd);
		struct req_refusal how = {.real = r2 == -ENOENT ? res.path : NULL, .quiet = true, .missing = true};
		return req_refuse_how(b, f, SBX_PERM_EXEC, "not there, where the policy lets it see nothing", &how);
	}
	/* Nor is one through a directory we cannot search ourselves. */
	if (r == -EACCES && sbx_resolve(b->rootfd, p->abs, 0, NULL, NULL, &res) < 0)
		return r;
	if (r == -EACCES)
		close(res.fd);
	/* By the file it would run: /usr/bin/cc is a link to the compiler.
	 * Where that may run, the link named is what the policy lacks (a
	 * link on the way must be visible): say so, not the exec rule it has. */
	struct stat lst;
	bool link = r == -EACCES && (sbx_policy_check(&b->policy, res.path) & SBX_PERM_EXEC) &&
		    fstatat(b->rootfd, p->abs + 1, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode);
	struct req_refusal how = {.real = r == -EACCES ? (link ? p->abs : res.path) : NULL, .suggest = r == -EACCES,
				  .told = true};
	return req_refuse_how(b, f, link ? SBX_PERM_STAT : SBX_PERM_EXEC,
			      r == -EACCES ? REQ_NOT_ALLOWED : strerror(-r), &how);
}

/* chdir: the broker makes the directory (empty) in the sandbox's root, at
 * its host path, and the kernel moves there. */
int64_t chdir_handle(struct broker *b, struct request *f)
{
	const struct fpath *p = &f->p[0];
	if (decide_temporary(b, p->abs))
		return -ENOENT; /* never there */
	int r = plan_dir(b, p->abs, false, NULL);
	if (r == 0 || decide_in_root(b, p->abs, false)) /* or a directory of the root */
		return req_continue(b, f);
	if ((r == -ENOENT || r == -ENOTDIR) && decide_may_tell(b, p->abs))
		return r;
	return req_refuse(b, f, SBX_PERM_STAT, r == -EACCES ? "not allowed by the policy" : strerror(-r));
}

/* fchdir: a working directory on the host is where the kernel itself
 * resolves the relative names no request shows the broker: a core dump
 * (there are none: RLIMIT_CORE is 0) and the address of a unix datagram
 * (the program has no unix datagram socket unless the policy has unix
 * rules). With Landlock, execve reaches nothing outside the root from
 * there either; every other path is still the broker's. So fchdir is let
 * through with Landlock and without unix rules. Else it is refused: the
 * kernel would look at the fd again after the broker, and another thread
 * may have put a host directory's fd there by then, whatever the broker
 * saw (a directory of the sandbox's own root, say). */
int64_t fchdir_handle(struct broker *b, struct request *f)
{
	if (b->landlock && !b->unix_rules)
		return req_continue(b, f);
	_cleanup_close_ int fd = req_program_fd(b, f, f->p[0].dirfd, O_PATH);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	snprintf(f->p[0].path, sizeof(f->p[0].path), "fd %d", f->p[0].dirfd);
	return req_refuse(b, f, SBX_PERM_STAT,
			      b->landlock ? "fchdir under a policy with unix rules"
					  : "fchdir needs Landlock, which this kernel lacks");
}
