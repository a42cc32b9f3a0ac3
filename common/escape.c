/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t sbx_utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t l;
	unsigned char lo = 0x80, hi = 0xbf; /* the range of the second byte */
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		l = 2;
		*cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		l = 3;
		*cp = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		l = 4;
		*cp = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < l)
		return 0;
	for (size_t i = 1; i < l; i++) {
		unsigned char b = s[i];
		if (i == 1 ? b < lo || b > hi : b < 0x80 || b > 0xbf)
			return 0;
		*cp = *cp << 6 | (b & 0x3f);
	}
	return l;
}

struct sink {
	char *out;
	size_t size, need;
	bool full; /* once a piece did not fit, nothing after it goes in */
};

static void put(struct sink *k, const char *s, size_t l)
{
	if (!k->full && k->size && k->need + l < k->size)
		memcpy(k->out + k->need, s, l);
	else
		k->full = true;
	k->need += l;
}

static bool bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static size_t escape(char *out, size_t size, const char *in, size_t len, bool json)
{
	struct sink k = {.out = out, .size = size};
	size_t done = 0; /* bytes of OUT that hold whole pieces */
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < len;) {
		char buf[16];
		const char *piece = buf;
		size_t pl;
		uint32_t cp;
		size_t l = sbx_utf8_len(s + i, len - i, &cp);
		if (l == 0) {
			pl = json ? (size_t)snprintf(buf, sizeof(buf), "\\ufffd")
				  : (size_t)snprintf(buf, sizeof(buf), "\\x%02x", s[i]);
			l = 1;
		} else if (cp == '\\' || (json && cp == '"')) {
			buf[0] = '\\';
			buf[1] = (char)cp;
			pl = 2;
		} else if (cp == '\n' || cp == '\t' || cp == '\r' || (json && (cp == '\b' || cp == '\f'))) {
			buf[0] = '\\';
			buf[1] = cp == '\n' ? 'n' : cp == '\t' ? 't' : cp == '\r' ? 'r' : cp == '\b' ? 'b' : 'f';
			pl = 2;
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			if (json)
				pl = (size_t)snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
			else /* each byte, as it was (C1 controls are two) */
				for (size_t j = pl = 0; j < l; j++)
					pl += (size_t)snprintf(buf + pl, sizeof(buf) - pl, "\\x%02x", s[i + j]);
		} else if (bidi_control(cp)) {
			pl = (size_t)snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
		} else {
			piece = in + i;
			pl = l;
		}
		put(&k, piece, pl);
		if (!k.full)
			done = k.need;
		i += l;
	}
	if (size)
		out[done < size ? done : size - 1] = '\0';
	return k.need;
}

size_t sbx_escape_log(char *out, size_t size, const char *in, size_t len)
{
	return escape(out, size, in, len, false);
}

size_t sbx_escape_json(char *out, size_t size, const char *in, size_t len)
{
	return escape(out, size, in, len, true);
}
