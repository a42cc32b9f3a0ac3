/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* suidclient MODE: the program of sandbox-helper as Chromium's setuid
 * sandbox (helper/chrome.c), playing Chromium's SetuidSandboxClient.
 *   zygote  check what the helper gave (pid 1, the variables, no
 *           capability), ask for the chroot ("C"), reap the chroot helper,
 *           and check the root is empty
 *   twice   the same, then ask again: refused (nobody answers)
 *   close   close $SBX_D without asking: the chroot helper ends (0), the
 *           root stays the host's
 *   bad     ask with another byte: the chroot helper ends (125), no answer
 * Prints "ok NAME" or "FAIL NAME: why" per check and "N failures" last. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkline.h"

static int env_int(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : -1;
}

/* A field of /proc/self/status, in BASE. */
static long long status(const char *key, int base)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t n = strlen(key);
	long long v = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, base);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	const char *mode = argc == 2 ? argv[1] : "";
	int d = env_int("SBX_D"), helper = env_int("SBX_HELPER_PID");
	const char *prv = getenv("SBX_CHROME_API_PRV");
	result("the helper's variables: SBX_D, SBX_HELPER_PID, SBX_CHROME_API_PRV=1, SBX_PID_NS, SBX_NET_NS",
	       d >= 0 && helper > 0 && prv && !strcmp(prv, "1") && getenv("SBX_PID_NS") && getenv("SBX_NET_NS"),
	       "SBX_D %d SBX_HELPER_PID %d SBX_CHROME_API_PRV %s", d, helper, prv ? prv : "(unset)");
	result("pid 1 of a new pid namespace, the caller's ids, no capability, no_new_privs",
	       getpid() == 1 && geteuid() == getuid() && getuid() != 0 && status("CapEff", 16) == 0 &&
	       status("CapPrm", 16) == 0 && status("NoNewPrivs", 10) == 1 && !getenv("SBX_CHROME_API_RQ"),
	       "pid %d uid %d euid %d CapEff %llx NoNewPrivs %lld", (int)getpid(), (int)getuid(), (int)geteuid(),
	       status("CapEff", 16), status("NoNewPrivs", 10));
	if (d < 0 || helper <= 0) {
		printf("%d failures\n", check_failures);
		return 1;
	}
	if (!strcmp(mode, "close")) {
		close(d);
		int st = -1;
		result("SBX_D closed unasked: the chroot helper ends with 0",
		       waitpid(helper, &st, 0) == helper && WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		result("and the root is still the host's", fd >= 0, "%s", strerror(errno));
	} else if (!strcmp(mode, "bad")) {
		char c = 'X', reply = 0;
		int st = -1;
		ssize_t w = write(d, &c, 1);
		result("another request than C: the chroot helper ends with 125, no answer",
		       w == 1 && waitpid(helper, &st, 0) == helper && WIFEXITED(st) && WEXITSTATUS(st) == 125 &&
		       read(d, &reply, 1) == 0, "status %#x reply %c", st, reply ? reply : '-');
		result("and nothing was chrooted", open("/proc/self/exe", O_RDONLY | O_CLOEXEC) >= 0, "%s",
		       strerror(errno));
	} else {
		char c = 'C', reply = 0;
		int st = -1;
		ssize_t w = write(d, &c, 1);
		pid_t p = waitpid(helper, &st, 0);
		result("the chroot request is answered O and the chroot helper ends with 0",
		       w == 1 && p == helper && WIFEXITED(st) && !WEXITSTATUS(st) && read(d, &reply, 1) == 1 &&
		       reply == 'O', "write %zd waitpid %d status %#x reply %c", w, (int)p, st, reply ? reply : '-');
		DIR *root = opendir("/");
		struct dirent *e = NULL;
		int n = 0;
		while (root && (e = readdir(root)))
			n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
		if (root)
			closedir(root);
		int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		result("the root is empty: no /proc/self/exe, nothing in /", fd < 0 && n == 0,
		       "open %d, %d entries in /", fd, n);
		if (!strcmp(mode, "twice")) {
			c = 'C';
			reply = 0;
			w = write(d, &c, 1);
			result("a second chroot request gets no answer", w < 0 || read(d, &reply, 1) <= 0,
			       "reply %c", reply);
		}
	}
	printf("%d failures\n", check_failures);
	return check_failures != 0;
}
