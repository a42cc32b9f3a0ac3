/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's JSON lines (jsonline.h): the escapes, and every line a
 * valid JSON object in valid UTF-8, checked by a small strict parser here,
 * for chosen and for random bytes, with the _hex sibling giving the bytes
 * back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonline.h"

/* A strict reader of one flat JSON object a line: string, integer, true,
 * false and null values. Decoded string values (UTF-8; \u escapes of
 * U+0000..U+FFFF, no surrogates) go to VALS[i], keys to KEYS[i]. */
struct parsed {
	char keys[8][32];
	char vals[8][8192];
	size_t vlen[8];
	int n;
};

static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!l || i + l > n)
			return false;
		for (size_t k = 1; k < l; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += l;
	}
	return true;
}

static void put_utf8(char *out, size_t *o, unsigned cp)
{
	if (cp < 0x80) {
		out[(*o)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*o)++] = (char)(0xc0 | cp >> 6);
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*o)++] = (char)(0xe0 | cp >> 12);
		out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*o)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* A JSON string at *P into OUT (*OLEN); false when malformed. */
static bool str(const char **p, char *out, size_t size, size_t *olen)
{
	const char *s = *p;
	size_t o = 0;
	if (*s++ != '"')
		return false;
	while (*s != '"') {
		if (!*s || (unsigned char)*s < 0x20 || o + 4 >= size)
			return false;
		if (*s != '\\') {
			out[o++] = *s++;
			continue;
		}
		s++;
		const char *simple = strchr("\"\\/bfnrt", *s);
		if (*s && simple) {
			out[o++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
			s++;
		} else if (*s == 'u') {
			unsigned cp;
			char hex[5] = {0};
			memcpy(hex, s + 1, 4);
			if (strlen(hex) != 4 || strspn(hex, "0123456789abcdefABCDEF") != 4)
				return false;
			cp = (unsigned)strtoul(hex, NULL, 16);
			if (cp >= 0xd800 && cp <= 0xdfff)
				return false; /* no surrogates are written */
			put_utf8(out, &o, cp);
			s += 5;
		} else {
			return false;
		}
	}
	*p = s + 1;
	out[o] = '\0';
	*olen = o;
	return true;
}

static bool parse_line(const char *line, size_t len, struct parsed *r)
{
	if (!len || line[len - 1] != '\n' || memchr(line, '\n', len) != line + len - 1 ||
	    !utf8_ok((const unsigned char *)line, len))
		return false;
	const char *p = line;
	r->n = 0;
	if (*p++ != '{')
		return false;
	for (bool first = true; *p != '}'; first = false) {
		if (!first && (*p++ != ',' || *p++ != ' '))
			return false;
		if (r->n == 8)
			return false;
		size_t kl;
		if (!str(&p, r->keys[r->n], sizeof(r->keys[0]), &kl) || *p++ != ':' || *p++ != ' ')
			return false;
		r->vlen[r->n] = 0;
		r->vals[r->n][0] = '\0';
		if (*p == '"') {
			if (!str(&p, r->vals[r->n], sizeof(r->vals[0]), &r->vlen[r->n]))
				return false;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4)) {
			p += 4;
		} else if (!strncmp(p, "false", 5)) {
			p += 5;
		} else {
			char *end;
			(void)strtoll(p, &end, 10);
			if (end == p)
				return false;
			p = end;
		}
		r->n++;
	}
	return p[1] == '\n' && p + 2 == line + len;
}

static const char *value(const struct parsed *r, const char *key, size_t *len)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->keys[i], key)) {
			if (len)
				*len = r->vlen[i];
			return r->vals[i];
		}
	return NULL;
}

/* One line of a "path" field holding LEN bytes of IN. */
static void line_of(struct sbx_jsonline *j, const char *in, size_t len, const char **line, size_t *l)
{
	sbx_jl_begin(j);
	sbx_jl_int(j, "pid", 42);
	sbx_jl_str(j, "path", in, len);
	sbx_jl_bool(j, "quiet", false);
	sbx_jl_cstr(j, "rule", NULL);
	assert_int_equal(sbx_jl_end(j, line, l), 0);
}

