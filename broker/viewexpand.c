/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Expanding a rule's one-component wildcards into the literal rules of what
 * matches at start (view.h), for view_compile. Directories on the way must
 * be real ones, found by a listing of the directory before (a symlink's
 * path is not canonical: the policy names nothing behind it); each match
 * is handed to view_compile's own compiler, which gives it every check a
 * literal rule gets (canonical directory, the policy's decision on the
 * path, the object's dev and inode for init to bind). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "view.h"

/* Past this many matches a rule is left to the broker. */
#define EXPAND_BUDGET 1024

bool view_expandable(const struct sbx_rule *r)
{
	if (r->kind == SBX_RULE_WRITE || r->kind == SBX_RULE_DENY || strchr(r->pattern, '$') ||
	    !strchr(r->pattern, '*'))
		return false; /* a write's matches may be made later: the broker's */
	const char *dd = strstr(r->pattern, "/**");
	return !dd || !dd[3]; /* '**' only as the last component */
}

/* COMPILE the literal rule R at PREFIX/NAME (or the tree PREFIX/ **). */
static int compile_match(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v,
			 view_compile_fn compile, const char *prefix, const char *name, int *budget)
{
	char pat[PATH_MAX];
	/* A real name with a wildcard or '$' in it would be read back as a
	 * pattern: the broker's (expand_from leaves out such entries; a
	 * directory's among PREFIX is caught here). */
	if (strpbrk(prefix, "*$"))
		return VIEW_LEFT_OUT;
	if (--*budget < 0 || snprintf(pat, sizeof(pat), "%s/%s", prefix, name) >= (int)sizeof(pat))
		return VIEW_LEFT_OUT;
	struct sbx_rule one = *r;
	one.pattern = pat;
	return compile(p, &one, v);
}

/* Expand the pattern's components from REST on, beneath the directory DIR
 * (canonical, a buffer of PATH_MAX). VIEW_LEFT_OUT if a match is left out. */
static int expand_from(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v,
		       view_compile_fn compile, char *dir, const char *rest, int *budget)
{
	const char *slash = strchr(rest, '/');
	size_t clen = slash ? (size_t)(slash - rest) : strlen(rest);
	size_t dlen = strlen(dir), base = !strcmp(dir, "/") ? 0 : dlen;
	const char *prefix = base ? dir : "";
	if (!strchr(rest, '*') || !strcmp(rest, "**"))
		return compile_match(p, r, v, compile, prefix, rest, budget); /* literal from here, or the tree */
	if (clen > NAME_MAX || base + 1 + clen >= PATH_MAX)
		return 0; /* names nothing */
	if (!memchr(rest, '*', clen)) {
		/* A literal directory on the way: a real one, not a symlink. */
		struct stat st;
		snprintf(dir + base, PATH_MAX - base, "/%.*s", (int)clen, rest);
		int e = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode)
				? expand_from(p, r, v, compile, dir, slash + 1, budget)
				: 0;
		dir[dlen] = '\0';
		return e;
	}
	char comp[NAME_MAX + 2];
	snprintf(comp, sizeof(comp), "/%.*s", (int)clen, rest);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		int e = errno;
		if (dfd >= 0)
			close(dfd);
		return e == ENOENT || e == ENOTDIR ? 0 : VIEW_LEFT_OUT; /* unlistable: the broker's */
	}
	int res = 0;
	struct dirent *de;
	while (res >= 0 && (de = readdir(d))) {
		char name[NAME_MAX + 2];
		snprintf(name, sizeof(name), "/%s", de->d_name);
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !sbx_pattern_match(comp, name))
			continue;
		if (strpbrk(de->d_name, "*$")) {
			/* Read back as a pattern, a file named "**" would make
			 * its directory a tree: the broker decides it. */
			res = VIEW_LEFT_OUT;
			continue;
		}
		int e;
		if (slash) {
			struct stat st;
			if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
				continue; /* not a directory, or a symlink: names nothing canonical */
			if (base + strlen(name) >= PATH_MAX || --*budget < 0) {
				res = VIEW_LEFT_OUT;
				break;
			}
			snprintf(dir + base, PATH_MAX - base, "%s", name);
			e = expand_from(p, r, v, compile, dir, slash + 1, budget);
			dir[dlen] = '\0';
		} else {
			e = compile_match(p, r, v, compile, prefix, de->d_name, budget);
		}
		res = e < 0 ? e : e == VIEW_LEFT_OUT ? VIEW_LEFT_OUT : res;
		if (*budget < 0)
			break;
	}
	closedir(d);
	return res;
}

int view_expand(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v, view_compile_fn compile)
{
	char dir[PATH_MAX], real[PATH_MAX];
	size_t l = strcspn(r->pattern, "*");
	while (l > 0 && r->pattern[l - 1] != '/')
		l--;
	snprintf(dir, sizeof(dir), "%.*s", l > 1 ? (int)(l - 1) : 1, r->pattern);
	if (!realpath(dir, real))
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
	if (strcmp(real, dir))
		return 0; /* through a symlink: names nothing canonical */
	int budget = EXPAND_BUDGET;
	return expand_from(p, r, v, compile, dir, r->pattern + l, &budget);
}
