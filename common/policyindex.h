/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An index of a policy's path rules by the directory their pattern names
 * before its first wildcard: a rule can only match that directory or what
 * is beneath it, so a check looks at the rules of the path's ancestors
 * only (a handful of hash lookups), however many rules there are. */
#ifndef SBX_POLICYINDEX_H
#define SBX_POLICYINDEX_H

#include <stdbool.h>
#include <stddef.h>

struct sbx_policy;
struct sbx_policy_index;

/* Index P's rules as they are now (rules added later make the index stale,
 * and sbx_policy_check goes back to looking at every rule). 0 or -ENOMEM.
 * Not to be called while another thread checks P. */
int sbx_policy_seal(struct sbx_policy *p);

/* sbx_policy_check through the index; false when it is stale or missing. */
bool sbx_policy_index_check(const struct sbx_policy *p, const char *path, unsigned *perms);

void sbx_policy_index_free(struct sbx_policy_index *x);

#endif
