/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sandbox-broker does for sandbox-helper, which passes on what needs
 * no privilege: parts of its own command line, --test, --help and the
 * handover to a launcher's broker. */
#ifndef SBX_HELPERSIDE_H
#define SBX_HELPERSIDE_H

/* sandbox-broker --selftest USERNS MOUNTS: the checks of sandbox-helper
 * --test (selftest.c). Returns the exit status. */
int broker_selftest(int argc, char **argv);

/* The options the helper passed on unread (useropts.c): an unknown one or
 * a bad number ends the broker with a one-line message that names the
 * helper, whose command line it was. */
void broker_check_options(int argc, char **argv);
/* sandbox-broker --handover=N ...: sandbox-helper --broker-fd=N's part
 * after its privileges are gone (handover.c). */
_Noreturn void broker_handover(int argc, char **argv);
/* sandbox-broker --explain [OPTION...] [-- PROGRAM [ARG...]]: sandbox-helper
 * --explain, the policy as compiled and what of it matches nothing here,
 * with no sandbox (explain.c). Returns the exit status. */
int broker_explain(int argc, char **argv);
/* sandbox-broker --usage: their part of sandbox-helper --help. */
int broker_usage(void);

#endif
