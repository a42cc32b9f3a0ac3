/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compiling the policy into the view (view.h), and sending it to init.
 *
 * Only what has one meaning for every path beneath it becomes a mount: a
 * literal path, or a tree "DIR/ **" (no space) with no other wildcard. A
 * read, exec or stat rule whose wildcards each stay within one component
 * ("/usr/lib/gcc/ *-linux-gnu/ * /cc1", "/usr/lib/python3.* / **", no spaces)
 * is expanded at start into the literal rules of what matches now. The
 * rest (wildcards across components, write patterns, a literal directory
 * whose listing the policy limits, devices) is left out and the view
 * marked incomplete: the broker keeps serving those by the policy. Every path is the host's canonical
 * one; a deny inside a bound tree is expanded against what exists now. */
#include "view.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "channel.h"
#include "log.h"
#include "pattern.h"
#include "util.h"

/* A walk expanding one deny pattern visits at most this many entries; past
 * it the tree is left out of the view rather than shown half hidden. */
#define WALK_BUDGET 200000

static int add(struct view *v, enum view_kind kind, const char *path, mode_t type,
	       uint32_t flags, const struct stat *st, const char *target)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 32;
		struct view_entry *n = realloc(v->v, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	struct view_entry *e = &v->v[v->n];
	*e = (struct view_entry){.kind = kind, .type = type, .flags = flags};
	e->path = strdup(path);
	e->target = target ? strdup(target) : NULL;
	if (st) {
		e->dev = st->st_dev;
		e->ino = st->st_ino;
	}
	if (!e->path || (target && !e->target)) {
		free(e->path);
		free(e->target);
		return -ENOMEM;
	}
	v->n++;
	return 0;
}

bool view_within(const char *path, const char *dir)
{
	size_t l = strlen(dir);
	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, l) && (path[l] == '/' || !path[l]);
}

/* PATH's own name with a canonical directory: what the policy speaks of. */
static bool canonical(const char *path)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (path[0] != '/' || !strcmp(path, "/"))
		return path[0] == '/';
	snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (!realpath(dir, real))
		return false;
	return !strcmp(real, dir);
}

int view_rule_base(const char *pat, char *base, size_t size)
{
	size_t l = strlen(pat);
	const char *star = strchr(pat, '*');
	if (strchr(pat, '$'))
		return 0;
	if (!star)
		return snprintf(base, size, "%s", pat) < (int)size ? 1 : 0;
	if (l < 3 || strcmp(pat + l - 3, "/**") || star != pat + l - 2)
		return 0;
	int n = l == 3 ? snprintf(base, size, "/") : snprintf(base, size, "%.*s", (int)(l - 3), pat);
	return n > 0 && n < (int)size ? 2 : 0;
}

/* What compile_rule makes of a rule: done (0), or left out (LEFT_OUT,
 * view.h), which the view can stand only if a tree of it holds everything
 * beneath the rule's literal directory (view_compile checks once all trees
 * are in; a bind shows the host's tree as it is, files made later too). */
#define LEFT_OUT VIEW_LEFT_OUT

/* One allow rule, as a bind, a directory or a symlink (or nothing). */
static int compile_rule(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v)
{
	char base[PATH_MAX];
	int form = view_rule_base(r->pattern, base, sizeof(base));
	struct stat st;
	if (!form)
		return LEFT_OUT;
	if (!canonical(base))
		return 0; /* the policy speaks of canonical paths: it names nothing */
	if (view_within(base, "/proc"))
		return 0; /* the sandbox's own procfs stands for the host's */
	if (lstat(base, &st) < 0) {
		/* Nothing there now: a file the program may make is the
		 * broker's; a path to read that is not there stays so. */
		if (errno != ENOENT && errno != ENOTDIR && errno != EACCES)
			return -errno;
		return r->kind == SBX_RULE_WRITE ? LEFT_OUT : 0;
	}
	unsigned perms = sbx_policy_check(p, base);
	if (!perms)
		return form == 2 && sbx_policy_covers_below(p, base) ? LEFT_OUT : 0; /* a deny names it */
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(base, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return add(v, VIEW_SYMLINK, base, S_IFLNK, 0, NULL, target);
	}
	if (r->kind == SBX_RULE_STAT || (form == 1 && S_ISDIR(st.st_mode))) {
		/* Only its name: what is in it stays the policy's (its
		 * listing, for a read of the directory itself). */
		int e = S_ISDIR(st.st_mode) ? add(v, VIEW_DIR, base, S_IFDIR, 0, NULL, NULL) : 0;
		return e < 0 ? e : r->kind == SBX_RULE_STAT && S_ISDIR(st.st_mode) ? 0 : LEFT_OUT;
	}
	/* A device node the policy names opens as one; block devices, FIFOs
	 * and sockets stay the broker's. */
	bool dev = S_ISCHR(st.st_mode) && form == 1;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !dev)
		return LEFT_OUT;
	/* A read tree is mapped as code (shared libraries, which the kernel
	 * opens now); what runs is still the broker's, execve always stops.
	 * What the program writes does not run. */
	uint32_t flags = (form == 2 ? SBX_BIND_RECURSIVE : 0) | (dev ? SBX_BIND_DEVICE : 0) |
			 (r->kind == SBX_RULE_WRITE ? SBX_BIND_WRITABLE | SBX_BIND_NOEXEC : 0);
	return add(v, VIEW_BIND, base, st.st_mode & S_IFMT, flags, &st, NULL);
}

