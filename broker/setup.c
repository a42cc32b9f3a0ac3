/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-broker: started by sandbox-helper (never by hand), outside every
 * namespace, with the user's own credentials. It loads the policy, plans the
 * empty root, hands init the seccomp filter, and then answers the program's
 * file requests until init exits.
 *
 * The setup, for one sandbox: every step returns 0 or a negative errno,
 * having said why on stderr once, at the point that failed; setup_run, the
 * top, then ends the sandbox (broker_abort) and picks the exit status. Its
 * state is a struct broker of its own, so that a launcher's process may
 * serve several sandboxes at once (serve.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "audit.h"
#include "broker.h"
#include "dispatch.h"
#include "learn.h"
#include "policyindex.h"
#include "waiter.h"
#include "log.h"
#include "setup.h"
#include "view.h"
#include "signals.h"
#include "util.h"

/* The broker acts for the program and must not have rights it lacks. Run
 * by root, it keeps root's uid (the owner of root's files) but drops every
 * capability: no chown to other users, no file capabilities, no trusted.*
 * attributes, no reading past file modes. */
int setup_drop_capabilities(void)
{
	if (geteuid() != 0)
		return 0; /* an ordinary user's process has none to drop */
	for (int c = 0; c <= 63; c++) {
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			sbx_log_errno(errno, "cannot drop capability %d", c);
			return -errno;
		}
	}
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
					     SECBIT_NO_SETUID_FIXUP_LOCKED, 0, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		sbx_log_errno(errno, "cannot lock the securebits");
		return -errno;
	}
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};
	if (syscall(SYS_capset, &h, d) < 0) {
		sbx_log_errno(errno, "cannot drop capabilities");
		return -errno;
	}
	return 0;
}

/* "cannot talk to init", said when R failed; R returned. */
static int talked(int r)
{
	if (r < 0)
		sbx_log_errno(r, "cannot talk to init");
	return r < 0 ? r : 0;
}

/* The program's working directory: --chdir (which the policy must grant),
 * else the caller's. The directory is made (empty) in the root and init
 * moves the program there; what is in it stays the policy's. */
static int set_workdir(struct broker *b, const char *dir)
{
	char cwd[PATH_MAX], canon[PATH_MAX] = "/";
	int r = 0;
	if (dir) {
		if (dir[0] != '/' || strlen(dir) >= sizeof(cwd)) {
			sbx_log("--chdir=%s: give an absolute path", dir);
			return -EINVAL;
		}
		r = strcmp(dir, "/") ? plan_dir(b, dir, false, canon) : 0;
		if (r < 0) {
			sbx_log("--chdir=%s: %s", dir,
				r == -EACCES ? "the policy grants nothing there" : strerror(-r));
			return r;
		}
	} else if (getcwd(cwd, sizeof(cwd)) && cwd[0] == '/') {
		/* Only its name is shown: what is in it is the policy's. */
		if (plan_dir(b, cwd, true, canon) < 0)
			strcpy(canon, "/");
	}
	return talked(sbx_msg_send(b->chan, SBX_MSG_WORKDIR, 0, canon, strlen(canon) + 1, NULL, 0));
}

int setup_find_program(const char *prog, char *out, size_t size)
{
	char cwd[PATH_MAX];
	if (strchr(prog, '/')) {
		if (prog[0] == '/')
			return snprintf(out, size, "%s", prog) < (int)size ? 0 : -ENAMETOOLONG;
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		return snprintf(out, size, "%s/%s", cwd, prog) < (int)size ? 0 : -ENAMETOOLONG;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int err = -ENOENT;
	for (const char *p = path;; ) {
		const char *e = strchrnul(p, ':');
		int l = (int)(e - p);
		if (l > 0 && p[0] == '/') {
			if (snprintf(out, size, "%.*s/%s", l, p, prog) < (int)size) {
				struct stat st;
				if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
					if (access(out, X_OK) == 0)
						return 0;
					err = -EACCES;
				}
			}
		}
		if (!*e)
			break;
		p = e + 1;
	}
	return err;
}

