/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "tmpdir private": a writable TMPDIR of the sandbox's own, made under the
 * caller's TMPDIR and removed, with everything in it, when the sandbox
 * ends. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "util.h"

static char made[PATH_MAX]; /* for the exit handler */

/* Remove everything in the directory DFD, never following a symlink. */
static void empty_dir(int dfd, int depth)
{
	int dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		sbx_closep(&dup_fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0 || (errno != EISDIR && errno != EPERM))
			continue;
		int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0 && depth < 256)
			empty_dir(sub, depth + 1);
		sbx_closep(&sub);
		(void)unlinkat(dfd, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static void remove_made(void)
{
	if (!made[0])
		return;
	int fd = open(made, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		empty_dir(fd, 0);
		close(fd);
	}
	/* The program may have put a symlink in its place: remove that, never
	 * what it points to. */
	int r = rmdir(made) < 0 ? -errno : 0;
	if (r == -ENOTDIR)
		r = unlink(made) < 0 ? -errno : 0;
	if (r < 0 && r != -ENOENT)
		sbx_log_errno(-r, "cannot remove the sandbox's TMPDIR %s", made);
	made[0] = '\0';
}

int tmpdir_create(struct broker *b)
{
	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	char dir[PATH_MAX], rule[PATH_MAX + 4];
	_cleanup_free_ char *err = NULL;
	if (snprintf(dir, sizeof(dir), "%s/sandbox-tmp.XXXXXX", base) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(dir))
		return -errno;
	/* The canonical name, which the policy is checked against. */
	if (!realpath(dir, made)) {
		int r = -errno;
		rmdir(dir);
		return r;
	}
	snprintf(rule, sizeof(rule), "%s/**", made);
	static const struct sbx_policy_vars none;
	int r = sbx_policy_add_rule(&b->policy, SBX_RULE_WRITE, rule, "tmpdir", &none, &err);
	if (r < 0)
		return r;
	const char *s[2] = {"TMPDIR", made};
	char buf[PATH_MAX + 16];
	ssize_t len = sbx_payload_pack(buf, sizeof(buf), NULL, 0, s, 2);
	if (len < 0)
		return (int)len;
	return sbx_msg_send(b->chan, SBX_MSG_SETENV, 0, buf, (size_t)len, NULL, 0);
}

void tmpdir_remove(void)
{
	remove_made();
}
