/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper --explain: the policy as a sandbox would compile it, with
 * no sandbox made. The helper drops its privileges and runs
 *   sandbox-broker --explain [OPTION...] -- [PROGRAM [ARG...]]
 * which loads the policy as a run would (includes, variables, the
 * command-line rules), compiles the view, and prints on stdout what the
 * kernel's view holds, what the broker still decides and, as warnings,
 * every rule that matches nothing on this machine. Exit 0, or 125 when
 * the policy cannot be loaded (said on stderr, as a run says it). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "broker.h"
#include "escape.h"
#include "helperside.h"
#include "log.h"
#include "pattern.h"
#include "setup.h"
#include "suggest.h"
#include "util.h"
#include "view.h"

/* A walk looking for a match of one pattern visits at most this many
 * entries; past it the pattern is taken to match (no warning). */
#define WALK_BUDGET 50000

/* S escaped for the terminal (escape.h), in BUF. */
static const char *esc(const char *s, char *buf, size_t size)
{
	sbx_escape_log(buf, size, s, strlen(s));
	return buf;
}

#define E(s) esc((s), (char[4 * PATH_MAX]){0}, 4 * PATH_MAX)

/* Does anything beneath the directory PATH (LEN bytes of a PATH_MAX
 * buffer) match PAT? True too when the budget ran out. */
static bool walk(const char *pat, char *path, size_t len, long *budget, int depth)
{
	DIR *d = opendir(len ? path : "/");
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t n = strlen(e->d_name);
		if (len + 1 + n >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, e->d_name, n + 1);
		found = --*budget <= 0 || sbx_pattern_match(pat, path);
		if (!found && e->d_type == DT_DIR && depth < 32)
			found = walk(pat, path, len + 1 + n, budget, depth + 1);
		path[len] = '\0';
	}
	closedir(d);
	return found;
}

/* PATH's directory is not its real one: the real path in OUT (the policy
 * decides on real paths, so a rule through a symlink names nothing). */
static bool not_canonical(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return false;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!realpath(dir, real) || !strcmp(real, dir))
		return false;
	return snprintf(out, size, "%s%s", real, slash) < (int)size;
}

/* PATH's directory, in DIR. */
static const char *dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	snprintf(dir, size, "%.*s", slash && slash != path ? (int)(slash - path) : 1, path);
	return dir;
}

/* Does the rule's pattern match anything here? If not, HINT may say what
 * was meant (or, for a WRITE rule, that the program may make it). */
static bool matches(const char *pat, bool write, char *hint, size_t size)
{
	char base[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	struct stat st;
	hint[0] = '\0';
	if (view_rule_base(pat, base, sizeof(base))) {
		if (not_canonical(base, real, sizeof(real))) {
			snprintf(hint, size, "it goes through a symlink: the policy decides on real paths, "
				 "did you mean '%s'?", real);
			return false;
		}
		if (lstat(base, &st) == 0)
			return true;
		if (sbx_suggest_path(base, real, sizeof(real)))
			snprintf(hint, size, "did you mean '%s'?", real);
		else if (write && lstat(dir_of(base, dir, sizeof(dir)), &st) == 0)
			snprintf(hint, size, "nothing there yet (a write rule lets the program make it)");
		return false;
	}
	view_literal_dir(pat, dir, sizeof(dir));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	if (sbx_pattern_match(pat, dir))
		return true;
	long budget = WALK_BUDGET;
	size_t len = strcmp(dir, "/") ? strlen(dir) : 0;
	return walk(pat, dir, len, &budget, 0);
}

/* The first allow rule whose base is PATH (a tree when TREE), the one
 * granting most of those. */
static const struct sbx_rule *rule_for(const struct sbx_policy *p, const char *path, bool tree)
{
	const struct sbx_rule *best = NULL;
	char base[PATH_MAX];
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		int form = view_rule_base(r->pattern, base, sizeof(base));
		if (r->kind == SBX_RULE_DENY || !form || strcmp(base, path) || (tree && form != 2))
			continue;
		if (!best || (r->perms & ~best->perms))
			best = r;
	}
	return best;
}

/* The deny rule that hides PATH, or whose matches GUARD's directory holds. */
static const struct sbx_rule *deny_for(const struct sbx_policy *p, const char *path, bool guard)
{
	char dir[PATH_MAX];
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		if (r->kind != SBX_RULE_DENY)
			continue;
		view_literal_dir(r->pattern, dir, sizeof(dir));
		if (guard ? view_within(dir, path) || view_within(path, dir) : sbx_pattern_match(r->pattern, path))
			return r;
	}
	return NULL;
}