struct esc_case {
	const char *in;
	size_t len;
	const char *line; /* the whole line expected */
};
#define S(x) x, sizeof(x) - 1
static const struct esc_case cases[] = {
	{S("/usr/lib/x.so"), "{\"pid\": 42, \"path\": \"/usr/lib/x.so\", \"quiet\": false, \"rule\": null}\n"},
	{S("a\nb\"c\\d"), "{\"pid\": 42, \"path\": \"a\\nb\\\"c\\\\d\", \"quiet\": false, \"rule\": null}\n"},
	{S("\t\r\b\f\033[31m\a\0\177"),
	 "{\"pid\": 42, \"path\": \"\\t\\r\\b\\f\\u001b[31m\\u0007\\u0000\\u007f\", \"quiet\": false, \"rule\": null}\n"},
	{S("csi\xc2\x9b" "2J \xe2\x80\xae" "caf\xc3\xa9"),
	 "{\"pid\": 42, \"path\": \"csi\\u009b2J \\u202ecaf\xc3\xa9\", \"quiet\": false, \"rule\": null}\n"},
	/* Invalid UTF-8: a lone 0xff, a cut sequence, an overlong '/', a surrogate. */
	{S("x\xff\xc3(\xc0\xaf\xed\xa0\x80"),
	 "{\"pid\": 42, \"path\": \"x\\u00ff\\u00c3(\\u00c0\\u00af\\u00ed\\u00a0\\u0080\", "
	 "\"path_hex\": \"78ffc328c0afeda080\", \"quiet\": false, \"rule\": null}\n"},
};

static void test_cases(void **state)
{
	(void)state;
	struct sbx_jsonline j = {0};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *line;
		size_t l;
		line_of(&j, cases[i].in, cases[i].len, &line, &l);
		assert_string_equal(line, cases[i].line);
		struct parsed *r = malloc(sizeof(*r));
		assert_non_null(r);
		assert_true(parse_line(line, l, r));
		free(r);
	}
	sbx_jl_free(&j);
}

/* The bytes of a _hex value. */
static size_t unhex(const char *h, char *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		char b[3] = {h[0], h[1], 0};
		out[n++] = (char)strtoul(b, NULL, 16);
	}
	return n;
}

/* Random bytes (biased towards controls, quotes, backslashes and UTF-8
 * lead and continuation bytes): every line parses, holds no raw control
 * byte, and gives the bytes back (from _hex when there is one, else from
 * the decoded string itself). */
static void test_random(void **state)
{
	(void)state;
	static const unsigned char pick[] = {'\n', '"', '\\', 0, 0x1b, 0x7f, 0x80, 0x9b, 0xbf, 0xc2,
					     0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xff, 'a', '/'};
	struct sbx_jsonline j = {0};
	struct parsed *r = malloc(sizeof(*r));
	assert_non_null(r);
	srand(7);
	for (int it = 0; it < 5000; it++) {
		char in[64], back[8192];
		size_t len = (size_t)(rand() % (int)sizeof(in));
		for (size_t i = 0; i < len; i++)
			in[i] = (char)(rand() % 3 ? pick[rand() % (int)sizeof(pick)] : rand() % 256);
		const char *line;
		size_t l;
		line_of(&j, in, len, &line, &l);
		assert_true(parse_line(line, l, r));
		for (size_t i = 0; i < l - 1; i++)
			assert_true((unsigned char)line[i] >= 0x20 && line[i] != 0x7f);
		size_t vl;
		const char *hex = value(r, "path_hex", NULL), *v = value(r, "path", &vl);
		assert_non_null(v);
		if (hex) {
			vl = unhex(hex, back);
			v = back;
		}
		assert_int_equal(vl, len);
		assert_memory_equal(v, in, len);
	}
	free(r);
	sbx_jl_free(&j);
}

/* A long string grows the buffer; the line is still whole. */
static void test_long(void **state)
{
	(void)state;
	char in[4096];
	memset(in, '\n', sizeof(in));
	struct sbx_jsonline j = {0};
	const char *line;
	size_t l;
	line_of(&j, in, sizeof(in), &line, &l);
	struct parsed *r = malloc(sizeof(*r));
	assert_non_null(r);
	assert_true(parse_line(line, l, r));
	size_t vl;
	assert_non_null(value(r, "path", &vl));
	assert_int_equal(vl, sizeof(in));
	free(r);
	sbx_jl_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
