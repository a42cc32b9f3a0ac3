/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy's decisions on what a request reaches (decide.h).
 *
 * A path the policy grants is resolved by the broker itself (resolve.c) and
 * decided on the canonical path of the object it opened, never on the
 * string. A path the policy refuses is still fine to look at when it names
 * something in the sandbox's own root (its directories and approved
 * executables): that is opened there, beneath the program's root. The
 * program is told that something is missing only where the policy lets it
 * look: a path granted, or a name missing from a directory it may list. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "decide.h"
#include "pattern.h"
#include "learn.h"
#include "learnpolicy.h"
#include "names.h"
#include "procself.h"
#include "util.h"

/* Every symlink a walk follows must itself be visible to the program, and
 * so must every directory it leaves by "..": granted something, or on the
 * way to something granted. Else ".." would tell what exists there. */
static int link_allowed(void *ctx, const char *link_path, const char *target)
{
	const struct broker *b = ctx;
	if (!target)
		return decide_visible(b, link_path) ? 0 : -EACCES;
	if (!sbx_policy_check(&b->policy, link_path))
		return -EACCES;
	learn_path(b, link_path, SBX_PERM_STAT, 0);
	return 0;
}

int decide_resolve(struct broker *b, const char *abs, unsigned flags, struct sbx_resolved *res)
{
	return sbx_resolve(b->rootfd, abs, flags, link_allowed, b, res);
}

bool decide_visible(const struct broker *b, const char *path)
{
	char lex[PATH_MAX];
	if (!sbx_path_lexical(path, lex, sizeof(lex)))
		strcpy(lex, "/");
	return sbx_policy_check(&b->policy, lex) || sbx_policy_covers_below(&b->policy, lex);
}

bool decide_temporary(const struct broker *b, const char *path)
{
	bool temp = false;
	for (size_t i = 0; b->policy.temporary && i < b->policy.n_rules; i++) {
		const struct sbx_rule *r = &b->policy.rules[i];
		if ((r->kind == SBX_RULE_TEMP || r->kind == SBX_RULE_DENY) && sbx_pattern_match(r->pattern, path)) {
			if (r->kind == SBX_RULE_DENY)
				return false;
			temp = true;
		}
	}
	return temp;
}

bool decide_may_tell(const struct broker *b, const char *path)
{
	char lex[PATH_MAX];
	return sbx_path_lexical(path, lex, sizeof(lex)) && sbx_policy_check(&b->policy, lex);
}

bool decide_in_root(struct broker *b, const char *path, bool nofollow)
{
	pthread_mutex_lock(&b->root_lock);
	bool r = sbx_rootview_contains(&b->root, path, nofollow);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

/* The program's root, opened once through /proc: every sandboxed process
 * has the same one (chroot and pivot_root are refused). */
static int sandbox_root_locked(struct broker *b, const struct request *f)
{
	if (b->sbxroot >= 0)
		return b->sbxroot;
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/root", f->n->pid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (!req_alive(b, f) || fstat(fd, &st) < 0) {
		close(fd);
		return -ENOENT;
	}
	b->sbx_dev = st.st_dev;
	b->sbxroot = fd;
	return fd;
}

