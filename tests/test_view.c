/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for view.c: a policy in, the mount plan out, on a temporary
 * tree T (canonical):
 *   T/usr/bin/tool, T/usr/share/doc/a/readme, T/usr/share/man/x
 *   T/etc/ssh/host_rsa_key, T/etc/ssh/host_ed_key, T/etc/ssh/config
 *   T/etc/passwd, T/w/out, T/lnk -> usr, T/fifo
 *   T/usr/lib/gcc/arch-a/12/cc1, T/usr/lib/gcc/arch-b/14/cc1,
 *   T/usr/lib/gcc/arch-c/12 (a file), T/usr/lib/gcc/link -> arch-a,
 *   T/usr/lib/py3.1/mod, T/usr/lib/py3.2/mod
 * "@" in a policy stands for T; each plan entry is written
 * "KIND[,FLAGS] PATH" with T as "@", the directories T and above left
 * out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "policy.h"
#include "view.h"

static char top[PATH_MAX];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_tree(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_view.XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, top));
	static const char *const dirs[] = {"usr", "usr/bin", "usr/share", "usr/share/doc",
					   "usr/share/doc/a", "usr/share/man", "etc", "etc/ssh", "w",
					   "usr/lib", "usr/lib/gcc", "usr/lib/gcc/arch-a", "usr/lib/gcc/arch-a/12",
					   "usr/lib/gcc/arch-b", "usr/lib/gcc/arch-b/14", "usr/lib/gcc/arch-c",
					   "usr/lib/py3.1", "usr/lib/py3.2"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[PATH_MAX * 2];
		snprintf(p, sizeof(p), "%s/%s", top, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	put("usr/bin/tool", "x");
	put("usr/share/doc/a/readme", "x");
	put("usr/share/man/x", "x");
	put("etc/ssh/host_rsa_key", "k");
	put("etc/ssh/host_ed_key", "k");
	put("etc/ssh/config", "c");
	put("etc/passwd", "p");
	put("w/out", "o");
	put("usr/lib/gcc/arch-a/12/cc1", "x");
	put("usr/lib/gcc/arch-b/14/cc1", "x");
	put("usr/lib/gcc/arch-c/12", "x");
	put("usr/lib/py3.1/mod", "x");
	put("usr/lib/py3.2/mod", "x");
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/usr/lib/gcc/link", top);
	assert_int_equal(symlink("arch-a", p), 0);
	snprintf(p, sizeof(p), "%s/lnk", top);
	assert_int_equal(symlink("usr", p), 0);
	snprintf(p, sizeof(p), "%s/fifo", top);
	assert_int_equal(mkfifo(p, 0644), 0);
	return 0;
}

static int remove_tree(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* TEXT with "@" replaced by T. */
static char *expand(const char *text)
{
	size_t n = 1;
	for (const char *s = text; *s; s++)
		n += *s == '@' ? strlen(top) : 1;
	char *out = malloc(n), *o = out;
	assert_non_null(out);
	for (const char *s = text; *s; s++)
		o = *s == '@' ? stpcpy(o, top) : (*o = *s, o + 1);
	*o = '\0';
	return out;
}

static void render(const struct view_entry *e, char *out, size_t size)
{
	static const char *const kinds[] = {"dir", "link", "bind", "hide", "proc", "guard"};
	char flags[32] = "";
	if (e->kind == VIEW_BIND)
		snprintf(flags, sizeof(flags), ",%s%s%s", e->flags & SBX_BIND_WRITABLE ? "rw" : "ro",
			 e->flags & SBX_BIND_NOEXEC ? ",noexec" : "",
			 e->flags & SBX_BIND_RECURSIVE ? ",rec" : "");
	const char *rest = e->path + strlen(top);
	snprintf(out, size, "%s%s @%s%s%s", kinds[e->kind], flags, rest,
		 e->target ? " -> " : "", e->target ? e->target : "");
}

struct plan_case {
	const char *policy;
	const char *plan; /* entries in order, one a line */
	bool complete;
};

static const struct plan_case cases[] = {
	{"read @/usr/**\n", "bind,ro,rec @/usr\n", true},
	{"write @/w/**\n", "bind,rw,noexec,rec @/w\n", true},
	/* A literal file; the directories on the way, holding nothing else. */
	{"read @/etc/passwd\n", "dir @/etc\nbind,ro @/etc/passwd\n", true},
	{"read @/usr/**\ndeny @/usr/share/doc/**\n",
	 "bind,ro,rec @/usr\nguard @/usr/share\nhide @/usr/share/doc\n", true},
	/* A deny of a file, and a pattern expanded against what is there. */
	{"read @/etc/**\ndeny @/etc/passwd\ndeny @/etc/ssh/host_*_key\n",
	 "bind,ro,rec @/etc\nguard @/etc\nhide @/etc/passwd\nguard @/etc/ssh\nhide @/etc/ssh/host_ed_key\n"
	 "hide @/etc/ssh/host_rsa_key\n", true},
	/* A deny that matches nothing yet guards the directory its names
	 * would appear in; in a write tree the program's own files there
	 * would not open: the broker's. */
	{"read @/usr/**\ndeny @/usr/late\ndeny @/usr/nodir/x/**\n", "bind,ro,rec @/usr\nguard @/usr\n", true},
	{"write @/w/**\ndeny @/w/late\n", "bind,rw,noexec,rec @/w\n", false},
	/* Matches that may appear at any depth: no guard says it. */
	{"read @/usr/**\ndeny @/usr/**/readme\n",
	 "bind,ro,rec @/usr\nhide @/usr/share/doc/a/readme\n", false},
	/* A deny outside every tree hides nothing. */
	{"read @/usr/**\ndeny @/etc/**\n", "bind,ro,rec @/usr\n", true},
	/* A write tree inside a read tree is a mount of its own; a read tree
	 * inside a read tree is already there. */
	{"read @/**\nwrite @/w/**\nread @/usr/**\n",
	 "bind,ro,rec @\nbind,rw,noexec,rec @/w\n", true},
	/* A denied tree is not bound at all. */
	{"read @/usr/**\ndeny @/usr/**\n", "", true},
	/* stat: the name only; a symlink as a symlink. */
	{"stat @/usr\nstat @/lnk\n", "link @/lnk -> usr\ndir @/usr\n", true},
	/* A tree through a symlink names nothing canonical. */
	{"read @/lnk/bin/**\n", "", true},
	/* Wildcards elsewhere, a literal directory's listing, a FIFO, a file
	 * still to be made: the broker's. */
	{"read @/usr/**/tool\nread @/usr/bin/**\n", "dir @/usr\nbind,ro,rec @/usr/bin\n", false},
	{"read @/usr/share\n", "dir @/usr\ndir @/usr/share\n", false},
	{"read @/fifo\n", "", false},
	{"write @/w/new\n", "", false},
	/* exec grants read; running is the broker's (a bind over it). */
	{"exec @/usr/bin/tool\n", "dir @/usr\ndir @/usr/bin\nbind,ro @/usr/bin/tool\n", true},
	/* A deny inside a write tree inside a read tree; an exec grant
	 * inside a read tree is already there (its bind comes on approval).
	 * A rename in a write tree would drop the hide: its reads stay the
	 * broker's. */
	{"read @/**\nwrite @/usr/**\ndeny @/usr/share/doc/**\nexec @/etc/passwd\n",
	 "bind,ro,rec @\nbind,rw,noexec,rec @/usr\nhide @/usr/share/doc\n", false},
	/* stat of a file: no empty file stands in for it yet. */
	{"stat @/etc/passwd\n", "", false},
	/* The sandbox's own procfs stands for the host's: a grant under /proc
	 * needs nothing more (its hidden parts stay hidden). */
	{"read /proc/cpuinfo\n", "", true},
	/* What the broker would decide inside a tree the view holds whole is
	 * the kernel's already. */
	{"read @/usr/**\nread @/usr/*/tool\nread @/usr/share\n", "bind,ro,rec @/usr\n", true},
	{"read @/usr/**\nwrite @/usr/new\n", "bind,ro,rec @/usr\n", true},
	/* Wildcards within one component each, outside every tree: expanded
	 * into what matches now, through real directories only (not the
	 * symlink "link", not the file arch-c/12); a match a deny names is
	 * left out; matches a tree holds are there already. */
	{"read @/usr/*/tool\nread @/usr/bin/**\n", "dir @/usr\nbind,ro,rec @/usr/bin\n", true},
	{"exec @/usr/lib/gcc/*/*/cc1\n",
	 "dir @/usr\ndir @/usr/lib\ndir @/usr/lib/gcc\ndir @/usr/lib/gcc/arch-a\ndir @/usr/lib/gcc/arch-a/12\n"
	 "bind,ro @/usr/lib/gcc/arch-a/12/cc1\ndir @/usr/lib/gcc/arch-b\ndir @/usr/lib/gcc/arch-b/14\n"
	 "bind,ro @/usr/lib/gcc/arch-b/14/cc1\n", true},
	{"exec @/usr/lib/gcc/*-a/12/*\nexec @/usr/lib/gcc/arch-*/14/cc1\ndeny @/usr/lib/gcc/arch-b/**\n",
	 "dir @/usr\ndir @/usr/lib\ndir @/usr/lib/gcc\ndir @/usr/lib/gcc/arch-a\ndir @/usr/lib/gcc/arch-a/12\n"
	 "bind,ro @/usr/lib/gcc/arch-a/12/cc1\n", true},
	{"read @/usr/lib/py3.*/**\n",
	 "dir @/usr\ndir @/usr/lib\nbind,ro,rec @/usr/lib/py3.1\nbind,ro,rec @/usr/lib/py3.2\n", true},
	{"read @/usr/lib/gcc/*/12/cc1\nread @/lnk/lib/gcc/*/14/cc1\n",
	 "dir @/usr\ndir @/usr/lib\ndir @/usr/lib/gcc\ndir @/usr/lib/gcc/arch-a\ndir @/usr/lib/gcc/arch-a/12\n"
	 "bind,ro @/usr/lib/gcc/arch-a/12/cc1\n", true},
	/* A match that is a symlink shows as one; a directory matched by a
	 * last component keeps its listing the broker's. */
	{"stat @/usr/lib/gcc/l*\n", "dir @/usr\ndir @/usr/lib\ndir @/usr/lib/gcc\nlink @/usr/lib/gcc/link -> arch-a\n", true},
	{"read @/usr/lib/gcc/arch-*\n", "dir @/usr\ndir @/usr/lib\ndir @/usr/lib/gcc\ndir @/usr/lib/gcc/arch-a\n"
	 "dir @/usr/lib/gcc/arch-b\ndir @/usr/lib/gcc/arch-c\n", false},
	/* A write pattern's matches may be made later: the broker's. */
	{"write @/w/*.out\n", "", false},
};

static void plan_table(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = expand(cases[i].policy);
		struct sbx_policy p = {0};
		struct sbx_policy_env env = {0};
		char *err = NULL;
		assert_int_equal(sbx_policy_parse_string(&p, text, "t.policy", &env, &err), 0);
		struct view v;
		assert_int_equal(view_compile(&p, &v), 0);
		char got[8192] = "", line[PATH_MAX * 2];
		for (size_t j = 0; j < v.n; j++) {
			if (strncmp(v.v[j].path, top, strlen(top)) ||
			    (!strcmp(v.v[j].path, top) && v.v[j].kind == VIEW_DIR))
				continue; /* T and above */
			render(&v.v[j], line, sizeof(line));
			strcat(got, line);
			strcat(got, "\n");
		}
		if (strcmp(got, cases[i].plan) || v.complete != cases[i].complete) {
			print_error("policy:\n%swant (complete %d):\n%sgot (complete %d):\n%s\n",
				    cases[i].policy, cases[i].complete, cases[i].plan, v.complete, got);
			bad++;
		}
		view_free(&v);
		sbx_policy_free(&p);
		free(text);
	}
	assert_int_equal(bad, 0);
}

/* Directories above T are made too, parents before children. */
static void parents_first(void **state)
{
	(void)state;
	char *text = expand("read @/usr/bin/tool\n");
	struct sbx_policy p = {0};
	struct sbx_policy_env env = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_parse_string(&p, text, "t.policy", &env, &err), 0);
	struct view v;
	assert_int_equal(view_compile(&p, &v), 0);
	assert_true(v.n >= 4);
	for (size_t j = 0; j < v.n; j++) {
		for (size_t k = j + 1; k < v.n; k++) {
			size_t l = strlen(v.v[k].path);
			assert_false(!strncmp(v.v[j].path, v.v[k].path, l) && v.v[j].path[l] == '/');
		}
		if (j + 1 < v.n)
			assert_int_equal(v.v[j].kind, VIEW_DIR);
	}
	assert_int_equal(v.v[0].kind, VIEW_DIR);
	assert_string_equal(v.v[0].path, "/tmp");
	view_free(&v);
	sbx_policy_free(&p);
	free(text);
}

