/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *log_name = "sandbox";
__thread jmp_buf *sbx_die_jump;
int (*sbx_die_hook)(int status);

/* Before the message: the hook may end the process with a status of its own. */
static void hook(int status)
{
	int s = !sbx_die_jump && sbx_die_hook ? sbx_die_hook(status) : -1;
	if (s >= 0)
		_exit(s);
}

_Noreturn static void die(int status)
{
	if (sbx_die_jump)
		longjmp(*sbx_die_jump, status ? status : 1);
	_exit(status);
}

void sbx_log_set_name(const char *name)
{
	log_name = name;
}

/* Append to BUF (SIZE bytes, N used), never past its end. */
static void append(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void vappend(char *buf, size_t size, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void vappend(char *buf, size_t size, size_t *n, const char *fmt, va_list ap)
{
	if (*n >= size - 1)
		return;
	int r = vsnprintf(buf + *n, size - *n, fmt, ap);
	if (r > 0)
		*n += (size_t)r < size - *n ? (size_t)r : size - *n - 1;
}

static void append(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vappend(buf, size, n, fmt, ap);
	va_end(ap);
}

/* Format into one buffer and write it with a single write(2), so lines from
 * the helper, init and the broker never interleave mid-line. */
static void log_write(int err, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n = 0;
	append(buf, sizeof(buf) - 1, &n, "%s: ", log_name);
	vappend(buf, sizeof(buf) - 1, &n, fmt, ap);
	if (err)
		append(buf, sizeof(buf) - 1, &n, ": %s", strerror(err));
	buf[n++] = '\n';
	ssize_t w;
	do
		w = write(STDERR_FILENO, buf, n);
	while (w < 0 && errno == EINTR);
}

void sbx_vlog(const char *fmt, va_list ap)
{
	int saved = errno;
	log_write(0, fmt, ap);
	errno = saved;
}

void sbx_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sbx_vlog(fmt, ap);
	va_end(ap);
}

void sbx_log_errno(int err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_write(err < 0 ? -err : err, fmt, ap);
	va_end(ap);
	errno = saved;
}

_Noreturn void sbx_exit(int status)
{
	hook(status);
	die(status);
}

_Noreturn void sbx_die(int status, const char *fmt, ...)
{
	va_list ap;
	hook(status);
	va_start(ap, fmt);
	log_write(0, fmt, ap);
	va_end(ap);
	die(status);
}

_Noreturn void sbx_die_errno(int status, int err, const char *fmt, ...)
{
	va_list ap;
	hook(status);
	va_start(ap, fmt);
	log_write(err < 0 ? -err : err, fmt, ap);
	va_end(ap);
	die(status);
}