int decide_sandbox_root(struct broker *b, const struct request *f)
{
	pthread_mutex_lock(&b->root_lock);
	int r = sandbox_root_locked(b, f);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

/* ABS in the sandbox's own root, beneath it whatever its symlinks say. */
static int sandbox_lookup(struct broker *b, const struct request *f, const char *abs,
			  bool nofollow, struct sbx_resolved *res)
{
	int root = decide_sandbox_root(b, f);
	if (root < 0)
		return root;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	res->fd = (int)syscall(SYS_openat2, root, abs, &how, sizeof(how));
	if (res->fd < 0)
		return -errno;
	if (fstat(res->fd, &res->st) < 0 ||
	    snprintf(res->path, sizeof(res->path), "%s", abs) >= (int)sizeof(res->path)) {
		sbx_closep(&res->fd);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The missing canonical PATH's first missing name is in a directory the
 * policy lets the program list: it may learn that the name is not there
 * (git, for one, warns at every "permission denied" for its optional
 * files). Not so for a name in a directory it may not list, which would
 * tell what exists there. Looked up from the broker's root, no symlinks
 * followed: the deepest directory of PATH that exists. */
static bool missing_in_listable(const struct broker *b, const char *path)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) || dir[0] != '/')
		return false;
	for (char *s = strrchr(dir, '/'); s && strcmp(dir, "/"); s = strrchr(dir, '/')) {
		*(s == dir ? s + 1 : s) = '\0';
		struct open_how how = {
			.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH,
		};
		int fd = (int)syscall(SYS_openat2, b->rootfd, dir[1] ? dir + 1 : ".", &how, sizeof(how));
		if (fd >= 0) {
			close(fd);
			return (sbx_policy_check(&b->policy, dir) & SBX_PERM_READ) != 0;
		}
		if (errno != ENOENT)
			return false;
	}
	return false;
}

int decide_object(struct broker *b, const struct request *f, const struct fpath *p, bool nofollow,
		  unsigned need, struct sbx_resolved *res)
{
	bool handled;
	int r = procself_resolve(b, f, p, nofollow, need, res, &handled);
	if (handled)
		return r;
	/* Files of /proc that belong to no process may be granted. */
	bool proc = !strncmp(p->abs, "/proc/", 6);
	res->path[0] = '\0';
	r = sbx_resolve(b->rootfd, p->abs, (nofollow ? SBX_RESOLVE_NOFOLLOW : 0) |
				  (proc ? SBX_RESOLVE_ALLOW_PROC : 0), link_allowed, b, res);
	if (r == 0 && proc && (strncmp(res->path, "/proc/", 6) || isdigit((unsigned char)res->path[6]))) {
		sbx_closep(&res->fd);
		return req_refuse(b, f, need, "another process's /proc entry");
	}
	if (r == 0) {
		if ((sbx_policy_check(&b->policy, res->path) & need) == need) {
			learn_path(b, res->path, need, S_ISDIR(res->st.st_mode) ? SBX_LEARN_DIR : 0);
			req_allowed(b, f, need, res->path);
			return 0;
		}
		sbx_closep(&res->fd);
	} else if (r == -ENOENT || r == -ENOTDIR || r == -ELOOP || r == -ENAMETOOLONG) {
		/* Say the truth only where the policy lets the program look:
		 * the missing path (ENOENT), or the path as asked. */
		const char *where = r == -ENOENT || r == -ENOTDIR ? res->path : p->abs;
		if (decide_may_tell(b, where)) {
			if (r == -ENOENT)
				learn_path(b, where, SBX_PERM_STAT, SBX_LEARN_MISSING);
			return r;
		}
		if (r == -ENOENT && missing_in_listable(b, where))
			return r;
	}
	if (!(need & (SBX_PERM_WRITE | SBX_PERM_EXEC)) && decide_in_root(b, p->abs, nofollow) &&
	    sandbox_lookup(b, f, p->abs, nofollow, res) == 0)
		return 0;
	/* A look for something that is not there (a loader or interpreter
	 * probing for optional files) gets no line on stderr, only the audit
	 * log's; but an exclusive create (mkstemp's) is a real create,
	 * refused for want of write. */
	bool creates = f->op == OP_OPEN && (f->oflags & O_CREAT);
	if (r == -EACCES) {
		/* A link on the way the program may not see: the object is
		 * still named by where the links lead. */
		int r2 = sbx_resolve(b->rootfd, p->abs, nofollow ? SBX_RESOLVE_NOFOLLOW : 0, NULL, NULL, res);
		sbx_closep(&res->fd);
		if (r2 < 0 && r2 != -ENOENT)
			res->path[0] = '\0';
	}
	/* What only "temporary" grants is never there for the program (its
	 * creates get files with no name). */
	if ((r == 0 || r == -ENOENT || r == -EACCES) && (decide_temporary(b, p->abs) ||
							  (res->path[0] == '/' && decide_temporary(b, res->path))))
		return -ENOENT;
	struct req_refusal how = {
		.real = r == 0 || r == -ENOENT || r == -EACCES ? res->path : NULL,
		.suggest = r == -EACCES || r == 0 || r == -ENOENT,
		.quiet = r == -ENOENT && !(need & SBX_PERM_WRITE) && !creates,
		.missing = r == -ENOENT,
	};
	if (how.real && how.real[0] != '/')
		how.real = NULL;
	if (r == -ENOENT && creates)
		need |= SBX_PERM_WRITE;
	return req_refuse_how(b, f, need, how.suggest ? REQ_NOT_ALLOWED : strerror(-r), &how);
}