/* The program, found and made executable in the root, and named to init.
 * *CODE: the exit status its failure means (127 not found, 126 cannot
 * execute). */
static int set_program(struct broker *b, const char *prog, int *code)
{
	char path[PATH_MAX], canon[PATH_MAX];
	int r = setup_find_program(prog, path, sizeof(path));
	*code = r == -ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
	if (r == -ENOENT)
		sbx_log("%s: command not found", prog);
	else if (r < 0)
		sbx_log_errno(r, "%s", prog);
	if (r < 0)
		return r;
	r = plan_exec(b, path, true, canon, sizeof(canon));
	*code = r == -ENOENT ? SBX_EXIT_NOT_FOUND : SBX_EXIT_CANNOT_EXEC;
	if (r == -ENOENT)
		sbx_log("%s: no such file", path);
	else if (r < 0)
		sbx_log_errno(r, "cannot execute %s", path);
	if (r < 0)
		return r;
	*code = SBX_EXIT_SETUP;
	return talked(sbx_msg_send(b->chan, SBX_MSG_EXEC_PATH, 0, canon, strlen(canon) + 1, NULL, 0));
}

static int send_filter(struct broker *b, uint32_t type, const char *what)
{
	void *bpf;
	size_t len;
	int r;
	if (type == SBX_MSG_GUARD) {
		r = filter_build_guard(&bpf, &len, b->unix_rules);
	} else {
		bool dgram = false;
		for (size_t i = 0; i < b->policy.n_net; i++)
			/* A bound stream socket could still open a connection
			 * with sendto(MSG_FASTOPEN): its sends stop too. */
			dgram |= b->policy.net[i].proto != SBX_NET_TCP ||
				 b->policy.net[i].op == SBX_NET_BIND;
		r = filter_build(&bpf, &len, dgram, b->fast, b->unix_rules);
	}
	if (r < 0) {
		sbx_log_errno(r, "cannot build the %s", what);
		return r;
	}
	r = sbx_msg_send(b->chan, type, 0, bpf, len, NULL, 0);
	free(bpf);
	if (r < 0)
		sbx_log_errno(r, "cannot send the %s to init", what);
	return r < 0 ? r : 0;
}

