/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "learnpolicy.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A directory becomes a read tree when it was listed and something in it
 * was used, when at least TREE_MIN of its entries were used, or two that
 * are at least a quarter of what it holds. Many files looked at in one
 * directory become one "stat DIR/ *" rule from STAT_MIN on; what was
 * looked for beneath a directory that is not there, one "stat DIR/ **". */
#define TREE_MIN 3
#define STAT_MIN 4

enum section { S_EXEC, S_TREE, S_READ, S_WRITE, S_STAT, S_COUNT };

static const char *const section_title[S_COUNT] = {
	"Programs it ran (by their real path; exec also grants read)",
	"Trees whose contents it used (listed, or many entries read)",
	"Files it read",
	"Where it wrote: trees where it made new names (their names may differ next time), files it changed",
	"Looked at only: symlinks on the way, directories, files it looked for that are not there",
};

struct rule {
	enum section sec;
	char *pattern; /* real path or pattern */
};

struct out {
	struct rule *rules;
	size_t n, cap;
	struct sbx_policy gen; /* the rules so far, to tell what they cover */
	bool failed;
};

static size_t depth(const char *p)
{
	size_t d = 0;
	for (; *p; p++)
		d += *p == '/' && p[1];
	return d;
}

static bool under(const char *path, const char *dir)
{
	size_t l = strlen(dir);
	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, l) && (path[l] == '/' || !path[l]);
}

static char *parent(const char *path)
{
	char *d = strdup(path);
	if (!d)
		return NULL;
	char *s = strrchr(d, '/');
	if (s == d)
		s[1] = '\0';
	else if (s)
		*s = '\0';
	return d;
}

static bool odd_char(unsigned char c)
{
	return c <= ' ' || c == 0x7f || c == '#' || c == '$' || c == '*';
}

/* The real path PATH as a pattern that names it: each run of characters
 * a rule cannot hold (blanks, '#', '$', control characters, and '*',
 * which would be a wildcard) becomes one '*' within its component. A
 * little more is granted, never less; and a name such as "**" or "*" is
 * never taken for a wildcard (it becomes "*", one name of its directory). */
static void sanitize(const char *path, char *out, size_t size)
{
	size_t o = 0;
	bool star = false;
	for (const char *s = path; *s && o + 1 < size; s++) {
		bool odd = odd_char((unsigned char)*s);
		if (odd && star)
			continue;
		out[o++] = odd ? '*' : *s;
		star = odd;
		if (*s == '/')
			star = false;
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, size, "/");
}

/* A rule for the real path PATH, with SUFFIX (nothing, "/" "*" or "/" "**": the
 * only wildcards a rule made here means) after it. */
static void add_rule(struct out *o, enum section sec, enum sbx_rule_kind kind, const char *path,
		     const char *suffix)
{
	if (o->failed)
		return;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct rule *r = realloc(o->rules, cap * sizeof(*r));
		if (!r) {
			o->failed = true;
			return;
		}
		o->rules = r;
		o->cap = cap;
	}
	char safe[PATH_MAX + 4];
	sanitize(path, safe, sizeof(safe));
	if (*suffix && !strcmp(safe, "/"))
		safe[0] = '\0';
	if (strlen(safe) + strlen(suffix) >= sizeof(safe)) {
		o->failed = true;
		return;
	}
	strcat(safe, suffix);
	char *p = strdup(safe);
	struct sbx_policy_vars none = {0};
	char *err = NULL;
	if (!p || sbx_policy_add_rule(&o->gen, kind, safe, "learned", &none, &err) < 0) {
		free(p);
		free(err);
		o->failed = true;
		return;
	}
	o->rules[o->n++] = (struct rule){sec, p};
}

static unsigned covered(const struct out *o, const struct sbx_learn_input *in, const char *path)
{
	unsigned has = sbx_policy_check(&o->gen, path);
	if (in->base)
		has |= sbx_policy_check(in->base, path);
	return has;
}

static bool needs(const struct out *o, const struct sbx_learn_input *in, const struct sbx_learned *e,
		  unsigned perms)
{
	unsigned has = covered(o, in, e->path);
	/* A missing file is told missing wherever anything is granted. */
	return (e->flags & SBX_LEARN_MISSING) ? !has : (has & perms) != perms;
}

/* Where a directory's contents are never made one tree: the top levels,
 * the home directory itself, the kernel's file systems, devices. */