void view_literal_dir(const char *pat, char *dir, size_t size)
{
	size_t l = strcspn(pat, "*?[{$");
	if (!pat[l]) {
		snprintf(dir, size, "%s", pat);
		return;
	}
	while (l > 0 && pat[l - 1] != '/')
		l--;
	snprintf(dir, size, "%.*s", l > 1 ? (int)(l - 1) : 1, pat);
}

static int by_path(const void *a, const void *b)
{
	const struct view_entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	/* At one path a bind first, the strongest of them (the rest is
	 * dropped). */
	if ((x->kind == VIEW_BIND) != (y->kind == VIEW_BIND))
		return x->kind == VIEW_BIND ? -1 : 1;
	return x->flags == y->flags ? 0 : x->flags > y->flags ? -1 : 1;
}

/* The recursive bind whose tree holds PATH (not PATH itself unless SELF). */
static const struct view_entry *tree_of(const struct view *v, const char *path, bool self)
{
	const struct view_entry *best = NULL;
	for (size_t i = 0; i < v->n; i++) {
		const struct view_entry *e = &v->v[i];
		if (e->kind == VIEW_BIND && (e->flags & SBX_BIND_RECURSIVE) && view_within(path, e->path) &&
		    (self || strcmp(path, e->path)) && (!best || strlen(e->path) > strlen(best->path)))
			best = e;
	}
	return best;
}

/* Could PAT match something strictly beneath DIR? DIR's components are
 * matched against PAT's first ones; *REST is what PAT has left (NULL where
 * a "**" among them could match at any depth). */
static bool may_match_beneath(const char *pat, const char *dir, const char **rest)
{
	const char *p = pat, *d = strcmp(dir, "/") ? dir : "";
	*rest = NULL;
	while (*d) {
		const char *pe = strchrnul(p + 1, '/'), *de = strchrnul(d + 1, '/');
		char pc[PATH_MAX], dc[PATH_MAX];
		if (*p != '/')
			return false; /* PAT ends above DIR */
		snprintf(pc, sizeof(pc), "%.*s", (int)(pe - p), p);
		snprintf(dc, sizeof(dc), "%.*s", (int)(de - d), d);
		if (strstr(pc, "**"))
			return true;
		if (!sbx_pattern_match(pc, dc))
			return false;
		p = pe;
		d = de;
	}
	*rest = p;
	return *p == '/';
}

/* A deny PAT whose literal directory DIR no tree holds (a wildcard in a
 * component above a tree, as an expanded tree rule gives): each tree
 * beneath DIR where it may match names made later is guarded at its top,
 * or, where they may appear deeper, the view is incomplete. */
