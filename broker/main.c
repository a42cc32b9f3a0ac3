/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-broker: started by sandbox-helper (never by hand), outside every
 * namespace, with the user's own credentials. It loads the policy, plans the
 * empty root, hands init the seccomp filter, and then answers the program's
 * file requests until init exits. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/seccomp.h>

#include "broker.h"
#include "config.h"
#include "helperside.h"
#include "log.h"
#include "selfpath.h"
#include "signals.h"
#include "util.h"

struct args {
	int chan;
	pid_t init_pid;
	int init_pidfd; /* --init-pidfd: init is not our child (--serve-fd) */
	int json_fd;
	long long pids_max, memory_max;
	const char *mode;
	const char *policy;
	const char *chdir;     /* --chdir, or NULL */
	bool client;           /* --client */
	const char *rules[64]; /* --read=, --write=, ... as given */
	size_t n_rules;
	char **argv;
};

/* The broker acts for the program and must not have rights it lacks. Run
 * by root, it keeps root's uid (the owner of root's files) but drops every
 * capability: no chown to other users, no file capabilities, no trusted.*
 * attributes, no reading past file modes. */
static void drop_capabilities(void)
{
	if (geteuid() != 0)
		return; /* an ordinary user's process has none to drop */
	for (int c = 0; c <= 63; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot drop capability %d", c);
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
					     SECBIT_NO_SETUID_FIXUP_LOCKED, 0, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot lock the securebits");
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};
	if (syscall(SYS_capset, &h, d) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot drop capabilities");
}

/* "--read=PATTERN" and the like: the rule kind and the pattern. */
static bool rule_option(const char *arg, enum sbx_rule_kind *kind, const char **pattern)
{
	static const struct {
		const char *opt;
		enum sbx_rule_kind kind;
	} opts[] = {
		{"--read=", SBX_RULE_READ}, {"--write=", SBX_RULE_WRITE}, {"--exec=", SBX_RULE_EXEC},
		{"--stat=", SBX_RULE_STAT}, {"--deny=", SBX_RULE_DENY},
	};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(opts); i++) {
		size_t l = strlen(opts[i].opt);
		if (!strncmp(arg, opts[i].opt, l)) {
			if (kind)
				*kind = opts[i].kind;
			if (pattern)
				*pattern = arg + l;
			return true;
		}
	}
	return false;
}

static bool net_option(const char *arg)
{
	return !strncmp(arg, "--connect=", 10) || !strncmp(arg, "--bind=", 7);
}

static void parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->chan = -1;
	a->init_pid = 0;
	a->init_pidfd = -1;
	a->json_fd = -1;
	a->pids_max = a->memory_max = -1;
	a->mode = "user-namespace";
	a->policy = "minimal";
	int i;
	for (i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strncmp(argv[i], "--channel-fd=", 13)) {
			long v = strtol(argv[i] + 13, &end, 10);
			if (*end || v < 3 || v > INT_MAX)
				break;
			a->chan = (int)v;
		} else if (!strncmp(argv[i], "--init-pidfd=", 13)) {
			long v = strtol(argv[i] + 13, &end, 10);
			if (*end || v < 3 || v > INT_MAX)
				break;
			a->init_pidfd = (int)v;
		} else if (!strncmp(argv[i], "--init-pid=", 11)) {
			long v = strtol(argv[i] + 11, &end, 10);
			if (*end || v < 1 || v > INT_MAX)
				break;
			a->init_pid = (pid_t)v;
		} else if (!strncmp(argv[i], "--policy=", 9)) {
			a->policy = argv[i] + 9;
		} else if (!strncmp(argv[i], "--pids-max=", 11)) {
			a->pids_max = strtoll(argv[i] + 11, &end, 10);
			if (*end || a->pids_max < 0)
				break;
		} else if (!strncmp(argv[i], "--memory-max=", 13)) {
			a->memory_max = strtoll(argv[i] + 13, &end, 10);
			if (*end || a->memory_max < 0)
				break;
		} else if (!strcmp(argv[i], "--client")) {
			a->client = true;
		} else if (!strncmp(argv[i], "--chdir=", 8)) {
			a->chdir = argv[i] + 8;
		} else if (rule_option(argv[i], NULL, NULL) || net_option(argv[i])) {
			if (a->n_rules == SBX_ARRAY_SIZE(a->rules))
				sbx_die(SBX_EXIT_SETUP, "too many rules on the command line (at most %zu)",
					SBX_ARRAY_SIZE(a->rules));
			a->rules[a->n_rules++] = argv[i];
		} else if (!strncmp(argv[i], "--mode=", 7)) {
			a->mode = argv[i] + 7;
		} else if (!strncmp(argv[i], "--json-status-fd=", 17)) {
			long v = strtol(argv[i] + 17, &end, 10);
			if (*end || v < 3 || v > INT_MAX)
				break;
			a->json_fd = (int)v;
		} else {
			break;
		}
	}
	if (a->chan < 0 || a->init_pid <= 0 || i > argc || !argv[i - 1] ||
	    strcmp(argv[i - 1], "--") || i >= argc)
		sbx_die(SBX_EXIT_SETUP, "this program is started by sandbox-helper, or by a launcher "
			"with --serve-fd=N (see --help)");
	a->argv = argv + i;
}