/* Split the absolute PATH into the directory DIR and the last component
 * NAME (trailing slashes dropped): NAME_OK, NAME_ROOT for "/" itself,
 * NAME_DOT for "." or ".."; -ENAMETOOLONG. */
enum { NAME_OK, NAME_ROOT, NAME_DOT };
static int split_last(const char *path, char *dir, char *name)
{
	size_t l = strlen(path);
	while (l > 1 && path[l - 1] == '/')
		l--;
	memcpy(dir, path, l);
	dir[l] = '\0';
	char *slash = strrchr(dir, '/');
	const char *last = slash + 1;
	if (!*last)
		return NAME_ROOT;
	if (strlen(last) > NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(name, last);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return !strcmp(name, ".") || !strcmp(name, "..") ? NAME_DOT : NAME_OK;
}

/* What the kernel says when the last component of P is "." or "..", or P
 * is "/" (ROOT), for F's call. */
static int no_name_errno(const struct request *f, const struct fpath *p, bool root)
{
	size_t l = strlen(p->path);
	while (l > 1 && p->path[l - 1] == '/')
		l--;
	bool dotdot = l >= 2 && p->path[l - 1] == '.' && p->path[l - 2] == '.';
	switch (f->op) {
	case OP_OPEN: /* a file made by open */
		return -EISDIR;
	case OP_MKDIR:
	case OP_MKNOD:
	case OP_SYMLINK:
	case OP_LINK:
		return root && f->op != OP_MKDIR ? -EBUSY : -EEXIST;
	case OP_UNLINK:
		if (!(f->atflags & AT_REMOVEDIR))
			return -EISDIR;
		if (root)
			return -EBUSY;
		return dotdot ? -ENOTEMPTY : -EINVAL;
	default: /* rename: either name */
		return -EBUSY;
	}
}

/* Making a name that exists is EEXIST before anything else, as in the
 * kernel, wherever the program may know it exists: the policy grants
 * something there or beneath, or the program may list the directory that
 * holds it (a denied file's name shows there, not what it holds). */
static bool exists_visibly(struct broker *b, const struct fpath *p)
{
	struct sbx_resolved res;
	if (decide_resolve(b, p->abs, SBX_RESOLVE_NOFOLLOW, &res) < 0)
		return false;
	close(res.fd);
	if (decide_visible(b, res.path))
		return true;
	char *slash = strrchr(res.path, '/');
	if (slash == res.path)
		slash++; /* a name in "/" */
	*slash = '\0';
	return sbx_policy_check(&b->policy, res.path) & SBX_PERM_READ;
}

int decide_name_quiet(struct broker *b, const struct fpath *p, int *dirfd, char *name, char *canon)
{
	char dir[PATH_MAX];
	int r = split_last(p->abs, dir, name);
	if (r != NAME_OK)
		return r < 0 ? r : -EINVAL;
	struct sbx_resolved res;
	r = decide_resolve(b, dir, 0, &res);
	if (r == 0 && !S_ISDIR(res.st.st_mode))
		r = -ENOTDIR;
	if (r == 0 && sbx_path_join(canon, PATH_MAX, res.path, name) < 0)
		r = -ENAMETOOLONG;
	if (r < 0) {
		sbx_closep(&res.fd);
		return r;
	}
	*dirfd = res.fd;
	return 0;
}

/* The directory of P's last component with write on the name checked. */
static int name_dir(struct broker *b, const struct request *f, const char *dir, const char *name,
		    int *dirfd, char *canon)
{
	struct sbx_resolved *res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->path[0] = '\0';
	int r = decide_resolve(b, dir, 0, res);
	if (r == 0 && !S_ISDIR(res->st.st_mode))
		r = -ENOTDIR;
	/* Nothing is made, removed or renamed in /proc (whose "self" would be
	 * the broker's). */
	if (r == 0 && (!strcmp(res->path, "/proc") || !strncmp(res->path, "/proc/", 6)))
		r = -EACCES;
	if (r == 0 && sbx_path_join(canon, PATH_MAX, res->path, name) < 0)
		r = -ENAMETOOLONG;
	if (r == 0) {
		unsigned has = sbx_policy_check(&b->policy, canon);
		if ((has & SBX_PERM_WRITE) == SBX_PERM_WRITE) {
			*dirfd = sbx_take_fd(&res->fd);
			free(res);
			return 0;
		}
		struct req_refusal how = {.real = canon, .suggest = true};
		/* (only "temporary": the name is not there, as decide_object says) */
		r = decide_temporary(b, canon) ? -ENOENT : req_refuse_how(b, f, SBX_PERM_WRITE, REQ_NOT_ALLOWED, &how);
	} else if ((r == -ENOENT || r == -ENOTDIR) && decide_may_tell(b, res->path)) {
		/* the program may know */
	} else {
		bool policy = r == -EACCES || r == -ENOENT;
		struct req_refusal how = {.real = policy && res->path[0] == '/' ? res->path : NULL,
					  .suggest = policy};
		r = req_refuse_how(b, f, SBX_PERM_WRITE, policy ? REQ_NOT_ALLOWED : strerror(-r), &how);
	}
	sbx_closep(&res->fd);
	free(res);
	return r;
}

int decide_name(struct broker *b, const struct request *f, const struct fpath *p, unsigned use,
		int *dirfd, char *name, char *canon)
{
	if ((use & NAME_MAKES) && exists_visibly(b, p))
		return -EEXIST;
	char dir[PATH_MAX];
	int r = split_last(p->abs, dir, name);
	if (r < 0)
		return r;
	if (r != NAME_OK)
		return no_name_errno(f, p, r == NAME_ROOT);
	if ((r = name_dir(b, f, dir, name, dirfd, canon)) < 0)
		return r;
	req_allowed(b, f, SBX_PERM_WRITE, canon);
	learn_path(b, canon, SBX_PERM_WRITE,
		   (use & NAME_MAKES) || f->op == OP_OPEN ? SBX_LEARN_MADE | (f->op == OP_MKDIR ? SBX_LEARN_DIR : 0)
							  : 0);
	/* "name/" names a directory: anything else there is ENOTDIR. */
	size_t l = strlen(p->path);
	struct stat st;
	if (l && p->path[l - 1] == '/' && f->op != OP_MKDIR &&
	    fstatat(*dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
		close(*dirfd);
		return -ENOTDIR;
	}
	return 0;
}

bool decide_net(const struct broker *b, enum sbx_net_op op, enum sbx_net_proto proto,
		const struct sockaddr *addr, size_t len, const char *path, bool abstract)
{
	if (!sbx_policy_net_check(&b->policy, op, proto, addr, len, path, abstract))
		return false;
	learn_net(b, op, proto, addr, len, path, abstract);
	return true;
}
