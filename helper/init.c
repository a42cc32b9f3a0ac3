/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* init: pid 1 of the sandbox's namespaces. It builds the empty root from the
 * broker's plan, starts the program under the broker's seccomp filter, binds
 * what the broker approves later, forwards signals, reaps every orphan, and
 * exits with the program's status. If the broker goes away, init exits and
 * the kernel kills everything left in the pid namespace. */
#include <dirent.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdbool.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>

#include "helper.h"
#include "landlock.h"
#include "signals.h"

extern char **environ;

/* Apply one root request; returns 0 or a negative errno. */
static int root_request(const struct sbx_msg *m)
{
	const char *s[2];
	struct sbx_bind_req req;
	switch (m->hdr.type) {
	case SBX_MSG_ROOT_DIR:
		return sbx_payload_strings(m, 0, s, 1) < 0 ? -EBADMSG : root_add_dir(s[0]);
	case SBX_MSG_ROOT_SYMLINK:
		return sbx_payload_strings(m, 0, s, 2) < 0 ? -EBADMSG : root_add_symlink(s[0], s[1]);
	case SBX_MSG_ROOT_PROC: /* the path, and "pid" for processes only (else "") */
		return sbx_payload_strings(m, 0, s, 2) < 0 ? -EBADMSG : root_add_proc(s[0], !strcmp(s[1], "pid"));
	case SBX_MSG_ROOT_BIND:
	case SBX_MSG_ROOT_HIDE:
		if (m->len < sizeof(req) || sbx_payload_strings(m, sizeof(req), s, 1) < 0)
			return -EBADMSG;
		memcpy(&req, m->payload, sizeof(req));
		return m->hdr.type == SBX_MSG_ROOT_BIND ? root_add_bind(&req, s[0]) : root_hide(&req, s[0]);
	}
	return -EBADMSG;
}

static void reply(int chan, const struct sbx_msg *m, int r)
{
	int32_t err = r < 0 ? -r : 0;
	if (sbx_msg_send(chan, SBX_MSG_ROOT_DONE, m->hdr.id, &err, sizeof(err), NULL, 0) < 0)
		_exit(SBX_EXIT_SETUP); /* the broker is gone */
}

/* The absolute path M carries, which must come once (HAVE is NULL). */
static char *one_path(const struct sbx_msg *m, const char *have, const char *what)
{
	const char *s;
	REFUSE_IF(sbx_payload_strings(m, 0, &s, 1) < 0 || have || s[0] != '/',
	          "init: bad %s from the broker", what);
	char *d = strdup(s);
	REFUSE_IF(!d, "init: out of memory");
	return d;
}

/* A SBX_MSG_SIGNAL message: pass its signal on to TO when it is one the
 * sandbox forwards. False when M is no such message. */
static bool pass_signal(const struct sbx_msg *m, pid_t to)
{
	int32_t sig;
	if (m->hdr.type != SBX_MSG_SIGNAL || m->len != sizeof(sig))
		return false;
	memcpy(&sig, m->payload, sizeof(sig));
	if (sbx_is_forwarded(sig))
		kill(to, sig);
	return true;
}

/* Copy a BPF program out of M; false when it is malformed. */
static bool copy_filter(const struct sbx_msg *m, struct sock_fprog *prog)
{
	size_t n = m->len / sizeof(struct sock_filter);
	if (!m->len || m->len % sizeof(struct sock_filter) || n > BPF_MAXINSNS)
		return false;
	prog->filter = malloc(m->len);
	REFUSE_IF(!prog->filter, "init: out of memory");
	memcpy(prog->filter, m->payload, m->len);
	prog->len = (unsigned short)n;
	return true;
}

/* Close every fd from 3 up but the ones the caller asked to keep. */
int init_close_fds(const int *keep, size_t n)
{
	unsigned lo = 3;
	for (;;) {
		unsigned next = ~0u; /* the lowest kept fd >= lo */
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) < 0)
			return -errno;
		if (next == ~0u)
			return 0;
		lo = next + 1;
	}
}

/* Move FD (the client socket, the enter socket) above 2, without
 * close-on-exec, announce it in the variable NAME and keep it across
 * --close-fds (in KEEP, N entries so far). Returns the new N. */