/* The pid a pidfd stands for (its fdinfo's "Pid:"), or -1. */
static pid_t pidfd_pid(int fd)
{
	char p[64], buf[512];
	snprintf(p, sizeof(p), "/proc/self/fdinfo/%d", fd);
	_cleanup_close_ int info = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = info < 0 ? -1 : read(info, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *pid = strstr(buf, "\nPid:");
	int v;
	return pid && sscanf(pid + 5, "%d", &v) == 1 ? (pid_t)v : -1;
}

/* Started by the helper, whose process we are, init is our child; through
 * a wrapper (--broker=SCRIPT that runs us as its child) it is not, and
 * someone else reaps it. Either way a pidfd of init tells us when it ends.
 * One taken of a pid that is not our child could name another process if
 * init was gone and its pid reused: it names init if the channel, which
 * only init's pid namespace holds, has not hung up after it was taken. */
static int watch_init(struct broker *br)
{
	siginfo_t si;
	br->init_child = waitid(P_PID, (id_t)br->init_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
	br->init_pidfd = (int)syscall(SYS_pidfd_open, br->init_pid, 0);
	if (br->init_pidfd < 0 && (br->init_child || errno != ESRCH)) {
		sbx_log_errno(errno, "cannot open a pidfd of init (pid %d)", (int)br->init_pid);
		return -errno;
	}
	struct pollfd p = {.fd = br->chan, .events = 0};
	if (br->init_pidfd >= 0 && !br->init_child && poll(&p, 1, 0) != 0)
		sbx_closep(&br->init_pidfd); /* init is gone: its report says how it ended */
	return 0;
}

/* A broker for the sandbox A names, which owns A's fds; NULL (said why,
 * the fds closed) when there is no memory for one. */
static struct broker *broker_new(const struct setup_args *a, bool in_process, const char *policy_dir)
{
	struct broker *b = calloc(1, sizeof(*b));
	int r = b ? pool_init(&b->pool, dispatch_serve) : -ENOMEM;
	bool log_taken = false;
	if (r == 0 && (log_taken = true, r = audit_open(b, a->log_fd, a->log_allowed)) < 0)
		pool_destroy(&b->pool);
	if (r < 0) {
		sbx_log_errno(r, "cannot start the broker");
		int fds[] = {a->chan, a->init_pidfd, a->json_fd, log_taken ? -1 : a->log_fd};
		for (size_t i = 0; i < SBX_ARRAY_SIZE(fds); i++)
			if (fds[i] >= 0)
				close(fds[i]);
		free(b);
		return NULL;
	}
	b->in_process = in_process;
	b->policy_dir = policy_dir;
	b->chan = a->chan;
	b->init_pid = a->init_pid;
	b->init_pidfd = a->init_pidfd;
	b->json_fd = a->json_fd;
	b->listener = b->rootfd = b->sbxroot = b->client_sock = b->janitor_fd = -1;
	b->tmpdir.lock = -1;
	b->mode = a->mode;
	b->program_status = -1;
	b->pids_max = a->pids_max;
	b->memory_max = a->memory_max;
	pthread_mutex_init(&b->root_lock, NULL);
	pthread_mutex_init(&b->log_lock, NULL);
	pthread_mutex_init(&b->hosts.lock, NULL);
	return b;
}

/* What one sandbox held, once no worker uses it. */
static void broker_free(struct broker *b)
{
	int *fds[] = {&b->chan, &b->init_pidfd, &b->listener, &b->rootfd, &b->sbxroot, &b->json_fd};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(fds); i++)
		sbx_closep(fds[i]);
	learn_free(b);
	audit_free(b);
	sbx_policy_free(&b->policy);
	sbx_rootview_free(&b->root);
	free(b->msg);
	pthread_mutex_destroy(&b->root_lock);
	pthread_mutex_destroy(&b->log_lock);
	pthread_mutex_destroy(&b->hosts.lock);
	pool_destroy(&b->pool);
	free(b);
}

/* The sandbox ended and we cleaned up: the cleanup process is not needed. */
static void janitor_end(struct broker *b)
{
	if (b->janitor <= 0)
		return;
	(void)SBX_RETRY(write(b->janitor_fd, "", 1));
	sbx_closep(&b->janitor_fd);
	(void)SBX_RETRY(waitpid(b->janitor, NULL, 0));
	b->janitor = 0;
}

/* Check the fds the helper handed over, and take the rest of what the
 * broker holds for the sandbox. */
static int setup_fds(struct broker *b)
{
	if (b->init_pidfd >= 0 && fcntl(b->init_pidfd, F_SETFD, FD_CLOEXEC) < 0) {
		sbx_log_errno(errno, "bad --init-pidfd %d", b->init_pidfd);
		return -errno;
	}
	if (b->init_pidfd >= 0 && pidfd_pid(b->init_pidfd) != b->init_pid) {
		sbx_log("--init-pidfd %d is not a pidfd of init (pid %d)", b->init_pidfd, (int)b->init_pid);
		return -EINVAL;
	}
	int r = b->init_pidfd < 0 ? watch_init(b) : 0;
	if (r < 0)
		return r;
	/* From here on signals wait for the program (init keeps them for
	 * it) instead of ending us in the middle of the setup. */
	if (!b->in_process && (r = sbx_block_forwarded()) < 0) {
		sbx_log_errno(r, "cannot block signals");
		return r;
	}
	if (b->json_fd >= 0 && fcntl(b->json_fd, F_SETFD, FD_CLOEXEC) < 0) {
		sbx_log_errno(errno, "bad --json-status-fd %d", b->json_fd);
		return -errno;
	}
	b->msg = malloc(sizeof(*b->msg));
	if (!b->msg) {
		sbx_log("out of memory");
		return -ENOMEM;
	}
	if (fcntl(b->chan, F_SETFD, FD_CLOEXEC) < 0) {
		sbx_log_errno(errno, "bad channel fd %d", b->chan);
		return -errno;
	}
	/* Messages carry their sender's pid: the program's listener is
	 * taken from it. */
	int one = 1;
	if (setsockopt(b->chan, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		sbx_log_errno(errno, "cannot set SO_PASSCRED on the channel");
		return -errno;
	}
	/* Nothing sandboxed may outlive us: init has our death as its signal. */
	b->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b->rootfd < 0) {
		sbx_log_errno(errno, "cannot open /");
		return -errno;
	}
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &b->sizes) < 0) {
		sbx_log_errno(errno, "seccomp user notification is not available");
		return -errno;
	}
	return 0;
}

