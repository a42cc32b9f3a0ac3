/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-broker: the program. Started by sandbox-helper with a sandbox to
 * serve (setup.c), or by a launcher with --serve-fd (serve.c); the helper
 * also runs it, once it dropped its privileges, for what needs none:
 * --selftest, --usage, --explain, --handover (selftest.c, useropts.c,
 * explain.c, handover.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "broker.h"
#include "helperside.h"
#include "log.h"
#include "setup.h"
#include "util.h"

int main(int argc, char **argv)
{
	sbx_log_set_name("sandbox-broker");
	/* A status reader gone: EPIPE for that write, not the end of us. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strncmp(argv[1], "--serve-fd=", 11))
		return broker_serve_fd(argv[1] + 11);
	if (argc == 2 && !strncmp(argv[1], "--serve-many=", 13))
		return broker_serve_many(argv[1] + 13);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs("Usage: sandbox-broker --serve-fd=N | --serve-many=N\n"
		      "Serve one sandbox that sandbox-helper --broker-fd hands over on the socket N\n"
		      "(a launcher that runs its own broker), or with --serve-many every sandbox\n"
		      "handed over on it, at once, until its writers are gone and the last one\n"
		      "ended. Otherwise sandbox-helper starts this program itself.\n", stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--selftest"))
		return broker_selftest(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "--usage"))
		return broker_usage();
	if (argc >= 2 && !strcmp(argv[1], "--explain"))
		return broker_explain(argc, argv);
	if (argc >= 2 && !strncmp(argv[1], "--handover=", 11))
		broker_handover(argc, argv);
	broker_check_options(argc, argv);
	struct setup_args a;
	if (setup_parse_args(argc, argv, &a) < 0)
		return SBX_EXIT_SETUP;
	/* The broker of this process's one sandbox, while the client
	 * library's thread may still use it: until the process ends. */
	static struct broker *kept;
	return setup_run(&a, false, NULL, &kept);
}
