/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's command line and the policy it names, with the rules given
 * on the command line. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "selfpath.h"
#include "setup.h"
#include "suggest.h"
#include "util.h"

/* "--read=PATTERN" and the like: the rule kind and the pattern. */
static bool rule_option(const char *arg, enum sbx_rule_kind *kind, const char **pattern)
{
	static const struct {
		const char *opt;
		enum sbx_rule_kind kind;
	} opts[] = {
		{"--read=", SBX_RULE_READ}, {"--write=", SBX_RULE_WRITE}, {"--exec=", SBX_RULE_EXEC},
		{"--stat=", SBX_RULE_STAT}, {"--deny=", SBX_RULE_DENY},
	};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(opts); i++) {
		size_t l = strlen(opts[i].opt);
		if (!strncmp(arg, opts[i].opt, l)) {
			if (kind)
				*kind = opts[i].kind;
			if (pattern)
				*pattern = arg + l;
			return true;
		}
	}
	return false;
}

static bool net_option(const char *arg)
{
	return !strncmp(arg, "--connect=", 10) || !strncmp(arg, "--bind=", 7);
}

/* An fd number option's value, above 2 (or MIN), into *OUT. */
static bool number(const char *s, long min, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > INT_MAX)
		return false;
	*out = (int)v;
	return true;
}

int setup_parse_args(int argc, char **argv, struct setup_args *a)
{
	memset(a, 0, sizeof(*a));
	a->chan = -1;
	a->init_pid = 0;
	a->init_pidfd = -1;
	a->json_fd = a->log_fd = -1;
	a->pids_max = a->memory_max = -1;
	a->mode = "user-namespace";
	a->policy = "minimal";
	int i;
	for (i = 1; i < argc; i++) {
		char *end;
		int pid = 0;
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strncmp(argv[i], "--channel-fd=", 13)) {
			if (!number(argv[i] + 13, 3, &a->chan))
				break;
		} else if (!strncmp(argv[i], "--init-pidfd=", 13)) {
			if (!number(argv[i] + 13, 3, &a->init_pidfd))
				break;
		} else if (!strncmp(argv[i], "--init-pid=", 11)) {
			if (!number(argv[i] + 11, 1, &pid))
				break;
			a->init_pid = (pid_t)pid;
		} else if (!strncmp(argv[i], "--policy=", 9)) {
			a->policy = argv[i] + 9;
		} else if (!strncmp(argv[i], "--pids-max=", 11)) {
			a->pids_max = strtoll(argv[i] + 11, &end, 10);
			if (*end || a->pids_max < 0)
				break;
		} else if (!strncmp(argv[i], "--memory-max=", 13)) {
			a->memory_max = strtoll(argv[i] + 13, &end, 10);
			if (*end || a->memory_max < 0)
				break;
		} else if (!strcmp(argv[i], "--client")) {
			a->client = true;
		} else if (!strcmp(argv[i], "--view")) {
			a->view = true;
		} else if (!strcmp(argv[i], "--strict")) {
			a->strict = true;
		} else if (!strcmp(argv[i], "--deferred")) {
			a->deferred = true;
		} else if (!strcmp(argv[i], "--explain")) {
			a->explain = true;
		} else if (!strncmp(argv[i], "--learn=", 8)) {
			a->learn = argv[i] + 8;
		} else if (!strncmp(argv[i], "--log-fd=", 9)) {
			if (!number(argv[i] + 9, 3, &a->log_fd))
				break;
		} else if (!strncmp(argv[i], "--log-file=", 11) && argv[i][11]) {
			a->log_file = argv[i] + 11;
		} else if (!strcmp(argv[i], "--log-allowed")) {
			a->log_allowed = true;
		} else if (!strncmp(argv[i], "--chdir=", 8)) {
			a->chdir = argv[i] + 8;
		} else if (rule_option(argv[i], NULL, NULL) || net_option(argv[i])) {
			if (a->n_rules == SBX_ARRAY_SIZE(a->rules)) {
				sbx_log("too many rules on the command line (at most %zu)",
					SBX_ARRAY_SIZE(a->rules));
				return -E2BIG;
			}
			a->rules[a->n_rules++] = argv[i];
		} else if (!strncmp(argv[i], "--mode=", 7)) {
			a->mode = argv[i] + 7;
		} else if (!strncmp(argv[i], "--json-status-fd=", 17)) {
			if (!number(argv[i] + 17, 3, &a->json_fd))
				break;
		} else {
			break;
		}
	}
	/* --explain: no sandbox, and the program is optional. */
	bool explain = a->explain && (i == argc || !strcmp(argv[i - 1], "--"));
	if (!explain && (a->chan < 0 || a->init_pid <= 0 || i > argc || !argv[i - 1] ||
			 strcmp(argv[i - 1], "--") || i >= argc)) {
		sbx_log("this program is started by sandbox-helper, or by a launcher "
			"with --serve-fd=N (see --help)");
		return -EINVAL;
	}
	a->argv = argv + i;
	return 0;
}

