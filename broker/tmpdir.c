/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "tmpdir private": a writable TMPDIR of the sandbox's own, made under the
 * caller's TMPDIR and removed, with everything in it, when the sandbox
 * ends. Its name and lock are the sandbox's (b->tmpdir). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "util.h"

/* The TMPDIR base: the caller's TMPDIR, else /tmp. */
static const char *tmp_base(void)
{
	const char *base = getenv("TMPDIR");
	return base && base[0] == '/' ? base : "/tmp";
}

void tmpdir_sweep(int *busy)
{
	(void)leftover_sweep(tmp_base(), "sandbox-tmp.", false, true, busy);
}

int tmpdir_create(struct broker *b)
{
	char dir[PATH_MAX], rule[PATH_MAX + 4];
	_cleanup_free_ char *err = NULL;
	/* Locked before anything goes in; one a sweep took is left to it. */
	for (int tries = 0; b->tmpdir.lock < 0; tries++) {
		if (snprintf(dir, sizeof(dir), "%s/sandbox-tmp.XXXXXX", tmp_base()) >= (int)sizeof(dir))
			return -ENAMETOOLONG;
		if (!mkdtemp(dir))
			return -errno;
		b->tmpdir.lock = leftover_claim(dir);
		if (b->tmpdir.lock == -EAGAIN && tries < 16)
			continue;
		if (b->tmpdir.lock < 0) {
			int r = b->tmpdir.lock;
			b->tmpdir.lock = -1;
			rmdir(dir);
			return r;
		}
	}
	/* The canonical name, which the policy is checked against. */
	if (!realpath(dir, b->tmpdir.path)) {
		int r = -errno;
		b->tmpdir.path[0] = '\0';
		rmdir(dir);
		sbx_closep(&b->tmpdir.lock);
		return r;
	}
	snprintf(rule, sizeof(rule), "%s/**", b->tmpdir.path);
	static const struct sbx_policy_vars none;
	int r = sbx_policy_add_rule(&b->policy, SBX_RULE_WRITE, rule, "tmpdir", &none, &err);
	if (r < 0)
		return r;
	const char *s[2] = {"TMPDIR", b->tmpdir.path};
	char buf[PATH_MAX + 16];
	ssize_t len = sbx_payload_pack(buf, sizeof(buf), NULL, 0, s, 2);
	if (len < 0)
		return (int)len;
	return sbx_msg_send(b->chan, SBX_MSG_SETENV, 0, buf, (size_t)len, NULL, 0);
}

void tmpdir_remove(struct broker *b)
{
	const char *made = b->tmpdir.path;
	if (!made[0])
		return;
	if (b->tmpdir.lock >= 0)
		leftover_empty(b->tmpdir.lock, 0);
	/* The program may have put a symlink in its place: remove that, never
	 * what it points to. */
	int r = rmdir(made) < 0 ? -errno : 0;
	if (r == -ENOTDIR)
		r = unlink(made) < 0 ? -errno : 0;
	if (r < 0 && r != -ENOENT)
		sbx_log_errno(-r, "cannot remove the sandbox's TMPDIR %s", made);
	b->tmpdir.path[0] = '\0';
	sbx_closep(&b->tmpdir.lock);
}
