/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's state and the interfaces between its modules. */
#ifndef SBX_BROKER_H
#define SBX_BROKER_H

#include <linux/seccomp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "channel.h"
#include "policy.h"
#include "pool.h"
#include "rootview.h"

struct broker {
	int chan;          /* to init (and, at start, the program) */
	pid_t init_pid;
	int init_pidfd;    /* a pidfd of init (ours, or handed over: --serve-fd) */
	bool init_child;   /* init is our child (else its parent reaps it) */
	bool in_process;   /* serving from a thread of a launcher's process */
	const char *fatal; /* set by a message the broker cannot go on after */
	int fatal_err;
	int listener;      /* seccomp user-notification fd, -1 until received */
	int rootfd;        /* O_PATH fd of the host's "/" */
	int sbxroot;       /* O_PATH fd of the program's root, -1 until needed */
	dev_t sbx_dev;     /* its device */
	bool landlock;     /* init confines execve to the root with Landlock */
	bool fast;         /* the view holds every grant and Landlock confines
			    * the program to it: the kernel serves its reads */
	bool unix_rules;   /* the policy has connect/bind unix rules: the program
			    * may hold unix datagram sockets, so its working
			    * directory never leaves the sandbox's root */
	int client_sock;   /* the client library's socket (--client), or -1 */
	dev_t client_peer_dev; /* the program's end of it (its inode; 0: none) */
	ino_t client_peer_ino;
	atomic_uint client_conns; /* kept connections of its threads (clientsrv.c) */
	bool started;      /* init reported the program's start */
	atomic_bool exec_unwatched_said; /* execwatch: said once that a host
					  * debugger's tracees go unwatched */
	int json_fd;       /* --json-status-fd, or -1 */
	const char *mode;  /* how the helper made the namespaces */
	int program_status; /* the program's wait status, from init; -1 unknown */
	long long pids_max;   /* --pids-max, or -1 */
	long long memory_max; /* --memory-max, or -1 */
	char cgroups[2][PATH_MAX]; /* the sandbox's own cgroups, removed at exit */
	pid_t janitor;     /* janitor_start's pid, or 0 */
	int janitor_fd;    /* its pipe */
	int cgroup_locks[3]; /* fds of those and of the broker's (v2), locked */
	size_t n_cgroup_locks;
	/* Workers serve notifications concurrently. root_lock guards the
	 * root (its model, init's channel, the program's root fd) and the
	 * channel's messages; log_lock the refusal log's rate. */
	pthread_mutex_t root_lock, log_lock;
	struct {
		double tokens;          /* refusal lines we may still print now */
		long long last_ns;      /* when the bucket was last filled */
		unsigned long suppressed;
	} log_bucket;
	size_t n_cgroups;
	uint32_t next_id;
	struct sbx_policy policy;
	struct sbx_rootview root;
	struct sbx_msg *msg; /* receive buffer */
	struct {             /* host sockets handed to the program (sockets.c) */
		pthread_mutex_t lock;
		size_t n, next;
		ino_t ino[4096];  /* by inode where the kernel has no netns cookie */
		uint64_t cookie;  /* the host's network namespace (SO_NETNS_COOKIE), once known */
	} hosts;
	struct waiters *waiters; /* opens waiting for a peer (waiter.c) */
	atomic_bool waiters_closed; /* the sandbox is over: no new waiter */
	struct seccomp_notif_sizes sizes;
	/* Set up by setup (setup.c, args.c), for one sandbox each. */
	struct pool pool;       /* its workers (pool.h) */
	const char *policy_dir; /* in a launcher's process: the helper's
				 * directory, where policies are looked up */
	struct learn *learn;    /* --learn: what the run used (learn.c), or NULL */
	struct audit *audit;    /* refusals told, the audit log (audit.c), or NULL */
	struct {
		char path[PATH_MAX]; /* "tmpdir private": made, or "" */
		int lock;            /* its fd, locked while the sandbox lives */
	} tmpdir;
};

/* plan.c: make PATH executable in the sandbox root: resolve it, check it
 * (exec permission unless IMPLICIT, the command-line program), follow its
 * ELF or "#!" interpreter, and have init bind each file and recreate each
 * symlink on the way. CANON receives the canonical path. Returns 0 or a
 * negative errno, logging the reason. */
int plan_exec(struct broker *b, const char *path, bool implicit, char *canon, size_t size);

/* Make the directory PATH in the sandbox root (empty, at its canonical
 * host path), with the symlinks on the way, for the program's working
 * directory. The policy must grant something on it unless IMPLICIT.
 * CANON (PATH_MAX) receives the canonical path, if not NULL. */
int plan_dir(struct broker *b, const char *path, bool implicit, char *canon);

/* initchan.c: send one root request to init and wait for its answer.
 * Handles the program's start-up messages that may arrive meanwhile. */