static size_t place_fd(int fd, const char *name, int *keep, size_t n)
{
	int placed = fcntl(fd, F_DUPFD, 3);
	char num[16];
	close(fd);
	DIE_IF(placed < 0, "cannot place the fd for %s", name);
	snprintf(num, sizeof(num), "%d", placed);
	DIE_IF(setenv(name, num, 1) < 0, "cannot set %s", name);
	keep[n] = placed;
	return n + 1;
}

/* "loopback private": lo up in the sandbox's network namespace. */
static int loopback_up(void)
{
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(s, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

/* No unix datagram socket may reach the program: from a working directory
 * on the host (fchdir), the kernel would resolve a relative address of a
 * send on the host, past the broker (the filter keeps the program from
 * making one). An inherited one that the exec keeps is refused. */
static void refuse_dgram_fds(const struct launch *l)
{
	DIR *d = opendir("/oldroot/proc/self/fd");
	DIE_IF(!d, "cannot list the inherited fds");
	struct dirent *e;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name), kept = !l->close_fds;
		for (size_t i = 0; i < l->n_keep; i++)
			kept |= l->keep_fds[i] == fd;
		if (e->d_name[0] == '.' || fd == dirfd(d) || !kept || (fcntl(fd, F_GETFD) & FD_CLOEXEC) ||
		    !sbx_is_unix_dgram(fd))
			continue;
		sbx_die(SBX_EXIT_SETUP, "inherited fd %d is a unix datagram socket, which could reach the "
			"host's sockets from the sandbox: close it, or use --close-fds", fd);
	}
	closedir(d);
}

_Noreturn static void run_program(const struct launch *l, int chan, const char *path,
				  const char *workdir, const int fds[2], const struct sock_fprog *guard,
				  const struct sock_fprog *prog)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	DIE_IF(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0, "cannot set parent-death signal");
	DIE_IF(l->new_session && setsid() < 0, "cannot start a new session");
	/* A process group of its own, else kill(0, ...) and the group-wide
	 * calls reach the caller's group: the broker, the launcher, init.
	 * Only a program that shares the caller's terminal (stdin) stays in
	 * the caller's group, to read it in the foreground. */
	DIE_IF(!l->new_session && !isatty(STDIN_FILENO) && setpgid(0, 0) < 0,
	       "cannot make a process group");
	/* No core dumps: the kernel writes them itself, where the program's
	 * working directory is, past the broker. */
	struct rlimit nocore = {0, 0};
	DIE_IF(setrlimit(RLIMIT_CORE, &nocore) < 0, "cannot forbid core dumps");
	for (size_t i = 0; i < SBX_ARRAY_SIZE(l->rlimits); i++) {
		struct rlimit rl = {l->rlimits[i].value, l->rlimits[i].value};
		DIE_IF(l->rlimits[i].set && setrlimit(l->rlimits[i].resource, &rl) < 0,
		       "cannot set a resource limit");
	}
	for (size_t i = 0; i < SBX_ARRAY_SIZE(l->pass_fds); i++)
		if (l->pass_fds[i] >= 0)
			close(l->pass_fds[i]); /* the launcher's and the broker's, not the program's */
	refuse_dgram_fds(l);
	int enter_fd = l->deferred ? deferred_setup(l, chan, guard, prog) : -1;
	DIE_ERR(l->deferred ? 0 : root_enter(), "cannot enter the empty root");
	DIE_ERR(caps_drop_all(l->uid, l->gid, l->mode == SBX_MODE_SETUID_NOUSERNS),
		"cannot drop capabilities");
	DIE_IF(chdir(workdir) < 0, "cannot enter the working directory %s", workdir);
	/* Setuid modes inherit "not dumpable" from the helper. Nothing
	 * privileged is left here (no capabilities, the caller's ids), and
	 * the broker (or the keeper) must reach into us: the listener, the
	 * execve's path. */
	DIE_IF(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0, "cannot make the program dumpable");
	if (!l->deferred) {
		DIE_ERR(sbx_confine_exec(fds[1]), "cannot confine the program with Landlock");
		DIE_IF(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, guard) < 0,
		       "cannot install the seccomp guard filter");
		int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					    SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
		DIE_IF(listener < 0, "cannot install the seccomp filter");
		/* The filter stops sendmsg for the broker already, so the
		 * broker takes the listener itself: it learns our pid from
		 * the channel (SO_PASSCRED) and the fd's number from the
		 * message, and we wait in a call the broker answers, once it
		 * holds the listener. */
		struct { struct sbx_msg_hdr hdr; int32_t fd; } lm = {{SBX_MSG_LISTENER, 0}, listener};
		DIE_IF(write(chan, &lm, sizeof(lm)) != (ssize_t)sizeof(lm),
		       "cannot hand the seccomp listener to the broker");
		struct statfs sf;
		(void)statfs("/", &sf);
		close(listener);
	}
	close(chan);
	/* The client library's socket and the enter socket, kept across
	 * --close-fds. */
	int keep[SBX_ARRAY_SIZE(l->keep_fds) + 2];
	size_t n_keep = l->n_keep;
	memcpy(keep, l->keep_fds, n_keep * sizeof(int));
	if (fds[0] >= 0)
		n_keep = place_fd(fds[0], "SBX_BROKER_FD", keep, n_keep);
	if (enter_fd >= 0)
		n_keep = place_fd(enter_fd, "SBX_ENTER_FD", keep, n_keep);
	DIE_ERR(l->close_fds ? init_close_fds(keep, n_keep) : 0, "cannot close inherited fds");
	/* The view's fast path: the kernel serves lookups from any fd, so
	 * no directory of the host's stays open (all of ours are closed). */
	DIR *d = fds[1] >= 0 ? opendir("/proc/self/fd") : NULL;
	DIE_IF(fds[1] >= 0 && !d, "cannot list the inherited fds");
	struct stat st;
	for (struct dirent *e; d && (e = readdir(d));) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d) && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			close(fd);
	}
	(void)(d && closedir(d));
	DIE_IF(setenv("PWD", workdir, 1) < 0, "cannot set PWD");
	execve(path, l->argv, environ);
	int err = errno;
	sbx_die_errno(err == ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC, err,
		      "cannot execute %s", path);
}

