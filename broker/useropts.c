/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The options sandbox-helper passes on without reading them (it reads only
 * what needs its privileges): checked here, before the broker's own
 * parsing, so that a typo gets the helper's one-line answer instead of the
 * broker's "started by sandbox-helper". The names are the broker's
 * parse_args's, the ones the helper itself writes included. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helperside.h"
#include "log.h"
#include "suggest.h"
#include "util.h"

static const struct {
	const char *name;
	long min; /* a number from MIN (to LONG_MAX); 0: any text */
} known[] = {
	{"--policy=", 0}, {"--read=", 0}, {"--write=", 0}, {"--exec=", 0}, {"--stat=", 0},
	{"--deny=", 0}, {"--connect=", 0}, {"--bind=", 0}, {"--chdir=", 0}, {"--client", 0}, {"--view", 0},
	{"--strict", 0}, {"--deferred", 0}, {"--learn=", 0}, {"--explain", 0},
	{"--log-fd=", 3}, {"--log-file=", 0}, {"--log-allowed", 0},
	{"--pids-max=", 1}, {"--memory-max=", 4096},
	/* written by the helper, or by --serve-fd's handover */
	{"--channel-fd=", 0}, {"--init-pid=", 0}, {"--init-pidfd=", 0}, {"--mode=", 0}, {"--json-status-fd=", 0},
};

/* What the user may have meant by the unknown option A: the closest of
 * the helper's and the broker's (but those the helper writes). */
static const char *near_option(const char *a)
{
	static const char *const names[] = {
		"--policy", "--read", "--write", "--exec", "--stat", "--deny", "--connect", "--bind",
		"--chdir", "--client", "--view", "--strict", "--deferred", "--learn", "--explain",
		"--log-fd", "--log-file", "--log-allowed",
		"--pids-max", "--memory-max", "--json-status-fd", "--close-fds", "--keep-fd",
		"--setenv", "--unsetenv", "--clearenv", "--new-session", "--no-new-session",
		"--rlimit-nproc", "--rlimit-nofile", "--rlimit-as", "--rlimit-cpu", "--broker-fd",
		"--broker", "--test", "--help", "--version",
	};
	return sbx_suggest(a, strcspn(a, "="), names, SBX_ARRAY_SIZE(names));
}

/* A (ARGV[I]) is the name of an option that takes a value, without one:
 * the value was most likely the next word, which the helper took for the
 * program (it comes after the "--" the helper adds), when the user's own
 * "--" comes later. */
static _Noreturn void value_apart(const char *a, char **argv, int i)
{
	const char *next = argv[i + 1] && !strcmp(argv[i + 1], "--") ? argv[i + 2] : NULL;
	bool later = false;
	for (int k = i + 3; next && argv[k] && !later; k++)
		later = !strcmp(argv[k], "--");
	if (!later)
		next = NULL;
	sbx_die(SBX_EXIT_SETUP, "%s takes its value after '=': write %s=%s", a, a,
		next && next[0] != '-' ? next : "VALUE");
}

void broker_check_options(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i], *v = NULL;
		size_t k;
		for (k = 0; k < SBX_ARRAY_SIZE(known) && !v; k++) {
			size_t l = strlen(known[k].name);
			if (!strncmp(a, known[k].name, l) && (known[k].name[l - 1] == '=' || !a[l]))
				v = a + l;
		}
		sbx_log_set_name("sandbox-helper");
		for (size_t j = 0; j < SBX_ARRAY_SIZE(known) && !v; j++) {
			size_t l = strlen(known[j].name);
			if (known[j].name[l - 1] == '=' && !strncmp(a, known[j].name, l - 1) && !a[l - 1])
				value_apart(a, argv, i);
		}
		const char *near = v ? NULL : near_option(a);
		if (near)
			sbx_die(SBX_EXIT_SETUP, "unknown option '%s': did you mean '%s'? (see --help)", a, near);
		if (!v)
			sbx_die(SBX_EXIT_SETUP, "unknown option '%s' (see --help)", a);
		size_t nl = (size_t)(v - a);
		if (a[nl - 1] == '=' && !*v)
			sbx_die(SBX_EXIT_SETUP, "%s: give a value", a);
		char *end;
		errno = 0;
		long n = known[k - 1].min ? strtol(v, &end, 10) : 0;
		if (known[k - 1].min && (*end || errno || n < known[k - 1].min))
			sbx_die(SBX_EXIT_SETUP, "%.*s: '%s' is not a number from %ld to %ld", (int)nl - 1,
				a, v, known[k - 1].min, LONG_MAX);
		sbx_log_set_name("sandbox-broker");
	}
}

