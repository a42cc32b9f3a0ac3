/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The helper's command line. It reads what it needs for the namespaces,
 * init and the program's process; every other option is the broker's and
 * passes on as it is, for the broker to check without privilege (unknown
 * ones included). Environment options are applied as they are read, in
 * order; nothing else touches the system here. */
#include <limits.h>
#include <sys/resource.h>

#include "config.h"
#include "helper.h"

static long number(const char *opt, const char *v, long min, long max)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	REFUSE_IF(!*v || *end || errno || n < min || n > max,
	          "%s: '%s' is not a number from %ld to %ld", opt, v, min, max);
	return n;
}

/* An fd the caller hands us: open, and above 2 unless it may be any. */
static int open_fd(const char *opt, const char *v, long min)
{
	int fd = (int)number(opt, v, min, INT_MAX);
	REFUSE_IF(fcntl(fd, F_GETFD) < 0, "%s: fd %d is not open", opt, fd);
	return fd;
}

/* "--name=" prefix match; returns the value or NULL. */
static const char *value(const char *arg, const char *name)
{
	size_t l = strlen(name);
	return strncmp(arg, name, l) ? NULL : arg + l;
}

/* The helper's own options; false when ARG is none of them. */
static bool helper_option(struct launch *l, const char *a)
{
	static const char *const rlimits[] = {"--rlimit-nproc=", "--rlimit-nofile=", "--rlimit-as=",
					      "--rlimit-cpu="};
	static const int resources[] = {RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_AS, RLIMIT_CPU};
	/* What only the helper tells the broker (which would take the
	 * caller's, given after the helper's). */
	static const char *const reserved[] = {"--channel-fd=", "--init-pid=", "--init-pidfd=",
					       "--mode="};
	const char *v;
	if (!strcmp(a, "--help")) {
		l->help = true; /* the broker prints it all */
	} else if (!strcmp(a, "--version")) {
		printf("sandbox-helper %s\n", SBX_VERSION);
		exit(0);
	} else if (!strcmp(a, "--test") || !strcmp(a, "--explain")) {
		/* --explain: the broker explains the policy; no sandbox is made */
		*(a[2] == 't' ? &l->test : &l->explain) = true;
	} else if ((v = value(a, "--broker=")) && *v) {
		REFUSE_IF(l->privileged, "--broker is refused when sandbox-helper runs setuid");
		l->broker = v;
	} else if ((v = value(a, "--broker-fd="))) {
		l->broker_fd = open_fd("--broker-fd", v, 3);
	} else if (!strcmp(a, "--deferred")) {
		l->deferred = true;
		return false; /* the broker's too: no view's fast path then */
	} else if (!strcmp(a, "--close-fds")) {
		l->close_fds = true;
	} else if ((v = value(a, "--keep-fd="))) {
		REFUSE_IF(l->n_keep >= SBX_ARRAY_SIZE(l->keep_fds),
		          "--keep-fd: at most %zu", SBX_ARRAY_SIZE(l->keep_fds));
		l->keep_fds[l->n_keep++] = open_fd("--keep-fd", v, 0);
	} else if ((v = value(a, "--setenv="))) {
		const char *eq = strchr(v, '=');
		REFUSE_IF(!eq || eq == v, "--setenv: expected NAME=VALUE, got '%s'", v);
		char *name = strndup(v, (size_t)(eq - v));
		DIE_IF(!name || setenv(name, eq + 1, 1) < 0, "--setenv=%s", v);
		free(name);
	} else if ((v = value(a, "--unsetenv="))) {
		REFUSE_IF(!*v || strchr(v, '=') || unsetenv(v) < 0,
		          "--unsetenv: '%s' is not a variable name", v);
	} else if (!strcmp(a, "--clearenv")) {
		REFUSE_IF(clearenv() != 0, "--clearenv failed");
	} else if (!strcmp(a, "--new-session") || !strcmp(a, "--no-new-session")) {
		l->new_session = !strcmp(a, "--new-session");
	} else {
		for (size_t k = 0; k < SBX_ARRAY_SIZE(reserved); k++)
			REFUSE_IF(value(a, reserved[k]), "unknown option '%s' (see --help)", a);
		for (size_t k = 0; k < SBX_ARRAY_SIZE(rlimits); k++) {
			if (!(v = value(a, rlimits[k])))
				continue;
			l->rlimits[k].resource = resources[k];
			l->rlimits[k].set = true;
			l->rlimits[k].value = (rlim_t)number(a, v, 0, LONG_MAX);
			return true;
		}
		return false;
	}
	return true;
}

void options_parse(int argc, char **argv, struct launch *l)
{
	int i;
	l->pass_fds[0] = l->pass_fds[1] = l->broker_fd = -1;
	l->new_session = -1;
	/* The broker's command line from [1]: its name, three arguments main
	 * writes, the options passed on, "--" and the program's (l->argv).
	 * [0] is for its name when main writes --handover=N at [1]. */
	l->bargv = calloc((size_t)argc + 6, sizeof(char *));
	REFUSE_IF(!l->bargv, "out of memory");
	size_t k = 5;
	l->bargv[0] = l->bargv[1] = "sandbox-broker";
	for (i = 1; i < argc && !l->help; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] != '-')
			break;
		if (helper_option(l, a))
			continue;
		/* The broker's; the helper passes --json-status-fd and --log-fd on too. */
		if ((v = value(a, "--json-status-fd=")) || (v = value(a, "--log-fd=")))
			l->pass_fds[a[2] == 'l'] = open_fd(a[2] == 'l' ? "--log-fd" : "--json-status-fd", v, 3);
		l->bargv[k++] = argv[i];
	}
	if (l->test || l->help)
		return;
	REFUSE_IF(i >= argc && !l->explain,
	          "no program given (usage: sandbox-helper [OPTION...] -- PROGRAM [ARG...])");
	REFUSE_IF(l->n_keep && !l->close_fds, "--keep-fd only makes sense with --close-fds");
	l->bargv[k++] = "--";
	l->argv = l->bargv + k;
	memcpy(l->argv, argv + i, (size_t)(argc - i) * sizeof(char *));
	if (l->new_session < 0)
		l->new_session = isatty(STDIN_FILENO);
}
