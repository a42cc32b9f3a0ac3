/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "util.h"

static const char *log_name = "sandbox";

void sbx_log_set_name(const char *name)
{
	log_name = name;
}

/* Append L bytes of S to OUT (SIZE bytes, N used, NUL-terminated), escaped
 * or not, never past its end; returns the new length. */
static size_t add(char *out, size_t size, size_t n, const char *s, size_t l, bool esc)
{
	if (esc)
		sbx_escape_log(out + n, size - n, s, l);
	else
		snprintf(out + n, size - n, "%.*s", (int)l, s);
	return n + strlen(out + n);
}

/* Format into one buffer, escape it, and write it with a single write(2),
 * so that lines from the helper, init and the broker never interleave
 * mid-line. Every message is escaped here, at the sink, whatever its
 * arguments: a path or name a program chose can neither end the line nor
 * reach the terminal as a control sequence (escape.h). A message longer than
 * the stack buffers is formatted on the heap rather than cut. */
static void log_write(int err, const char *fmt, va_list ap)
{
	char raw[1024], line[4096];
	_cleanup_free_ char *bigraw = NULL, *bigline = NULL;
	const char *msg = raw;
	const char *cut = "";
	va_list ap2;
	va_copy(ap2, ap);
	int r = vsnprintf(raw, sizeof(raw), fmt, ap);
	size_t len = r < 0 ? 0 : (size_t)r;
	if (r < 0) {
		msg = "(a message that cannot be formatted)";
		len = strlen(msg);
	} else if (len >= sizeof(raw)) {
		bigraw = malloc(len + 1);
		if (bigraw && vsnprintf(bigraw, len + 1, fmt, ap2) == r) {
			msg = bigraw;
		} else {
			len = sizeof(raw) - 1;
			cut = " [cut short: out of memory]";
		}
	}
	va_end(ap2);
	const char *es = err ? strerror(err) : "";
	/* "NAME: " MESSAGE [": " STRERROR] CUT "\n": four bytes at most for each
	 * byte escaped (a C1 control's two bytes take eight). */
	size_t need = strlen(log_name) + 2 + 4 * len + (err ? 2 + 4 * strlen(es) : 0) + strlen(cut) + 2;
	char *out = line;
	size_t size = sizeof(line);
	if (need > size && (bigline = malloc(need))) {
		out = bigline;
		size = need;
	}
	size_t n = 0;
	n = add(out, size, n, log_name, strlen(log_name), true);
	n = add(out, size, n, ": ", 2, true);
	n = add(out, size, n, msg, len, true);
	if (err) {
		n = add(out, size, n, ": ", 2, true);
		n = add(out, size, n, es, strlen(es), true);
	}
	n = add(out, size, n, cut, strlen(cut), false);
	if (n > size - 2)
		n = size - 2; /* no room (no memory): the line ends here */
	out[n++] = '\n';
	ssize_t w;
	do
		w = write(STDERR_FILENO, out, n);
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

_Noreturn void sbx_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write(0, fmt, ap);
	va_end(ap);
	_exit(status);
}

_Noreturn void sbx_die_errno(int status, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_write(err < 0 ? -err : err, fmt, ap);
	va_end(ap);
	_exit(status);
}
