/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "suggest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define FAR 9 /* "over 8" */
#define MAX_WORD 64

size_t sbx_distance(const char *a, size_t al, const char *b, size_t bl)
{
	if (al > MAX_WORD || bl > MAX_WORD || (al > bl ? al - bl : bl - al) >= FAR)
		return FAR;
	/* Three rows of the table: two back (for swaps), one back, this one. */
	size_t rows[3][MAX_WORD + 1];
	size_t *pp = rows[0], *p = rows[1], *c = rows[2];
	for (size_t j = 0; j <= bl; j++)
		p[j] = j;
	for (size_t i = 1; i <= al; i++) {
		c[0] = i;
		for (size_t j = 1; j <= bl; j++) {
			size_t sub = p[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = p[j] + 1, ins = c[j - 1] + 1;
			size_t best = sub < del ? sub : del;
			best = ins < best ? ins : best;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		size_t *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[bl] < FAR ? p[bl] : FAR;
}

const char *sbx_suggest(const char *word, size_t len, const char *const *cands, size_t n)
{
	size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = FAR;
	const char *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t cl = strlen(cands[i]);
		if (cl == len && !memcmp(cands[i], word, len))
			continue;
		size_t d = sbx_distance(word, len, cands[i], cl);
		/* A distance as long as the word is a replacement, not a typo. */
		if (d <= limit && d < len && d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}

/* The closest name in directory DIR to NAME (LEN bytes), into OUT: every
 * entry is looked at, however many. */
static bool closest_entry(const char *dir, const char *name, size_t len, char *out, size_t size)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	size_t best = FAR;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *cand = e->d_name;
		if (!strcmp(cand, ".") || !strcmp(cand, "..") || !sbx_suggest(name, len, &cand, 1))
			continue;
		size_t dist = sbx_distance(name, len, cand, strlen(cand));
		if (dist < best && snprintf(out, size, "%s", cand) < (int)size)
			best = dist;
	}
	closedir(d);
	return best < FAR;
}

bool sbx_suggest_path(const char *path, char *out, size_t size)
{
	char prefix[PATH_MAX], name[NAME_MAX + 1];
	struct stat st;
	if (strlen(path) >= sizeof(prefix))
		return false;
	/* The first name whose path does not exist. */
	for (size_t at = 0;;) {
		while (path[at] == '/')
			at++;
		if (!path[at])
			return false; /* it all exists */
		size_t l = strcspn(path + at, "/");
		snprintf(prefix, sizeof(prefix), "%.*s", (int)(at + l), path);
		if (lstat(prefix, &st) == 0) {
			at += l;
			continue;
		}
		if (errno != ENOENT || l > NAME_MAX)
			return false;
		snprintf(name, sizeof(name), "%.*s", (int)l, path + at);
		snprintf(prefix, sizeof(prefix), "%.*s", at ? (int)at : 1, at ? path : ".");
		char pick[NAME_MAX + 1];
		if (!closest_entry(prefix, name, l, pick, sizeof(pick)))
			return false;
		return snprintf(out, size, "%.*s%s%s", (int)at, path, pick, path + at + l) < (int)size;
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *sbx_policy_not_found(const char *name, const char *const *dirs, size_t n)
{
	char *names[128];
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;
		while (d && k < SBX_ARRAY_SIZE(names) && (e = readdir(d))) {
			size_t l = strlen(e->d_name);
			if (l > 7 && !strcmp(e->d_name + l - 7, ".policy") && e->d_name[0] != '.' &&
			    (names[k] = strndup(e->d_name, l - 7)))
				k++;
		}
		if (d)
			closedir(d);
	}
	qsort(names, k, sizeof(names[0]), by_name);
	size_t u = 0, size = 64;
	for (size_t i = 0; i < k; i++) {
		if (u && !strcmp(names[u - 1], names[i])) {
			free(names[i]);
			continue;
		}
		names[u++] = names[i];
		size += strlen(names[i]) + 2;
	}
	const char *pick = sbx_suggest(name, strlen(name), (const char *const *)names, u);
	size += pick ? strlen(pick) : 0;
	char *out = malloc(size);
	if (out) {
		size_t o = (size_t)snprintf(out, size, "%s%s%s%s", pick ? ": did you mean '" : "",
					    pick ? pick : "", pick ? "'?" : "",
					    u ? " (the policies there: " : " (there are none)");
		for (size_t i = 0; i < u; i++)
			o += (size_t)snprintf(out + o, size - o, "%s%s", names[i], i + 1 < u ? ", " : ")");
	}
	for (size_t i = 0; i < u; i++)
		free(names[i]);
	return out;
}
