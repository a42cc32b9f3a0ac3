/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "Did you mean ...?": the likely intended word for a typo'd one (a
 * policy name, a rule keyword, an option, a path's name). */
#ifndef SBX_SUGGEST_H
#define SBX_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* The edit distance of A and B (insertions, deletions, substitutions and
 * swaps of two neighbours, one each), or more than 8 when it is over 8. */
size_t sbx_distance(const char *a, size_t al, const char *b, size_t bl);

/* Of the N CANDS, the one WORD (its first LEN bytes) is most likely a typo
 * of (the closest, the first of equals), or NULL when none is close enough:
 * at most 1 edit for words of up to 4 bytes, 2 up to 8, 3 beyond. WORD
 * itself is no suggestion. */
const char *sbx_suggest(const char *word, size_t len, const char *const *cands, size_t n);

/* PATH (as given, relative or not) does not exist: the path it most likely
 * meant, in OUT, with the first name that is missing replaced by the
 * closest entry of its directory (the rest as it was). False when no
 * entry is close enough (or the directory cannot be read). */
bool sbx_suggest_path(const char *path, char *out, size_t size);

/* The policy NAME is not found in the N DIRS: what to tell the user, to be
 * freed (NULL: no memory): ": did you mean 'X'?" when one is close, then
 * " (the policies there: A, B, ...)" of every NAME.policy found, sorted
 * (" (there are none)" when none is). */
char *sbx_policy_not_found(const char *name, const char *const *dirs, size_t n);

#endif