/* The recursive bind of V that holds PATH, or NULL. */
static const struct view_entry *tree_holding(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].kind == VIEW_BIND && (v->v[i].flags & SBX_BIND_RECURSIVE) &&
		    view_within(path, v->v[i].path))
			return &v->v[i];
	return NULL;
}

static const struct view_entry *entry_at(const struct view *v, const char *path)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i].path, path) && v->v[i].kind != VIEW_HIDE && v->v[i].kind != VIEW_GUARD)
			return &v->v[i];
	return NULL;
}

static void print_entry(const struct sbx_policy *p, const struct view_entry *e)
{
	const struct sbx_rule *r = NULL;
	const char *what = "?", *note = "";
	switch (e->kind) {
	case VIEW_BIND: {
		bool tree = e->flags & SBX_BIND_RECURSIVE, rw = e->flags & SBX_BIND_WRITABLE;
		r = rule_for(p, e->path, tree);
		bool ex = r && r->kind == SBX_RULE_EXEC;
		what = e->flags & SBX_BIND_DEVICE ? "device" : tree ? (rw ? "rw tree" : ex ? "exec tree" : "ro tree")
		       : e->type == S_IFDIR ? "ro dir" : rw ? "rw file" : ex ? "exec file" : "ro file";
		note = rw ? "  (writes are the broker's)" : ex ? "  (read-only; each exec is the broker's)" : "";
		break;
	}
	case VIEW_DIR:
		r = rule_for(p, e->path, false);
		what = "dir";
		note = "  (its name only)";
		break;
	case VIEW_SYMLINK:
		r = rule_for(p, e->path, false);
		what = "symlink";
		break;
	case VIEW_HIDE:
		r = deny_for(p, e->path, false);
		what = "hidden";
		break;
	case VIEW_GUARD:
		r = deny_for(p, e->path, true);
		what = "guard";
		note = "  (names a deny may match, made here later, do not open)";
		break;
	case VIEW_PROC:
		what = "proc";
		note = *e->target ? "  (the sandbox's own: its processes only)" : "  (the sandbox's own)";
		break;
	}
	printf("  %-10s %s%s%s%s%s\n", what, E(e->path), e->kind == VIEW_SYMLINK ? " -> " : "",
	       e->kind == VIEW_SYMLINK ? E(e->target) : "", r ? "  " : "", r ? E(r->origin) : "");
	if (*note)
		printf("  %-10s %s\n", "", note + 2);
}

/* Why the view cannot hold the allow rule R (NULL: it holds it, or the rule
 * matches nothing to hold); *INCOMPLETE when that leaves the view
 * incomplete (no tree of it holds what the rule names). */
static const char *left_out(const struct view *v, const struct sbx_rule *r, bool *incomplete)
{
	char base[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	if (r->kind == SBX_RULE_TEMP)
		return NULL; /* nothing of it is ever in the view: the broker makes them */
	int form = view_rule_base(r->pattern, base, sizeof(base));
	view_literal_dir(r->pattern, dir, sizeof(dir));
	*incomplete = false;
	if (view_within(dir, "/proc"))
		return r->kind == SBX_RULE_STAT || !view_within(dir, "/proc/sys") ? NULL
		       : "under /proc/sys, which the view never shows";
	if (tree_holding(v, dir) && !(form && entry_at(v, base) && entry_at(v, base)->kind == VIEW_DIR))
		return NULL;
	const char *why = NULL;
	if (!form) {
		why = "a wildcard outside every bound tree";
	} else if (lstat(base, &st) < 0) {
		why = r->kind == SBX_RULE_WRITE ? "a file yet to be made, outside every bound tree" : NULL;
	} else if (entry_at(v, base) && entry_at(v, base)->kind != VIEW_DIR) {
		return NULL;
	} else if (S_ISDIR(st.st_mode) && form == 1 && r->kind != SBX_RULE_STAT) {
		why = "a directory's listing without its tree";
	} else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) &&
		   !(S_ISCHR(st.st_mode) && form == 1)) {
		why = "a FIFO, socket or block device, which the broker opens";
	}
	*incomplete = why != NULL;
	return why;
}

/* What a deny rule does to the view: why it leaves it incomplete, or NULL. */
static const char *deny_effect(const struct view *v, const struct sbx_rule *r)
{
	char dir[PATH_MAX];
	view_literal_dir(r->pattern, dir, sizeof(dir));
	const struct view_entry *t = tree_holding(v, dir);
	if (!t)
		return NULL;
	if (t->flags & SBX_BIND_WRITABLE)
		return "a deny inside a write tree (a rename there would undo a hide)";
	const char *rest = r->pattern + strlen(dir) + (strcmp(dir, "/") ? 0 : -1);
	const char *next = *rest ? strchr(rest + 1, '/') : NULL;
	if (*rest && next && strcmp(next, "/**"))
		return "a deny whose matches may appear at any depth";
	return NULL;
}