/* Where NAME.policy is looked up: the source tree when running from the
 * build tree, then the data directory beside the installed broker. */
static const char *serving_dir; /* in a launcher's process: the helper's directory */

static size_t policy_dirs(char dirs[3][PATH_MAX])
{
	char self[PATH_MAX];
	size_t n = 0;
	if (serving_dir)
		snprintf(self, sizeof(self), "%s", serving_dir);
	else if (sbx_self_dir(self, sizeof(self)) < 0)
		return 0;
	const char *fmt[] = {
		"%s/../../" SBX_POLICYDIR_REL, /* PREFIX/libexec/sandbox */
		"%s/../" SBX_POLICYDIR_REL,    /* PREFIX/bin */
	};
	if ((!strcmp(self, SBX_BUILD_ROOT "/broker") || !strcmp(self, SBX_BUILD_ROOT "/helper")) &&
	    realpath(SBX_SOURCE_POLICYDIR, dirs[n]))
		n++;
	for (size_t i = 0; i < SBX_ARRAY_SIZE(fmt); i++) {
		char cand[PATH_MAX];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		int l = snprintf(cand, sizeof(cand), fmt[i], self);
#pragma GCC diagnostic pop
		/* Only directories that exist, by their real names. */
		if (l > 0 && l < (int)sizeof(cand) && realpath(cand, dirs[n]))
			n++;
	}
	return n;
}

/* A command-line path that goes through symlinks: the program may follow
 * them (the walk needs stat on each link's own path). */
