/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Path patterns: absolute paths where '*' matches within one component and
 * '**' matches across components. A pattern ending in "/ **" (no space) also
 * matches the directory itself. */
#ifndef SBX_PATTERN_H
#define SBX_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

/* True when the canonical absolute PATH matches PATTERN. */
bool sbx_pattern_match(const char *pattern, const char *path);

/* Check that PATTERN is well formed: absolute, no empty, "." or ".."
 * components, no "***", no '*' run mixed into "**" (e.g. "a**" is fine only as
 * a whole component "**"). Returns 0, or -EINVAL with *errcol set to the
 * 0-based offset of the offending character and *msg to a static message. */
int sbx_pattern_validate(const char *pattern, size_t *errcol, const char **msg);

#endif
