/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper: makes the namespaces, the channel and init, then becomes
 * the broker. It parses no policy and links no libseccomp. main reads as
 * the steps in the order of privilege; each step is a function above it. */
#include <linux/securebits.h>
#include <stdbool.h>

#include "config.h"
#include "helper.h"
#include "signals.h"
#include "selfpath.h"

/* The broker beside us: installed (bindir/../libexecdir/sandbox) or in the
 * build tree (helper/../broker). */
static const char *find_broker(const struct launch *l)
{
	if (l->broker)
		return l->broker;
	char dir[4096];
	DIE_ERR(sbx_self_dir(dir, sizeof(dir)), "cannot find this program's directory");
	const char *const cands[] = {"", "/../" SBX_LIBEXECDIR_REL, "/../broker"};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(cands); i++) {
		char *p;
		REFUSE_IF(asprintf(&p, "%s%s/sandbox-broker", dir, cands[i]) < 0, "out of memory");
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	sbx_die(SBX_EXIT_SETUP, "cannot find sandbox-broker beside %s (use --broker=PATH)", dir);
}

const char *mode_name(enum sbx_mode mode)
{
	static const char *const names[] = {[SBX_MODE_USERNS] = "user-namespace",
		[SBX_MODE_SETUID_USERNS] = "setuid-user-namespace", [SBX_MODE_SETUID_NOUSERNS] = "setuid-no-user-namespace"};
	return names[mode];
}

/* One try at starting init in new namespaces, in the mode L has chosen.
 * Returns its pid, or -1 with errno. */
static pid_t clone_init(const struct launch *l, int sv[2], int sync[2])
{
	unsigned long flags = NS_FLAGS | (l->mode == SBX_MODE_SETUID_NOUSERNS ? 0 : CLONE_NEWUSER);
	/* Setuid: the user namespace must belong to the caller (the broker
	 * needs the caller's rights over the program), so make it with the
	 * caller's euid while keeping the capabilities a distribution may
	 * demand for it (NO_SETUID_FIXUP). */
	bool as_caller = l->mode == SBX_MODE_SETUID_USERNS;
	DIE_IF(as_caller && (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0 ||
			     setresuid((uid_t)-1, l->uid, (uid_t)-1) < 0),
	       "cannot take the caller's uid");
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid == 0) {
		close(sv[0]);
		close(sync[1]);
		init_main(l, sv[1], sync[0]);
	}
	int err = errno;
	DIE_IF(as_caller && (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
			     prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0),
	       "cannot restore the setup's ids");
	errno = err;
	return pid;
}

/* Start init, choosing the mode: a user namespace when one can be made
 * (with privilege when setuid), else, setuid only, none. */
static pid_t spawn_init(struct launch *l, int sv[2], int sync[2])
{
	l->mode = l->privileged ? SBX_MODE_SETUID_USERNS : SBX_MODE_USERNS;
	pid_t pid = clone_init(l, sv, sync);
	if (pid < 0 && l->privileged &&
	    (errno == EPERM || errno == ENOSPC || errno == EUSERS || errno == EINVAL)) {
		l->mode = SBX_MODE_SETUID_NOUSERNS;
		pid = clone_init(l, sv, sync);
	}
	if (pid > 0) {
		close(l->helper_pidfd);
		close(sv[1]);
		close(sync[0]);
		return pid;
	}
	DIE_IF(l->privileged, "cannot create the sandbox's namespaces");
	/* A setuid install started under no_new_privs (Chromium sets it for
	 * the children it launches) runs without privilege. */
	int err = errno;
	struct stat self;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 && stat("/proc/self/exe", &self) == 0 &&
	    (self.st_mode & S_ISUID) && self.st_uid == 0)
		sbx_die_errno(SBX_EXIT_SETUP, err,
			      "cannot create the sandbox's namespaces: unprivileged user namespaces "
			      "are disabled here, and the setuid bit has no effect because the "
			      "caller set no_new_privs");
	sbx_die_errno(SBX_EXIT_SETUP, err,
		      "cannot create the sandbox's namespaces (unprivileged user namespaces "
		      "may be disabled here: see --test, or install sandbox-helper setuid root)");
}

static _Noreturn void die_killing(pid_t pid, int err, const char *what)
{
	/* init killed meanwhile, which may be why this failed: that is how
	 * the sandbox ended. A live init waits for us and does not end. */
	int status = 0, i = 0;
	while (waitpid(pid, &status, WNOHANG) != pid && ++i < 20)
		usleep(5000);
	if (i == 20) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else if (WIFSIGNALED(status)) {
		_exit(sbx_exit_status(status));
	}
	sbx_die_errno(SBX_EXIT_SETUP, err, "%s", what);
}

/* Setuid: every uid of ours root's while privileged, so that the caller
 * may not signal us (nor trace us: we are not dumpable). Nothing reads the
 * environment (but chrome.c: whether Chromium asks for API 1, and the
 * variables it saved, copied for the program once root is gone), and
 * nothing the caller names is opened, executed or stat'ed before the
 * privileges are gone (but chrome.c's /proc/PID of a process of the
 * caller's, checked by its owner). */