static void grant_links(struct broker *b, const char *path, const struct sbx_policy_vars *vars)
{
	char abs[PATH_MAX];
	if (path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", path);
	else if (!vars->cwd || snprintf(abs, sizeof(abs), "%s/%s", vars->cwd, path) >= (int)sizeof(abs))
		return;
	for (char *s = abs + 1;; s++) {
		char c = *s;
		if (c == '/' || !c) {
			*s = '\0';
			struct stat st;
			if (lstat(abs, &st) == 0 && S_ISLNK(st.st_mode) && strstr(abs, "/./") == NULL &&
			    strstr(abs, "/../") == NULL) {
				_cleanup_free_ char *err = NULL;
				(void)sbx_policy_add_rule(&b->policy, SBX_RULE_STAT, abs, "--link", vars, &err);
			}
			*s = c;
		}
		if (!c)
			break;
	}
}

/* Say ERR (or FALLBACK) and end: the message is freed first, since in a
 * launcher's process sbx_die jumps past every cleanup attribute. */
static _Noreturn void die_freeing(char **err, const char *fallback)
{
	if (!sbx_die_jump) /* the process ends: as every other error does */
		sbx_die(SBX_EXIT_SETUP, "%s", *err ? *err : fallback);
	sbx_log("%s", *err ? *err : fallback);
	free(*err);
	*err = NULL;
	sbx_exit(SBX_EXIT_SETUP);
}

/* PATH does not exist yet but its directory does: the real path it will
 * have, in OUT. */
static bool missing_file(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
	if (!realpath(dir, real))
		return false;
	return snprintf(out, size, "%s/%s", strcmp(real, "/") ? real : "", name) < (int)size;
}

static void load_policy(struct broker *b, const struct args *a)
{
	const char *name = a->policy;
	char dirs[3][PATH_MAX];
	const char *dirp[3];
	size_t n = policy_dirs(dirs);
	for (size_t i = 0; i < n; i++)
		dirp[i] = dirs[i];
	char cwd[PATH_MAX];
	const struct passwd *pw = getpwuid(getuid());
	struct sbx_policy_env env = {
		.search_dirs = dirp,
		.n_search_dirs = n,
		.vars = {
			.home = getenv("HOME") ? getenv("HOME") : (pw ? pw->pw_dir : NULL),
			.cwd = getcwd(cwd, sizeof(cwd)),
			.tmpdir = getenv("TMPDIR"),
			.user = pw ? pw->pw_name : NULL,
			.argv = (const char *const *)a->argv,
		},
	};
	_cleanup_free_ char *err = NULL;
	int r = sbx_policy_load(&b->policy, name, &env, &err);
	if (r < 0)
		die_freeing(&err, strerror(-r));
	/* Command-line rules. A plain path that exists stands for its real
	 * path (the policy decides on canonical paths), a directory for
	 * itself and all beneath it, so that --write=. grants the working
	 * tree. */
	for (size_t i = 0; i < a->n_rules; i++) {
		if (net_option(a->rules[i])) {
			bool conn = a->rules[i][2] == 'c';
			if (sbx_policy_add_net(&b->policy, conn ? SBX_NET_CONNECT : SBX_NET_BIND,
					       strchr(a->rules[i], '=') + 1, conn ? "--connect" : "--bind",
					       &err) < 0)
				die_freeing(&err, "out of memory");
			continue;
		}
		enum sbx_rule_kind kind = SBX_RULE_READ;
		const char *pattern = "";
		char origin[32], tree[PATH_MAX + 4], real[PATH_MAX];
		struct stat st;
		rule_option(a->rules[i], &kind, &pattern);
		snprintf(origin, sizeof(origin), "--%s", sbx_rule_kind_name(kind));
		if (!strchr(pattern, '*') && !strchr(pattern, '$') && realpath(pattern, real) &&
		    stat(real, &st) == 0) {
			if (kind != SBX_RULE_DENY)
				grant_links(b, pattern, &env.vars);
			snprintf(tree, sizeof(tree), "%s%s", real,
				 !S_ISDIR(st.st_mode) ? "" : strcmp(real, "/") ? "/**" : "**");
			pattern = tree;
		} else if (!strchr(pattern, '*') && !strchr(pattern, '$') && missing_file(pattern, tree, sizeof(tree))) {
			pattern = tree; /* a file to be made (an output): its real directory */
		}
		if (sbx_policy_add_rule(&b->policy, kind, pattern, origin, &env.vars, &err) < 0)
			die_freeing(&err, "out of memory");
	}
}

/* The program's working directory: --chdir (which the policy must grant),
 * else the caller's. The directory is made (empty) in the root and init
 * moves the program there; what is in it stays the policy's. */
static void set_workdir(struct broker *b, const char *dir)
{
	char cwd[PATH_MAX], canon[PATH_MAX] = "/";
	int r = 0;
	if (dir) {
		if (dir[0] != '/' || strlen(dir) >= sizeof(cwd))
			sbx_die(SBX_EXIT_SETUP, "--chdir=%s: give an absolute path", dir);
		r = strcmp(dir, "/") ? plan_dir(b, dir, false, canon) : 0;
		if (r < 0)
			sbx_die(SBX_EXIT_SETUP, "--chdir=%s: %s", dir,
				r == -EACCES ? "the policy grants nothing there" : strerror(-r));
	} else if (getcwd(cwd, sizeof(cwd)) && cwd[0] == '/') {
		/* Only its name is shown: what is in it is the policy's. */
		if (plan_dir(b, cwd, true, canon) < 0)
			strcpy(canon, "/");
	}
	r = sbx_msg_send(b->chan, SBX_MSG_WORKDIR, 0, canon, strlen(canon) + 1, NULL, 0);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot talk to init");
}

/* PROGRAM as execvp would find it: a name with '/' as is, else on $PATH. */
static int find_program(const char *prog, char *out, size_t size)
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

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

int broker_channel_message(struct broker *b, struct sbx_msg *m)
{
	switch (m->hdr.type) {
	case SBX_MSG_LISTENER: {
		int32_t lfd;
		if (b->listener >= 0 || (m->nfds != 1 && (m->nfds || m->len != sizeof(lfd) || m->sender <= 0))) {
			sbx_msg_close_fds(m);
			return -EBADMSG;
		}
		if (m->nfds == 1) {
			b->listener = m->fds[0];
			m->fds[0] = -1;
			m->nfds = 0;
		} else {
			memcpy(&lfd, m->payload, sizeof(lfd));
			int pidfd = (int)syscall(SYS_pidfd_open, m->sender, 0);
			b->listener = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, lfd, 0);
			int err = errno;
			if (pidfd >= 0)
				close(pidfd);
			if (b->listener < 0 && err == ESRCH)
				return 0; /* the program died (killed): init reports it */
			if (b->listener < 0) {
				/* Said and ended by the caller, with no lock held. */
				b->fatal = "cannot take the program's seccomp listener";
				b->fatal_err = err;
				return -err;
			}
		}
		/* Only a seccomp listener knows this ioctl (ENOENT for an id
		 * it does not hold); anything else the sender passed is not
		 * served. */
		__u64 none = 0;
		if (ioctl(b->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &none) == 0 || errno != ENOENT) {
			sbx_closep(&b->listener);
			b->fatal = "the fd handed over as the seccomp listener is not one";
			b->fatal_err = 0;
			return -EBADMSG;
		}
		/* Linux 6.6+: hand the CPU straight between the program and
		 * the broker on each round trip. Older kernels: EINVAL, and
		 * the ordinary wake-up is used. */
		(void)ioctl(b->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
			    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		return 0;
	}
	case SBX_MSG_STARTED:
		b->started = true;
		status_started(b);
		break;
	case SBX_MSG_EXITED: {
		int32_t st;
		if (m->len == sizeof(st)) {
			memcpy(&st, m->payload, sizeof(st));
			b->program_status = st;
		}
		break;
	}
	default:
		break;
	}
	sbx_msg_close_fds(m);
	return 0;
}

int broker_root_request(struct broker *b, uint32_t type, const void *payload, size_t len)
{
	uint32_t id = ++b->next_id;
	int r = sbx_msg_send(b->chan, type, id, payload, len, NULL, 0);
	if (r < 0)
		return r;
	for (;;) {
		r = sbx_msg_recv(b->chan, b->msg);
		if (r == 0)
			return -EPIPE;
		if (r < 0)
			return r;
		if (b->msg->hdr.type == SBX_MSG_ROOT_DONE && b->msg->hdr.id == id) {
			int32_t err;
			sbx_msg_close_fds(b->msg);
			if (b->msg->len != sizeof(err))
				return -EBADMSG;
			memcpy(&err, b->msg->payload, sizeof(err));
			return err > 0 ? -err : 0;
		}
		broker_channel_message(b, b->msg);
	}
}

static void send_filter(struct broker *b, uint32_t type, const char *what)
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
		r = filter_build(&bpf, &len, dgram);
	}
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot build the %s", what);
	r = sbx_msg_send(b->chan, type, 0, bpf, len, NULL, 0);
	free(bpf);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot send the %s to init", what);
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
static void watch_init(struct broker *br)
{
	siginfo_t si;
	br->init_child = waitid(P_PID, (id_t)br->init_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
	br->init_pidfd = (int)syscall(SYS_pidfd_open, br->init_pid, 0);
	if (br->init_pidfd < 0 && (br->init_child || errno != ESRCH))
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot open a pidfd of init (pid %d)", (int)br->init_pid);
	struct pollfd p = {.fd = br->chan, .events = 0};
	if (br->init_pidfd >= 0 && !br->init_child && poll(&p, 1, 0) != 0)
		sbx_closep(&br->init_pidfd); /* init is gone: its report says how it ended */
}

/* Receive one sandbox on the socket FD (sandbox-helper --broker-fd): the
 * broker's argument vector for it, with the channel, init's pidfd and
 * the status fd it was handed (in *M, which the vector points into). */
static char **take_handover(int fd, struct sbx_msg *m, int *argc)
{
	int r = sbx_msg_recv(fd, m);
	if (r == 0)
		sbx_die(SBX_EXIT_SETUP, "--serve-fd=%d: closed before a sandbox was handed over", fd);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "--serve-fd=%d: cannot receive the sandbox", fd);
	size_t n = 0;
	for (size_t i = 0; i < m->len; i++)
		n += !m->payload[i];
	if (m->hdr.type != SBX_MSG_HANDOVER || m->nfds < 2 || m->nfds > 3 || !m->len ||
	    m->payload[m->len - 1] || strcmp((const char *)m->payload, "sandbox-broker")) {
		sbx_msg_close_fds(m);
		sbx_die(SBX_EXIT_SETUP, "--serve-fd=%d: not a sandbox handed over by sandbox-helper "
			"--broker-fd", fd);
	}
	/* The numbers of the fds, in the vector: they live in M's tail. */
	char *nums = (char *)m->payload + m->len;
	size_t room = sizeof(m->payload) - m->len;
	char **argv = calloc(n + 2, sizeof(char *));
	if (!argv || room < 120) {
		sbx_msg_close_fds(m);
		sbx_die(SBX_EXIT_SETUP, "out of memory");
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
	return argv;
}

/* sandbox-broker --serve-fd=N: a launcher's own broker. It waits for one
 * sandbox, handed over on socket N by sandbox-helper --broker-fd, and
 * becomes its broker: a new image of itself, with the channel, init's
 * pidfd and the status fd it was handed. */
static _Noreturn void serve(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	if (!*arg || *end || fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) < 0)
		sbx_die(SBX_EXIT_SETUP, "--serve-fd=%s: not an open fd", arg);
	struct sbx_msg *m = malloc(sizeof(*m));
	if (!m)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	int argc;
	char **argv = take_handover((int)fd, m, &argc);
	close((int)fd);
	for (size_t i = 0; i < m->nfds; i++)
		if (fcntl(m->fds[i], F_SETFD, 0) < 0)
			sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot keep the handed fds");
	execv("/proc/self/exe", argv);
	sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot execute the broker again");
}

