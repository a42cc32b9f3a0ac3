/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the policy parser, on a file (sbx_policy_load: includes,
 * NUL bytes, sizes) and on a string. The input is the policy's text, written
 * to t.policy in a scratch directory that also holds policies to include
 * (good, bad, nul, a FIFO, a directory). Checks: an accepted policy holds
 * only valid patterns, each with its origin; a refused one leaves nothing
 * behind and its message starts with the file's name, line and column.
 * Built by tests/fuzz.sh with libFuzzer, or with smoke.c (meson). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "pattern.h"
#include "policy.h"

const size_t sbx_fuzz_max_len = 16384;

static char dir[64], file[128];
static int fd = -1;
static const char *dirs[1];
static const char *const argv[] = {"prog", "--data=/srv/data", "--out", "rel/out", "--", "--x=/y", NULL};
static struct sbx_policy_env env;

static void put(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void init(void)
{
	snprintf(dir, sizeof(dir), "%s", sbx_fuzz_scratch("policy"));
	put("good.policy", "read /usr/**\nstat /\nconnect tcp 127.0.0.1:80\ntmpdir private\n");
	put("bad.policy", "read /usr/**\nwrite relative\n");
	put("nul.policy", "read /a\n");
	put("nested.policy", "include good\ninclude ./sub/inner.policy\n");
	char p[256];
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0755);
	put("sub/inner.policy", "exec /usr/bin/*\ninclude ../bad.policy\n");
	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0600);
	snprintf(file, sizeof(file), "%s/t.policy", dir);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	dirs[0] = dir;
	env = (struct sbx_policy_env){
		.search_dirs = dirs,
		.n_search_dirs = 1,
		.vars = {.home = "/home/u", .cwd = "/work/p", .tmpdir = "/tmp", .user = "u", .argv = argv},
	};
}

/* "NAME:LINE:COLUMN: " with LINE <= LINES + 1 and COLUMN >= 1. */
static bool located(const char *err, const char *name, size_t lines)
{
	size_t l = strlen(name);
	if (strncmp(err, name, l) || err[l] != ':')
		return false;
	char *e;
	unsigned long line = strtoul(err + l + 1, &e, 10);
	if (e == err + l + 1 || *e != ':' || line < 1 || line > lines + 1)
		return false;
	const char *c = e + 1;
	unsigned long col = strtoul(c, &e, 10);
	return e != c && col >= 1 && e[0] == ':' && e[1] == ' ' && e[2];
}

static void check(const struct sbx_policy *p, int r, const char *err, const char *name, size_t lines)
{
	if (r == 0) {
		if (err)
			abort();
		for (size_t i = 0; i < p->n_rules; i++) {
			size_t col;
			const char *msg;
			if (sbx_pattern_validate(p->rules[i].pattern, &col, &msg) < 0 || !p->rules[i].origin ||
			    !strchr(p->rules[i].origin, ':'))
				abort();
		}
		static const char *const paths[] = {"/", "/usr/lib/x", "/home/u/a/b", "/work/p/x.c", "/tmp/x"};
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			(void)sbx_policy_check(p, paths[i]);
			(void)sbx_policy_covers_below(p, paths[i]);
			(void)sbx_policy_specific_below(p, paths[i]);
		}
		return;
	}
	if (!err || r > 0)
		abort();
	if (r == -ENOMEM)
		return;
	if (!located(err, name, lines)) {
		fprintf(stderr, "fuzz: an error that does not say where: %s\n", err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0)
		init();
	size_t lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	/* As a file. */
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	struct sbx_policy p = {0};
	char *err = NULL;
	int r = sbx_policy_load(&p, file, &env, &err);
	check(&p, r, err, file, lines);
	if (r < 0 && (p.n_rules || p.rules || p.n_net))
		abort(); /* nothing half-applied */
	sbx_policy_free(&p);
	free(err);
	/* As a string, up to its first NUL. */
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err = NULL;
	r = sbx_policy_parse_string(&p, text, "s.policy", &env, &err);
	check(&p, r, err, "s.policy", lines);
	sbx_policy_free(&p);
	free(err);
	free(text);
	return 0;
}
