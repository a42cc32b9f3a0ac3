/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test programs' check lines: "ok NAME", or "FAIL NAME: why" counted
 * in check_failures; the caller prints "N failures" last. */
#ifndef SBX_TEST_CHECKLINE_H
#define SBX_TEST_CHECKLINE_H

#include <stdarg.h>
#include <stdio.h>

static int check_failures;

/* GOOD decides; else FMT says what happened instead. */
__attribute__((format(printf, 3, 4), unused)) static void result(const char *name, int good,
								 const char *fmt, ...)
{
	if (good) {
		printf("ok %s\n", name);
	} else {
		va_list ap;
		va_start(ap, fmt);
		printf("FAIL %s: ", name);
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
		check_failures++;
	}
	fflush(stdout);
}

#endif
