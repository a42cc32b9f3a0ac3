/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The policy model and its parser.
 *
 * A policy is a plain-text file, one rule a line, '#' starts a comment:
 *   include NAME      rules of another policy (NAME.policy in the search
 *                     directories, or a file path when NAME contains '/',
 *                     relative to the including file's directory)
 *   read PATTERN      open read-only, stat, access, readlink
 *   write PATTERN     read + write, create, remove, rename within
 *   exec PATTERN      execute (implies read)
 *   stat PATTERN      metadata only: stat, access F_OK, readlink
 *   deny PATTERN      nothing at all; wins over every allow
 *   temporary PATTERN an exclusive create (O_CREAT|O_EXCL) of a name it matches
 *                     gets a new file with no name (O_TMPFILE in the
 *                     directory); nothing it matches exists for the program
 *                     (shared memory in /dev/shm: never a path to another's)
 *   tmpdir private    a private, writable TMPDIR for the program, removed
 *                     when the sandbox ends
 *   loopback private  the sandbox's own loopback interface is up, and
 *                     loopback addresses are the sandbox's, not the host's
 *   strict            every path request goes to the broker (no view: an
 *                     empty root, a log line for every refusal)
 *   connect PROTO SPEC, bind PROTO SPEC
 *                     network peers and local addresses (netrule.h)
 * Patterns may use ${HOME}, ${CWD}, ${TMPDIR} and ${USER}, expanded at load.
 */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "netrule.h"

enum sbx_perm {
	SBX_PERM_STAT = 1u << 0,
	SBX_PERM_READ = 1u << 1,
	SBX_PERM_WRITE = 1u << 2,
	SBX_PERM_EXEC = 1u << 3,
	SBX_PERM_TEMP = 1u << 4, /* "temporary": an exclusive create only, served unnamed
				  * (never in sbx_policy_check's answer: the broker's
				  * decide_temporary asks the rules themselves) */
};

enum sbx_rule_kind {
	SBX_RULE_READ,
	SBX_RULE_WRITE,
	SBX_RULE_EXEC,
	SBX_RULE_STAT,
	SBX_RULE_DENY,
	SBX_RULE_TEMP,
};

struct sbx_rule {
	enum sbx_rule_kind kind;
	unsigned perms;  /* what the rule grants (0 for deny) */
	char *pattern;   /* expanded, validated */
	char *origin;    /* "file:line" for messages */
};

struct sbx_policy {
	struct sbx_rule *rules;
	size_t n_rules;
	size_t cap_rules;
	bool private_tmp;  /* "tmpdir private" */
	bool loopback;     /* "loopback private" */
	bool strict;       /* "strict": every path request the broker's */
	bool temporary;    /* a "temporary" rule is among the rules (the broker
			    * asks them only then: decide_temporary) */
	struct sbx_net_rule *net; /* connect and bind rules */
	size_t n_net, cap_net;
	struct sbx_policy_index *index; /* sbx_policy_seal's, or NULL */
};

struct sbx_policy_vars {
	const char *home;   /* NULL: ${HOME} is an error */
	const char *cwd;
	const char *tmpdir; /* NULL: "/tmp" */
	const char *user;
	/* The program's arguments (argv[0] first, NULL-terminated) for
	 * ${ARG:--OPTION}; NULL: such rules are left out. */
	const char *const *argv;
};

struct sbx_policy_env {
	const char *const *search_dirs; /* where NAME.policy is looked up */
	size_t n_search_dirs;
	struct sbx_policy_vars vars;
};

/* Load the policy NAME (looked up as NAME.policy in env->search_dirs) or FILE
 * (when it contains '/') into P, following includes. On error returns a
 * negative errno and sets *ERR to a message (to be freed; NULL only when
 * there was no memory for it) that is never cut short:
 * "file:line:column: message"; for an error in an included file, the
 * include line's "file:line:column: in the included policy: " before the
 * included file's own message (a chain, one link a level); "FILE: not a
 * regular file (...)" for a directory, FIFO, device or procfs/sysfs file;
 * "policy 'NAME' not found in DIR, DIR". On success *ERR is NULL. */
int sbx_policy_load(struct sbx_policy *p, const char *name_or_path,
		    const struct sbx_policy_env *env, char **err);

/* Parse TEXT as if it were the file FILENAME (used for error messages and for
 * resolving relative includes). Appends to P. *ERR as for sbx_policy_load. */
int sbx_policy_parse_string(struct sbx_policy *p, const char *text,
			    const char *filename,
			    const struct sbx_policy_env *env, char **err);

/* Add one rule as if read from a file (command-line rules such as --read=).
 * ORIGIN names it in messages, e.g. "--read". *ERR as for sbx_policy_load. */
int sbx_policy_add_rule(struct sbx_policy *p, enum sbx_rule_kind kind,
			const char *pattern, const char *origin,
			const struct sbx_policy_vars *vars, char **err);

/* The permissions the policy grants on the canonical absolute PATH: the union
 * of every matching allow rule, or 0 when any deny rule matches. */
unsigned sbx_policy_check(const struct sbx_policy *p, const char *path);

/* Add a network rule from the command line: SPEC is "PROTO ADDRESS" (or
 * "PROTO:ADDRESS"); ORIGIN names it in messages, e.g. "--connect". *ERR as
 * for sbx_policy_load. */
int sbx_policy_add_net(struct sbx_policy *p, enum sbx_net_op op, const char *spec,
		       const char *origin, char **err);

/* Does any rule allow OP (see sbx_netrule_match)? */
bool sbx_policy_net_check(const struct sbx_policy *p, enum sbx_net_op op, enum sbx_net_proto proto,
			  const struct sockaddr *addr, size_t len, const char *path, bool abstract);

/* Could an allow rule match something strictly beneath the directory DIR?
 * (Its pattern, up to the first '*', starts inside DIR, or a wildcard
 * begins before it has left DIR.) Ancestors of granted paths may be
 * walked through. Never for a path a deny rule matches. */
bool sbx_policy_covers_below(const struct sbx_policy *p, const char *dir);

/* Is there a rule (of any kind, deny too) that may match something beneath
 * DIR without matching DIR itself? Such a rule treats the tree under DIR
 * apart, so moving DIR elsewhere would change what it says. */
bool sbx_policy_specific_below(const struct sbx_policy *p, const char *dir);

void sbx_policy_free(struct sbx_policy *p);

/* "read", "write", ... for messages. */
const char *sbx_rule_kind_name(enum sbx_rule_kind kind);

#endif
