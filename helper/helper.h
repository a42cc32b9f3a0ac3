/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of sandbox-helper. */
#ifndef SBX_HELPER_H
#define SBX_HELPER_H

/* The system headers most of the helper's files use, once. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "channel.h"
#include "log.h"
#include "util.h"

/* How the namespaces are made (chosen automatically, in this order). */
enum sbx_mode {
	SBX_MODE_USERNS,         /* any user, unprivileged user namespaces */
	SBX_MODE_SETUID_USERNS,  /* setuid root: the user namespace is made with
				  * privilege (owned by root, so the caller holds
				  * no capability over it) */
	SBX_MODE_SETUID_NOUSERNS, /* setuid root, no user namespace at all */
};

#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | \
		  CLONE_NEWUTS | CLONE_NEWCGROUP)

struct launch {
	char **bargv;      /* the broker's command line, at [1] (see options.c) */
	char **argv;       /* the program's, its tail */
	const char *broker;
	bool test, help, explain; /* --test, --help, --explain: the broker does them */
	bool privileged;   /* running setuid */
	uid_t uid;         /* the caller's real ids */
	gid_t gid;
	enum sbx_mode mode;
	bool close_fds;
	int keep_fds[32];
	size_t n_keep;
	int pass_fds[2];   /* --json-status-fd, --log-fd: the broker's, passed on
			    * (init closes them); -1: none */
	int new_session;   /* 0/1; -1 until decided */
	bool deferred;     /* --deferred: the program calls sbx_enter() */
	int broker_fd;     /* --broker-fd: the launcher's broker; -1: none */
	int helper_pidfd;  /* the helper's own, for init to see it is still there */
	struct { bool set; int resource; rlim_t value; } rlimits[4];
};

/* A setup step that fails ends the process with status 125 and one line
 * saying why: DIE_IF when COND is true (errno tells why), DIE_ERR when
 * EXPR gives a negative errno, REFUSE_IF when COND is true and the
 * message says it all (bad input, no memory). */
#define DIE_IF(cond, ...) do { if (cond) sbx_die_errno(SBX_EXIT_SETUP, errno, __VA_ARGS__); } while (0)
#define DIE_ERR(expr, ...) \
	do { int e_ = (expr); if (e_ < 0) sbx_die_errno(SBX_EXIT_SETUP, e_, __VA_ARGS__); } while (0)
#define REFUSE_IF(cond, ...) do { if (cond) sbx_die(SBX_EXIT_SETUP, __VA_ARGS__); } while (0)

const char *mode_name(enum sbx_mode mode);

/* chrome.c: Chromium's setuid sandbox protocol. chrome_called: ARGV is
 * Chromium's (--get-api, --adjust-oom-score, or a program with
 * $SBX_CHROME_API_RQ set); chrome_main serves it, with root's ids. */
bool chrome_called(int argc, char **argv);
_Noreturn void chrome_main(const struct launch *l, int argc, char **argv);

/* options.c */
void options_parse(int argc, char **argv, struct launch *l);

/* selftest.c: --test and --help, which the broker BROKER finishes. */
_Noreturn void selftest(const struct launch *l, const char *broker);

/* init: pid 1 of the new namespaces. Never returns. CHAN is init's end of the
 * channel; SYNC_FD reads one byte once the parent has written the id maps. */
_Noreturn void init_main(const struct launch *l, int chan, int sync_fd);

/* Close every fd above 2 but the N in KEEP. 0 or a negative errno. */
int init_close_fds(const int *keep, size_t n);

/* deferred.c: --deferred, in the program's process before it is executed:
 * its own mount namespace on the host's tree made read-only, and the keeper
 * that later moves it into the empty root. Returns the program's end of
 * the enter socket; ends the process on failure. */
int deferred_setup(const struct launch *l, int chan, const struct sock_fprog *guard,
		   const struct sock_fprog *prog);

/* root.c: the empty root. init's own mount namespace holds /oldroot (the
 * caller's tree), /stage (a writable tmpfs) and /newroot (the same tmpfs,
 * read-only and shared). The program pivots into /newroot in a mount
 * namespace of its own, a slave of init's, so later binds reach it. */
int root_setup_base(void);
int root_add_dir(const char *path);
int root_add_symlink(const char *path, const char *target);
int root_add_bind(const struct sbx_bind_req *req, const char *path);
/* --view: an empty read-only mount over PATH (a tmpfs on a directory, an
 * empty file on a file); a procfs of the sandbox's pid namespace at PATH
 * (with PID_ONLY, of its processes only: subset=pid). */
int root_hide(const struct sbx_bind_req *req, const char *path);
int root_add_proc(const char *path, bool pid_only);
/* In the program's process: private mount namespace, pivot into /newroot. */
int root_enter(void);

/* caps.c: drop every capability of the calling process for good and set
 * no_new_privs; with SWITCH_IDS, become UID/GID (from root) on the way. */
int caps_drop_all(uid_t uid, gid_t gid, bool switch_ids);
/* Stay root (real, effective, saved: the caller cannot signal or trace us),
 * access files as FSUID/FSGID, keep only the capabilities in KEEP. */
int caps_keep_as_root(uid_t fsuid, gid_t fsgid, const int *keep, size_t n);
/* Become UID/GID for good (all three ids), keeping only the capabilities in
 * KEEP (an array of N); none when N is 0. */
int caps_become_user(uid_t uid, gid_t gid, const int *keep, size_t n);

#endif
