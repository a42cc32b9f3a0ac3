/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Learning mode (--learn=FILE): the run is strict, and what the policy
 * does not grant is granted (but what a deny names) and recorded; at the
 * end the record becomes a policy in FILE (common/learnpolicy.h). */
#ifndef SBX_LEARN_H
#define SBX_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netrule.h"

struct broker;

/* After the policy is loaded: check FILE can be written (nothing is made
 * until the end), note the loaded policy as the base (POLICY: its name, for
 * "include"), then grant everything but what a deny names. 0 or a
 * negative errno, said. */
int learn_begin(struct broker *b, const char *file, const char *policy);
/* PATH (canonical) was granted for PERMS (SBX_PERM_*), FLAGS
 * (SBX_LEARN_*). Nothing outside learning mode. */
void learn_path(const struct broker *b, const char *path, unsigned perms, unsigned flags);
/* A network operation was allowed (arguments as for sbx_policy_net_check). */
void learn_net(const struct broker *b, enum sbx_net_op op, enum sbx_net_proto proto,
	       const struct sockaddr *addr, size_t len, const char *path, bool abstract);
/* The run is over: write the policy (ARGV: what ran). 0 or a negative
 * errno, said. */
int learn_finish(struct broker *b, char *const *argv);
void learn_free(struct broker *b);

#endif