/* Where NAME.policy is looked up: the source tree when running from the
 * build tree, then the data directory beside the installed broker (or,
 * in a launcher's process, beside the helper: POLICY_DIR). */
static size_t policy_dirs(const char *policy_dir, char dirs[3][PATH_MAX])
{
	char self[PATH_MAX];
	size_t n = 0;
	if (policy_dir)
		snprintf(self, sizeof(self), "%s", policy_dir);
	else if (sbx_self_dir(self, sizeof(self)) < 0)
		return 0;
	const char *fmt[] = {
		"%s/../../" SBX_POLICYDIR_REL, /* PREFIX/libexec/sandbox */
		"%s/../" SBX_POLICYDIR_REL,    /* PREFIX/bin */
	};
	if ((!strcmp(self, SBX_BUILD_ROOT "/broker") || !strcmp(self, SBX_BUILD_ROOT "/helper")) &&
	    realpath(SBX_SOURCE_POLICYDIR, dirs[n]))
		n++;
	for (size_t i = 0; i < SBX_ARRAY_SIZE(fmt); i++) {
		char cand[PATH_MAX];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		int l = snprintf(cand, sizeof(cand), fmt[i], self);
#pragma GCC diagnostic pop
		/* Only directories that exist, by their real names. */
		if (l > 0 && l < (int)sizeof(cand) && realpath(cand, dirs[n]))
			n++;
	}
	return n;
}

/* A command-line path that goes through symlinks: the program may follow
 * them (the walk needs stat on each link's own path). */
static void grant_links(struct broker *b, const char *path, const struct sbx_policy_vars *vars)
{
	char abs[PATH_MAX];
	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (!vars->cwd || snprintf(abs, sizeof(abs), "%s/%s", vars->cwd, path) >= (int)sizeof(abs))
		return;
	for (char *s = abs + 1;; s++) {
		char c = *s;
		if (c == '/' || !c) {
			*s = '\0';
			struct stat st;
			if (lstat(abs, &st) == 0 && S_ISLNK(st.st_mode) && strstr(abs, "/./") == NULL &&
			    strstr(abs, "/../") == NULL) {
				_cleanup_free_ char *err = NULL;
				(void)sbx_policy_add_rule(&b->policy, SBX_RULE_STAT, abs, "--link", vars, &err);
			}
			*s = c;
		}
		if (!c)
			break;
	}
}

/* The command-line grant OPT=PATH names nothing here: said, with the
 * name PATH most likely meant; -ENOENT (or ERR) returned. Under --explain
 * (EXPLAIN) the rule stays, for its warning, and 0 is returned. */
static int missing(const char *opt, const char *path, int err, bool explain)
{
	char cwd[PATH_MAX], near[PATH_MAX];
	if (explain)
		return 0;
	if (err != ENOENT && err != ENOTDIR) {
		sbx_log_errno(err, "%s=%s", opt, path);
		return -err;
	}
	bool in_cwd = path[0] != '/' && getcwd(cwd, sizeof(cwd));
	if (sbx_suggest_path(path, near, sizeof(near)))
		sbx_log("%s=%s: no such file or directory%s%s: did you mean '%s'?", opt, path,
			in_cwd ? " in " : "", in_cwd ? cwd : "", near);
	else
		sbx_log("%s=%s: no such file or directory%s%s (to let the program make it, grant "
			"the directory it goes in)", opt, path, in_cwd ? " in " : "", in_cwd ? cwd : "");
	return -ENOENT;
}

/* The policy's error ERR (or FALLBACK) said; R returned. */
static int say(int r, const char *err, const char *fallback)
{
	sbx_log("%s", err ? err : fallback);
	return r;
}

/* What is wrong with sandbox-helper's command line is said in its name
 * (not in a launcher's process, whose name is its own): the options, a
 * policy NAME that is not found, the command-line rules. What is wrong in
 * a policy file is the broker's, which reads it. */