static int add_guard(struct view *v, const char *dir)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].kind == VIEW_GUARD && !strcmp(v->v[i].path, dir))
			return 0;
	return add(v, VIEW_GUARD, dir, S_IFDIR, 0, NULL, NULL);
}
static int guard_below(struct view *v, const char *pat, const char *dir)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct view_entry *e = &v->v[i];
		const char *rest;
		if (e->kind != VIEW_BIND || !(e->flags & SBX_BIND_RECURSIVE) || !view_within(e->path, dir) ||
		    !may_match_beneath(pat, e->path, &rest))
			continue;
		const char *next = rest ? strchr(rest + 1, '/') : NULL;
		if (!rest || (next && strcmp(next, "/**")) || (e->flags & SBX_BIND_WRITABLE)) {
			v->complete = false;
			return 0;
		}
		char top[PATH_MAX];
		snprintf(top, sizeof(top), "%s", e->path);
		int r = add_guard(v, top);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A deny PAT inside a tree may match a name made after the start, which no
 * hide covers: the directory such names appear in is guarded (Landlock
 * names what is in it at start one by one, and nothing made there later
 * opens). Where matches may appear deeper than one directory ('**' before
 * the last component, wildcards in two), no guard can say it: the view
 * is incomplete. */
static int guard_deny(struct view *v, const char *pat)
{
	char dir[PATH_MAX];
	view_literal_dir(pat, dir, sizeof(dir));
	const struct view_entry *t = tree_of(v, dir, true);
	if (!t)
		return guard_below(v, pat, dir); /* no tree holds it: trees beneath it may */
	const char *rest = pat + strlen(dir) + (strcmp(dir, "/") ? 0 : -1);
	const char *next = *rest ? strchr(rest + 1, '/') : NULL;
	if (*rest && next && strcmp(next, "/**")) {
		v->complete = false;
		return 0;
	}
	/* A literal name, or a tree that is the directory itself: its parent. */
	if (!*rest || !strcmp(rest, "/**")) {
		char *s = strrchr(dir, '/');
		if (s)
			*(s == dir ? s + 1 : s) = '\0';
	}
	struct stat st;
	while (strlen(dir) > strlen(t->path) && (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))) {
		char *s = strrchr(dir, '/');
		*(s == dir ? s + 1 : s) = '\0';
	}
	if (!view_within(dir, t->path))
		snprintf(dir, sizeof(dir), "%s", t->path);
	if (t->flags & SBX_BIND_WRITABLE) {
		v->complete = false; /* the program's own files there would not open */
		return 0;
	}
	return add_guard(v, dir);
}

static void drop(struct view *v, size_t i)
{
	free(v->v[i].path);
	free(v->v[i].target);
	memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(v->v[0]));
	v->n--;
}

/* Sorted, without what a tree already shows as it is, and with the
 * directories on the way to each entry. */
static int tidy(struct view *v)
{
	qsort(v->v, v->n, sizeof(v->v[0]), by_path);
	for (size_t i = 0; i < v->n;) {
		const struct view_entry *e = &v->v[i];
		const struct view_entry *t = tree_of(v, e->path, false);
		bool same = i > 0 && !strcmp(v->v[i - 1].path, e->path);
		bool shown = t && (e->kind != VIEW_BIND || e->flags == (t->flags & ~SBX_BIND_RECURSIVE) ||
				   e->flags == t->flags);
		if (same || (shown && e->kind != VIEW_HIDE && e->kind != VIEW_PROC))
			drop(v, i);
		else
			i++;
	}
	size_t n = v->n;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", v->v[i].path);
		for (char *s = strrchr(dir, '/'); s && s != dir; s = strrchr(dir, '/')) {
			*s = '\0';
			if (tree_of(v, dir, true))
				break;
			bool have = false;
			for (size_t j = 0; j < v->n && !have; j++)
				have = !strcmp(v->v[j].path, dir);
			int r = have ? 0 : add(v, VIEW_DIR, dir, S_IFDIR, 0, NULL, NULL);
			if (r < 0)
				return r;
		}
	}
	qsort(v->v, v->n, sizeof(v->v[0]), by_path);
	return 0;
}

/* Hide PATH (a directory or a file; a symlink shows only where it points,
 * which the view holds or not by itself). */
static int hide(struct view *v, const char *path, const struct stat *st)
{
	if (!S_ISDIR(st->st_mode) && !S_ISREG(st->st_mode))
		return S_ISLNK(st->st_mode) ? 0 : -EOPNOTSUPP;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].kind == VIEW_HIDE && !strcmp(v->v[i].path, path))
			return 0;
	return add(v, VIEW_HIDE, path, st->st_mode & S_IFMT, 0, st, NULL);
}