static void take_ids(struct launch *l)
{
	/* A caller that ignores SIGCHLD would have init's children reaped
	 * unseen and the program's end never reported. */
	DIE_IF(signal(SIGCHLD, SIG_DFL) == SIG_ERR, "cannot reset SIGCHLD");
	l->uid = getuid();
	l->gid = getgid();
	l->privileged = geteuid() != l->uid || getegid() != l->gid;
	REFUSE_IF(l->privileged && geteuid() != 0,
	          "sandbox-helper may be setuid root, or not setuid at all");
	DIE_IF(l->privileged && setresuid(0, 0, 0) < 0, "cannot take root's ids");
}

/* The channel, the pipe that starts init, and a pidfd of ours that init
 * looks at once it has taken us as its parent-death signal, in case we
 * were gone before. A signal the sandbox forwards, sent from here on,
 * waits for init, the broker or the handover (their signalfd) and reaches
 * the program, instead of ending the helper halfway. */
static void open_channel(struct launch *l, int sv[2], int sync[2])
{
	DIE_ERR(sbx_block_forwarded(), "cannot block signals");
	l->helper_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	DIE_IF(l->helper_pidfd < 0, "cannot open a pidfd of the helper");
	DIE_ERR(sbx_channel_pair(sv), "cannot create the channel");
	DIE_IF(pipe2(sync, O_CLOEXEC) < 0, "cannot create a pipe");
}

/* The caller's uid and gid, mapped to themselves in init's user namespace
 * (there is none in setuid-no-user-namespace mode, which --deferred
 * cannot use). */
static void map_ids(const struct launch *l, pid_t init)
{
	static const char *const files[] = {"setgroups", "uid_map", "gid_map"};
	char path[64], text[3][32] = {"deny"};
	if (l->deferred && l->mode == SBX_MODE_SETUID_NOUSERNS)
		die_killing(init, EPERM, "--deferred needs a user namespace (this mode would keep "
			    "capabilities of the host's for the lockdown)");
	if (l->mode == SBX_MODE_SETUID_NOUSERNS)
		return;
	snprintf(text[1], sizeof(text[1]), "%u %u 1\n", (unsigned)l->uid, (unsigned)l->uid);
	snprintf(text[2], sizeof(text[2]), "%u %u 1\n", (unsigned)l->gid, (unsigned)l->gid);
	for (size_t i = 0; i < SBX_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)init, files[i]);
		_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && i == 0 && errno == ENOENT)
			continue; /* a kernel without setgroups */
		ssize_t n = fd < 0 ? -1 : write(fd, text[i], strlen(text[i]));
		if (n != (ssize_t)strlen(text[i]))
			die_killing(init, n < 0 ? errno : EIO, "cannot write the sandbox's id maps");
	}
}

/* From here on we are the caller, for good; and the sandbox dies with its
 * launcher (set only now: a change of credentials clears it; a launcher
 * already gone is caught by the parent check). */
static void drop_privileges(const struct launch *l, pid_t init, pid_t launcher)
{
	int r;
	if (l->privileged && (r = caps_become_user(l->uid, l->gid, NULL, 0)) < 0)
		die_killing(init, -r, "cannot drop privileges");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != launcher)
		die_killing(init, ESRCH, "the launcher is gone");
}

/* init waits for this byte before it drops its own privileges. */
static void start_init(pid_t init, int sync_fd)
{
	/* init gone already (killed): EPIPE, not the end of us. */
	signal(SIGPIPE, SIG_IGN);
	if (write(sync_fd, "1", 1) != 1)
		die_killing(init, errno, "cannot start init");
	close(sync_fd);
}

/* Become the broker, or with --broker-fd the process that hands the
 * sandbox to the launcher's broker (also sandbox-broker, with --handover:
 * it needs no privilege). The channel and the status fd pass on. */
static _Noreturn void exec_broker(struct launch *l, pid_t init, int chan, const char *broker)
{
	char fdarg[32], pidarg[32], modearg[64], handarg[32];
	DIE_IF(fcntl(chan, F_SETFD, 0) < 0, "cannot pass the channel");
	snprintf(handarg, sizeof(handarg), "--handover=%d", l->broker_fd);
	snprintf(fdarg, sizeof(fdarg), "--channel-fd=%d", chan);
	snprintf(pidarg, sizeof(pidarg), "--init-pid=%d", (int)init);
	snprintf(modearg, sizeof(modearg), "--mode=%s", mode_name(l->mode));
	l->bargv[1] = l->broker_fd >= 0 ? handarg : l->bargv[0];
	l->bargv[2] = fdarg;
	l->bargv[3] = pidarg;
	l->bargv[4] = modearg;
	execv(broker, l->broker_fd >= 0 ? l->bargv : l->bargv + 1);
	die_killing(init, errno, "cannot execute the broker");
}

int main(int argc, char **argv)
{
	static struct launch l;
	int sv[2], sync[2];
	sbx_log_set_name("sandbox-helper");
	pid_t launcher = getppid();
	take_ids(&l);                          /* setuid: every uid root's */
	if (chrome_called(argc, argv))
		chrome_main(&l, argc, argv);   /* Chromium's own sandbox: chrome.c */
	options_parse(argc, argv, &l);         /* the environment's options applied */
	const char *broker = find_broker(&l);
	if (l.test || l.help || l.explain)
		selftest(&l, broker);          /* the broker ends them, as the caller */
	open_channel(&l, sv, sync);
	pid_t init = spawn_init(&l, sv, sync); /* the namespaces; init builds the root */
	map_ids(&l, init);
	drop_privileges(&l, init, launcher);
	start_init(init, sync[1]);
	exec_broker(&l, init, sv[0], broker);
}
