/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A broker for sandboxes that sandbox-helper --broker-fd hands over: as a
 * program of its own (sandbox-broker --serve-fd=N), or in a thread of a
 * launcher's process (libsandbox-client's SBX_BROKER_IN_PROCESS), where
 * several threads may serve several sandboxes at once. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "setup.h"
#include "util.h"

/* Receive one sandbox on the socket FD (sandbox-helper --broker-fd): the
 * broker's argument vector for it, with the channel, init's pidfd and
 * the status fd it was handed (in M, which the vector points into), in
 * *ARGV. 0, or a negative errno once said why (M holds no fd then);
 * -EPIPE unsaid when QUIET_END and every writer is gone. */
static int take_handover(int fd, struct sbx_msg *m, char ***argvp, int *argc, bool quiet_end)
{
	m->nfds = 0;
	int r = sbx_msg_recv(fd, m);
	if (r == 0 && quiet_end)
		return -EPIPE;
	if (r == 0) {
		sbx_log("--serve-fd=%d: closed before a sandbox was handed over", fd);
		return -EPIPE;
	}
	if (r < 0) {
		sbx_log_errno(r, "--serve-fd=%d: cannot receive the sandbox", fd);
		m->nfds = 0;
		return r;
	}
	size_t n = 0;
	for (size_t i = 0; i < m->len; i++)
		n += !m->payload[i];
	if (m->hdr.type != SBX_MSG_HANDOVER || m->nfds < 2 || m->nfds > 3 || !m->len ||
	    m->payload[m->len - 1] || strcmp((const char *)m->payload, "sandbox-broker")) {
		sbx_msg_close_fds(m);
		sbx_log("--serve-fd=%d: not a sandbox handed over by sandbox-helper --broker-fd", fd);
		return -EBADMSG;
	}
	/* The numbers of the fds, in the vector: they live in M's tail. */
	char *nums = (char *)m->payload + m->len;
	size_t room = sizeof(m->payload) - m->len;
	char **argv = calloc(n + 2, sizeof(char *));
	if (!argv || room < 120) {
		free(argv);
		sbx_msg_close_fds(m);
		sbx_log("out of memory");
		return -ENOMEM;
	}
	char *chan = nums, *pidfd = nums + 40, *json = nums + 80;
	snprintf(chan, 40, "--channel-fd=%d", m->fds[0]);
	snprintf(pidfd, 40, "--init-pidfd=%d", m->fds[1]);
	snprintf(json, 40, "--json-status-fd=%d", m->nfds == 3 ? m->fds[2] : -1);
	size_t k = 0;
	argv[k++] = "sandbox-broker";
	argv[k++] = pidfd;
	bool options = true;
	for (char *s = (char *)m->payload + strlen((char *)m->payload) + 1;
	     s < (char *)m->payload + m->len; s += strlen(s) + 1) {
		if (options && !strcmp(s, "--"))
			options = false;
		if (options && !strncmp(s, "--channel-fd=", 13))
			argv[k++] = chan;
		else if (options && !strncmp(s, "--json-status-fd=", 17))
			argv[k++] = json;
		else
			argv[k++] = s;
	}
	argv[k] = NULL;
	*argc = (int)k;
	*argvp = argv;
	return 0;
}

int broker_serve_fd(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	if (!*arg || *end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0) {
		sbx_log("--serve-fd=%s: not an open fd", arg);
		return SBX_EXIT_SETUP;
	}
	_cleanup_free_ struct sbx_msg *m = malloc(sizeof(*m));
	if (!m) {
		sbx_log("out of memory");
		return SBX_EXIT_SETUP;
	}
	int argc;
	char **argv;
	if (take_handover((int)fd, m, &argv, &argc, false) < 0)
		return SBX_EXIT_SETUP;
	close((int)fd);
	for (size_t i = 0; i < m->nfds; i++) {
		if (fcntl(m->fds[i], F_SETFD, 0) < 0) {
			sbx_log_errno(errno, "cannot keep the handed fds");
			return SBX_EXIT_SETUP;
		}
	}
	execv("/proc/self/exe", argv);
	sbx_log_errno(errno, "cannot execute the broker again");
	return SBX_EXIT_SETUP;
}

