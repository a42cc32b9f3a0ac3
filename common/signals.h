/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signals the broker and init pass on to the program. */
#ifndef SBX_SIGNALS_H
#define SBX_SIGNALS_H

#include <stdbool.h>

/* Block SIGCHLD and the forwarded signals; return a signalfd for them
 * (O_CLOEXEC, non-blocking) or a negative errno. */
int sbx_signalfd_forwarded(void);
/* Only block them (they wait for that signalfd); 0 or a negative errno. */
int sbx_block_forwarded(void);
/* Is SIG one the sandbox forwards to the program? */
bool sbx_is_forwarded(int sig);

#endif
