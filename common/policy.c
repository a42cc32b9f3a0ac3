/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pattern.h"
#include "policyindex.h"
#include "policyfile.h"
#include "suggest.h"
#include "util.h"

#define MAX_INCLUDE_DEPTH 8

struct parse {
	struct sbx_policy *p;
	const struct sbx_policy_env *env;
	char **err;
	const char *stack[MAX_INCLUDE_DEPTH + 1]; /* files being read, for cycles */
	int depth;
};

static const struct {
	const char *name;
	enum sbx_rule_kind kind;
	unsigned perms;
} kinds[] = {
	{"read", SBX_RULE_READ, SBX_PERM_STAT | SBX_PERM_READ},
	{"write", SBX_RULE_WRITE, SBX_PERM_STAT | SBX_PERM_READ | SBX_PERM_WRITE},
	{"exec", SBX_RULE_EXEC, SBX_PERM_STAT | SBX_PERM_READ | SBX_PERM_EXEC},
	{"stat", SBX_RULE_STAT, SBX_PERM_STAT},
	{"deny", SBX_RULE_DENY, 0},
	{"temporary", SBX_RULE_TEMP, 0}, /* grants nothing sbx_policy_check tells: decide_temporary */
};

const char *sbx_rule_kind_name(enum sbx_rule_kind kind)
{
	for (size_t i = 0; i < SBX_ARRAY_SIZE(kinds); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "?";
}

#define fail sbx_policy_fail

/* The value of the program's option OPT ("--user-data-dir=V" or
 * "--user-data-dir V", the first one before a "--"), made absolute against
 * CWD and canonical where it exists, into BUF. NULL when it is not given. */
static const char *option_value(const struct sbx_policy_vars *v, const char *opt, char *buf,
				size_t size)
{
	size_t ol = strlen(opt);
	const char *val = NULL;
	for (size_t i = 1; v && v->argv && v->argv[i] && !val; i++) {
		const char *a = v->argv[i];
		if (!strcmp(a, "--"))
			break;
		if (!strncmp(a, opt, ol) && a[ol] == '=')
			val = a + ol + 1;
		else if (!strcmp(a, opt) && v->argv[i + 1])
			val = v->argv[i + 1];
	}
	if (!val || !*val)
		return NULL;
	char joined[PATH_MAX];
	if (val[0] != '/' && snprintf(joined, sizeof(joined), "%s/%s", v->cwd ? v->cwd : "/", val) <
				     (int)sizeof(joined))
		val = joined;
	if (realpath(val, buf))
		return buf;
	return snprintf(buf, size, "%s", val) < (int)size ? buf : NULL;
}

/* Expand ${VAR} in PAT into OUT. On error returns -EINVAL with *COL at the
 * '$' and *MSG set; -ENODATA when an ${ARG:--OPTION} is not given (the rule
 * is then left out). */
static int expand(const char *pat, const struct sbx_policy_vars *v, char *out, size_t size,
		  size_t *col, const char **msg, char *name, size_t namelen)
{
	size_t o = 0;
	for (const char *s = pat; *s;) {
		if (s[0] != '$') {
			if (o + 1 >= size)
				goto toolong;
			out[o++] = *s++;
			continue;
		}
		*col = (size_t)(s - pat);
		const char *end = s[1] == '{' ? strchr(s + 2, '}') : NULL;
		if (!end) {
			*msg = "expected ${NAME}";
			return -EINVAL;
		}
		size_t l = (size_t)(end - s - 2);
		snprintf(name, namelen, "%.*s", (int)l, s + 2);
		const char *val = NULL;
		char optbuf[PATH_MAX];
		bool known = true;
		if (!strncmp(name, "ARG:-", 5)) {
			val = option_value(v, name + 4, optbuf, sizeof(optbuf));
			if (!val)
				return -ENODATA;
		} else if (!strcmp(name, "HOME"))
			val = v ? v->home : NULL;
		else if (!strcmp(name, "CWD"))
			val = v ? v->cwd : NULL;
		else if (!strcmp(name, "TMPDIR"))
			val = v && v->tmpdir && *v->tmpdir ? v->tmpdir : "/tmp";
		else if (!strcmp(name, "USER"))
			val = v ? v->user : NULL;
		else
			known = false;
		if (!known) {
			*msg = "unknown variable (expected HOME, CWD, TMPDIR, USER or ARG:--OPTION)";
			return -EINVAL;
		}
		if (!val || !*val) {
			*msg = "variable is not set";
			return -EINVAL;
		}
		if (strchr(val, '*')) {
			*msg = "variable's value contains '*'";
			return -EINVAL;
		}
		size_t vl = strlen(val);
		if (vl > 1 && val[vl - 1] == '/')
			vl--;
		if (o + vl >= size)
			goto toolong;
		memcpy(out + o, val, vl);
		o += vl;
		s = end + 1;
	}
	out[o] = '\0';
	return 0;
toolong:
	*col = 0;
	*msg = "pattern is too long";
	return -EINVAL;
}

static int add(struct sbx_policy *p, enum sbx_rule_kind kind, unsigned perms,
	       const char *pattern, const char *origin)
{
	if (p->n_rules == p->cap_rules) {
		size_t cap = p->cap_rules ? p->cap_rules * 2 : 32;
		struct sbx_rule *r = realloc(p->rules, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		p->rules = r;
		p->cap_rules = cap;
	}
	struct sbx_rule *r = &p->rules[p->n_rules];
	r->kind = kind;
	r->perms = perms;
	r->pattern = strdup(pattern);
	r->origin = strdup(origin);
	if (!r->pattern || !r->origin) {
		free(r->pattern);
		free(r->origin);
		return -ENOMEM;
	}
	p->n_rules++;
	p->temporary |= kind == SBX_RULE_TEMP;
	return 0;
}

static int kind_index(const char *word)
{
	for (size_t i = 0; i < SBX_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].name, word))
			return (int)i;
	return -1;
}