/* The view: the policy as the root's mounts, before the program's own binds
 * (an approved exec goes over a noexec write tree). V is kept for its
 * Landlock ruleset (send_lock). */
static int send_view(struct broker *b, struct view *v)
{
	int r = view_compile(&b->policy, v);
	if (r == 0)
		r = view_add_proc(v, &b->policy);
	if (r == 0)
		r = view_send(b, v);
	else
		sbx_log_errno(r, "cannot compile the policy into a view");
	return r;
}

/* Once the program is bound: where the view holds every grant, the
 * ruleset that keeps the program to it (with the program's own files, its
 * loader and interpreter, which the kernel opens to run it), and the
 * kernel serves the program's reads itself (b->fast). Else init confines
 * only execve. */
static int send_lock(struct broker *b, const struct setup_args *a, struct view *v)
{
	/* The kernel may serve only lookups that start in the view: no
	 * directory fd of the host's may reach the program. The client
	 * library's answers and a host peer's (unix rules) could be one. */
	bool unix_rules = false;
	for (size_t i = 0; i < b->policy.n_net; i++)
		unix_rules |= b->policy.net[i].proto == SBX_NET_UNIX;
	if (!v->complete || !b->landlock || a->deferred || a->client || unix_rules)
		return 0;
	int r = 0;
	for (size_t i = 0; i < b->root.n && r == 0; i++)
		if (b->root.v[i].type == S_IFREG)
			r = view_add_file(v, b->root.v[i].path);
	int rs = r < 0 ? r : view_ruleset(v);
	r = rs < 0 ? rs : talked(sbx_msg_send(b->chan, SBX_MSG_LANDLOCK, 0, NULL, 0, &rs, 1));
	if (rs >= 0)
		close(rs);
	if (r < 0)
		sbx_log_errno(r, "cannot give the program the view's Landlock ruleset");
	b->fast = r == 0;
	return r;
}

/* Everything up to the filter sent: the program may start then. *CODE:
 * the exit status a failure means. */