static void as_helper(const struct broker *b, bool on)
{
	if (!b->in_process)
		sbx_log_set_name(on ? "sandbox-helper" : "sandbox-broker");
}

static int load_policy(struct broker *b, const struct setup_args *a);

int setup_load_policy(struct broker *b, const struct setup_args *a)
{
	as_helper(b, true);
	int r = -EINVAL;
	if (a->chdir && a->chdir[0] != '/')
		sbx_log("--chdir=%s: give an absolute path", a->chdir);
	else
		r = load_policy(b, a);
	as_helper(b, false);
	return r;
}

static int load_policy(struct broker *b, const struct setup_args *a)
{
	char dirs[3][PATH_MAX];
	const char *dirp[3];
	size_t n = policy_dirs(b->policy_dir, dirs);
	for (size_t i = 0; i < n; i++)
		dirp[i] = dirs[i];
	char cwd[PATH_MAX];
	/* getpwuid_r: other sandboxes may be set up in this process now. */
	struct passwd pwbuf, *pw = NULL;
	char pwstr[2048];
	if (getpwuid_r(getuid(), &pwbuf, pwstr, sizeof(pwstr), &pw) != 0)
		pw = NULL;
	struct sbx_policy_env env = {
		.search_dirs = dirp,
		.n_search_dirs = n,
		.vars = {
			.home = getenv("HOME") ? getenv("HOME") : (pw ? pw->pw_dir : NULL),
			.cwd = getcwd(cwd, sizeof(cwd)),
			.tmpdir = getenv("TMPDIR"),
			.user = pw ? pw->pw_name : NULL,
			.argv = (const char *const *)a->argv,
		},
	};
	_cleanup_free_ char *err = NULL;
	as_helper(b, false);
	int r = sbx_policy_load(&b->policy, a->policy, &env, &err);
	/* A NAME's files are found by absolute paths: an error that starts
	 * with none is about the name. */
	as_helper(b, r < 0 && !strchr(a->policy, '/') && err && err[0] != '/');
	if (r < 0)
		return say(r, err, strerror(-r));
	as_helper(b, true);
	/* Command-line rules. A plain path that exists stands for its real
	 * path (the policy decides on canonical paths), a directory for
	 * itself and all beneath it, so that --write=. grants the working
	 * tree. */
	for (size_t i = 0; i < a->n_rules; i++) {
		if (net_option(a->rules[i])) {
			bool conn = a->rules[i][2] == 'c';
			r = sbx_policy_add_net(&b->policy, conn ? SBX_NET_CONNECT : SBX_NET_BIND,
					       strchr(a->rules[i], '=') + 1, conn ? "--connect" : "--bind", &err);
			if (r < 0)
				return say(r, err, "out of memory");
			continue;
		}
		enum sbx_rule_kind kind = SBX_RULE_READ;
		const char *pattern = "";
		char origin[32], tree[PATH_MAX + 4], real[PATH_MAX];
		struct stat st;
		rule_option(a->rules[i], &kind, &pattern);
		snprintf(origin, sizeof(origin), "--%s", sbx_rule_kind_name(kind));
		bool literal = !strchr(pattern, '*') && !strchr(pattern, '$');
		if (literal && realpath(pattern, real) && stat(real, &st) == 0) {
			if (kind != SBX_RULE_DENY)
				grant_links(b, pattern, &env.vars);
			snprintf(tree, sizeof(tree), "%s%s", real,
				 !S_ISDIR(st.st_mode) ? "" : strcmp(real, "/") ? "/**" : "**");
			pattern = tree;
		} else if (literal && kind != SBX_RULE_DENY && kind != SBX_RULE_STAT) {
			/* A grant of nothing would only be refused later ("needs
			 * write"): an output file's directory is to be granted. */
			if ((r = missing(origin, pattern, errno, a->explain)) < 0)
				return r;
			if (pattern[0] != '/' && env.vars.cwd &&
			    snprintf(tree, sizeof(tree), "%s/%s", env.vars.cwd, pattern) < (int)sizeof(tree))
				pattern = tree; /* --explain: as given, from here */
		}
		r = sbx_policy_add_rule(&b->policy, kind, pattern, origin, &env.vars, &err);
		if (r < 0)
			return say(r, err, "out of memory");
	}
	return 0;
}