int broker_usage(void)
{
	/* sandbox-helper --help: its own options (helper/options.c), then the
	 * policy's, which the helper passes on to us. */
	fputs("Usage: sandbox-helper [OPTION...] -- PROGRAM [ARG...]\n"
	      "Run PROGRAM in an empty root with new namespaces, under a broker that\n"
	      "grants each file request against a policy.\n"
	      "\n"
	      "Exit status: PROGRAM's, or 128+N when signal N killed it; 125 when the\n"
	      "sandbox cannot be set up, 126 when PROGRAM cannot be executed, 127 when it\n"
	      "is not found.\n"
	      "\n"
	      "Options of the sandbox:\n"
	      "  --deferred             start the program on a read-only view of the host's\n"
	      "                         root, without the seccomp filter; it enters the\n"
	      "                         sandbox by calling sbx_enter() ($SBX_ENTER_FD)\n"
	      "  --close-fds            close every inherited fd but 0, 1, 2 and --keep-fd\n"
	      "  --keep-fd=N            with --close-fds: pass fd N through (repeatable)\n"
	      "  --json-status-fd=N     write JSON lines to fd N: the program's pid and\n"
	      "                         namespaces, then its exit status\n"
	      "  --setenv=NAME=VALUE    set an environment variable for the program\n"
	      "  --unsetenv=NAME        remove one\n"
	      "  --clearenv             start from an empty environment\n"
	      "  --new-session          start a new session (the default when stdin is a\n"
	      "                         terminal, against TIOCSTI)\n"
	      "  --no-new-session       keep the caller's session\n"
	      "  --rlimit-nproc=N, --rlimit-nofile=N, --rlimit-as=BYTES, --rlimit-cpu=SECONDS\n"
	      "                         resource limits for the program (soft and hard)\n"
	      "  --broker-fd=N          hand the sandbox to the launcher's own broker\n"
	      "                         (sandbox-broker --serve-fd) on socket N instead of\n"
	      "                         starting one; the helper waits for the program\n"
	      "  --broker=PATH          the sandbox-broker to run (default: the one installed\n"
	      "                         beside this helper; not when setuid)\n"
	      "  --test                 check the kernel features the sandbox needs and exit\n"
	      "  --help                 show this help and exit\n"
	      "  --version              show the version and exit\n", stdout);
	fputs("\n"
	      "Options of the policy (sandbox-broker reads them):\n"
	      "  --policy=NAME|FILE     the policy (default: minimal); a NAME is looked up\n"
	      "                         in the policy directory, a value with '/' is a file\n"
	      "  --read=PATTERN, --write=PATTERN, --exec=PATTERN, --stat=PATTERN,\n"
	      "  --deny=PATTERN         add a rule to the policy (repeatable); a directory\n"
	      "                         without wildcards stands for everything beneath it\n"
	      "  --connect=SPEC, --bind=SPEC\n"
	      "                         allow a network peer or local address, e.g.\n"
	      "                         --connect='tcp 127.0.0.1:8080', --bind='tcp 127.0.0.1:0'\n"
	      "  --client               give the program a socket to the broker for the\n"
	      "                         client library ($SBX_BROKER_FD)\n"
	      "  --strict               every path request goes to the broker: an empty root,\n"
	      "                         a log line for every refusal (to learn what a program\n"
	      "                         needs; the policy directive 'strict' does the same).\n"
	      "                         By default the policy is compiled into the sandbox's\n"
	      "                         root: trees it grants are binds the kernel resolves,\n"
	      "                         denies inside them are hidden, /proc is the\n"
	      "                         sandbox's own, and reads it denies fail (ENOENT)\n"
	      "                         with no log line\n"
	      "  --learn=FILE           run the program granting what the policy does not\n"
	      "                         (but what a deny names) and write a policy of what it\n"
	      "                         used to FILE: programs, trees, files, peers; the run\n"
	      "                         is strict, with a private TMPDIR. --policy is the base\n"
	      "  --log-fd=N, --log-file=FILE\n"
	      "                         the audit log: one JSON line for each refusal (path\n"
	      "                         as given and as resolved, the rule that decided, the\n"
	      "                         answer, a rule that would allow it) to fd N or FILE\n"
	      "                         (made 0600, appended to, never through a symlink)\n"
	      "  --log-allowed          with --log-fd or --log-file: allowed decisions too\n"
	      "  --chdir=DIR            start the program in DIR (default: the current\n"
	      "                         directory; what is in it is the policy's)\n"
	      "  --explain              print the policy as compiled (what the sandbox's root\n"
	      "                         holds, what the broker decides) and warn about each\n"
	      "                         rule that matches nothing here, then exit; no sandbox\n"
	      "                         is made and PROGRAM is optional\n"
	      "  --pids-max=N, --memory-max=BYTES\n"
	      "                         limits for the whole sandbox, in a cgroup of its own\n"
	      "                         inside the caller's delegated cgroup\n",
	      stdout);
	return 0;
}