static void print_net(const struct sbx_net_rule *n)
{
	char addr[INET6_ADDRSTRLEN + 8] = "any", port[32];
	if (n->proto == SBX_NET_UNIX) {
		printf("  %-10s unix %s%s  %s\n", sbx_net_op_name(n->op), n->abstract ? "@" : "", E(n->pattern),
		       E(n->origin));
		return;
	}
	unsigned full = n->family == AF_INET ? 32 : 128;
	if (n->family != AF_UNSPEC && inet_ntop(n->family, n->addr, addr, sizeof(addr)) && n->prefix != full)
		snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u", n->prefix);
	if (n->port_lo == 0 && n->port_hi == 65535)
		snprintf(port, sizeof(port), "*");
	else if (n->port_lo == n->port_hi)
		snprintf(port, sizeof(port), "%u", n->port_lo);
	else
		snprintf(port, sizeof(port), "%u-%u", n->port_lo, n->port_hi);
	printf("  %-10s %s %s%s%s:%s  %s\n", sbx_net_op_name(n->op), sbx_net_proto_name(n->proto),
	       n->family == AF_INET6 ? "[" : "", addr, n->family == AF_INET6 ? "]" : "", port, E(n->origin));
}

/* Why the kernel may not serve reads by itself (setup.c's send_lock), or
 * NULL when it does. */
static const char *slow_reason(const struct broker *b, const struct setup_args *a, const struct view *v)
{
	bool unix_rules = false;
	for (size_t i = 0; i < b->policy.n_net; i++)
		unix_rules |= b->policy.net[i].proto == SBX_NET_UNIX;
	if (!v->complete)
		return "the view is not complete";
	if (syscall(SYS_landlock_create_ruleset, NULL, 0, 1u) < 1)
		return "this kernel has no Landlock";
	return a->deferred ? "--deferred" : a->client ? "--client" : unix_rules ? "the policy has unix network rules"
	       : NULL;
}

/* The view's part: what the kernel holds, and whether that is all. */
static void explain_view(const struct broker *b, const struct setup_args *a, const struct view *v)
{
	const struct sbx_policy *p = &b->policy;
	printf("The sandbox's root (the view: the kernel answers these without the broker):\n");
	size_t host = 0;
	for (size_t i = 0; i < v->n; i++) {
		const struct view_entry *e = &v->v[i];
		/* What describes the host in the procfs: one line for all. */
		if (e->kind == VIEW_HIDE && view_within(e->path, "/proc") && !deny_for(p, e->path, false))
			host++;
		else
			print_entry(p, e);
	}
	if (host)
		printf("  %-10s /proc/...  %zu entries that describe the host (sysctl, the kernel's memory,\n"
		       "  %-10s log and keys, and what the policy grants nothing of)\n", "hidden", host, "");
	if (p->private_tmp)
		printf("  %-10s %s\n", "rw tree", "a private TMPDIR, made at start  (tmpdir private)");
	printf("  %-10s %s\n", "", "and the program's executables, bound as they are approved");
	size_t reasons = 0, unseen = 0;
	bool incomplete;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		const char *why = r->kind == SBX_RULE_DENY ? deny_effect(v, r) : left_out(v, r, &incomplete);
		if (why && (r->kind == SBX_RULE_DENY || incomplete))
			printf("%s  %s %s  %s: %s\n", reasons++ ? "" : "The view is not complete, because of:\n",
			       sbx_rule_kind_name(r->kind), E(r->pattern), E(r->origin), why);
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		const char *why = r->kind == SBX_RULE_DENY ? NULL : left_out(v, r, &incomplete);
		if (why && !incomplete)
			printf("%s  %s %s  %s: %s\n", unseen++ ? "" : "Not in the view, and not honoured:\n",
			       sbx_rule_kind_name(r->kind), E(r->pattern), E(r->origin), why);
	}
	if (v->complete && !reasons)
		printf("The view is complete: it holds every read the policy grants.\n");
	else if (v->complete)
		printf("(These leave out only what a tree of the view holds anyway.)\n");
	else if (!reasons)
		printf("The view is not complete (a tree whose denies cannot all be hidden is left to the broker).\n");
	const char *off = slow_reason(b, a, v);
	if (off)
		printf("Fast path: off (%s): every read is also the broker's, as in --strict.\n", off);
	else
		printf("Fast path: on: reads, looks and chdir in the view never reach the broker.\n");
}

