/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "policyindex.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "policy.h"

struct bucket {
	const char *dir; /* a rule's pattern, its first DLEN chars ("" for "/") */
	size_t dlen;
	size_t *rules, n;
};

struct sbx_policy_index {
	size_t n_rules; /* how many rules it indexes: stale when P has more */
	struct bucket *tab;
	size_t cap;     /* a power of two, at least twice the buckets */
};

static size_t hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

/* The directory a pattern names before its first wildcard: its length.
 * A literal pattern is its own "directory" (it matches itself only). */
static size_t literal_dir(const char *pattern)
{
	const char *star = strchr(pattern, '*');
	if (!star)
		return strlen(pattern);
	size_t l = (size_t)(star - pattern);
	while (l && pattern[l - 1] != '/')
		l--;
	return l ? l - 1 : 0; /* without the slash; at the top: "" */
}

static struct bucket *find(const struct sbx_policy_index *x, const char *dir, size_t dlen)
{
	size_t k = hash(dir, dlen) & (x->cap - 1);
	for (;; k = (k + 1) & (x->cap - 1)) {
		struct bucket *b = &x->tab[k];
		if (!b->dir || (b->dlen == dlen && !memcmp(b->dir, dir, dlen)))
			return b;
	}
}

void sbx_policy_index_free(struct sbx_policy_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->cap; i++)
		free(x->tab[i].rules);
	free(x->tab);
	free(x);
}

int sbx_policy_seal(struct sbx_policy *p)
{
	sbx_policy_index_free(p->index);
	p->index = NULL;
	struct sbx_policy_index *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->cap = 16;
	while (x->cap < p->n_rules * 2 + 2)
		x->cap *= 2;
	x->tab = calloc(x->cap, sizeof(*x->tab));
	if (!x->tab) {
		free(x);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const char *pat = p->rules[i].pattern;
		size_t dl = literal_dir(pat);
		struct bucket *b = find(x, pat, dl);
		size_t *v = realloc(b->rules, (b->n + 1) * sizeof(*v));
		if (!v) {
			sbx_policy_index_free(x);
			return -ENOMEM;
		}
		b->dir = pat;
		b->dlen = dl;
		b->rules = v;
		b->rules[b->n++] = i;
	}
	x->n_rules = p->n_rules;
	p->index = x;
	return 0;
}

/* The rules of the bucket DIR (DLEN chars of the path): false at a deny. */
static bool check_bucket(const struct sbx_policy *p, const char *dir, size_t dlen, const char *path,
			 unsigned *perms)
{
	const struct bucket *b = find(p->index, dir, dlen);
	for (size_t i = 0; b->dir && i < b->n; i++) {
		const struct sbx_rule *r = &p->rules[b->rules[i]];
		if (!sbx_pattern_match(r->pattern, path))
			continue;
		if (r->kind == SBX_RULE_DENY)
			return false;
		*perms |= r->perms;
	}
	return true;
}

bool sbx_policy_index_check(const struct sbx_policy *p, const char *path, unsigned *perms)
{
	const struct sbx_policy_index *x = p->index;
	if (!x || x->n_rules != p->n_rules || path[0] != '/')
		return false;
	*perms = 0;
	/* "", then each ancestor, then PATH itself. */
	size_t l = strlen(path);
	for (size_t i = 0; i <= l; i++) {
		if ((i && i < l && path[i] != '/') || (i == l && l > 1 && path[l - 1] == '/'))
			continue;
		if (!check_bucket(p, path, i, path, perms)) {
			*perms = 0;
			return true;
		}
	}
	return true;
}