/* The broker's work for one sandbox, ARGV as sandbox-helper passes it.
 * IN_PROCESS: in a thread of a launcher's process, one sandbox at a time
 * (sbx_die comes back to broker_serve_in_process): the launcher's
 * capabilities and signals are left alone and everything is released at
 * the end. */
static struct broker b;
static void release(void);

/* The sandbox ended and we cleaned up: the cleanup process is not needed. */
static void janitor_end(void)
{
	if (b.janitor <= 0)
		return;
	(void)SBX_RETRY(write(b.janitor_fd, "", 1));
	sbx_closep(&b.janitor_fd);
	(void)SBX_RETRY(waitpid(b.janitor, NULL, 0));
	b.janitor = 0;
}

/* sbx_die in the broker's own process: nothing of the sandbox's is left. */
static int die_hook(int status)
{
	(void)status;
	int r = broker_abort(&b);
	janitor_end();
	return r;
}

static int run(int argc, char **argv, bool in_process)
{
	struct args a;
	parse_args(argc, argv, &a);
	/* A worker of the last sandbox still busy (a FIFO open that never
	 * finds its peer) still uses B. */
	if (in_process && b.msg)
		release(); /* what a worker kept from the last sandbox */
	if (in_process && b.msg)
		sbx_die(SBX_EXIT_SETUP, "a worker of the previous sandbox is still busy");
	memset(&b, 0, sizeof(b));
	b.in_process = in_process;
	b.chan = a.chan;
	b.init_pid = a.init_pid;
	b.init_pidfd = a.init_pidfd;
	if (b.init_pidfd >= 0 && fcntl(b.init_pidfd, F_SETFD, FD_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "bad --init-pidfd %d", b.init_pidfd);
	if (b.init_pidfd >= 0 && pidfd_pid(b.init_pidfd) != b.init_pid)
		sbx_die(SBX_EXIT_SETUP, "--init-pidfd %d is not a pidfd of init (pid %d)", b.init_pidfd,
			(int)b.init_pid);
	if (b.init_pidfd < 0)
		watch_init(&b);
	b.listener = -1;
	b.sbxroot = -1;
	b.client_sock = -1;
	/* From here on a fatal error ends the sandbox cleanly, and signals
	 * wait for the program (init keeps them for it) instead of ending us
	 * in the middle of the setup. */
	if (!in_process)
		sbx_die_hook = die_hook;
	if (!in_process && sbx_block_forwarded() < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot block signals");
	b.json_fd = a.json_fd;
	b.mode = a.mode;
	b.program_status = -1;
	b.pids_max = a.pids_max;
	b.memory_max = a.memory_max;
	if (b.json_fd >= 0 && fcntl(b.json_fd, F_SETFD, FD_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "bad --json-status-fd %d", b.json_fd);
	b.msg = malloc(sizeof(*b.msg));
	if (!b.msg)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	if (fcntl(b.chan, F_SETFD, FD_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "bad channel fd %d", b.chan);
	/* Messages carry their sender's pid: the program's listener is
	 * taken from it. */
	int one = 1;
	if (setsockopt(b.chan, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot set SO_PASSCRED on the channel");
	/* Nothing sandboxed may outlive us: init has our death as its signal. */
	b.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (b.rootfd < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot open /");
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &b.sizes) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "seccomp user notification is not available");

	if (!in_process)
		drop_capabilities();
	else if (a.client)
		sbx_die(SBX_EXIT_SETUP, "--client is not served by a broker in a launcher's process");
	/* What sandboxes of ours that were killed left behind. */
	tmpdir_sweep(NULL);
	cgroup_sweep(NULL);
	/* And what we may leave if we are killed. */
	if (!in_process && (b.janitor = leftover_janitor(b.init_pidfd, &b.janitor_fd)) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, b.janitor, "cannot start the cleanup process");
	net_reset();
	pthread_mutex_init(&b.root_lock, NULL);
	pthread_mutex_init(&b.log_lock, NULL);
	/* init confines execve with Landlock wherever the kernel has it. */
	b.landlock = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u) >= 1;
	load_policy(&b, &a);

	char path[PATH_MAX], canon[PATH_MAX];
	int r = find_program(a.argv[0], path, sizeof(path));
	if (r == -ENOENT)
		sbx_die(SBX_EXIT_NOT_FOUND, "%s: command not found", a.argv[0]);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_CANNOT_EXEC, r, "%s", a.argv[0]);
	r = plan_exec(&b, path, true, canon, sizeof(canon));
	if (r == -ENOENT)
		sbx_die(SBX_EXIT_NOT_FOUND, "%s: no such file", path);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_CANNOT_EXEC, r, "cannot execute %s", path);
	r = sbx_msg_send(b.chan, SBX_MSG_EXEC_PATH, 0, canon, strlen(canon) + 1, NULL, 0);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot talk to init");
	set_workdir(&b, a.chdir);
	/* init has answered requests, so it has its final credentials (the
	 * kernel lets us move only a process of our own uid); the program
	 * is forked only after the filter. */
	if (cgroup_confine(&b) < 0) {
		cgroup_remove(&b);
		sbx_exit(SBX_EXIT_SETUP); /* cgroup_confine said why */
	}

	if (b.policy.loopback &&
	    (r = sbx_msg_send(b.chan, SBX_MSG_LOOPBACK, 0, NULL, 0, NULL, 0)) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot talk to init");
	if (a.client && (r = client_start(&b)) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot set up the client library's socket");
	if (b.policy.private_tmp && (r = tmpdir_create(&b)) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot make the sandbox's TMPDIR");
	for (size_t i = 0; i < b.policy.n_net; i++)
		b.unix_rules |= b.policy.net[i].proto == SBX_NET_UNIX;
	send_filter(&b, SBX_MSG_GUARD, "seccomp guard filter");
	send_filter(&b, SBX_MSG_FILTER, "seccomp filter");

	r = notify_loop(&b);
	cgroup_remove(&b);
	tmpdir_remove();
	janitor_end();
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "broker failed");
	/* init's status is the program's; init tells the signal, if any. */
	int sig = b.program_status >= 0 && WIFSIGNALED(b.program_status) ? WTERMSIG(b.program_status) : 0;
	status_exited(&b, r, sig);
	if (in_process)
		release();
	return r;
}

/* In a launcher's process: what one sandbox held. */
static void release(void)
{
	if (notify_finish(&b) < 0) {
		/* Kept as it is for that worker: freed at the next start. */
		sbx_log("a worker is still busy (the next sandbox in this process waits for it)");
		return;
	}
	int *fds[] = {&b.chan, &b.init_pidfd, &b.listener, &b.rootfd, &b.sbxroot, &b.json_fd};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(fds); i++)
		sbx_closep(fds[i]);
	sbx_policy_free(&b.policy);
	sbx_rootview_free(&b.root);
	free(b.msg);
	b.msg = NULL;
	pthread_mutex_destroy(&b.root_lock);
	pthread_mutex_destroy(&b.log_lock);
}

int broker_serve_in_process(int fd, const char *helper_dir)
{
	static pthread_mutex_t one = PTHREAD_MUTEX_INITIALIZER;
	if (pthread_mutex_trylock(&one) != 0)
		return -EBUSY;
	struct sbx_msg *m = malloc(sizeof(*m));
	char **argv = NULL;
	jmp_buf jump;
	int code = 0;
	/* Our own working directory and umask, as a broker process has. */
	if (!m || unshare(CLONE_FS) < 0) {
		code = -errno;
		goto out;
	}
	m->nfds = 0;
	/* A status reader gone must not end the launcher: SIGPIPE stays
	 * pending on this thread (and the workers it starts) instead. */
	sigset_t pipe, old_mask;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old_mask);
	serving_dir = helper_dir;
	sbx_log_set_name("sandbox-broker");
	sbx_die_jump = &jump;
	code = setjmp(jump);
	if (code == 0) {
		int argc;
		argv = take_handover(fd, m, &argc);
		code = run(argc, argv, true);
	} else {
		/* Setup failed and said why: init sees the channel close and
		 * exits; the helper with it. */
		if (b.msg && m->nfds && b.chan == m->fds[0]) {
			int st = broker_abort(&b);
			if (st >= 0)
				code = st; /* the sandbox ended by itself */
			release(); /* this sandbox's: its fds too */
		} else {
			sbx_msg_close_fds(m);
		}
	}
	sbx_die_jump = NULL;
	/* Take the SIGPIPEs our writes raised before unblocking it. */
	struct timespec now = {0, 0};
	while (sigtimedwait(&pipe, NULL, &now) == SIGPIPE)
		;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
out:
	free(argv);
	free(m);
	pthread_mutex_unlock(&one);
	return code;
}

int broker_main(int argc, char **argv)
{
	sbx_log_set_name("sandbox-broker");
	/* A status reader gone: EPIPE for that write, not the end of us. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strncmp(argv[1], "--serve-fd=", 11))
		serve(argv[1] + 11);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs("Usage: sandbox-broker --serve-fd=N\n"
		      "Serve one sandbox that sandbox-helper --broker-fd hands over on the socket N\n"
		      "(a launcher that runs its own broker). Otherwise sandbox-helper starts this\n"
		      "program itself.\n", stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--selftest"))
		return broker_selftest(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "--usage"))
		return broker_usage();
	if (argc >= 2 && !strncmp(argv[1], "--handover=", 11))
		broker_handover(argc, argv);
	broker_check_options(argc, argv);
	return run(argc, argv, false);
}
