/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text that reaches a log line, a terminal or a JSON reader, made safe: what
 * a program names (a path, a socket name) may hold any byte. */
#ifndef SBX_ESCAPE_H
#define SBX_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* Escape LEN bytes of IN for one log line into OUT (SIZE bytes, always
 * NUL-terminated when SIZE > 0). Printable ASCII and well-formed UTF-8 stay
 * as they are; a backslash becomes "\\", newline, tab and carriage return
 * "\n", "\t", "\r"; every other C0 control byte, DEL, each byte of a C1
 * control (U+0080..U+009F) and each byte that is not part of well-formed
 * UTF-8 becomes "\xNN"; the bidirectional overrides and isolates
 * (U+202A..U+202E, U+2066..U+2069) become "\u202e" etc. An escape is never
 * cut: what does not fit is left out whole. Returns the length the whole
 * escaped text needs, not counting the NUL (as snprintf does). */
size_t sbx_escape_log(char *out, size_t size, const char *in, size_t len);

/* The length of the well-formed UTF-8 sequence at S (N > 0 bytes left), 0
 * if there is none (RFC 3629: no overlong forms, no surrogates,
 * <= U+10FFFF), and its code point in *CP. */
size_t sbx_utf8_len(const unsigned char *s, size_t n, uint32_t *cp);

/* The same for the inside of a JSON string (RFC 8259): '"' and '\' are
 * escaped, control bytes become \n, \t, \r, \b, \f or \u00NN, DEL and the
 * C1 controls \u007f and \u0080.., and a byte that is not well-formed UTF-8
 * becomes \ufffd (the replacement character), so the result is valid JSON
 * text and puts no raw control byte on a terminal. */
size_t sbx_escape_json(char *out, size_t size, const char *in, size_t len);

#endif
