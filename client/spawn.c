/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sbx_spawn: sandbox-helper as a child, with a pidfd. */
#include "sandbox/client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "broker.h"
#include "config.h"
#include "internal.h"

#define MAX_ARGS 4096

const char *sbx_client_version(void)
{
	return SBX_VERSION;
}

/* Fork and exec PATH with ARGS, the N fds in KEEP inherited across the
 * exec, and STDIO (unless NULL) as its stdin, stdout and stderr. 0 with
 * *PID, or a negative errno (a failed exec included, then nothing is left
 * running; with NOWAIT, 0 once forked, a failed exec ending it with 127). */
static int spawn_exec(const char *path, char *const *args, const int *keep, size_t n, const int *stdio,
		      bool nowait, pid_t *pid)
{
	/* The child reports a failed exec through a CLOEXEC pipe. */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t c = fork();
	if (c < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (c == 0) {
		close(p[0]);
		for (int i = 0; stdio && i < 3; i++)
			if (stdio[i] != i && dup2(stdio[i], i) < 0)
				_exit(127);
		/* Kept fds must survive the exec: they were inherited as the
		 * caller left them; the helper closes the rest. */
		for (size_t i = 0; i < n; i++) {
			int fl = fcntl(keep[i], F_GETFD);
			if (fl >= 0)
				(void)fcntl(keep[i], F_SETFD, fl & ~FD_CLOEXEC);
		}
		execv(path, args);
		int e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t got = 0;
	if (nowait) {
		close(p[0]);
		*pid = c;
		return 0;
	}
	do
		got = read(p[0], &e, sizeof(e));
	while (got < 0 && errno == EINTR);
	close(p[0]);
	if (got == (ssize_t)sizeof(e)) {
		(void)waitpid(c, NULL, 0);
		return -e;
	}
	*pid = c;
	return 0;
}

static int broker_start(int *fd, pid_t *pid, const char *mode)
{
	if (!fd || !pid)
		return -EINVAL;
	const char *broker = getenv("SBX_BROKER");
	if (!broker)
		broker = SBX_INSTALL_LIBEXECDIR "/sandbox-broker";
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	char arg[32];
	snprintf(arg, sizeof(arg), "%s=%d", mode, sv[1]);
	char *args[] = {(char *)broker, arg, NULL};
	int r = spawn_exec(broker, args, &sv[1], 1, NULL, false, pid);
	close(sv[1]);
	if (r < 0) {
		close(sv[0]);
		return r;
	}
	*fd = sv[0];
	return 0;
}

int sbx_broker_start(int *fd, pid_t *pid)
{
	return broker_start(fd, pid, "--serve-fd");
}

int sbx_broker_start_shared(int *fd, pid_t *pid)
{
	return broker_start(fd, pid, "--serve-many");
}

/* The sandbox-helper to run: the caller's, $SBX_HELPER, or the installed one. */
static const char *helper_path(const struct sbx_spawn_opts *opts)
{
	const char *helper = opts->helper ? opts->helper : getenv("SBX_HELPER");
	return helper ? helper : SBX_INSTALL_BINDIR "/sandbox-helper";
}

/* SBX_BROKER_IN_PROCESS: a thread of ours serves the sandbox the helper
 * hands over; each sandbox has a thread (and a broker state) of its own,
 * so any number may be served at once. */
struct serving {
	int fd;
	char helper_dir[PATH_MAX];
};

static void *serve_thread(void *arg)
{
	struct serving *sv = arg;
	(void)broker_serve_in_process(sv->fd, sv->helper_dir);
	close(sv->fd);
	free(sv);
	return NULL;
}

static int spawn_in_process(const char *const argv[], const struct sbx_spawn_opts *opts, pid_t *pid,
			    int *pidfd, const int *stdio, bool nowait)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	struct sbx_spawn_opts o = *opts;
	o.broker = SBX_BROKER_GIVEN;
	o.broker_fd = sv[1];
	struct serving *serving = calloc(1, sizeof(*serving));
	int r = serving ? sbx_spawn_stdio(argv, &o, pid, pidfd, stdio, nowait) : -ENOMEM;
	close(sv[1]);
	if (r == 0) {
		/* Policies are found beside the helper, as beside a broker. */
		serving->fd = sv[0];
		if (!realpath(helper_path(opts), serving->helper_dir))
			snprintf(serving->helper_dir, sizeof(serving->helper_dir), "/");
		char *slash = strrchr(serving->helper_dir, '/');
		if (slash && slash != serving->helper_dir)
			*slash = '\0';
	}
	pthread_t t;
	pthread_attr_t attr;
	if (r == 0 && (r = -pthread_attr_init(&attr)) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		r = -pthread_create(&t, &attr, serve_thread, serving);
		pthread_attr_destroy(&attr);
		if (r == 0)
			return 0;
		/* Nobody will serve: the sandbox ends when its channel
		 * closes with this socket. */
	}
	free(serving);
	close(sv[0]);
	return r;
}

int sbx_spawn(const char *const argv[], const struct sbx_spawn_opts *opts, pid_t *pid, int *pidfd)
{
	if (opts && opts->warm)
		return argv && argv[0] && pid ? sbx_warm_spawn(opts->warm, argv, pid, pidfd) : -EINVAL;
	return sbx_spawn_stdio(argv, opts, pid, pidfd, NULL, false);
}

int sbx_spawn_stdio(const char *const argv[], const struct sbx_spawn_opts *opts, pid_t *pid, int *pidfd,
		    const int *stdio, bool nowait)
{
	static const struct sbx_spawn_opts none;
	if (!opts)
		opts = &none;
	if (!argv || !argv[0] || !pid || opts->warm)
		return -EINVAL;
	if (opts->broker == SBX_BROKER_IN_PROCESS)
		return spawn_in_process(argv, opts, pid, pidfd, stdio, nowait);
	bool given = opts->broker == SBX_BROKER_GIVEN;
	if (opts->broker != SBX_BROKER_SEPARATE && !given)
		return -EINVAL;
	if (given && (opts->broker_fd < 3 || fcntl(opts->broker_fd, F_GETFD) < 0))
		return -EBADF;
	const char *helper = helper_path(opts);
	/* The helper's command line, built before the fork: the child only
	 * execs. */
	size_t n = 0, nr = 0, na = 0;
	while (opts->rules && opts->rules[nr])
		nr++;
	while (argv[na])
		na++;
	size_t total = 4 + nr + opts->n_keep_fds + 2 + na + 1;
	if (total > MAX_ARGS)
		return -E2BIG;
	char **args = calloc(total, sizeof(char *));
	char *policy = NULL, *keep = NULL;
	int *inherit = NULL;
	char brokerarg[32];
	int r = 0;
	if (!args || asprintf(&policy, "--policy=%s", opts->policy ? opts->policy : "minimal") < 0) {
		r = -ENOMEM;
		goto out;
	}
	keep = calloc(opts->n_keep_fds ? opts->n_keep_fds : 1, 24);
	inherit = calloc(opts->n_keep_fds + 1, sizeof(int));
	if (!keep || !inherit) {
		r = -ENOMEM;
		goto out;
	}
	args[n++] = (char *)helper;
	args[n++] = policy;
	args[n++] = "--close-fds";
	if (given) {
		snprintf(brokerarg, sizeof(brokerarg), "--broker-fd=%d", opts->broker_fd);
		args[n++] = brokerarg;
		inherit[opts->n_keep_fds] = opts->broker_fd;
	}
	for (size_t i = 0; i < opts->n_keep_fds; i++) {
		if (opts->keep_fds[i] < 0 || fcntl(opts->keep_fds[i], F_GETFD) < 0) {
			r = -EBADF;
			goto out;
		}
		snprintf(keep + i * 24, 24, "--keep-fd=%d", opts->keep_fds[i]);
		args[n++] = keep + i * 24;
		inherit[i] = opts->keep_fds[i];
	}
	for (size_t i = 0; i < nr; i++)
		args[n++] = (char *)opts->rules[i];
	args[n++] = "--";
	for (size_t i = 0; i < na; i++)
		args[n++] = (char *)argv[i];
	args[n] = NULL;
	if (access(helper, X_OK) < 0) {
		r = -errno;
		goto out;
	}
	pid_t c;
	r = spawn_exec(helper, args, inherit, opts->n_keep_fds + given, stdio, nowait, &c);
	if (r < 0)
		goto out;
	*pid = c;
	if (pidfd) {
		*pidfd = (int)syscall(SYS_pidfd_open, c, 0);
		if (*pidfd < 0) {
			r = -errno;
			kill(c, SIGKILL);
			(void)waitpid(c, NULL, 0);
			goto out;
		}
		(void)fcntl(*pidfd, F_SETFD, FD_CLOEXEC);
	}
out:
	free(args);
	free(policy);
	free(keep);
	free(inherit);
	return r;
}