static bool never_tree(const struct sbx_learn_input *in, const char *dir)
{
	return depth(dir) <= 1 || (in->home && !strcmp(dir, in->home)) || under(dir, "/proc") ||
	       under(dir, "/sys") || under(dir, "/dev") || under(dir, "/run");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every read path and each of its ancestors, sorted and unique: a
 * directory's entries that were used follow it. */
static char **used_pairs(const struct sbx_learn_input *in, const struct out *o, size_t *n)
{
	size_t cap = 0, k = 0;
	char **v = NULL;
	for (size_t i = 0; i < in->n_paths; i++) {
		const struct sbx_learned *e = &in->paths[i];
		if (!(e->perms & SBX_PERM_READ) || !needs(o, in, e, SBX_PERM_READ))
			continue;
		for (const char *s = strchr(e->path + 1, '/');; s = strchr(s + 1, '/')) {
			size_t l = s ? (size_t)(s - e->path) : strlen(e->path);
			if (k == cap) {
				cap = cap ? cap * 2 : 256;
				char **nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					goto fail;
				v = nv;
			}
			if (!(v[k] = strndup(e->path, l)))
				goto fail;
			k++;
			if (!s)
				break;
		}
	}
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < k; i++) {
		if (u && !strcmp(v[u - 1], v[i]))
			free(v[i]);
		else
			v[u++] = v[i];
	}
	*n = u;
	return v;
fail:
	for (size_t i = 0; i < k; i++)
		free(v[i]);
	free(v);
	*n = 0;
	return NULL;
}

static bool listed(const struct sbx_learn_input *in, const char *dir)
{
	for (size_t i = 0; i < in->n_paths; i++)
		if ((in->paths[i].flags & SBX_LEARN_DIR) && (in->paths[i].perms & SBX_PERM_READ) &&
		    !strcmp(in->paths[i].path, dir))
			return true;
	return false;
}

/* The read trees: directories whose used entries make them one, outermost
 * first (sorted, so a tree inside one already made is skipped). */
static void read_trees(struct out *o, const struct sbx_learn_input *in)
{
	size_t n;
	char **pairs = used_pairs(in, o, &n);
	if (!pairs && n) {
		o->failed = true;
		return;
	}
	/* pairs are sorted: the entries of one directory are together, after
	 * the directory itself. Count them per directory. */
	for (size_t i = 0; i < n; i++) {
		const char *dir = pairs[i];
		size_t dl = strlen(dir), used = 0;
		/* Everything that starts with DIR follows it ("DIR-x" too). */
		for (size_t j = i + 1; j < n && !strncmp(pairs[j], dir, dl); j++)
			used += pairs[j][dl] == '/' && !strchr(pairs[j] + dl + 1, '/');
		if (!used || never_tree(in, dir) || (sbx_policy_check(&o->gen, dir) & SBX_PERM_READ))
			continue;
		long all = used >= TREE_MIN || !in->entries ? -1 : in->entries(dir);
		bool many = used >= TREE_MIN || (used >= 2 && all > 0 && (long)used * 4 >= all);
		if (many || listed(in, dir))
			add_rule(o, S_TREE, SBX_RULE_READ, dir, "/**");
	}
	for (size_t i = 0; i < n; i++)
		free(pairs[i]);
	free(pairs);
}

/* Where a made name goes: its directory's tree, or that of the directory
 * that directory was made in, and so on; a name made right in a top-level
 * directory or the home directory is granted alone. */
static void write_made(struct out *o, const struct sbx_learn_input *in, const struct sbx_learned *e)
{
	char *root = parent(e->path);
	if (!root) {
		o->failed = true;
		return;
	}
	for (bool again = true; again && depth(root) > 1;) {
		again = false;
		for (size_t i = 0; i < in->n_paths; i++)
			if ((in->paths[i].flags & SBX_LEARN_MADE) && !strcmp(in->paths[i].path, root)) {
				char *up = parent(root);
				free(root);
				if (!(root = up)) {
					o->failed = true;
					return;
				}
				again = true;
				break;
			}
	}
	bool tmp = !strcmp(root, "/tmp") || !strcmp(root, "/var/tmp") || !strcmp(root, "/dev/shm");
	if ((depth(root) <= 1 && !tmp) || (in->home && !strcmp(root, in->home)))
		add_rule(o, S_WRITE, SBX_RULE_WRITE, e->path, "");
	else
		add_rule(o, S_WRITE, SBX_RULE_WRITE, root, "/**");
	free(root);
}

static bool missing(const struct sbx_learn_input *in, const char *path)
{
	for (size_t i = 0; i < in->n_paths; i++)
		if ((in->paths[i].flags & SBX_LEARN_MISSING) && !strcmp(in->paths[i].path, path))
			return true;
	return false;
}

/* Looked for beneath a directory that was looked for and is not there:
 * the outermost such directory's tree. */
