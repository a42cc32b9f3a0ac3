/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One JSON object a line (JSON Lines), built field by field in a growing
 * buffer: what the broker's audit log (--log-fd, --log-file) writes.
 *
 * Every string is escaped so that the line is valid JSON (RFC 8259) and
 * valid UTF-8 whatever bytes it was given, and puts no raw control byte on
 * a terminal: '"' and '\' are escaped; newline, tab, carriage return,
 * backspace and form feed become \n, \t, \r, \b, \f; every other C0
 * control, DEL and the C1 controls (U+0080..U+009F) \u00NN; the
 * bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069)
 * \u202a etc.; well-formed UTF-8 stays as it is. A byte that is not part
 * of well-formed UTF-8 becomes \u00NN, NN its value (so it reads as the
 * Latin-1 character of that byte), and the field KEY then has a sibling
 * KEY_hex: every byte of the original string in lowercase hex, so that
 * nothing is lost. */
#ifndef SBX_JSONLINE_H
#define SBX_JSONLINE_H

#include <stdbool.h>
#include <stddef.h>

struct sbx_jsonline {
	char *buf;
	size_t len, cap;
	bool oom;   /* a piece did not fit in memory: the line is not to be used */
	bool first; /* no field yet */
};

/* Start a line ("{"); J's buffer is kept across lines (sbx_jl_free). */
void sbx_jl_begin(struct sbx_jsonline *j);
/* "KEY": "S" for LEN bytes of S (any bytes), with KEY_hex when S is not
 * well-formed UTF-8. KEY is the caller's (a literal): it is not escaped. */
void sbx_jl_str(struct sbx_jsonline *j, const char *key, const char *s, size_t len);
/* The same for a NUL-terminated S; NULL gives "KEY": null. */
void sbx_jl_cstr(struct sbx_jsonline *j, const char *key, const char *s);
void sbx_jl_int(struct sbx_jsonline *j, const char *key, long long v);
void sbx_jl_bool(struct sbx_jsonline *j, const char *key, bool v);
/* End the line ("}\n"). 0 with *LINE and *LEN set (J's buffer), or
 * -ENOMEM. */
int sbx_jl_end(struct sbx_jsonline *j, const char **line, size_t *len);
void sbx_jl_free(struct sbx_jsonline *j);

/* Escape LEN bytes of IN as the inside of a JSON string, as above, into
 * J's buffer; true when IN was well-formed UTF-8. */
bool sbx_jl_escape(struct sbx_jsonline *j, const char *in, size_t len);

#endif
