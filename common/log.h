/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One-line messages on stderr, prefixed with the component's name. */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include <stdarg.h>

/* Set once in main(); every message starts with "NAME: ". */
void sbx_log_set_name(const char *name);
void sbx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sbx_vlog(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Like sbx_log, then appends ": strerror(err)". */
void sbx_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Say why and end the process with STATUS, at once (_exit): for programs
 * whose setup has nothing to undo. The broker's setup returns errors
 * instead, since it may run in a launcher's process. */
_Noreturn void sbx_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void sbx_die_errno(int status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
