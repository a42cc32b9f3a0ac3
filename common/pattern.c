/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pattern.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Match PATTERN[0..plen) against PATH with a table over path positions:
 * O(len(pattern) * len(path)), whatever the pattern. */
static bool match_n(const char *pattern, size_t plen, const char *path)
{
	/* Most rules fail on their literal prefix: check it first. */
	size_t lit = 0;
	while (lit < plen && pattern[lit] != '*') {
		if (pattern[lit] != path[lit])
			return false;
		lit++;
	}
	if (lit == plen)
		return path[lit] == '\0';
	pattern += lit;
	plen -= lit;
	path += lit;
	size_t n = strlen(path);
	if (n > PATH_MAX)
		return false;
	bool a[PATH_MAX + 1], b[PATH_MAX + 1];
	bool *cur = a, *next = b;
	memset(cur, 0, n + 1);
	cur[0] = true;
	for (size_t i = 0; i < plen; i++) {
		char c = pattern[i];
		if (c == '*' && i + 1 < plen && pattern[i + 1] == '*') {
			/* "**": any run, '/' included. */
			bool any = false;
			for (size_t j = 0; j <= n; j++) {
				any = any || cur[j];
				next[j] = any;
			}
			i++;
		} else if (c == '*') {
			/* '*': any run within one component. */
			next[0] = cur[0];
			for (size_t j = 1; j <= n; j++)
				next[j] = cur[j] || (next[j - 1] && path[j - 1] != '/');
		} else {
			next[0] = false;
			for (size_t j = 1; j <= n; j++)
				next[j] = cur[j - 1] && path[j - 1] == c;
		}
		bool *t = cur;
		cur = next;
		next = t;
	}
	return cur[n];
}

bool sbx_pattern_match(const char *pattern, const char *path)
{
	size_t plen = strlen(pattern);
	/* A pattern ending in "/" "**" also names the directory itself. */
	if (plen > 3 && !strcmp(pattern + plen - 3, "/**") && match_n(pattern, plen - 3, path))
		return true;
	return match_n(pattern, plen, path);
}

int sbx_pattern_validate(const char *pattern, size_t *errcol, const char **msg)
{
	*errcol = 0;
	if (pattern[0] != '/') {
		*msg = "pattern must be an absolute path";
		return -EINVAL;
	}
	if (strlen(pattern) >= PATH_MAX) {
		*msg = "pattern is too long";
		return -EINVAL;
	}
	if (!strcmp(pattern, "/"))
		return 0;
	for (const char *p = pattern + 1;;) {
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		*errcol = (size_t)(p - pattern);
		if (l == 0) {
			*msg = *e ? "empty path component ('//')" : "pattern must not end in '/'";
			return -EINVAL;
		}
		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.')) {
			*msg = "'.' and '..' are not allowed in patterns";
			return -EINVAL;
		}
		const char *dd = memmem(p, l, "**", 2);
		if (dd && l != 2) {
			*errcol = (size_t)(dd - pattern);
			*msg = "'**' must be a whole path component";
			return -EINVAL;
		}
		if (!*e)
			return 0;
		p = e + 1;
	}
}