/* The procfs, with sysctl and the kernel's memory hidden under it always,
 * and the rest of what describes the host where the policy grants nothing
 * (here /proc/cpuinfo is granted, /proc/meminfo and /proc/cmdline not). */
static void proc_hidden(void **state)
{
	(void)state;
	struct sbx_policy p = {0};
	struct sbx_policy_env env = {0};
	char *err = NULL;
	assert_int_equal(sbx_policy_parse_string(&p, "read /proc/cpuinfo\nread /proc/sys/kernel/ostype\n",
						 "t.policy", &env, &err), 0);
	struct view v = {.complete = true};
	assert_int_equal(view_add_proc(&v, &p), 0);
	assert_true(v.n > 2);
	assert_int_equal(v.v[0].kind, VIEW_PROC);
	assert_string_equal(v.v[0].path, "/proc");
	bool sys = false, kcore = false, meminfo = false, cmdline = false, cpuinfo = false, self = false;
	for (size_t j = 1; j < v.n; j++) {
		assert_int_equal(v.v[j].kind, VIEW_HIDE);
		assert_int_equal(strncmp(v.v[j].path, "/proc/", 6), 0);
		sys |= !strcmp(v.v[j].path, "/proc/sys") && v.v[j].type == S_IFDIR;
		kcore |= !strcmp(v.v[j].path, "/proc/kcore") && v.v[j].type == S_IFREG;
		meminfo |= !strcmp(v.v[j].path, "/proc/meminfo");
		cmdline |= !strcmp(v.v[j].path, "/proc/cmdline");
		cpuinfo |= !strcmp(v.v[j].path, "/proc/cpuinfo");
		self |= !strcmp(v.v[j].path, "/proc/self") || !strcmp(v.v[j].path, "/proc/1");
	}
	assert_true(sys);
	assert_true(kcore || access("/proc/kcore", F_OK) != 0);
	assert_true(meminfo && cmdline);
	assert_false(cpuinfo || self);
	view_free(&v);
	sbx_policy_free(&p);
}

