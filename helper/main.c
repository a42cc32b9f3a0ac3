/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper: makes the namespaces, the channel and init, then becomes
 * the broker. It parses no policy and links no libseccomp. */
#include <errno.h>
#include <fcntl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"
#include "signals.h"
#include "log.h"
#include "selfpath.h"
#include "util.h"

/* The broker beside us: installed (bindir/../libexecdir/sandbox) or in the
 * build tree (helper/../broker). */
static char *find_broker(void)
{
	char dir[4096];
	int r = sbx_self_dir(dir, sizeof(dir));
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot find this program's directory");
	const char *cands[] = {
		"%s/sandbox-broker",
		"%s/../" SBX_LIBEXECDIR_REL "/sandbox-broker",
		"%s/../broker/sandbox-broker",
	};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(cands); i++) {
		char *p;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (asprintf(&p, cands[i], dir) < 0)
			sbx_die(SBX_EXIT_SETUP, "out of memory");
#pragma GCC diagnostic pop
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	sbx_die(SBX_EXIT_SETUP, "cannot find sandbox-broker beside %s (use --broker=PATH)", dir);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t n = write(fd, text, len);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

/* Map the caller's uid and gid (UID, GID: the real ids we started with)
 * to themselves in init's user namespace. */
static int write_id_maps(pid_t pid, uid_t uid, gid_t gid)
{
	char path[64], map[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	int r = write_file(path, "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((r = write_file(path, map)) < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file(path, map);
}

const char *mode_name(enum sbx_mode mode)
{
	switch (mode) {
	case SBX_MODE_USERNS:
		return "user-namespace";
	case SBX_MODE_SETUID_USERNS:
		return "setuid-user-namespace";
	case SBX_MODE_SETUID_NOUSERNS:
		return "setuid-no-user-namespace";
	}
	return "?";
}

#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | \
		  CLONE_NEWUTS | CLONE_NEWCGROUP)

/* Start init in new namespaces, choosing the mode: a user namespace when
 * one can be made (with privilege when setuid), else, setuid only, none. */
static pid_t spawn_init(struct launch *l, int sv[2], int sync[2])
{
	pid_t pid;
	l->mode = l->privileged ? SBX_MODE_SETUID_USERNS : SBX_MODE_USERNS;
	for (;;) {
		unsigned long flags = NS_FLAGS;
		bool as_caller = l->mode == SBX_MODE_SETUID_USERNS;
		if (l->mode != SBX_MODE_SETUID_NOUSERNS)
			flags |= CLONE_NEWUSER;
		/* Setuid: the user namespace must belong to the caller (the
		 * broker needs the caller's rights over the program), so make
		 * it with the caller's euid while keeping the capabilities a
		 * distribution may demand for it (NO_SETUID_FIXUP). */
		if (as_caller && (prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0 ||
				  setresuid((uid_t)-1, l->uid, (uid_t)-1) < 0))
			sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot take the caller's uid");
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
		if (pid == 0) {
			close(sv[0]);
			close(sync[1]);
			init_main(l, sv[1], sync[0]);
		}
		int err = errno;
		if (as_caller && (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
				  prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0))
			sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot restore the setup's ids");
		if (pid > 0)
			return pid;
		if (l->mode == SBX_MODE_SETUID_USERNS &&
		    (err == EPERM || err == ENOSPC || err == EUSERS || err == EINVAL)) {
			l->mode = SBX_MODE_SETUID_NOUSERNS;
			continue;
		}
		if (l->privileged)
			sbx_die_errno(SBX_EXIT_SETUP, err, "cannot create the sandbox's namespaces");
		/* A setuid install started under no_new_privs (Chromium sets
		 * it for the children it launches) runs without privilege. */
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
}

static _Noreturn void die_killing(pid_t pid, int err, const char *what)
{
	/* init killed meanwhile, which may be why this failed: that is how
	 * the sandbox ended. A live init waits for us and does not end. */
	int status;
	for (int i = 0; i < 20; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFSIGNALED(status))
				_exit(sbx_exit_status(status));
			sbx_die_errno(SBX_EXIT_SETUP, err, "%s", what);
		}
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sbx_die_errno(SBX_EXIT_SETUP, err, "%s", what);
}

int main(int argc, char **argv)
{
	sbx_log_set_name("sandbox-helper");
	/* A caller that ignores SIGCHLD would have init's children reaped
	 * unseen and the program's end never reported. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot reset SIGCHLD");
	/* Setuid: nothing below reads the environment, and nothing the caller
	 * names is opened, executed or stat'ed before the privileges are gone. */
	static struct launch l;
	pid_t launcher = getppid();
	l.uid = getuid();
	l.gid = getgid();
	l.privileged = geteuid() != l.uid || getegid() != l.gid;
	if (l.privileged && geteuid() != 0)
		sbx_die(SBX_EXIT_SETUP, "sandbox-helper may be setuid root, or not setuid at all");
	/* While privileged, all our uids are root's: the caller may not signal
	 * us (and cannot trace us: we are not dumpable). */
	if (l.privileged && setresuid(0, 0, 0) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot take root's ids");
	options_parse(argc, argv, &l);
	if (l.test)
		return selftest(&l);
	/* A signal the sandbox forwards, sent while it is set up, waits for
	 * init, the broker or the handover to read it (their signalfd), and
	 * reaches the program, instead of ending the helper halfway. */
	int br = sbx_block_forwarded();
	if (br < 0)
		sbx_die_errno(SBX_EXIT_SETUP, -br, "cannot block signals");
	char *broker = l.broker ? strdup(l.broker) : l.broker_fd >= 0 ? strdup("-") : find_broker();
	if (!broker)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	/* The socket to a launcher's broker is not the program's. */
	if (l.broker_fd >= 0 && fcntl(l.broker_fd, F_SETFD, FD_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "--broker-fd=%d", l.broker_fd);

	int sv[2], sync[2];
	/* init takes us as its parent-death signal only once it runs: it
	 * looks at this pidfd after, in case we were gone before. */
	l.helper_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (l.helper_pidfd < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot open a pidfd of the helper");
	int r = sbx_channel_pair(sv);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot create the channel");
	if (pipe2(sync, O_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot create a pipe");
	pid_t pid = spawn_init(&l, sv, sync);
	close(l.helper_pidfd);
	if (l.deferred && l.mode == SBX_MODE_SETUID_NOUSERNS)
		die_killing(pid, EPERM, "--deferred needs a user namespace (this mode would keep "
			    "capabilities of the host's for the lockdown)");
	close(sv[1]);
	close(sync[0]);
	if (l.mode != SBX_MODE_SETUID_NOUSERNS && (r = write_id_maps(pid, l.uid, l.gid)) < 0)
		die_killing(pid, -r, "cannot write the sandbox's id maps");
	/* From here on we are the caller, for good. */
	if (l.privileged && (r = caps_become_user(l.uid, l.gid, NULL, 0)) < 0)
		die_killing(pid, -r, "cannot drop privileges");
	/* The sandbox dies with its launcher. Set only now: a change of
	 * credentials clears it. A launcher already gone is caught by the
	 * parent check. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != launcher)
		die_killing(pid, ESRCH, "the launcher is gone");
	/* init gone already (killed): EPIPE, not the end of us. */
	signal(SIGPIPE, SIG_IGN);
	if (write(sync[1], "1", 1) != 1)
		die_killing(pid, errno, "cannot start init");
	close(sync[1]);

	/* Become the broker: the channel (and the status fd) pass on. */
	if (fcntl(sv[0], F_SETFD, 0) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot pass the channel");
	size_t n = 0;
	while (l.argv[n])
		n++;
	char **bargv = calloc(n + l.n_fwd + 10, sizeof(char *));
	if (!bargv)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	char fdarg[32], pidarg[32], jsonarg[48], modearg[64], pidsarg[48], memarg[48], *polarg;
	if (asprintf(&polarg, "--policy=%s", l.policy) < 0)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	snprintf(fdarg, sizeof(fdarg), "--channel-fd=%d", sv[0]);
	snprintf(pidarg, sizeof(pidarg), "--init-pid=%d", (int)pid);
	snprintf(modearg, sizeof(modearg), "--mode=%s", mode_name(l.mode));
	size_t k = 0;
	bargv[k++] = "sandbox-broker";
	bargv[k++] = fdarg;
	bargv[k++] = pidarg;
	bargv[k++] = modearg;
	bargv[k++] = polarg;
	if (l.json_fd >= 0) {
		snprintf(jsonarg, sizeof(jsonarg), "--json-status-fd=%d", l.json_fd);
		bargv[k++] = jsonarg;
	}
	if (l.pids_max) {
		snprintf(pidsarg, sizeof(pidsarg), "--pids-max=%s", l.pids_max);
		bargv[k++] = pidsarg;
	}
	if (l.memory_max) {
		snprintf(memarg, sizeof(memarg), "--memory-max=%s", l.memory_max);
		bargv[k++] = memarg;
	}
	for (size_t i = 0; i < l.n_fwd; i++)
		bargv[k++] = (char *)l.fwd[i];
	bargv[k++] = "--";
	for (size_t i = 0; i < n; i++)
		bargv[k++] = l.argv[i];
	bargv[k] = NULL;
	if (l.broker_fd >= 0)
		handover(&l, pid, sv[0], bargv);
	execv(broker, bargv);
	die_killing(pid, errno, "cannot execute the broker");
}
