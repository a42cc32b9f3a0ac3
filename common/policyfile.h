/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a policy file: a regular file of text, at most 1 MiB. */
#ifndef SBX_POLICYFILE_H
#define SBX_POLICYFILE_H

#include <stddef.h>

#define SBX_POLICY_MAX_SIZE (1024 * 1024)

/* Read PATH into *TEXT (NUL-terminated, to be freed). Refused, with a
 * one-line message in *ERR (to be freed; NULL only when there was no memory
 * for it): what cannot be opened, what is not a regular file (a directory,
 * a FIFO, a device, a socket, a file of procfs or sysfs, which says one
 * size and holds another), and text holding a NUL byte or going on past
 * 1 MiB, both named by PATH:LINE:COLUMN. Never blocks on a FIFO. */
int sbx_policy_read_file(const char *path, char **text, char **err);

/* Format a message into *ERR (freeing what was there); returns R. */
int sbx_policy_fail(char **err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
