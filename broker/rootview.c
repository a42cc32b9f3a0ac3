/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rootview.h"

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct sbx_root_entry *find(const struct sbx_rootview *rv, const char *path)
{
	for (size_t i = 0; i < rv->n; i++)
		if (!strcmp(rv->v[i].path, path))
			return &rv->v[i];
	return NULL;
}

static int add_one(struct sbx_rootview *rv, const char *path, mode_t type, const char *target)
{
	const struct sbx_root_entry *e = find(rv, path);
	if (e)
		return e->type == type ? 0 : -EEXIST;
	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 32;
		struct sbx_root_entry *v = realloc(rv->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		rv->v = v;
		rv->cap = cap;
	}
	struct sbx_root_entry *n = &rv->v[rv->n];
	n->path = strdup(path);
	n->target = target ? strdup(target) : NULL;
	n->type = type;
	n->exec_ok = false;
	n->dev = 0;
	n->ino = 0;
	if (!n->path || (target && !n->target)) {
		free(n->path);
		free(n->target);
		return -ENOMEM;
	}
	rv->n++;
	return 0;
}

int sbx_rootview_add(struct sbx_rootview *rv, const char *path, mode_t type,
		     const char *target)
{
	char buf[PATH_MAX];
	if (path[0] != '/' || strlen(path) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, path);
	for (char *s = buf + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		int r = add_one(rv, buf, S_IFDIR, NULL);
		*s = '/';
		if (r < 0)
			return r;
	}
	return add_one(rv, path, type, target);
}

static const struct sbx_root_entry *lookup(const struct sbx_rootview *rv, const char *path,
					   bool nofollow, bool *found);

bool sbx_rootview_contains(const struct sbx_rootview *rv, const char *path, bool nofollow)
{
	bool found = false;
	lookup(rv, path, nofollow, &found);
	return found;
}

bool sbx_rootview_exec_ok(const struct sbx_rootview *rv, const char *path)
{
	bool found = false;
	const struct sbx_root_entry *e = lookup(rv, path, false, &found);
	return found && e && e->type == S_IFREG && e->exec_ok;
}

void sbx_rootview_mark_exec(struct sbx_rootview *rv, const char *path, dev_t dev, ino_t ino)
{
	struct sbx_root_entry *e = (struct sbx_root_entry *)find(rv, path);
	if (e && e->type == S_IFREG) {
		e->exec_ok = true;
		e->dev = dev;
		e->ino = ino;
	}
}

bool sbx_rootview_exec_image(const struct sbx_rootview *rv, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < rv->n; i++)
		if (rv->v[i].exec_ok && rv->v[i].dev == dev && rv->v[i].ino == ino)
			return true;
	return false;
}

/* The entry PATH ends at (NULL for "/"), *FOUND when everything is there. */
static const struct sbx_root_entry *lookup(const struct sbx_rootview *rv, const char *path,
					   bool nofollow, bool *found)
{
	const struct sbx_root_entry *ent = NULL;
	*found = false;
	char cur[PATH_MAX] = "", todo[PATH_MAX * 2];
	int links = 0;
	if (path[0] != '/' || strlen(path) >= PATH_MAX)
		return NULL;
	strcpy(todo, path);
	char *p = todo;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			*found = true; /* "/" or everything found */
			return ent;
		}
		char *e = strchrnul(p, '/');
		char *rest = e;
		while (*rest == '/')
			rest++;
		size_t l = (size_t)(e - p), cl = strlen(cur);
		if (l == 1 && p[0] == '.') {
			p = rest;
			continue;
		}
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			char *s = strrchr(cur, '/');
			if (s)
				*s = '\0';
			p = rest;
			continue;
		}
		if (cl + 1 + l >= sizeof(cur))
			return NULL;
		cur[cl] = '/';
		memcpy(cur + cl + 1, p, l);
		cur[cl + 1 + l] = '\0';
		ent = find(rv, cur);
		if (!ent)
			return NULL;
		if (ent->type == S_IFLNK && !(nofollow && !*rest)) {
			if (++links > 40)
				return NULL;
			cur[cl] = '\0';
			char next[PATH_MAX * 2];
			int n = snprintf(next, sizeof(next), "%s/%s", ent->target, rest);
			if (n < 0 || (size_t)n >= sizeof(todo))
				return NULL;
			if (ent->target[0] == '/')
				cur[0] = '\0';
			strcpy(todo, next);
			p = todo;
			continue;
		}
		if (ent->type != S_IFDIR && *rest)
			return NULL;
		p = rest;
	}
}

void sbx_rootview_free(struct sbx_rootview *rv)
{
	for (size_t i = 0; i < rv->n; i++) {
		free(rv->v[i].path);
		free(rv->v[i].target);
	}
	free(rv->v);
	rv->v = NULL;
	rv->n = rv->cap = 0;
}