static void missing_trees(struct out *o, const struct sbx_learn_input *in)
{
	for (size_t i = 0; i < in->n_paths && !o->failed; i++) {
		const struct sbx_learned *e = &in->paths[i];
		if (!(e->flags & SBX_LEARN_MISSING) || !needs(o, in, e, SBX_PERM_STAT))
			continue;
		char *top = NULL, *up = parent(e->path);
		while (up && depth(up) >= 2 && missing(in, up)) {
			free(top);
			top = up;
			up = parent(top);
		}
		free(up);
		if (top) {
			add_rule(o, S_STAT, SBX_RULE_STAT, top, "/**");
			free(top);
		}
	}
}

/* Metadata only: alone, or as DIR/ * where many were looked at in DIR. */
static void stats(struct out *o, const struct sbx_learn_input *in)
{
	missing_trees(o, in);
	for (size_t i = 0; i < in->n_paths && !o->failed; i++) {
		const struct sbx_learned *e = &in->paths[i];
		if (!needs(o, in, e, SBX_PERM_STAT))
			continue;
		char *dir = parent(e->path);
		if (!dir) {
			o->failed = true;
			return;
		}
		size_t same = 0;
		for (size_t j = 0; j < in->n_paths; j++) {
			const struct sbx_learned *f = &in->paths[j];
			char *d = strncmp(f->path, dir, strlen(dir)) ? NULL : parent(f->path);
			same += d && !strcmp(d, dir) && needs(o, in, f, SBX_PERM_STAT);
			free(d);
		}
		if (same >= STAT_MIN && !never_tree(in, dir) && depth(dir) >= 1)
			add_rule(o, S_STAT, SBX_RULE_STAT, dir, "/*");
		else
			add_rule(o, S_STAT, SBX_RULE_STAT, e->path, "");
		free(dir);
	}
}

/* What a group of rules is for, by where it points (NULL: nothing to say). */
static const char *hint(const char *p)
{
	static const struct {
		const char *prefix, *what;
	} known[] = {
		{"/usr/lib/python3", "Python's modules"}, {"/usr/local/lib/python3", "Python's local modules"},
		{"/usr/lib/gcc", "the compiler's own programs, headers and libraries"},
		{"/usr/libexec/gcc", "the compiler's own programs"}, {"/usr/include", "C headers"},
		{"/usr/lib/git-core", "git's helpers"}, {"/usr/share/perl", "Perl's modules"},
		{"/usr/lib/locale", "locales"}, {"/usr/share/locale", "message catalogs"},
		{"/usr/share/zoneinfo", "time zones"}, {"/etc", "configuration"}, {"/dev", "devices"},
		{"/proc", "the kernel's view of the sandbox"},
	};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(known); i++)
		if (under(p, known[i].prefix))
			return known[i].what;
	const char *so = strstr(p, ".so");
	if (so && (!so[3] || so[3] == '.'))
		return "shared libraries";
	return NULL;
}

