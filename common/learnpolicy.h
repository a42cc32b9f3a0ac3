/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Learning mode's last step: what a run used, turned into a policy.
 *
 * The input is every path the broker granted in the run (canonical, as it
 * decided on them) with what each was used for, and the network peers it
 * allowed. The output is the text of a policy file that grants those and
 * little more: programs by their real path, trees where a directory's
 * contents were used as a tree (listed, or many of its entries read),
 * written trees where the program made new names (their names may differ
 * next time), single files elsewhere, metadata-only rules for the
 * symlinks on the way and the missing files it looked for, the peers. */
#ifndef SBX_LEARNPOLICY_H
#define SBX_LEARNPOLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

enum sbx_learn_flag {
	SBX_LEARN_MISSING = 1u << 0, /* looked for, not there */
	SBX_LEARN_MADE = 1u << 1,    /* a name the program made */
	SBX_LEARN_DIR = 1u << 2,     /* a directory (read: listed) */
};

struct sbx_learned {
	const char *path; /* canonical, absolute */
	unsigned perms;   /* SBX_PERM_* it was used for */
	unsigned flags;   /* SBX_LEARN_* */
};

struct sbx_learn_input {
	const struct sbx_learned *paths;
	size_t n_paths;
	const char *const *net; /* rule lines, e.g. "connect tcp 127.0.0.1:53" */
	size_t n_net;
	const struct sbx_policy *base; /* rules the output includes (NULL: none) */
	const char *include;  /* the base's name for "include" (NULL: none) */
	const char *tmpdir;   /* the run's private TMPDIR (NULL: none) */
	const char *home;     /* written as ${HOME} (NULL: never) */
	const char *cwd;      /* written as ${CWD} (NULL: never) */
	const char *command;  /* what ran, for the header comment */
	/* Patterns denied on the command line while learning (--deny): the
	 * output denies them too, so no tree it grants reaches them. */
	const char *const *denies;
	size_t n_denies;
	/* How many entries directory DIR holds (for the tree rule), or -1 when
	 * unknown; NULL: always unknown. */
	long (*entries)(const char *dir);
};

/* The policy text (malloc'd; NULL without memory), *N_RULES its rules. */
char *sbx_learn_policy(const struct sbx_learn_input *in, size_t *n_rules);

#endif