int broker_serve_in_process(int fd, const char *helper_dir)
{
	_cleanup_free_ struct sbx_msg *m = malloc(sizeof(*m));
	/* Our own working directory and umask, as a broker process has. */
	if (!m || unshare(CLONE_FS) < 0)
		return -errno;
	/* A status reader gone must not end the launcher: SIGPIPE stays
	 * pending on this thread (and the workers it starts) instead. */
	sigset_t pipe, old_mask;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old_mask);
	sbx_log_set_name("sandbox-broker");
	int argc, code = SBX_EXIT_SETUP;
	char **argv = NULL;
	struct setup_args a;
	if (take_handover(fd, m, &argv, &argc, false) == 0) {
		if (setup_parse_args(argc, argv, &a) == 0)
			code = setup_run(&a, true, helper_dir, NULL); /* owns the fds now */
		else
			sbx_msg_close_fds(m);
	}
	free(argv);
	/* Take the SIGPIPEs our writes raised before unblocking it. */
	struct timespec now = {0, 0};
	while (sigtimedwait(&pipe, NULL, &now) == SIGPIPE)
		;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return code;
}

/* --serve-many: the sandboxes being served, and their end. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t gone;
	unsigned alive;
} many = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

struct one {
	struct sbx_msg *m;
	char **argv;
	int argc;
};

static void *serve_one(void *arg)
{
	struct one *o = arg;
	struct setup_args a;
	/* Our own working directory and umask, as a broker process has. */
	if (unshare(CLONE_FS) < 0)
		sbx_log_errno(errno, "cannot serve a sandbox: unshare");
	else if (setup_parse_args(o->argc, o->argv, &a) == 0)
		(void)setup_run(&a, true, NULL, NULL); /* owns the fds now */
	else
		sbx_msg_close_fds(o->m);
	free(o->argv);
	free(o->m);
	free(o);
	pthread_mutex_lock(&many.lock);
	if (--many.alive == 0)
		pthread_cond_broadcast(&many.gone);
	pthread_mutex_unlock(&many.lock);
	return NULL;
}

int broker_serve_many(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	if (!*arg || *end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0) {
		sbx_log("--serve-many=%s: not an open fd", arg);
		return SBX_EXIT_SETUP;
	}
	if (setup_drop_capabilities() < 0)
		return SBX_EXIT_SETUP;
	/* Every sandbox's fds are in our one table: at the usual soft limit
	 * (1024) one sandbox's waiting opens (a FIFO each, up to 512 waiters
	 * and 512 waiting) fill it, and every other sandbox's requests, and
	 * the next handover, fail with EMFILE. Take all the room we may. */
	struct rlimit nofile;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &nofile);
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct one *o = calloc(1, sizeof(*o));
		if (o)
			o->m = malloc(sizeof(*o->m));
		if (!o || !o->m) {
			if (o)
				free(o->m);
			free(o);
			sbx_log("out of memory");
			sleep(1); /* the sandbox waiting gets its turn later */
			continue;
		}
		int r = take_handover((int)fd, o->m, &o->argv, &o->argc, true);
		if (r < 0) {
			free(o->m);
			free(o);
			if (r != -EBADMSG && r != -ENOMEM && r != -EINTR)
				break; /* every writer gone (or the socket broke) */
			continue;  /* said; the next one may be fine */
		}
		pthread_mutex_lock(&many.lock);
		many.alive++;
		pthread_mutex_unlock(&many.lock);
		pthread_t t;
		if ((r = pthread_create(&t, &attr, serve_one, o)) != 0) {
			sbx_log_errno(r, "cannot serve a sandbox: no thread");
			sbx_msg_close_fds(o->m); /* init sees its broker gone and ends */
			o->argc = 0;
			pthread_mutex_lock(&many.lock);
			many.alive--;
			pthread_mutex_unlock(&many.lock);
			free(o->argv);
			free(o->m);
			free(o);
		}
	}
	pthread_attr_destroy(&attr);
	close((int)fd);
	pthread_mutex_lock(&many.lock);
	while (many.alive)
		pthread_cond_wait(&many.gone, &many.lock);
	pthread_mutex_unlock(&many.lock);
	return 0;
}