/* PATTERN as the file says it: ${CWD} and ${HOME} for those trees. */
static void spell(const struct sbx_learn_input *in, const char *pattern, char *out, size_t size)
{
	if (in->cwd && depth(in->cwd) >= 2 && under(pattern, in->cwd))
		snprintf(out, size, "${CWD}%s", pattern + strlen(in->cwd));
	else if (in->home && depth(in->home) >= 1 && under(pattern, in->home))
		snprintf(out, size, "${HOME}%s", pattern + strlen(in->home));
	else
		snprintf(out, size, "%s", pattern);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;
	return x->sec != y->sec ? (int)x->sec - (int)y->sec : strcmp(x->pattern, y->pattern);
}

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	for (int tries = 0; tries < 2 && !t->failed; tries++) {
		va_start(ap, fmt);
		int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if (t->s && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			t->failed = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

/* The command for the header: printable, one line, not too long. */
static void put_command(struct text *t, const char *cmd)
{
	char c[201];
	size_t i;
	for (i = 0; cmd && cmd[i] && i + 1 < sizeof(c); i++)
		c[i] = (unsigned char)cmd[i] < ' ' || cmd[i] == 0x7f ? '?' : cmd[i];
	c[i] = '\0';
	put(t, "# A policy learned by sandbox-helper --learn from a run of:\n#   %s%s\n", c,
	    cmd && cmd[i] ? " ..." : "");
	put(t, "# It grants what that run used. Read it before you trust it; run the\n"
	       "# program under it with --strict to see a refusal if it needs more.\n");
}

char *sbx_learn_policy(const struct sbx_learn_input *in, size_t *n_rules)
{
	struct out o = {0};
	bool tmp = false;
	/* What the private TMPDIR held is the private TMPDIR's again. */
	struct sbx_learn_input own = *in;
	struct sbx_learned *kept = calloc(in->n_paths ? in->n_paths : 1, sizeof(*kept));
	if (!kept)
		return NULL;
	own.paths = kept;
	own.n_paths = 0;
	for (size_t i = 0; i < in->n_paths; i++) {
		const struct sbx_learned *e = &in->paths[i];
		if (in->tmpdir && under(e->path, in->tmpdir)) {
			tmp = true;
			continue;
		}
		/* Another process's /proc entries are never the policy's. */
		if (!strncmp(e->path, "/proc/", 6) && e->path[6] >= '0' && e->path[6] <= '9')
			continue;
		kept[own.n_paths++] = *e;
	}
	in = &own;
	for (size_t i = 0; i < in->n_paths; i++)
		if ((in->paths[i].perms & SBX_PERM_EXEC) && needs(&o, in, &in->paths[i], SBX_PERM_EXEC))
			add_rule(&o, S_EXEC, SBX_RULE_EXEC, in->paths[i].path, "");
	for (size_t i = 0; i < in->n_paths; i++)
		if ((in->paths[i].flags & SBX_LEARN_MADE) && needs(&o, in, &in->paths[i], SBX_PERM_WRITE))
			write_made(&o, in, &in->paths[i]);
	for (size_t i = 0; i < in->n_paths; i++)
		if ((in->paths[i].perms & SBX_PERM_WRITE) && needs(&o, in, &in->paths[i], SBX_PERM_WRITE))
			add_rule(&o, S_WRITE, SBX_RULE_WRITE, in->paths[i].path, "");
	read_trees(&o, in);
	for (size_t i = 0; i < in->n_paths; i++) {
		const struct sbx_learned *e = &in->paths[i];
		if ((e->perms & SBX_PERM_READ) && !(e->flags & SBX_LEARN_MISSING) && needs(&o, in, e, SBX_PERM_READ))
			add_rule(&o, S_READ, SBX_RULE_READ, e->path, "");
	}
	stats(&o, in);
	free(kept);

	struct text t = {0};
	put_command(&t, in->command);
	if (in->include)
		put(&t, "include %s\n", in->include);
	if (tmp)
		put(&t, "# It made temporary files in its TMPDIR.\ntmpdir private\n");
	if (o.n)
		qsort(o.rules, o.n, sizeof(*o.rules), cmp_rule);
	static const char *const kw[S_COUNT] = {"exec", "read", "read", "write", "stat"};
	const char *last_hint = NULL;
	for (size_t i = 0; i < o.n; i++) {
		const struct rule *r = &o.rules[i];
		if (!i || o.rules[i - 1].sec != r->sec) {
			put(&t, "\n# %s.\n", section_title[r->sec]);
			last_hint = NULL;
		}
		const char *h = hint(r->pattern);
		if (h && (!last_hint || strcmp(h, last_hint)))
			put(&t, "# %s\n", h);
		last_hint = h;
		char spelled[PATH_MAX + 16];
		spell(in, r->pattern, spelled, sizeof(spelled));
		put(&t, "%s %s\n", kw[r->sec], spelled);
	}
	if (in->n_denies)
		put(&t, "\n# Denied on the command line while learning (--deny): still denied.\n");
	for (size_t i = 0; i < in->n_denies; i++) {
		/* A component a rule cannot hold is denied whole ('*'): a
		 * little more is denied, never less. */
		char safe[PATH_MAX + 4], spelled[PATH_MAX + 16];
		size_t k = 0;
		for (const char *c = in->denies[i]; *c && k + 3 < sizeof(safe);) {
			size_t l = strcspn(c + 1, "/");
			bool odd = false;
			for (size_t j = 1; j <= l; j++)
				odd |= c[j] != '*' && odd_char((unsigned char)c[j]);
			k += (size_t)snprintf(safe + k, sizeof(safe) - k, odd ? "/*" : "/%.*s", (int)l, c + 1);
			c += l + 1;
		}
		safe[k] = '\0';
		spell(in, k ? safe : "/", spelled, sizeof(spelled));
		put(&t, "deny %s\n", spelled);
	}
	if (in->n_net) {
		put(&t, "\n# Network peers it connected or sent to, addresses it bound.\n");
		for (size_t i = 0; i < in->n_net; i++)
			put(&t, "%s\n", in->net[i]);
	}
	*n_rules = o.n + in->n_denies + in->n_net + (in->include != NULL) + tmp;
	for (size_t i = 0; i < o.n; i++)
		free(o.rules[i].pattern);
	free(o.rules);
	sbx_policy_free(&o.gen);
	if (o.failed || t.failed) {
		free(t.s);
		return NULL;
	}
	return t.s ? t.s : strdup("");
}