int sbx_policy_add_rule(struct sbx_policy *p, enum sbx_rule_kind kind, const char *pattern,
			const char *origin, const struct sbx_policy_vars *vars, char **err)
{
	char exp[PATH_MAX], name[64];
	size_t col = 0;
	const char *msg = NULL;
	if (err)
		*err = NULL;
	int k = kind_index(sbx_rule_kind_name(kind));
	if (k < 0)
		return fail(err, -EINVAL, "%s: unknown rule kind", origin);
	int r = expand(pattern, vars, exp, sizeof(exp), &col, &msg, name, sizeof(name));
	if (r == -ENODATA)
		return 0;
	if (r == 0)
		r = sbx_pattern_validate(exp, &col, &msg);
	if (r < 0)
		return fail(err, r, "%s: %s: %s", origin, pattern, msg);
	r = add(p, kind, kinds[k].perms, exp, origin);
	return r < 0 ? fail(err, r, "out of memory") : 0;
}

static int add_net(struct sbx_policy *p, struct sbx_net_rule *r, const char *origin)
{
	if (p->n_net == p->cap_net) {
		size_t cap = p->cap_net ? p->cap_net * 2 : 8;
		struct sbx_net_rule *v = realloc(p->net, cap * sizeof(*v));
		if (!v) {
			free(r->pattern);
			return -ENOMEM;
		}
		p->net = v;
		p->cap_net = cap;
	}
	r->origin = strdup(origin);
	if (!r->origin) {
		free(r->pattern);
		return -ENOMEM;
	}
	p->net[p->n_net++] = *r;
	return 0;
}

int sbx_policy_add_net(struct sbx_policy *p, enum sbx_net_op op, const char *spec,
		       const char *origin, char **err)
{
	char proto[8];
	if (err)
		*err = NULL;
	size_t pl = strcspn(spec, " :");
	if (pl >= sizeof(proto) || !spec[pl])
		return fail(err, -EINVAL, "%s=%s: expected PROTO ADDRESS, e.g. 'tcp 127.0.0.1:80'",
			    origin, spec);
	memcpy(proto, spec, pl);
	proto[pl] = '\0';
	struct sbx_net_rule r;
	int which = 0;
	size_t c = 0;
	const char *msg = "";
	int rr = sbx_netrule_parse(op, proto, spec + pl + 1, &r, &which, &c, &msg);
	if (rr == -EINVAL)
		return fail(err, rr, "%s=%s: %s", origin, spec, msg);
	rr = rr < 0 ? rr : add_net(p, &r, origin);
	return rr < 0 ? fail(err, rr, "out of memory") : 0;
}

bool sbx_policy_net_check(const struct sbx_policy *p, enum sbx_net_op op, enum sbx_net_proto proto,
			  const struct sockaddr *addr, size_t len, const char *path, bool abstract)
{
	for (size_t i = 0; i < p->n_net; i++)
		if (sbx_netrule_match(&p->net[i], op, proto, addr, len, path, abstract))
			return true;
	return false;
}

