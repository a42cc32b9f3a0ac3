/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's decisions, told: one line on stderr for each distinct
 * refusal (rate-limited, repeats counted and told at the end with a
 * summary), and with --log-fd=N or --log-file=PATH one JSON line for each
 * refusal (and, with --log-allowed, each allowed decision the broker made)
 * in the audit log. Below request.c: it calls nothing of the broker's but
 * the policy's model. */
#ifndef SBX_AUDIT_H
#define SBX_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "netrule.h"

struct broker;

/* One decision. Strings are the caller's; NULL (or 0) where not known. */
struct audit_event {
	const char *syscall;  /* name of the call */
	unsigned pid;         /* the thread, in the broker's pid namespace */
	const char *path;     /* as the program gave it */
	const char *path2;    /* the second name (rename, link, symlink) */
	const char *real;     /* the object it reached, canonical (resolved) */
	unsigned need;        /* SBX_PERM_* asked for; 0 for the network */
	const char *why;      /* a refusal's reason */
	int answer;           /* 0: allowed; else the negative errno answered */
	bool suggest;         /* a rule could allow it: say which */
	bool quiet;           /* a lookup of what is not there: no stderr line */
	bool missing;         /* REAL is not there */
	/* The network: NET set, the peer or local address. */
	bool net;
	enum sbx_net_op op;
	enum sbx_net_proto proto;
	const char *peer;     /* as shown: "10.0.0.1:53", "/run/x.sock", "@name" */
	const struct sockaddr *sa; /* for the rule that decided */
	size_t salen;
	const char *unix_path; /* unix: the path or abstract name */
	bool abstract;
};

/* Set up B's audit: FD (--log-fd, taken; or -1), ALLOWED (--log-allowed).
 * Without a log only the stderr lines. 0 or -ENOMEM (FD closed). */
int audit_open(struct broker *b, int fd, bool allowed);
/* Once unprivileged: the --log-fd made close-on-exec, or --log-file=FILE
 * (FILE, or NULL) opened for appending (made, mode 0600), never through a
 * symlink, a regular file only. 0 or a negative errno, said. */
int audit_setup(struct broker *b, const char *file);
/* Does the audit log want allowed decisions (--log-allowed)? */
bool audit_allowed_wanted(const struct broker *b);
/* Tell a decision (E->answer 0: allowed, logged only with --log-allowed). */
void audit_decision(struct broker *b, const struct audit_event *e);
/* May a line about a refusal be printed now (20 a second, bursts of 50)?
 * Counts the ones that may not. */
bool audit_may_print(struct broker *b);
/* The run is over: the repeats and the summary on stderr. */
void audit_finish(struct broker *b);
void audit_free(struct broker *b);

#endif
