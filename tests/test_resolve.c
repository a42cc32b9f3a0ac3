/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the broker's path walker and its model of the root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolve.h"
#include "rootview.h"

static char base[64];
static int rootfd = -1;

/* base/d/f, base/d/sub/, base/l -> d/f, base/abs -> base/d, base/loop -> loop,
 * base/up -> ../..  (climbs to "/"), base/dl -> d (relative dir link) */
static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/sbx-resolve.XXXXXX");
	if (!mkdtemp(base))
		return -1;
	char p[PATH_MAX], t[PATH_MAX];
	snprintf(p, sizeof(p), "%s/d", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/sub", base);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/f", base);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/l", base);
	if (symlink("d/f", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/abs", base);
	snprintf(t, sizeof(t), "%s/d", base);
	if (symlink(t, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/loop", base);
	if (symlink("loop", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/dl", base);
	if (symlink("d", p) < 0)
		return -1;
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	close(rootfd);
	return system(cmd) == 0 ? 0 : -1;
}

struct seen {
	int n;
	char last[PATH_MAX];
};

static int count_links(void *ctx, const char *link_path, const char *target)
{
	struct seen *s = ctx;
	if (!target)
		return 0; /* leaving a directory by "..": not a link */
	s->n++;
	snprintf(s->last, sizeof(s->last), "%s", link_path);
	return 0;
}

static int refuse_links(void *ctx, const char *link_path, const char *target)
{
	return -EACCES;
}

static int resolve(const char *rel, unsigned flags, struct sbx_resolved *r, struct seen *s)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s%s", base, rel);
	int ret = sbx_resolve(rootfd, p, flags, count_links, s, r);
	return ret;
}

static void expect_path(const char *rel, unsigned flags, const char *want_rel, int want_links)
{
	struct sbx_resolved r;
	struct seen s = {0};
	assert_int_equal(resolve(rel, flags, &r, &s), 0);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s%s", base, want_rel);
	assert_string_equal(r.path, want);
	assert_int_equal(s.n, want_links);
	assert_true(r.fd >= 0);
	close(r.fd);
}

static void test_plain_and_dots(void **state)
{
	expect_path("/d/f", 0, "/d/f", 0);
	expect_path("/d/./sub/../f", 0, "/d/f", 0);
	expect_path("//d///f", 0, "/d/f", 0);
	expect_path("/d/sub/", 0, "/d/sub", 0);
}

static void test_symlinks(void **state)
{
	expect_path("/l", 0, "/d/f", 1);
	expect_path("/l", SBX_RESOLVE_NOFOLLOW, "/l", 0);
	expect_path("/abs/f", 0, "/d/f", 1);
	expect_path("/abs/sub/../f", 0, "/d/f", 1);
	/* ".." after a symlink to a directory applies to the target. */
	expect_path("/dl/sub/..", 0, "/d", 1);
	expect_path("/dl/..", 0, "", 1);
}

static int refuse_dotdot(void *ctx, const char *path, const char *target)
{
	return target ? 0 : -EACCES;
}

static void test_dotdot_asks(void **state)
{
	struct sbx_resolved r;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/d/sub/../f", base);
	assert_int_equal(sbx_resolve(rootfd, p, 0, refuse_dotdot, NULL, &r), -EACCES);
	snprintf(p, sizeof(p), "%s/d/f", base);
	assert_int_equal(sbx_resolve(rootfd, p, 0, refuse_dotdot, NULL, &r), 0);
	close(r.fd);
}

static void test_dotdot_cannot_climb_above_root(void **state)
{
	struct sbx_resolved r;
	assert_int_equal(sbx_resolve(rootfd, "/../../../etc/../", 0, NULL, NULL, &r), 0);
	assert_string_equal(r.path, "/");
	close(r.fd);
}

static void test_errors(void **state)
{
	struct sbx_resolved r;
	struct seen s = {0};
	assert_int_equal(resolve("/loop", 0, &r, &s), -ELOOP);
	assert_int_equal(r.fd, -1);
	assert_int_equal(resolve("/d/f/x", 0, &r, &s), -ENOTDIR);
	assert_int_equal(resolve("/l/", 0, &r, &s), -ENOTDIR);
	assert_int_equal(resolve("/d/missing/x", 0, &r, &s), -ENOENT);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/d/missing/x", base);
	assert_string_equal(r.path, want); /* the missing path, canonical */
	/* ".." out of a missing directory: the missing path is that
	 * directory, not where ".." would lead (that would tell whether it
	 * exists). */
	assert_int_equal(resolve("/d/missing/../x", 0, &r, &s), -ENOENT);
	snprintf(want, sizeof(want), "%s/d/missing", base);
	assert_string_equal(r.path, want);
	/* A path through a file: the file is named. */
	assert_int_equal(resolve("/d/f/x", 0, &r, &s), -ENOTDIR);
	snprintf(want, sizeof(want), "%s/d/f", base);
	assert_string_equal(r.path, want);
	assert_int_equal(sbx_resolve(rootfd, "relative", 0, NULL, NULL, &r), -EINVAL);
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/l", base);
	assert_int_equal(sbx_resolve(rootfd, p, 0, refuse_links, NULL, &r), -EACCES);
	assert_int_equal(r.fd, -1);
	/* A link whose text ends in '/' names a directory, as for the kernel
	 * (found by tests/fuzz/resolve.c). */
	char t[PATH_MAX];
	snprintf(p, sizeof(p), "%s/ftrail", base);
	snprintf(t, sizeof(t), "%s/d/f/", base);
	assert_int_equal(symlink(t, p), 0);
	assert_int_equal(resolve("/ftrail", 0, &r, &s), -ENOTDIR);
	assert_int_equal(r.fd, -1);
	snprintf(p, sizeof(p), "%s/dtrail", base);
	snprintf(t, sizeof(t), "%s/d/", base);
	assert_int_equal(symlink(t, p), 0);
	expect_path("/dtrail", 0, "/d", 1);
}

static void test_procfs_refused(void **state)
{
	struct sbx_resolved r;
	assert_int_equal(sbx_resolve(rootfd, "/proc/self/status", 0, NULL, NULL, &r), -EACCES);
	assert_int_equal(sbx_resolve(rootfd, "/proc/version", SBX_RESOLVE_ALLOW_PROC, NULL, NULL, &r), 0);
	close(r.fd);
}

static void test_rootview(void **state)
{
	struct sbx_rootview rv = {0};
	assert_int_equal(sbx_rootview_add(&rv, "/usr/bin/ls", S_IFREG, NULL), 0);
	assert_int_equal(sbx_rootview_add(&rv, "/bin", S_IFLNK, "usr/bin"), 0);
	assert_int_equal(sbx_rootview_add(&rv, "/lib64", S_IFLNK, "/usr/lib64"), 0);
	assert_int_equal(sbx_rootview_add(&rv, "/usr/lib64/ld.so", S_IFREG, NULL), 0);
	assert_int_equal(sbx_rootview_add(&rv, "/usr/bin", S_IFREG, NULL), -EEXIST);
	assert_true(sbx_rootview_contains(&rv, "/", false));
	assert_true(sbx_rootview_contains(&rv, "/usr", false));
	assert_true(sbx_rootview_contains(&rv, "/usr/bin/ls", false));
	assert_true(sbx_rootview_contains(&rv, "/bin/ls", false));
	assert_true(sbx_rootview_contains(&rv, "/bin", true));
	assert_true(sbx_rootview_contains(&rv, "/lib64/ld.so", false));
	assert_true(sbx_rootview_contains(&rv, "/usr/./bin/../bin/ls", false));
	assert_false(sbx_rootview_contains(&rv, "/etc/shadow", false));
	assert_false(sbx_rootview_contains(&rv, "/bin/../etc", false));
	assert_false(sbx_rootview_contains(&rv, "/usr/bin/ls/x", false));
	assert_false(sbx_rootview_contains(&rv, "/usr/bin/cat", false));
	assert_false(sbx_rootview_contains(&rv, "relative", false));
	sbx_rootview_free(&rv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_dots),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_dotdot_cannot_climb_above_root),
		cmocka_unit_test(test_dotdot_asks),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_procfs_refused),
		cmocka_unit_test(test_rootview),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
