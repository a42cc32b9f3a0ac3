/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a mutation does to each name it touches (names.c). */
#ifndef SBX_NAMES_H
#define SBX_NAMES_H

#include "request.h"

/* Every name a mutation touches needs write on it besides. */
enum {
	NAME_MAKES = 1 << 0,       /* made anew: EEXIST where the program may see it */
	NAME_DIR_LEAVES = 1 << 1,  /* a directory there leaves it (moved, removed,
				    * replaced), its subtree with it */
	NAME_DIR_ARRIVES = 1 << 2, /* a directory from the other name arrives here */
	NAME_OBJECT = 1 << 3,      /* the object is changed or linked: write on it */
	NAME_FOLLOW = 1 << 4,      /* the object reached through a last symlink */
};

/* Fill F->use from F's operation and flags. 0; -EINVAL for a flag the call
 * does not know; -EPERM for what the program may never do (device nodes,
 * whiteouts). Before any name is read, as in the kernel. */
int names_plan(struct request *f);

#endif
