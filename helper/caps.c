/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/fsuid.h>

#include "helper.h"

/* Set the permitted and effective sets to KEEP (N entries). */
static int caps_set(const int *keep, size_t n)
{
	cap_t c = cap_init();
	if (!c)
		return -errno;
	int r = 0;
	if (n && (cap_set_flag(c, CAP_PERMITTED, (int)n, (const cap_value_t *)keep, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_EFFECTIVE, (int)n, (const cap_value_t *)keep, CAP_SET) < 0))
		r = -errno;
	if (r == 0 && cap_set_proc(c) < 0)
		r = -errno;
	cap_free(c);
	return r;
}

int caps_drop_all(uid_t uid, gid_t gid, bool switch_ids)
{
	/* Lock out every way back to capabilities before dropping them: uid 0
	 * gains nothing at execve, and no setuid fixup or ambient raise. */
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
			     SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
			     SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
			     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
		return -errno;
	/* The kernel answers EINVAL past its last capability. */
	for (unsigned long c = 0; c < 64; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL && c > 0)
				break;
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	/* Root's child in setuid-no-user-namespace mode: become the caller
	 * (the capabilities stay until the capset below: NO_SETUID_FIXUP). */
	if (switch_ids && (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0))
		return -errno;
	int r = caps_set(NULL, 0);
	if (r < 0)
		return r;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

int caps_keep_as_root(uid_t fsuid, gid_t fsgid, const int *keep, size_t n)
{
	/* Root's ids (so the caller may not signal us), the caller's for
	 * file access, no capability but KEEP. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	setfsgid(fsgid);
	setfsuid(fsuid);
	if ((gid_t)setfsgid((gid_t)-1) != fsgid || (uid_t)setfsuid((uid_t)-1) != fsuid)
		return -EPERM;
	return caps_set(keep, n);
}

int caps_become_user(uid_t uid, gid_t gid, const int *keep, size_t n)
{
	/* Keep the permitted set across the uid change only when asked to. */
	if ((n && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -errno;
	if (n && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	int r = caps_set(keep, n);
	if (r < 0)
		return r;
	/* Nothing may bring root back. */
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -EPERM;
	return 0;
}
