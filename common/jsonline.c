/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "jsonline.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* Room for N more bytes (and a NUL). */
static bool room(struct sbx_jsonline *j, size_t n)
{
	if (j->oom)
		return false;
	if (j->len + n + 1 <= j->cap)
		return true;
	size_t cap = j->cap ? j->cap : 512;
	while (cap < j->len + n + 1)
		cap *= 2;
	char *b = realloc(j->buf, cap);
	if (!b) {
		j->oom = true;
		return false;
	}
	j->buf = b;
	j->cap = cap;
	return true;
}

static void put(struct sbx_jsonline *j, const char *s, size_t n)
{
	if (!room(j, n))
		return;
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct sbx_jsonline *j, const char *s)
{
	put(j, s, strlen(s));
}

bool sbx_jl_escape(struct sbx_jsonline *j, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	bool valid = true;
	for (size_t i = 0; i < len;) {
		char buf[8];
		uint32_t cp;
		size_t l = sbx_utf8_len(s + i, len - i, &cp);
		if (l == 0) {
			valid = false;
			snprintf(buf, sizeof(buf), "\\u%04x", s[i]);
			put(j, buf, 6);
			i++;
			continue;
		}
		const char *two = cp == '"' ? "\\\"" : cp == '\\' ? "\\\\" : cp == '\n' ? "\\n"
				: cp == '\t' ? "\\t" : cp == '\r' ? "\\r" : cp == '\b' ? "\\b"
				: cp == '\f' ? "\\f" : NULL;
		if (two) {
			put(j, two, 2);
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
			   (cp >= 0x2066 && cp <= 0x2069)) {
			snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
			put(j, buf, 6);
		} else {
			put(j, in + i, l);
		}
		i += l;
	}
	return valid;
}

void sbx_jl_begin(struct sbx_jsonline *j)
{
	j->len = 0;
	j->oom = false;
	j->first = true;
	put(j, "{", 1);
}

static void key(struct sbx_jsonline *j, const char *k, const char *suffix)
{
	puts_(j, j->first ? "\"" : ", \"");
	j->first = false;
	puts_(j, k);
	puts_(j, suffix);
	puts_(j, "\": ");
}

void sbx_jl_str(struct sbx_jsonline *j, const char *k, const char *s, size_t len)
{
	key(j, k, "");
	put(j, "\"", 1);
	bool valid = sbx_jl_escape(j, s, len);
	put(j, "\"", 1);
	if (valid)
		return;
	key(j, k, "_hex");
	put(j, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		char h[3];
		snprintf(h, sizeof(h), "%02x", (unsigned char)s[i]);
		put(j, h, 2);
	}
	put(j, "\"", 1);
}

void sbx_jl_cstr(struct sbx_jsonline *j, const char *k, const char *s)
{
	if (s) {
		sbx_jl_str(j, k, s, strlen(s));
	} else {
		key(j, k, "");
		puts_(j, "null");
	}
}

void sbx_jl_int(struct sbx_jsonline *j, const char *k, long long v)
{
	char buf[32];
	key(j, k, "");
	snprintf(buf, sizeof(buf), "%lld", v);
	puts_(j, buf);
}

void sbx_jl_bool(struct sbx_jsonline *j, const char *k, bool v)
{
	key(j, k, "");
	puts_(j, v ? "true" : "false");
}

int sbx_jl_end(struct sbx_jsonline *j, const char **line, size_t *len)
{
	put(j, "}\n", 2);
	if (j->oom)
		return -ENOMEM;
	*line = j->buf;
	*len = j->len;
	return 0;
}

void sbx_jl_free(struct sbx_jsonline *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}