_Noreturn void init_main(const struct launch *l, int chan, int sync_fd)
{
	sbx_log_set_name("sandbox-helper");
	DIE_IF(prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0,
	       "init: cannot set parent-death signal");
	/* The helper gone before the line above: nobody will kill us. */
	struct pollfd hp = {.fd = l->helper_pidfd, .events = POLLIN};
	if (poll(&hp, 1, 0) != 0)
		_exit(SBX_EXIT_SETUP);
	close(l->helper_pidfd);
	if (l->broker_fd >= 0)
		close(l->broker_fd); /* the launcher's broker's, not ours */
	/* From the start: a signal sent while the root is being built waits
	 * for the program instead of being lost (pid 1 ignores what it does
	 * not block or handle). */
	int sfd;
	DIE_ERR(sfd = sbx_signalfd_forwarded(), "init: cannot watch signals");
	char c;
	if (SBX_RETRY(read(sync_fd, &c, 1)) != 1)
		_exit(SBX_EXIT_SETUP); /* the parent failed and said why */
	close(sync_fd);
	/* Only what init needs: mounts (SYS_ADMIN), dropping the program's
	 * capabilities (SETPCAP) and, in a user namespace, the sandbox's
	 * loopback (NET_ADMIN over its own network namespace only); with
	 * --deferred also the last two, what the keeper needs (see
	 * deferred.c), over the sandbox's own user namespace only. From here
	 * on every path init opens is opened with the caller's rights. In a
	 * user namespace init takes the caller's ids; without one it holds
	 * capabilities of the initial namespace, so it stays root, out of
	 * the caller's reach, and also keeps SETUID/SETGID to make the
	 * program the caller and KILL to forward signals to it. */
	static const int keep[] = {CAP_SYS_ADMIN, CAP_SETPCAP, CAP_NET_ADMIN, CAP_SYS_CHROOT,
				   CAP_SYS_PTRACE};
	static const int keep_root[] = {CAP_SYS_ADMIN, CAP_SETPCAP, CAP_SETUID, CAP_SETGID, CAP_KILL};
	int r = l->mode == SBX_MODE_SETUID_NOUSERNS
			? caps_keep_as_root(l->uid, l->gid, keep_root, SBX_ARRAY_SIZE(keep_root))
			: caps_become_user(l->uid, l->gid, keep, SBX_ARRAY_SIZE(keep) - (l->deferred ? 0 : 2));
	DIE_ERR(r, "init: cannot drop privileges");
	DIE_IF(sethostname("sandbox", 7) < 0, "init: cannot set the host name");
	DIE_ERR(root_setup_base(), "init: cannot build the empty root");

	static struct sbx_msg m;
	char *exec_path = NULL, *workdir = NULL;
	int client_fd = -1, ruleset = -1;
	struct sock_fprog guard = {0}, main_filter = {0};
	while (!main_filter.filter) {
		r = sbx_msg_recv(chan, &m);
		if (r == 0)
			_exit(SBX_EXIT_SETUP); /* the broker refused to start; it said why */
		DIE_ERR(r, "init: bad message from the broker");
		/* The fds the program gets: the client library's socket, the view's Landlock ruleset. */
		int *slot = m.hdr.type == SBX_MSG_CLIENT ? &client_fd : m.hdr.type == SBX_MSG_LANDLOCK ? &ruleset : NULL;
		if (slot && m.nfds == 1 && *slot < 0) {
			*slot = m.fds[0];
			m.fds[0] = -1;
			m.nfds = 0;
		}
		sbx_msg_close_fds(&m);
		switch (m.hdr.type) {
		case SBX_MSG_CLIENT:
		case SBX_MSG_LANDLOCK:
			REFUSE_IF(*slot < 0, "init: bad fd from the broker");
			break;
		case SBX_MSG_EXEC_PATH:
			exec_path = one_path(&m, exec_path, "exec path");
			break;
		case SBX_MSG_WORKDIR:
			workdir = one_path(&m, workdir, "working directory");
			break;
		case SBX_MSG_SETENV: {
			const char *s[2];
			REFUSE_IF(sbx_payload_strings(&m, 0, s, 2) < 0 || setenv(s[0], s[1], 1) < 0,
			          "init: bad environment variable from the broker");
			break;
		}
		case SBX_MSG_LOOPBACK:
			REFUSE_IF(l->mode == SBX_MODE_SETUID_NOUSERNS,
			          "'loopback private' needs a user namespace "
			          "(this mode keeps no network capability)");
			DIE_ERR(loopback_up(), "init: cannot bring the loopback interface up");
			break;
		case SBX_MSG_SIGNAL:
			/* For the program, which is not there yet: kept
			 * pending (blocked) until it is. */
			pass_signal(&m, getpid());
			break;
		case SBX_MSG_GUARD:
			REFUSE_IF(guard.filter || !copy_filter(&m, &guard),
			          "init: bad seccomp guard filter from the broker");
			break;
		case SBX_MSG_FILTER:
			REFUSE_IF(!exec_path || !workdir || !guard.filter || !copy_filter(&m, &main_filter),
			          "init: bad seccomp filter from the broker");
			break;
		default:
			r = root_request(&m);
			if (r < 0)
				sbx_log_errno(r, "init: cannot prepare the root");
			reply(chan, &m, r);
		}
	}

	pid_t child = fork();
	DIE_IF(child < 0, "init: cannot fork the program");
	if (child == 0) {
		close(sfd);
		run_program(l, chan, exec_path, workdir, (int[]){client_fd, ruleset}, &guard, &main_filter);
	}
	/* Undumpable from now on (the helper wrote our id maps long ago, the
	 * program, forked dumpable, is the broker's to look at): the
	 * sandbox's procfs (hidepid) shows init to nobody inside. */
	DIE_IF(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0, "init: cannot make itself undumpable");
	free(guard.filter);
	free(main_filter.filter);
	int32_t cpid = child;
	if (sbx_msg_send(chan, SBX_MSG_STARTED, 0, &cpid, sizeof(cpid), NULL, 0) < 0)
		_exit(SBX_EXIT_SETUP);

	struct pollfd pfd[2] = {{.fd = sfd, .events = POLLIN}, {.fd = chan, .events = POLLIN}};
	for (;;) {
		DIE_IF(SBX_RETRY(poll(pfd, 2, -1)) < 0, "init: poll");
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo != SIGCHLD) {
					kill(child, (int)si.ssi_signo);
					continue;
				}
				int status;
				pid_t p;
				while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
					if (p != child)
						continue;
					int32_t st = status;
					(void)sbx_msg_send(chan, SBX_MSG_EXITED, 0, &st, sizeof(st), NULL, 0);
					_exit(sbx_exit_status(status));
				}
			}
		}
		if (pfd[1].revents) {
			r = sbx_msg_recv(chan, &m);
			if (r <= 0)
				_exit(SBX_EXIT_SETUP); /* broker gone: the namespace dies with us */
			sbx_msg_close_fds(&m);
			if (!pass_signal(&m, child))
				reply(chan, &m, root_request(&m));
		}
	}
}