static int setup(struct broker *b, const struct setup_args *a, int *code)
{
	int r = setup_fds(b);
	if (r < 0)
		return r;
	if (!b->in_process && (r = setup_drop_capabilities()) < 0)
		return r;
	if ((r = audit_setup(b, a->log_file)) < 0)
		return r;
	if (b->in_process && a->client) {
		sbx_log("--client is not served by a broker in a launcher's process");
		return -EINVAL;
	}
	/* What sandboxes of ours that were killed left behind. */
	tmpdir_sweep(NULL);
	cgroup_sweep(NULL);
	/* And what we may leave if we are killed. */
	if (!b->in_process && (b->janitor = janitor_start(b->init_pidfd, &b->janitor_fd)) < 0) {
		r = b->janitor;
		b->janitor = 0;
		sbx_log_errno(r, "cannot start the cleanup process");
		return r;
	}
	/* init confines execve with Landlock wherever the kernel has it. */
	b->landlock = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u) >= 1;
	if ((r = setup_load_policy(b, a)) < 0)
		return r;
	if (a->learn && (r = learn_begin(b, a->learn, a->policy)) < 0)
		return r;
	/* The private TMPDIR is a tree of the view (and a rule of its own). */
	if (b->policy.private_tmp && (r = tmpdir_create(b)) < 0) {
		sbx_log_errno(r, "cannot make the sandbox's TMPDIR");
		return r;
	}
	/* The rules are all there, the TMPDIR's too: index them (without
	 * memory, every check looks at every rule, as before). Sealed before
	 * the TMPDIR's rule, the index was stale from the start and never
	 * used ("tmpdir private": build.policy, every --learn run). */
	(void)sbx_policy_seal(&b->policy);
	/* The view unless the run is strict (or --deferred: the program
	 * starts on the helper's view of the host). */
	bool view = !a->strict && !b->policy.strict && (a->view || !a->deferred);
	struct view v = {0};
	if ((view && (r = send_view(b, &v)) < 0) || (r = set_program(b, a->argv[0], code)) < 0 ||
	    (view && (r = send_lock(b, a, &v)) < 0)) {
		view_free(&v);
		return r;
	}
	view_free(&v);
	*code = SBX_EXIT_SETUP;
	if ((r = set_workdir(b, a->chdir)) < 0)
		return r;
	/* init has answered requests, so it has its final credentials (the
	 * kernel lets us move only a process of our own uid); the program
	 * is forked only after the filter. cgroup_confine says why it fails. */
	if ((r = cgroup_confine(b)) < 0)
		return r;
	if (b->policy.loopback &&
	    (r = talked(sbx_msg_send(b->chan, SBX_MSG_LOOPBACK, 0, NULL, 0, NULL, 0))) < 0)
		return r;
	if (a->client && (r = client_start(b)) < 0) {
		sbx_log_errno(r, "cannot set up the client library's socket");
		return r;
	}
	for (size_t i = 0; i < b->policy.n_net; i++)
		b->unix_rules |= b->policy.net[i].proto == SBX_NET_UNIX;
	if ((r = send_filter(b, SBX_MSG_GUARD, "seccomp guard filter")) < 0)
		return r;
	return send_filter(b, SBX_MSG_FILTER, "seccomp filter");
}

int setup_run(const struct setup_args *a, bool in_process, const char *policy_dir,
	      struct broker **kept)
{
	struct broker *b = broker_new(a, in_process, policy_dir);
	if (!b)
		return SBX_EXIT_SETUP;
	int code = SBX_EXIT_SETUP;
	int r = setup(b, a, &code);
	if (r >= 0)
		r = broker_loop(b); /* the program's status, or a failure said */
	audit_finish(b); /* the program is gone: what it was refused */
	if (r < 0) {
		/* Nothing of the sandbox's is left; a sandbox that ended by
		 * itself meanwhile ends with its own status. */
		int st = broker_abort(b);
		r = st >= 0 ? st : code;
	} else {
		if (b->learn && learn_finish(b, a->argv) < 0 && r == 0)
			r = SBX_EXIT_SETUP;
		cgroup_remove(b);
		tmpdir_remove(b);
		/* init's status is the program's; init tells the signal, if any. */
		int st = b->program_status;
		status_exited(b, r, st >= 0 && WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	}
	janitor_end(b);
	/* What the sandbox held goes, in the broker's own process too (all of
	 * it is accounted for, nothing is left for the process's end), but
	 * for the client library's thread (--client, in the broker's own
	 * process only), which may serve until the process ends: B is the
	 * caller's then. A worker still busy (nothing it does waits long)
	 * frees B when it ends. */
	if (b->client_sock >= 0 && kept) {
		*kept = b;
		return r;
	}
	(void)pool_stop(b);
	waiter_end(b); /* let the waiters go; a worker still busy starts none */
	if (pool_hand_over(b, broker_free) == 0)
		broker_free(b);
	return r;
}
