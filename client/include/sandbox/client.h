/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsandbox-client: launch sandboxed children from code.
 *
 *   const char *argv[] = {"/usr/bin/python3", "decode.py", NULL};
 *   struct sbx_spawn_opts o = {.policy = "decoder", .rules = (const char *[]){
 *           "--read=in.ppm", "--write=out.pgm", NULL}};
 *   pid_t pid;
 *   int pidfd;
 *   if (sbx_spawn(argv, &o, &pid, &pidfd) == 0)
 *           waitid(P_PIDFD, pidfd, &info, WEXITED);
 *
 * (out.pgm is made first: a grant of a path that does not exist is
 * refused, and the child ends with 125.)
 *
 * The child is sandbox-helper, running ARGV in a sandbox under the policy;
 * its exit status is the program's (or 128+N for signal N; 125, 126, 127
 * for the sandbox's own failures). Link with `pkg-config --libs
 * sandbox-client`. */
#ifndef SANDBOX_CLIENT_H
#define SANDBOX_CLIENT_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sbx_broker_mode {
	SBX_BROKER_SEPARATE = 0, /* sandbox-helper starts its own broker process */
	SBX_BROKER_IN_PROCESS,   /* a thread of the caller's process serves the
				  * sandbox: one thread for each, any
				  * number of them at once, each with its
				  * own policy and state.
				  * Its threads watch the program's execs
				  * with ptrace: the caller must not wait
				  * for any child (waitpid(-1), __WALL),
				  * only for its own by pid, and gets a
				  * SIGCHLD for each exec watched */
	SBX_BROKER_GIVEN,        /* the caller's own broker, on opts->broker_fd
				  * (sbx_broker_start; sandbox-helper --broker-fd) */
};

struct sbx_spawn_opts {
	const char *policy;        /* a policy name or file; NULL: "minimal" */
	const char *const *rules;  /* NULL-terminated helper options, e.g. "--read=PATH",
				    * "--connect=tcp 127.0.0.1:80", "--chdir=DIR"; or NULL */
	const int *keep_fds;       /* fds besides 0, 1 and 2 the program keeps; all
				    * others are closed (--close-fds) */
	size_t n_keep_fds;
	enum sbx_broker_mode broker;
	const char *helper;        /* the sandbox-helper to run; NULL: $SBX_HELPER, else
				    * the one installed with this library */
	int broker_fd;             /* SBX_BROKER_GIVEN: the socket sbx_broker_start gave */
	struct sbx_warm *warm;     /* sbx_spawn takes a sandbox of this pool
				    * (sbx_warm_new), ignoring the rest */
};

/* A pool of warm sandboxes, for a launcher that starts many in a row: READY
 * (1 to 64) sandboxes are started ahead under OPTS (which, with what it
 * points to, must stay valid until sbx_warm_free), each waiting for its
 * program; sbx_spawn with .warm set hands one the program's arguments and
 * the caller's stdin, stdout and stderr (none a directory or a unix
 * datagram socket), and starts the next. What a sandbox costs is paid
 * ahead but for the exec: the program is executed inside the sandbox, so
 * the policy (with OPTS's rules) must let it be executed ("--exec=PATH"),
 * and it inherits the environment, the working directory and the fds
 * kept (opts->keep_fds) as they were when the sandbox was started.
 * The thread that calls sbx_warm_new is the parent of every sandbox of
 * the pool (whose parent-death signal is that thread's end, as for
 * sbx_spawn's children): only it may take them (-EPERM from any other
 * thread), and the sandboxes end when it ends. 0, or a negative errno and
 * nothing started. */
struct sbx_warm;
int sbx_warm_new(const struct sbx_spawn_opts *opts, unsigned ready, struct sbx_warm **w);
/* sbx_spawn(ARGV, &(struct sbx_spawn_opts){.warm = W}, ...) does the same. */
int sbx_warm_spawn(struct sbx_warm *w, const char *const argv[], pid_t *pid, int *pidfd);
/* End the sandboxes not taken (taken ones run on), free W. */
void sbx_warm_free(struct sbx_warm *w);

/* Start the caller's own broker for one sandbox: sandbox-broker --serve-fd
 * ($SBX_BROKER, else the one installed with this library) as a child of
 * the caller. On success returns 0 with *FD, the socket to pass as
 * broker_fd with SBX_BROKER_GIVEN (O_CLOEXEC; close it after sbx_spawn),
 * and *PID, the broker, which exits with the program's status and which
 * the caller waits for. A negative errno on failure, nothing started. */
int sbx_broker_start(int *fd, pid_t *pid);

/* The same, for any number of sandboxes: a broker process (sandbox-broker
 * --serve-many) that serves every sandbox handed to it on *FD, all at once,
 * each with its own policy, state and lifecycle (one waiting long in a
 * request delays no other). Pass *FD as broker_fd to each sbx_spawn; close
 * it when no more will come: the broker exits 0 once the last of them
 * ended. If it is killed, every sandbox it serves ends (their init sees
 * its channel close); their private TMPDIRs are swept by the next broker
 * that starts. */
int sbx_broker_start_shared(int *fd, pid_t *pid);

/* Start ARGV (ARGV[0] a path or a name on $PATH) in a sandbox. On success
 * returns 0 with *PID and, if PIDFD is not NULL, *PIDFD (O_CLOEXEC) set;
 * the caller waits for it (waitpid, or waitid(P_PIDFD)). On failure
 * returns a negative errno and starts nothing. */
int sbx_spawn(const char *const argv[], const struct sbx_spawn_opts *opts, pid_t *pid, int *pidfd);

/* Requests to the broker, for a program started with --client: each is
 * decided by the sandbox's policy like the system call it stands for, and
 * answers like it (-1 and errno on failure). Relative paths start at the
 * working directory. Thread- and async-signal-safe; no allocation. */
int sbx_client_available(void); /* 1 when $SBX_BROKER_FD names the socket */
int sbx_client_open(const char *path, int flags, mode_t mode);
int sbx_client_stat(const char *path, struct stat *st);
int sbx_client_lstat(const char *path, struct stat *st);
int sbx_client_access(const char *path, int mode);
ssize_t sbx_client_readlink(const char *path, char *buf, size_t size);
int sbx_client_mkdir(const char *path, mode_t mode);
int sbx_client_unlink(const char *path);
int sbx_client_rmdir(const char *path);
int sbx_client_rename(const char *from, const char *to);

/* A new socket of TYPE (SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET, with
 * SOCK_NONBLOCK and SOCK_CLOEXEC as for socket(2)) connected to ADDR (LEN
 * bytes; AF_INET, AF_INET6, or AF_UNIX by path or abstract name), as
 * socket(2) and connect(2) would make it, if the policy's connect rules
 * (--connect) allow that peer: the broker decides as it does a program's
 * connect, connects a socket of its own (on the host's network, a unix
 * path resolved from the caller's working directory) and hands it over.
 * Returns the socket, or -1 and errno: EACCES when the policy refuses (the
 * broker logs a line), EINVAL for a bad TYPE or LEN, EAFNOSUPPORT for
 * another family, ECONNREFUSED and the like from the peer. The broker
 * never waits for a peer: a blocking connect waits here, in the caller's
 * thread, for as long as connect(2) would (a signal does not cut it
 * short); with SOCK_NONBLOCK the socket may come back still connecting:
 * poll it for POLLOUT and read SO_ERROR, as after connect(2)'s EINPROGRESS.
 * A unix peer whose backlog is full answers EAGAIN at once. Under "loopback
 * private" a loopback peer is the sandbox's own, connected from here. */
int sbx_client_connect(const struct sockaddr *addr, socklen_t len, int type);

/* For a program started with --deferred: until now it ran in the sandbox's
 * namespaces, with no capability, on a read-only view of the host's root
 * and without seccomp filter, loading its libraries and reading its
 * resources itself. sbx_enter() moves it into the sandbox's empty root and
 * puts it under the broker's filter, from which on every file, exec and
 * network request is the broker's to decide, also those through fds opened
 * before (a directory fd is a starting point like any other, resolved and
 * decided by the broker; execve reaches nothing outside the root). The
 * fds themselves stay open. Call it while the process has one thread, no
 * io_uring (its kernel threads would work outside the filter), no unix
 * datagram socket (syslog's: closelog() first) and no other process in
 * the sandbox (a child forked before would stay outside); it can be
 * called once. 0; -1 with errno ENOTSUP (not started
 * with --deferred, or called before), EBUSY (another thread, an io_uring,
 * a unix datagram socket or another process), EPERM (the program left the root it shares with
 * the sandbox, e.g. by unsharing its mount namespace), or why the
 * lockdown failed; after a failure the program should exit. */
int sbx_enter(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *sbx_client_version(void);

#ifdef __cplusplus
}
#endif

#endif
