/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's setup, for one sandbox. Every step returns 0 or a negative
 * errno, having said why on stderr once, where it failed; the top
 * (setup_run) ends the sandbox and picks the exit status. */
#ifndef SBX_SETUP_H
#define SBX_SETUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "broker.h"

/* The broker's command line, as sandbox-helper passes it. */
struct setup_args {
	int chan;
	pid_t init_pid;
	int init_pidfd; /* --init-pidfd: init is not our child (--serve-fd) */
	int json_fd;
	long long pids_max, memory_max;
	const char *mode;
	const char *policy;
	const char *chdir;     /* --chdir, or NULL */
	bool client;           /* --client */
	bool view;             /* --view: the policy compiled into the root */
	bool strict;           /* --strict: every path request the broker's */
	bool deferred;         /* --deferred (the helper's, passed on) */
	bool explain;          /* --explain: print the policy as compiled (explain.c) */
	const char *learn;     /* --learn=FILE, or NULL */
	int log_fd;            /* --log-fd, or -1 */
	const char *log_file;  /* --log-file, or NULL */
	bool log_allowed;      /* --log-allowed */
	const char *rules[64]; /* --read=, --write=, ... as given */
	size_t n_rules;
	char **argv;
};

/* args.c: read ARGV into A. */
int setup_parse_args(int argc, char **argv, struct setup_args *a);
/* Load the policy A names into B, with the command line's rules. */
int setup_load_policy(struct broker *b, const struct setup_args *a);

/* setup.c: the broker's work for one sandbox until the program's end, A
 * as sandbox-helper passes it (its channel, init pidfd and status fd are
 * the sandbox's from here on); returns the exit status (125, 126, 127
 * when it could not be set up). IN_PROCESS: in a thread of a launcher's
 * process, whose capabilities and signals are left alone; everything of
 * the sandbox's is released at the end, and policies are looked up
 * beside POLICY_DIR. The broker's state is freed at the end, unless a
 * thread that outlives the call (the client library's) still uses it:
 * then it is *KEPT's, for the process's life (NULL: in-process, where
 * there is none). */
int setup_run(const struct setup_args *a, bool in_process, const char *policy_dir,
	      struct broker **kept);

/* serve.c: sandbox-broker --serve-fd=ARG: a launcher's own broker. It
 * waits for one sandbox, handed over on that socket by sandbox-helper
 * --broker-fd, and becomes its broker: a new image of itself, with the
 * channel, init's pidfd and the status fd it was handed. Returns only
 * when it cannot: the exit status. */
int broker_serve_fd(const char *arg);

/* sandbox-broker --serve-many=ARG: a launcher's broker for any number of
 * sandboxes at once. Each sandbox handed over on that socket is served in
 * threads of its own, with its own policy and state, as a launcher's
 * in-process broker would; it returns 0 once the socket's every writer
 * is gone and the last sandbox ended (125 when ARG is no socket). */
int broker_serve_many(const char *arg);

/* Drop every capability (the bounding set too) and lock the securebits:
 * nothing for a process without any. 0 or a negative errno, said. */
int setup_drop_capabilities(void);

/* PROG as execvp would find it, absolute, into OUT: a name with '/' as it
 * is (from the working directory), else on $PATH. 0, -ENOENT, or -EACCES
 * when only a file that may not be executed was found. */
int setup_find_program(const char *prog, char *out, size_t size);

#endif