/* The broker's part: what each request still needs it for. */
static void explain_broker(const struct broker *b, const struct setup_args *a, const struct view *v, bool view)
{
	const struct sbx_policy *p = &b->policy;
	printf("The broker decides:\n");
	printf("  %-10s %s\n", "exec", "every execve, against these rules:");
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind == SBX_RULE_EXEC)
			printf("  %-10s %s  %s\n", "exec", E(p->rules[i].pattern), E(p->rules[i].origin));
	printf("  %-10s %s\n", "write", "every write, create, remove, rename and attribute change, against:");
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].kind == SBX_RULE_WRITE || p->rules[i].kind == SBX_RULE_TEMP)
			printf("  %-10s %s  %s%s\n", sbx_rule_kind_name(p->rules[i].kind), E(p->rules[i].pattern),
			       E(p->rules[i].origin), p->rules[i].kind == SBX_RULE_TEMP ?
			       "  (an exclusive create: a file with no name)" : "");
	bool slow = !view || slow_reason(b, a, v), incomplete;
	printf("  %-10s %s\n", "read", !view ? "every path request (strict: no view), against every rule"
				  : slow ? "every read too (the fast path is off), against every rule"
				  : "only what the view leaves out:");
	for (size_t i = 0; i < p->n_rules && !slow; i++) {
		const struct sbx_rule *r = &p->rules[i];
		const char *why = r->kind == SBX_RULE_DENY ? NULL : left_out(v, r, &incomplete);
		if (why && incomplete)
			printf("  %-10s %s  %s  (%s)\n", sbx_rule_kind_name(r->kind), E(r->pattern), E(r->origin), why);
	}
	printf("  %-10s %s\n", "network", p->n_net ? "every connect, bind and send, against:" : "nothing: no network rule");
	for (size_t i = 0; i < p->n_net; i++)
		print_net(&p->net[i]);
	if (p->loopback)
		printf("  %-10s %s\n", "loopback", "private: the sandbox's own loopback interface is up");
}

/* Every rule that matches nothing here, said; how many. */
static size_t explain_warnings(const struct sbx_policy *p)
{
	size_t n = 0;
	char hint[PATH_MAX + 128];
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		if (!strcmp(r->origin, "--link") || matches(r->pattern, r->kind == SBX_RULE_WRITE, hint, sizeof(hint)))
			continue;
		bool cmdline = r->origin[0] == '-' && r->kind != SBX_RULE_DENY && r->kind != SBX_RULE_STAT &&
			       !strpbrk(r->pattern, "*");
		printf("warning: %s: %s %s matches nothing on this machine%s%s%s\n", E(r->origin),
		       sbx_rule_kind_name(r->kind), E(r->pattern), *hint ? ": " : "", *hint ? E(hint) : "",
		       cmdline ? " (a run refuses this grant)" : "");
		n++;
	}
	return n;
}

int broker_explain(int argc, char **argv)
{
	broker_check_options(argc, argv);
	struct setup_args a;
	if (setup_parse_args(argc, argv, &a) < 0)
		return SBX_EXIT_SETUP;
	_cleanup_free_ struct broker *b = calloc(1, sizeof(*b));
	if (!b) {
		sbx_log("out of memory");
		return SBX_EXIT_SETUP;
	}
	if (setup_load_policy(b, &a) < 0)
		return SBX_EXIT_SETUP;
	bool view = !a.strict && !b->policy.strict && (a.view || !a.deferred); /* as setup.c */
	struct view v = {0};
	int r = view ? view_compile(&b->policy, &v) : 0;
	if (r == 0 && view)
		r = view_add_proc(&v, &b->policy);
	if (r < 0) {
		sbx_log_errno(r, "cannot compile the policy into a view");
		sbx_policy_free(&b->policy);
		return SBX_EXIT_SETUP;
	}
	printf("Policy %s, after includes and variables: %zu path rules, %zu network rules%s%s\n",
	       E(a.policy), b->policy.n_rules, b->policy.n_net, a.learn ? " (--learn: a run grants more, and records it)" : "",
	       view ? "" : a.deferred ? "; --deferred: no view, the program starts on the host's root"
			: "; strict: no view, every path request is the broker's");
	if (view)
		explain_view(b, &a, &v);
	explain_broker(b, &a, &v, view);
	size_t w = explain_warnings(&b->policy);
	printf("%zu rule%s match%s nothing here.\n", w, w == 1 ? "" : "s", w == 1 ? "es" : "");
	view_free(&v);
	sbx_policy_free(&b->policy);
	return fflush(stdout) == 0 ? 0 : SBX_EXIT_SETUP;
}
