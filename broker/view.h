/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The view (--view): the policy compiled, at start, into the sandbox's mount
 * tree, so that the kernel itself holds what the policy grants. A list of
 * entries, parents first, that init executes one by one. */
#ifndef SBX_VIEW_H
#define SBX_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

enum view_kind {
	VIEW_DIR,     /* an empty directory in the root's tmpfs */
	VIEW_SYMLINK, /* a symlink, as on the host */
	VIEW_BIND,    /* a bind of the host's object at the same path */
	VIEW_HIDE,    /* an empty read-only mount over what a bind shows */
	VIEW_PROC,    /* the sandbox's own procfs */
	VIEW_GUARD,   /* nothing in the root: a directory of a tree where a
		       * deny may match names made later; Landlock names its
		       * entries one by one (viewlock.c) */
};

struct view_entry {
	char *path;     /* canonical, absolute */
	char *target;   /* VIEW_SYMLINK: the link's text; VIEW_PROC: "pid" for
			 * a procfs of processes only (subset=pid), else "" */
	enum view_kind kind;
	uint32_t flags; /* VIEW_BIND: SBX_BIND_* */
	mode_t type;    /* S_IFDIR, S_IFREG or S_IFLNK */
	dev_t dev;      /* VIEW_BIND, VIEW_HIDE: the object as seen at start */
	ino_t ino;      /* (both 0 for a hide inside the procfs) */
};

struct view {
	struct view_entry *v;
	size_t n, cap;
	bool complete; /* every read and write grant is in the view; when
			* false, the broker alone serves what is left out */
};

/* Compile the policy P into V (sorted, parents first). Paths are looked up
 * on the host as they are now. Returns 0 or a negative errno. */
int view_compile(const struct sbx_policy *p, struct view *v);

/* viewexpand.c, for view_compile: a read, exec or stat rule whose
 * wildcards each stay within one component ("/usr/lib/gcc/ *-linux-gnu/ * /cc1",
 * "/usr/lib/python3.* / **", no spaces) is expanded into the literal rules
 * of what matches now, each given to COMPILE (0, VIEW_LEFT_OUT: the view
 * cannot hold it, or a negative errno). view_expand returns VIEW_LEFT_OUT
 * if a match was left out or there were too many, else 0 or a negative
 * errno. Write rules are not expandable: their matches may come later. */
#define VIEW_LEFT_OUT 1
typedef int (*view_compile_fn)(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v);
bool view_expandable(const struct sbx_rule *r);
int view_expand(const struct sbx_policy *p, const struct sbx_rule *r, struct view *v, view_compile_fn compile);

/* Add the sandbox's procfs at /proc, with what describes the host hidden:
 * sysctl, the kernel's memory, log and keys always, the rest of what is
 * not a process where the policy P grants nothing; keeps V sorted. When P
 * grants nothing of /proc but processes (not /proc/mounts nor /proc/net,
 * links into the process's own), the procfs holds only processes
 * (subset=pid), and nothing is hidden in it. */
int view_add_proc(struct view *v, const struct sbx_policy *p);

/* Add the regular file PATH as a read-only bind, for view_ruleset only
 * (not sent: init binds it itself). 0 or a negative errno. */
int view_add_file(struct view *v, const char *path);

void view_free(struct view *v);

/* Is PATH DIR itself or beneath it? */
bool view_within(const char *path, const char *dir);
/* The literal base of a rule's pattern into BASE: 1 for a literal path, 2
 * for a tree "BASE/ **" (no space), 0 for anything else (a variable left,
 * or wildcards elsewhere). */
int view_rule_base(const char *pat, char *base, size_t size);
/* The literal directory PAT starts with (before its first wildcard). */
void view_literal_dir(const char *pat, char *dir, size_t size);

/* viewlock.c: a Landlock ruleset with a rule for each bind of V, by the
 * host's inode, with the bind's rights (for common/landlock.h). The fd, or
 * a negative errno (-EOPNOTSUPP without Landlock). */
int view_ruleset(const struct view *v);

struct broker;
/* viewsend.c: have init build V in the sandbox's root (needs
 * the channel). Returns 0 or a negative errno, said on stderr. */
int view_send(struct broker *b, const struct view *v);

#endif
