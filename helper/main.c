/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-helper: makes the namespaces, the channel and init, then becomes
 * the broker. It parses no policy and links no libseccomp. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "helper.h"
#include "log.h"
#include "selfpath.h"
#include "util.h"

static const char usage[] =
	"Usage: sandbox-helper [OPTION...] -- PROGRAM [ARG...]\n"
	"Run PROGRAM in an empty root with new namespaces, under a broker that\n"
	"grants each file request against a policy.\n"
	"\n"
	"  --policy=NAME|FILE  the policy (default: minimal); a NAME is looked up\n"
	"                      in the policy directory, a value with '/' is a file\n"
	"  --broker=PATH       the sandbox-broker to run (default: the one installed\n"
	"                      beside this helper)\n"
	"  --help              show this help and exit\n"
	"  --version           show the version and exit\n"
	"\n"
	"Exit status: PROGRAM's, or 128+N when signal N killed it; 125 when the\n"
	"sandbox cannot be set up, 126 when PROGRAM cannot be executed, 127 when it\n"
	"is not found.\n";

struct options {
	const char *policy;
	const char *broker;
	char **argv;
};

static void parse_args(int argc, char **argv, struct options *o)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--version")) {
			printf("sandbox-helper %s\n", SBX_VERSION);
			exit(0);
		} else if (!strncmp(a, "--policy=", 9) && a[9]) {
			o->policy = a + 9;
		} else if (!strncmp(a, "--broker=", 9) && a[9]) {
			o->broker = a + 9;
		} else if (a[0] == '-') {
			sbx_die(SBX_EXIT_SETUP, "unknown option '%s' (see --help)", a);
		} else {
			break;
		}
	}
	if (i >= argc)
		sbx_die(SBX_EXIT_SETUP, "no program given (usage: sandbox-helper [OPTION...] -- PROGRAM [ARG...])");
	o->argv = argv + i;
}

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

/* Map the caller's uid and gid to themselves in init's user namespace. */
static int write_id_maps(pid_t pid)
{
	char path[64], map[64];
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	int r = write_file(path, "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getuid(), (unsigned)getuid());
	if ((r = write_file(path, map)) < 0)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)getgid(), (unsigned)getgid());
	return write_file(path, map);
}

int main(int argc, char **argv)
{
	sbx_log_set_name("sandbox-helper");
	struct options o = {.policy = "minimal"};
	parse_args(argc, argv, &o);
	char *broker = o.broker ? strdup(o.broker) : find_broker();
	if (!broker)
		sbx_die(SBX_EXIT_SETUP, "out of memory");

	int sv[2], sync[2];
	int r = sbx_channel_pair(sv);
	if (r < 0)
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot create the channel");
	if (pipe2(sync, O_CLOEXEC) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot create a pipe");

	const unsigned long flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
				    CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
				    CLONE_NEWCGROUP;
	pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno,
			      "cannot create the sandbox's namespaces (are user namespaces enabled?)");
	if (pid == 0) {
		close(sv[0]);
		close(sync[1]);
		init_main(sv[1], sync[0], o.argv);
	}
	close(sv[1]);
	close(sync[0]);
	r = write_id_maps(pid);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sbx_die_errno(SBX_EXIT_SETUP, r, "cannot write the sandbox's id maps");
	}
	if (write(sync[1], "1", 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot start init");
	}
	close(sync[1]);

	/* Become the broker: the channel is the only fd we pass on. */
	if (fcntl(sv[0], F_SETFD, 0) < 0)
		sbx_die_errno(SBX_EXIT_SETUP, errno, "cannot pass the channel");
	size_t n = 0;
	while (o.argv[n])
		n++;
	char **bargv = calloc(n + 6, sizeof(char *));
	if (!bargv)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	char fdarg[32], pidarg[32], *polarg;
	if (asprintf(&polarg, "--policy=%s", o.policy) < 0)
		sbx_die(SBX_EXIT_SETUP, "out of memory");
	snprintf(fdarg, sizeof(fdarg), "--channel-fd=%d", sv[0]);
	snprintf(pidarg, sizeof(pidarg), "--init-pid=%d", (int)pid);
	size_t k = 0;
	bargv[k++] = "sandbox-broker";
	bargv[k++] = fdarg;
	bargv[k++] = pidarg;
	bargv[k++] = polarg;
	bargv[k++] = "--";
	for (size_t i = 0; i < n; i++)
		bargv[k++] = o.argv[i];
	bargv[k] = NULL;
	execv(broker, bargv);
	int err = errno;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sbx_die_errno(SBX_EXIT_SETUP, err, "cannot execute the broker %s", broker);
}