static const char *policy_dir; /* argv[1]: the source tree's policies/ */

/* Is there an entry of KIND at PATH in V (a recursive bind if REC)? */
static bool has(const struct view *v, enum view_kind kind, const char *path, bool rec)
{
	for (size_t j = 0; j < v->n; j++)
		if (v->v[j].kind == kind && !strcmp(v->v[j].path, path) &&
		    (!rec || (v->v[j].flags & SBX_BIND_RECURSIVE)))
			return true;
	return false;
}

/* The shipped policies, on this machine, compile into complete views (no
 * fallback to the broker for every read): their patterns over triplets and
 * versions expand into what is installed. The decoder's python3 and its
 * library, and the minimal policy's multiarch library directory, are in. */
static void shipped_complete(void **state)
{
	(void)state;
	if (!policy_dir)
		skip();
	static const char *const names[] = {"minimal", "shell", "build", "decoder", "dev"};
	const char *dirs[] = {policy_dir};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct sbx_policy p = {0};
		struct sbx_policy_env env = {
			.search_dirs = dirs, .n_search_dirs = 1,
			.vars = {.home = "/nonexistent", .cwd = "/", .user = "nobody"},
		};
		char *err = NULL;
		int r = sbx_policy_load(&p, names[i], &env, &err);
		if (r < 0)
			print_error("%s: %s\n", names[i], err ? err : "?");
		assert_int_equal(r, 0);
		struct view v;
		assert_int_equal(view_compile(&p, &v), 0);
		if (!v.complete)
			print_error("the %s policy's view is incomplete\n", names[i]);
		assert_true(v.complete);
		char real[PATH_MAX], lib[PATH_MAX];
		if (!strcmp(names[i], "decoder") && realpath("/usr/bin/python3", real)) {
			assert_true(has(&v, VIEW_BIND, real, false));
			snprintf(lib, sizeof(lib), "/usr/lib/%s", strrchr(real, '/') + 1);
			assert_true(access(lib, F_OK) != 0 || has(&v, VIEW_BIND, lib, true));
		}
		if (!strcmp(names[i], "minimal")) {
			bool triplet = false;
			for (size_t j = 0; j < v.n; j++)
				triplet |= v.v[j].kind == VIEW_BIND && (v.v[j].flags & SBX_BIND_RECURSIVE) &&
					   !strncmp(v.v[j].path, "/usr/lib/", 9) && strstr(v.v[j].path, "-linux-gnu");
			assert_true(triplet);
		}
		view_free(&v);
		sbx_policy_free(&p);
	}
}

int main(int argc, char **argv)
{
	policy_dir = argc > 1 ? argv[1] : NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_table),
		cmocka_unit_test(parents_first),
		cmocka_unit_test(proc_hidden),
		cmocka_unit_test(shipped_complete),
	};
	return cmocka_run_group_tests(tests, setup_tree, remove_tree);
}