static int parse_file(struct parse *ps, const char *path);

static bool valid_name(const char *n)
{
	if (!*n)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '.' && *n != '-')
			return false;
	return true;
}

/* Where NAME (or the file path NAME, relative to FROM's directory) lives. */
static int locate(const struct sbx_policy_env *env, const char *name, const char *from,
		  char *out, size_t size)
{
	if (strchr(name, '/')) {
		const char *slash = from ? strrchr(from, '/') : NULL;
		int n;
		if (name[0] == '/' || !slash)
			n = snprintf(out, size, "%s", name);
		else
			n = snprintf(out, size, "%.*s/%s", (int)(slash - from), from, name);
		return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
	}
	if (!valid_name(name))
		return -EINVAL;
	for (size_t i = 0; i < env->n_search_dirs; i++) {
		int n = snprintf(out, size, "%s/%s.policy", env->search_dirs[i], name);
		if (n < 0 || (size_t)n >= size)
			continue;
		if (access(out, F_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

/* "DIR, DIR" (to be freed), or NULL. */
static char *dirs_list(const struct sbx_policy_env *env)
{
	size_t size = 32;
	for (size_t i = 0; i < env->n_search_dirs; i++)
		size += strlen(env->search_dirs[i]) + 2;
	char *buf = malloc(size);
	if (!buf)
		return NULL;
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < env->n_search_dirs; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", env->search_dirs[i]);
	if (!env->n_search_dirs)
		snprintf(buf, size, "(no policy directory)");
	return buf;
}

/* One line: KEYWORD ARG. LINE is modified (tokens are cut in place). */
static int parse_line(struct parse *ps, const char *file, int lineno, char *line)
{
	char *tok[4];
	size_t col[4];
	int nt = 0;
	for (char *s = line; *s && nt < 4;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			break;
		tok[nt] = s;
		col[nt++] = (size_t)(s - line) + 1;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (nt == 0)
		return 0;
	const char *kw = tok[0];
	if (!strcmp(kw, "connect") || !strcmp(kw, "bind")) {
		if (nt < 3)
			return fail(ps->err, -EINVAL,
				    "%s:%d:%zu: '%s' needs a protocol and an address (e.g. '%s tcp 127.0.0.1:80')",
				    file, lineno, col[nt - 1] + strlen(tok[nt - 1]), kw, kw);
		if (nt > 3)
			return fail(ps->err, -EINVAL,
				    "%s:%d:%zu: unexpected '%s' after the address (one rule a line)", file,
				    lineno, col[3], tok[3]);
		struct sbx_net_rule r;
		int which = 0;
		size_t c = 0;
		const char *msg = "";
		int rr = sbx_netrule_parse(!strcmp(kw, "connect") ? SBX_NET_CONNECT : SBX_NET_BIND, tok[1],
					   tok[2], &r, &which, &c, &msg);
		if (rr == -EINVAL)
			return fail(ps->err, rr, "%s:%d:%zu: %s", file, lineno, col[1 + which] + c, msg);
		char origin[PATH_MAX + 16];
		snprintf(origin, sizeof(origin), "%s:%d", file, lineno);
		rr = rr < 0 ? rr : add_net(ps->p, &r, origin);
		return rr < 0 ? fail(ps->err, rr, "out of memory") : 0;
	}
	if (!strcmp(kw, "strict") && nt == 1) {
		ps->p->strict = true;
		return 0;
	}
	int k = kind_index(kw);
	if (k < 0 && strcmp(kw, "include") && strcmp(kw, "tmpdir") && strcmp(kw, "loopback") &&
	    strcmp(kw, "strict")) {
		static const char *const words[] = {"include", "read", "write", "exec", "stat", "deny", "temporary",
						    "connect", "bind", "tmpdir", "loopback", "strict"};
		const char *near = sbx_suggest(kw, strlen(kw), words, SBX_ARRAY_SIZE(words));
		if (near)
			return fail(ps->err, -EINVAL, "%s:%d:%zu: unknown rule '%s': did you mean '%s'?", file,
				    lineno, col[0], kw, near);
		return fail(ps->err, -EINVAL,
			    "%s:%d:%zu: unknown rule '%s' (expected include, read, write, exec, stat, deny, "
			    "temporary, connect, bind, tmpdir, loopback or strict)",
			    file, lineno, col[0], kw);
	}
	if (!strcmp(kw, "strict"))
		return fail(ps->err, -EINVAL, "%s:%d:%zu: unexpected '%s' after 'strict' (it takes no argument)",
			    file, lineno, col[1], tok[1]);
	if (nt < 2)
		return fail(ps->err, -EINVAL, "%s:%d:%zu: '%s' needs one argument", file,
			    lineno, col[0] + strlen(kw), kw);
	if (nt > 2)
		return fail(ps->err, -EINVAL,
			    "%s:%d:%zu: unexpected '%s' after the argument (one rule a line)", file,
			    lineno, col[2], tok[2]);
	if (!strcmp(kw, "tmpdir") || !strcmp(kw, "loopback")) {
		if (strcmp(tok[1], "private"))
			return fail(ps->err, -EINVAL, "%s:%d:%zu: expected '%s private'",
				    file, lineno, col[1], kw);
		if (kw[0] == 't')
			ps->p->private_tmp = true;
		else
			ps->p->loopback = true;
		return 0;
	}
	if (k < 0) { /* include */
		char path[PATH_MAX];
		int r = locate(ps->env, tok[1], file, path, sizeof(path));
		if (r == -EINVAL)
			return fail(ps->err, r, "%s:%d:%zu: invalid policy name '%s'", file,
				    lineno, col[1], tok[1]);
		if (r < 0) {
			_cleanup_free_ char *hint = strchr(tok[1], '/') ? NULL :
				sbx_policy_not_found(tok[1], ps->env->search_dirs, ps->env->n_search_dirs);
			return fail(ps->err, -ENOENT, "%s:%d:%zu: policy '%s' not found%s", file,
				    lineno, col[1], tok[1], hint ? hint : "");
		}
		if (ps->depth >= MAX_INCLUDE_DEPTH)
			return fail(ps->err, -ELOOP, "%s:%d:%zu: includes nest too deeply",
				    file, lineno, col[1]);
		char real[PATH_MAX];
		if (realpath(path, real))
			for (int i = 0; i < ps->depth; i++)
				if (!strcmp(ps->stack[i], real))
					return fail(ps->err, -ELOOP,
						    "%s:%d:%zu: include cycle through '%s'", file,
						    lineno, col[1], tok[1]);
		r = parse_file(ps, path);
		if (r < 0 && ps->err) { /* where the include is, then what is wrong inside */
			_cleanup_free_ char *inner = *ps->err;
			*ps->err = NULL;
			fail(ps->err, r, "%s:%d:%zu: in the included policy: %s", file, lineno, col[1],
			     inner ? inner : strerror(-r));
		}
		return r;
	}
	char exp[PATH_MAX], name[64], origin[PATH_MAX + 16];
	size_t c = 0;
	const char *msg = NULL;
	int r = expand(tok[1], &ps->env->vars, exp, sizeof(exp), &c, &msg, name, sizeof(name));
	if (r == -ENODATA)
		return 0;
	if (r == 0) {
		r = sbx_pattern_validate(exp, &c, &msg);
		/* Columns inside an expansion point at the pattern's start. */
		if (r < 0 && strchr(tok[1], '$'))
			c = 0;
	}
	if (r < 0)
		return fail(ps->err, r, "%s:%d:%zu: %s", file, lineno, col[1] + c, msg);
	snprintf(origin, sizeof(origin), "%s:%d", file, lineno);
	r = add(ps->p, kinds[k].kind, kinds[k].perms, exp, origin);
	return r < 0 ? fail(ps->err, r, "out of memory") : 0;
}

static int parse_text(struct parse *ps, const char *text, const char *file)
{
	int lineno = 0;
	for (const char *s = text; *s;) {
		const char *e = strchrnul(s, '\n');
		char line[PATH_MAX * 2];
		size_t l = (size_t)(e - s);
		lineno++;
		if (l >= sizeof(line))
			return fail(ps->err, -EINVAL, "%s:%d:1: line is too long", file, lineno);
		memcpy(line, s, l);
		line[l] = '\0';
		int r = parse_line(ps, file, lineno, line);
		if (r < 0)
			return r;
		s = *e ? e + 1 : e;
	}
	return 0;
}

static int parse_file(struct parse *ps, const char *path)
{
	_cleanup_free_ char *text = NULL;
	int r = sbx_policy_read_file(path, &text, ps->err);
	if (r < 0)
		return r;
	_cleanup_free_ char *real = realpath(path, NULL);
	if (!real)
		return fail(ps->err, -errno, "%s: %s", path, strerror(errno));
	ps->stack[ps->depth++] = real;
	r = parse_text(ps, text, path);
	ps->depth--;
	return r;
}

int sbx_policy_parse_string(struct sbx_policy *p, const char *text, const char *filename,
			    const struct sbx_policy_env *env, char **err)
{
	struct parse ps = {.p = p, .env = env, .err = err};
	if (err)
		*err = NULL;
	return parse_text(&ps, text, filename);
}

int sbx_policy_load(struct sbx_policy *p, const char *name_or_path,
		    const struct sbx_policy_env *env, char **err)
{
	char path[PATH_MAX];
	if (err)
		*err = NULL;
	int r = locate(env, name_or_path, NULL, path, sizeof(path));
	if (r == -EINVAL)
		return fail(err, r, "invalid policy name '%s' (letters, digits, '.', '_', '-'; or a path with '/')",
			    name_or_path);
	if (r == -ENOENT) {
		_cleanup_free_ char *dirs = dirs_list(env), *hint = strchr(name_or_path, '/') ? NULL :
			sbx_policy_not_found(name_or_path, env->search_dirs, env->n_search_dirs);
		return fail(err, r, "policy '%s' not found in %s%s", name_or_path, dirs ? dirs : "?",
			    hint ? hint : "");
	}
	if (r < 0)
		return fail(err, r, "policy '%s': %s", name_or_path, strerror(-r));
	struct parse ps = {.p = p, .env = env, .err = err};
	r = parse_file(&ps, path);
	if (r < 0)
		sbx_policy_free(p);
	return r;
}

unsigned sbx_policy_check(const struct sbx_policy *p, const char *path)
{
	unsigned perms = 0;
	if (sbx_policy_index_check(p, path, &perms))
		return perms;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		if (!sbx_pattern_match(r->pattern, path))
			continue;
		if (r->kind == SBX_RULE_DENY)
			return 0;
		perms |= r->perms;
	}
	return perms;
}

/* May PAT match something strictly beneath DIR (DL chars, no trailing
 * slash)? */
static bool may_match_below(const char *pat, const char *dir, size_t dl)
{
	size_t lit = strcspn(pat, "*");
	/* pat[0..lit) is literal: it must agree with DIR + "/" as far as both
	 * go, and go on past it or end in a wildcard there. */
	size_t n = lit < dl ? lit : dl;
	if (strncmp(pat, dir, n))
		return false;
	return lit > dl ? pat[dl] == '/' && (lit > dl + 1 || pat[lit] == '*') : pat[lit] == '*';
}

bool sbx_policy_specific_below(const struct sbx_policy *p, const char *dir)
{
	size_t dl = strlen(dir);
	if (dl && dir[dl - 1] == '/')
		dl--;
	for (size_t i = 0; i < p->n_rules; i++)
		if (may_match_below(p->rules[i].pattern, dir, dl) &&
		    !sbx_pattern_match(p->rules[i].pattern, dir))
			return true;
	return false;
}

bool sbx_policy_covers_below(const struct sbx_policy *p, const char *dir)
{
	size_t dl = strlen(dir);
	if (dl && dir[dl - 1] == '/')
		dl--; /* "/" */
	/* What a deny names is no way to anything: it stays unseen. */
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind == SBX_RULE_DENY && sbx_pattern_match(p->rules[i].pattern, dir))
			return false;
	for (size_t i = 0; i < p->n_rules; i++) {
		const char *pat = p->rules[i].pattern;
		if (!p->rules[i].perms)
			continue;
		if (may_match_below(pat, dir, dl))
			return true;
	}
	return false;
}

void sbx_policy_free(struct sbx_policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		free(p->rules[i].pattern);
		free(p->rules[i].origin);
	}
	free(p->rules);
	p->rules = NULL;
	sbx_policy_index_free(p->index);
	p->index = NULL;
	p->n_rules = p->cap_rules = 0;
	p->private_tmp = p->temporary = false;
	p->loopback = false;
	p->strict = false;
	for (size_t i = 0; i < p->n_net; i++) {
		free(p->net[i].pattern);
		free(p->net[i].origin);
	}
	free(p->net);
	p->net = NULL;
	p->n_net = p->cap_net = 0;
}