/* Hide everything beneath the directory PATH (fd DFD) that PAT matches. */
static int walk(struct view *v, const char *pat, int dfd, char *path, size_t len, long *budget)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (--*budget < 0) {
			r = -E2BIG;
			break;
		}
		size_t l = strlen(de->d_name);
		if (len + 1 + l >= PATH_MAX) {
			r = -ENAMETOOLONG;
			break;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, l + 1);
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = errno == ENOENT ? 0 : -errno;
		} else if (sbx_pattern_match(pat, path)) {
			r = hide(v, path, &st);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* A directory we cannot list may still hold names
			 * the pattern matches: the tree is left out then. */
			if (sub >= 0)
				r = walk(v, pat, sub, path, len + 1 + l, budget);
			else if (errno != ENOENT)
				r = -errno;
		}
		path[len] = '\0';
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* A deny pattern over the tree bound at ROOT: what it matches now, hidden. */
static int expand_deny(struct view *v, const char *pat, const char *root, long *budget)
{
	char start[PATH_MAX], path[PATH_MAX];
	const char *star = strchr(pat, '*');
	struct stat st;
	if (!star) {
		if (!view_within(pat, root) || lstat(pat, &st) < 0)
			return 0;
		return hide(v, pat, &st);
	}
	/* Walk from the deepest directory both the pattern and the tree
	 * start in. */
	const char *slash = star;
	while (slash > pat && *slash != '/')
		slash--;
	snprintf(start, sizeof(start), "%.*s", slash == pat ? 1 : (int)(slash - pat), pat);
	if (view_within(root, start))
		snprintf(start, sizeof(start), "%s", root);
	else if (!view_within(start, root))
		return 0;
	if (!canonical(start) || lstat(start, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (sbx_pattern_match(pat, start))
		return hide(v, start, &st);
	int dfd = open(start, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s", strcmp(start, "/") ? start : "");
	return walk(v, pat, dfd, path, strlen(path), budget);
}

int view_compile(const struct sbx_policy *p, struct view *v)
{
	*v = (struct view){.complete = true};
	int r = 0;
	bool *left = calloc(p->n_rules + 1, sizeof(*left));
	if (!left)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules && r >= 0; i++) {
		/* (a "temporary" name is only ever made, and the broker makes it) */
		r = p->rules[i].kind == SBX_RULE_DENY || p->rules[i].kind == SBX_RULE_TEMP ? 0
		    : compile_rule(p, &p->rules[i], v);
		left[i] = r == LEFT_OUT;
	}
	/* Wildcards within one component each, where no tree holds them
	 * (the trees are all in by now): their matches as they are now. */
	for (size_t i = 0; i < p->n_rules && r >= 0; i++) {
		char dir[PATH_MAX];
		view_literal_dir(p->rules[i].pattern, dir, sizeof(dir));
		if (left[i] && view_expandable(&p->rules[i]) && !tree_of(v, dir, true)) {
			r = view_expand(p, &p->rules[i], v, compile_rule);
			left[i] = r == LEFT_OUT;
		}
	}
	if (r >= 0)
		r = tidy(v);
	/* Denies over each tree; a tree whose denies cannot all be expanded
	 * is left to the broker whole. */
	size_t n = v->n;
	for (size_t t = 0; t < n && r == 0; t++) {
		if (v->v[t].kind != VIEW_BIND || !(v->v[t].flags & SBX_BIND_RECURSIVE))
			continue;
		size_t before = v->n;
		long budget = WALK_BUDGET;
		int e = 0;
		for (size_t i = 0; i < p->n_rules && e == 0; i++)
			if (p->rules[i].kind == SBX_RULE_DENY)
				e = expand_deny(v, p->rules[i].pattern, v->v[t].path, &budget);
		if (e == -ENOMEM)
			r = e;
		else if (e < 0) {
			while (v->n > before)
				drop(v, v->n - 1);
			v->v[t].kind = VIEW_DIR; /* only its name */
			v->v[t].flags = 0;
			v->complete = false;
		}
	}
	for (size_t i = 0; i < p->n_rules && r == 0; i++)
		if (p->rules[i].kind == SBX_RULE_DENY)
			r = guard_deny(v, p->rules[i].pattern);
	/* A deny inside a writable tree: a rename there (the program's own,
	 * through the broker, on the host, where no mount hides it) would drop
	 * the hide, and Landlock cannot split a tree whose files are still to
	 * be made (viewlock.c). Reads there stay the broker's. */
	for (size_t i = 0; i < v->n && r == 0; i++) {
		const struct view_entry *t = v->v[i].kind == VIEW_HIDE ? tree_of(v, v->v[i].path, false) : NULL;
		if (t && (t->flags & SBX_BIND_WRITABLE))
			v->complete = false;
	}
	/* What was left out, where no tree holds it. */
	for (size_t i = 0; i < p->n_rules && r == 0; i++) {
		char dir[PATH_MAX];
		view_literal_dir(p->rules[i].pattern, dir, sizeof(dir));
		if (left[i] && !view_within(dir, "/proc") && !tree_of(v, dir, true))
			v->complete = false;
	}
	free(left);
	if (r == 0)
		qsort(v->v, v->n, sizeof(v->v[0]), by_path);
	if (r < 0)
		view_free(v);
	return r;
}

int view_add_file(struct view *v, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? add(v, VIEW_BIND, path, S_IFREG, 0, &st, NULL) : 0;
}

/* Does P grant something at PATH or beneath it? */
static bool grants_at_or_below(const struct sbx_policy *p, const char *path)
{
	if (sbx_policy_check(p, path))
		return true;
	for (size_t i = 0; i < p->n_rules; i++) {
		char dir[PATH_MAX];
		view_literal_dir(p->rules[i].pattern, dir, sizeof(dir));
		if (p->rules[i].kind != SBX_RULE_DENY && view_within(dir, path))
			return true;
	}
	return false;
}

int view_add_proc(struct view *v, const struct sbx_policy *p)
{
	/* Hidden whatever the policy says: the host's sysctl, devices, the
	 * kernel's memory, log and keys. */
	static const char *const always[] = {
		"sys", "acpi", "bus", "driver", "fs", "irq", "scsi", "sysvipc", "sysrq-trigger", "kcore",
		"kmsg", "kallsyms", "keys", "key-users", "timer_list", "sched_debug", "latency_stats",
		"kpagecount", "kpageflags", "kpagecgroup", "mtrr", "config.gz", "modules", "vmallocinfo",
		"slabinfo", "iomem", "ioports",
	};
	size_t at = v->n;
	int r = add(v, VIEW_PROC, "/proc", S_IFDIR, 0, NULL, NULL);
	/* The rest of what describes the host (everything but the
	 * processes, which are the sandbox's) only where the policy grants
	 * it. The host's procfs is of the same kernel: it has the same
	 * names. */
	DIR *d = r < 0 ? NULL : opendir("/proc");
	if (r == 0 && !d)
		r = -errno;
	bool granted = false; /* anything of the host's, or a link into the process's own */
	for (struct dirent *e; r == 0 && d && (e = readdir(d));) {
		char path[300];
		bool hide = false;
		for (size_t i = 0; i < SBX_ARRAY_SIZE(always); i++)
			hide |= !strcmp(e->d_name, always[i]);
		snprintf(path, sizeof(path), "/proc/%s", e->d_name);
		if (e->d_name[0] == '.' || strspn(e->d_name, "0123456789") == strlen(e->d_name) ||
		    !strcmp(e->d_name, "self") || !strcmp(e->d_name, "thread-self"))
			continue; /* processes, self and thread-self */
		bool shown = !hide && grants_at_or_below(p, path);
		granted |= shown;
		if (shown || (e->d_type != DT_DIR && e->d_type != DT_REG))
			continue; /* mounts and net: links into the process's own */
		r = add(v, VIEW_HIDE, path, e->d_type == DT_DIR ? S_IFDIR : S_IFREG, 0, NULL, NULL);
	}
	if (d)
		closedir(d);
	/* Nothing but processes: a procfs that has nothing else (subset=pid)
	 * instead of one hidden mount for each of the rest. */
	while (r == 0 && !granted && v->n > at + 1) {
		v->n--;
		free(v->v[v->n].path);
	}
	if (r == 0 && !(v->v[at].target = strdup(granted ? "" : "pid")))
		r = -ENOMEM;
	if (r == 0)
		qsort(v->v, v->n, sizeof(v->v[0]), by_path);
	return r;
}

void view_free(struct view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].path);
		free(v->v[i].target);
	}
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}
