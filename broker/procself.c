/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc for the program. The sandbox has no procfs of its own; the broker
 * serves the program's own entries from the host's:
 *   /proc/self/X, /proc/thread-self/X, /proc/PID/X for the program's own PID
 *   (as it knows it, or as the host knows it: a dirfd the broker handed out
 *   reads as the host's)
 * for a fixed list of X. Magic links (exe, cwd, root, fd/N, ns/X) are only
 * ever the last component: nothing is looked up through them, and an fd
 * reopened through fd/N gets no access mode its original lacks. Every other
 * process's entries are refused. Files of /proc that belong to no process
 * (cpuinfo, meminfo, filesystems, sys/...) follow the policy like any
 * other file; /proc/mounts and /proc/net mean the program's own. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procself.h"
#include "learn.h"
#include "log.h"
#include "util.h"

/* The entries of /proc/PID served, and whether each is a magic link. */
static const struct {
	const char *name;
	bool dir;   /* a directory whose entries are served too */
	bool magic; /* a magic link (or a directory of them) */
} entries[] = {
	{"exe", false, true},      {"cwd", false, true},     {"root", false, true},
	{"fd", true, true},        {"fdinfo", true, false},  {"ns", true, true},
	{"maps", false, false},    {"smaps", false, false},  {"smaps_rollup", false, false},
	{"status", false, false},  {"stat", false, false},   {"statm", false, false},
	{"cmdline", false, false}, {"environ", false, false}, {"auxv", false, false},
	{"limits", false, false},  {"comm", false, false},   {"mountinfo", false, false},
	{"mounts", false, false},  {"cgroup", false, false}, {"io", false, false},
	{"task", false, false},
};

static bool is_number(const char *s, size_t l)
{
	if (!l)
		return false;
	for (size_t i = 0; i < l; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The program's thread group id (host) and its pid in the sandbox. */
static int ids(const struct broker *b, const struct request *f, long *tgid, long *nspid)
{
	char buf[4096];
	ssize_t n = req_read_proc(b, f, "status", buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	const char *t = strstr(buf, "\nTgid:"), *ns = strstr(buf, "\nNStgid:");
	if (!t || !ns)
		return -EIO;
	*tgid = strtol(t + 6, NULL, 10);
	/* NStgid: the thread group's id at each namespace level, the
	 * innermost last (what getpid() says in any of its threads). */
	const char *e = strchrnul(ns + 1, '\n');
	const char *last = e;
	while (last > ns && !isdigit((unsigned char)last[-1]))
		last--;
	while (last > ns && isdigit((unsigned char)last[-1]))
		last--;
	*nspid = strtol(last, NULL, 10);
	return 0;
}

int procself_resolve(struct broker *b, const struct request *f, const struct fpath *p, bool nofollow,
		     unsigned need, struct sbx_resolved *res, bool *handled)
{
	*handled = false;
	const char *abs = p->abs;
	if (strncmp(abs, "/proc/", 6))
		return 0;
	const char *c = abs + 6;
	size_t l = strcspn(c, "/");
	bool self = (l == 4 && !strncmp(c, "self", 4)), thread = (l == 11 && !strncmp(c, "thread-self", 11));
	bool own_link = (l == 6 && !strncmp(c, "mounts", 6)) || (l == 3 && !strncmp(c, "net", 3));
	if (!self && !thread && !own_link && !is_number(c, l))
		return 0; /* not a process's: the policy decides */
	*handled = true;
	long tgid = 0, nspid = 0;
	int r = ids(b, f, &tgid, &nspid);
	if (r < 0)
		return r;
	if (is_number(c, l)) {
		long pid = strtol(c, NULL, 10);
		if (pid != tgid && pid != nspid)
			return req_refuse(b, f, need, "another process's /proc entry");
	}
	const char *rest = own_link ? c : c + l; /* "/X..." or "mounts" */
	while (*rest == '/')
		rest++;
	/* The entry and what follows it. */
	size_t el = strcspn(rest, "/");
	const char *after = rest + el;
	while (*after == '/')
		after++;
	size_t i = 0;
	if (el) {
		for (i = 0; i < SBX_ARRAY_SIZE(entries); i++)
			if (strlen(entries[i].name) == el && !strncmp(entries[i].name, rest, el))
				break;
		if (i == SBX_ARRAY_SIZE(entries))
			return req_refuse(b, f, need, "this /proc entry is not served");
		/* One more component at most, and only in a directory entry:
		 * fd/N, fdinfo/N, ns/X. Never "." or "..". */
		if (*after && (!entries[i].dir || strchr(after, '/') || !strcmp(after, ".") ||
			       !strcmp(after, "..")))
			return req_refuse(b, f, need, "nothing is looked up through /proc magic links");
	}
	if (need & (SBX_PERM_WRITE | SBX_PERM_EXEC) && !(el == 2 && !strncmp(rest, "fd", 2) && *after))
		return req_refuse(b, f, need, "/proc is read-only here");
	char path[PATH_MAX - 1];
	int n;
	if (thread)
		n = snprintf(path, sizeof(path), "proc/%ld/task/%u%s%.*s%s%s", tgid, f->n->pid,
			     el ? "/" : "", (int)el, rest, *after ? "/" : "", after);
	else
		n = snprintf(path, sizeof(path), "proc/%ld%s%.*s%s%s", tgid, el ? "/" : "", (int)el,
			     rest, *after ? "/" : "", after);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	bool magic_last = el && entries[i].magic && (!entries[i].dir || *after);
	/* A magic link is followed only to the object it names, for an
	 * open or a stat, and never to "root". */
	bool follow = !nofollow && magic_last;
	if (follow && el == 4 && !strncmp(rest, "root", 4))
		return req_refuse(b, f, need, "/proc/self/root is not served");
	res->fd = openat(b->rootfd, path, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	if (res->fd < 0)
		return -errno;
	if (fstat(res->fd, &res->st) < 0) {
		r = -errno;
		sbx_closep(&res->fd);
		return r;
	}
	if (follow && f->no_magic) {
		sbx_closep(&res->fd);
		return -ELOOP; /* openat2's RESOLVE_NO_MAGICLINKS */
	}
	if (follow && f->op == OP_OPEN && el == 2 && !strncmp(rest, "fd", 2)) {
		/* Reopening fd/N: read needs a readable fd, write a writable
		 * one; no reopen gives access the fd lacks. The object and its
		 * mode come from one copy of the program's fd, so a dup2
		 * meanwhile cannot pair one file's mode with another file. */
		sbx_closep(&res->fd);
		int copy = req_program_fd_any(b, f, atoi(after));
		if (copy < 0)
			return copy;
		int fl = fcntl(copy, F_GETFL);
		int want = f->oflags & O_ACCMODE, has = fl & O_ACCMODE;
		if (fl < 0 || fstat(copy, &res->st) < 0 || (fl & O_PATH) ||
		    (want != O_WRONLY && has == O_WRONLY) || (want != O_RDONLY && has == O_RDONLY) ||
		    (f->oflags & O_TRUNC && has == O_RDONLY)) {
			close(copy);
			return req_refuse(b, f, need, "the fd is not open for that");
		}
		res->fd = copy;
	} else if (follow && need & SBX_PERM_WRITE) {
		/* fd/N: an open gets no access mode the program's own fd
		 * lacks; anything else (chmod through the link, say) is the
		 * policy's to grant, on the object's path as it is now. */
		long fl = f->op == OP_OPEN ? req_fd_flags(b, f, atoi(after)) : 0;
		char link[64], now[PATH_MAX];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", res->fd);
		ssize_t len = f->op == OP_OPEN ? -1 : readlink(link, now, sizeof(now) - 1);
		if (len > 0)
			now[len] = '\0';
		/* A file linked nowhere (O_TMPFILE) may be given a name. */
		bool unlinked = S_ISREG(res->st.st_mode) && res->st.st_nlink == 0;
		bool ok = f->op == OP_OPEN ? fl >= 0 && (fl & O_ACCMODE) != O_RDONLY
			  : unlinked ? f->op == OP_LINK
				     : len > 0 && now[0] == '/' &&
					       (sbx_policy_check(&b->policy, now) & SBX_PERM_WRITE);
		if (!ok) {
			sbx_closep(&res->fd);
			return req_refuse(b, f, need, f->op == OP_OPEN ? "the fd is open read-only"
									 : "not allowed by the policy");
		}
		if (len > 0 && now[0] == '/') {
			learn_path(b, now, SBX_PERM_WRITE, 0);
			req_allowed(b, f, SBX_PERM_WRITE, now);
		}
	}
	snprintf(res->path, sizeof(res->path), "/%s", path);
	return 0;
}