int broker_root_request(struct broker *b, uint32_t type, const void *payload, size_t len);
/* The same in two halves, for requests sent in a row: init answers them in
 * the order sent. Send one (its id in *ID), and wait for the answer to ID,
 * every earlier answer already taken. */
int broker_root_send(struct broker *b, uint32_t type, const void *payload, size_t len, uint32_t *id);
int broker_root_wait(struct broker *b, uint32_t id);
/* Handle a message init or the program sent outside a request. */
int broker_channel_message(struct broker *b, struct sbx_msg *m);

/* serve.c: serve the one sandbox sandbox-helper --broker-fd hands over on
 * FD, in the calling thread of a launcher's process (libsandbox-client's
 * SBX_BROKER_IN_PROCESS); other threads may serve other sandboxes at the
 * same time, each with its own state. Policies are looked up beside
 * HELPER_DIR, the helper's directory, as they are beside an installed
 * broker. Returns the program's exit status (125 when the sandbox could
 * not be set up, said on stderr). */
int broker_serve_in_process(int fd, const char *helper_dir);

/* filter.c: the seccomp program for the sandboxed process. */
/* DGRAM: the policy may hand over datagram sockets of the host's (it has
 * udp or unix rules), whose sends must stop for the broker. FAST: the
 * view's fast path (b->fast): reads by path run in the kernel; fchdir too
 * unless UNIX_RULES. */
int filter_build(void **bpf, size_t *len, bool dgram, bool fast, bool unix_rules);
/* The guard filter, installed first: argument checks with default allow. */
int filter_build_guard(void **bpf, size_t *len, bool unix_dgram);
/* Both, as they are built from the build's own prebuilt programs (made
 * by filtergen.c at build time with libseccomp, which costs milliseconds
 * a launch otherwise): filter_compile and filter_compile_guard make them
 * with libseccomp, now. */
int filter_compile(void **bpf, size_t *len, bool dgram, bool fast, bool unix_rules);
int filter_compile_guard(void **bpf, size_t *len, bool unix_dgram);
/* The prebuilt program for the guard's choice (KEY: unix_dgram) or the
 * main filter's (KEY: FILTER_KEY), its size in *LEN; NULL when the build
 * has none (prebuilt.c, generated; filter_none.c for the generator and
 * cross builds). */
#define FILTER_KEY(dgram, fast, unix_rules) ((unsigned)(dgram) | (unsigned)(fast) << 1 | (unsigned)(unix_rules) << 2)
#define FILTER_KEYS 8
const void *filter_prebuilt(bool guard, unsigned key, size_t *len);

/* tmpdir.c: the private TMPDIR ("tmpdir private"): made, granted and
 * passed to init; removed with its contents at the end. */
int tmpdir_create(struct broker *b);
void tmpdir_remove(struct broker *b);
/* Remove the caller's TMPDIRs of sandboxes that are gone (leftover.c). */
void tmpdir_sweep(int *busy);

/* leftover.c: directories of the sandbox's own that must not outlive it.
 * leftover_claim: lock the directory PATH just made for as long as the
 * returned fd is open; -EAGAIN when a sweep took it (make another).
 * leftover_sweep: remove the caller's directories named PREFIX + a pid
 * (PID) or + mkdtemp's six characters beneath BASE that no one holds
 * locked, with what is in them (CONTENTS); returns how many.
 * leftover_empty: remove what is in the directory DFD, following nothing. */
int leftover_claim(const char *path);
int leftover_sweep(const char *base, const char *prefix, bool pid, bool contents, int *busy);
void leftover_empty(int dfd, int depth);
/* janitor.c: a process that outlives the broker: when the broker dies
 * (END_FD, ours, closes without a byte written), it waits for init
 * (INIT_PIDFD) to end and sweeps what the broker left. Returns its pid or
 * a negative errno. */
pid_t janitor_start(int init_pidfd, int *end_fd);

/* clientsrv.c: --client: hand init the program's end of the client
 * library's socket and serve it in a thread of its own. */
int client_start(struct broker *b);

/* cgroup.c: put init in a cgroup of its own with the limits asked for,
 * inside the caller's delegated cgroup. Logs why when it cannot. */
int cgroup_confine(struct broker *b);
void cgroup_remove(struct broker *b);
/* Remove the caller's cgroups of sandboxes that are gone (leftover.c). */
void cgroup_sweep(int *busy);

/* status.c: --json-status-fd lines. */
void status_started(struct broker *b);
void status_exited(struct broker *b, int exit_status, int signal);

/* abort.c: the sandbox cannot go on: end init, wait a moment for its end,
 * remove the cgroups and the TMPDIR. Returns the status to end with when
 * the sandbox ended by itself (the program's, or 128+N when a signal
 * killed init), else -1 (the broker's error stands). */
int broker_abort(struct broker *b);

/* loop.c: the event loop until init exits; returns the exit status, or a
 * negative errno once said why (the sandbox must be ended: broker_abort). */
int broker_loop(struct broker *b);

#endif
