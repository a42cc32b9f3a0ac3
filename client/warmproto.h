/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a warm sandbox's work may hold (warm.c sends it, warmstub.c takes
 * it): one SOCK_SEQPACKET message of the program's arguments, each
 * NUL-terminated, with the caller's stdin, stdout and stderr (SCM_RIGHTS). */
#ifndef SBX_WARMPROTO_H
#define SBX_WARMPROTO_H

#define SBX_WARM_MAX_ARGS 4096
#define SBX_WARM_MAX_BYTES (128 * 1024)

#endif
