/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One-line messages on stderr, prefixed with the component's name. */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include <setjmp.h>
#include <stdarg.h>

/* Set once in main(); every message starts with "NAME: ". */
void sbx_log_set_name(const char *name);
void sbx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sbx_vlog(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Like sbx_log, then appends ": strerror(err)". */
void sbx_log_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where sbx_die goes in this thread instead of ending the process (a
 * broker serving in a launcher's process): longjmp with the status. NULL
 * (the default): _exit. */
extern __thread jmp_buf *sbx_die_jump;
/* Where sbx_die goes first when it ends the process (no sbx_die_jump):
 * the program's cleanup. It returns a status to end with instead, without
 * the message (the error was only a consequence), or -1. */
extern int (*sbx_die_hook)(int status);
/* End with STATUS, having said why already (or through sbx_die_jump). */
_Noreturn void sbx_exit(int status);
_Noreturn void sbx_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void sbx_die_errno(int status, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
