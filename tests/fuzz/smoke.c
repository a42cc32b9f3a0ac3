/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fuzz target's main() without libFuzzer: every file of a seed corpus,
 * then pseudo-random mutations of them (bit flips, interesting bytes,
 * inserts, deletes, copies, dictionary tokens, splices), each handed to
 * LLVMFuzzerTestOneInput. A crash or abort fails the test.
 *   fuzz_NAME [CORPUS_DIR [DICT [RUNS]]]
 * RUNS defaults to $SBX_FUZZ_SMOKE_RUNS, else 20000; $SBX_FUZZ_SEED picks
 * another sequence. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

struct blob {
	uint8_t *data;
	size_t len;
};

struct list {
	struct blob *v;
	size_t n, cap;
};

static void push(struct list *l, const uint8_t *d, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	uint8_t *c = malloc(n + 1);
	if (!c)
		abort();
	memcpy(c, d, n);
	l->v[l->n++] = (struct blob){c, n};
}

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static void load_corpus(struct list *l, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz: cannot open the corpus %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		FILE *f = fopen(p, "rb");
		if (!f)
			continue;
		static uint8_t buf[1 << 20];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		push(l, buf, n);
	}
	closedir(d);
}

/* libFuzzer's dictionary format: one "token" a line (name= before it, #
 * comments), with \\, \" and \xNN escapes. */
static void load_dict(struct list *l, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "fuzz: cannot open the dictionary %s: %s\n", path, strerror(errno));
		exit(1);
	}
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		char *q = strchr(line, '"');
		if (line[0] == '#' || !q)
			continue;
		uint8_t tok[4096];
		size_t n = 0;
		for (char *s = q + 1; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1] == 'x' && s[2] && s[3]) {
				char hex[3] = {s[2], s[3], 0};
				tok[n++] = (uint8_t)strtoul(hex, NULL, 16);
				s += 3;
			} else if (*s == '\\' && s[1]) {
				tok[n++] = (uint8_t)*++s;
			} else {
				tok[n++] = (uint8_t)*s;
			}
		}
		push(l, tok, n);
	}
	fclose(f);
}

static size_t mutate(uint8_t *buf, size_t len, size_t max, const struct list *seeds,
		     const struct list *dict)
{
	static const uint8_t interesting[] = {0, 1, 0x7f, 0x80, 0xff, '/', '.', '\n', ' ', '*', '$',
					      '{', '}', ':', '#', '\\', '@', '[', ']', '-'};
	for (size_t k = 1 + below(6); k > 0; k--) {
		size_t at = below(len + 1);
		switch (below(8)) {
		case 0: /* flip a bit */
			if (len)
				buf[below(len)] ^= (uint8_t)(1u << below(8));
			break;
		case 1: /* an interesting byte */
			if (len)
				buf[below(len)] = interesting[below(sizeof(interesting))];
			break;
		case 2: { /* insert random bytes */
			size_t n = 1 + below(8);
			if (len + n > max)
				break;
			memmove(buf + at + n, buf + at, len - at);
			for (size_t i = 0; i < n; i++)
				buf[at + i] = (uint8_t)next();
			len += n;
			break;
		}
		case 3: { /* delete a range */
			size_t n = below(len - at + 1);
			if (below(4))
				n = n < 8 ? n : below(8);
			memmove(buf + at, buf + at + n, len - at - n);
			len -= n;
			break;
		}
		case 4: { /* copy a range elsewhere */
			if (!len)
				break;
			size_t from = below(len), n = 1 + below(len - from);
			if (len + n > max)
				break;
			uint8_t tmp[4096];
			n = n < sizeof(tmp) ? n : sizeof(tmp);
			memcpy(tmp, buf + from, n);
			memmove(buf + at + n, buf + at, len - at);
			memcpy(buf + at, tmp, n);
			len += n;
			break;
		}
		case 5:
		case 6: { /* a dictionary token, inserted or written over */
			if (!dict->n)
				break;
			const struct blob *t = &dict->v[below(dict->n)];
			if (below(2) && at + t->len <= len) {
				memcpy(buf + at, t->data, t->len);
			} else if (len + t->len <= max) {
				memmove(buf + at + t->len, buf + at, len - at);
				memcpy(buf + at, t->data, t->len);
				len += t->len;
			}
			break;
		}
		default: { /* splice: this one's head, another seed's tail */
			if (!seeds->n)
				break;
			const struct blob *o = &seeds->v[below(seeds->n)];
			size_t from = below(o->len + 1);
			size_t n = o->len - from;
			if (at + n > max)
				n = max - at;
			memcpy(buf + at, o->data + from, n);
			len = at + n;
			break;
		}
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	struct list seeds = {0}, dict = {0};
	if (argc > 1)
		load_corpus(&seeds, argv[1]);
	if (argc > 2 && argv[2][0])
		load_dict(&dict, argv[2]);
	unsigned long runs = 20000;
	const char *e = getenv("SBX_FUZZ_SMOKE_RUNS");
	if (argc > 3)
		runs = strtoul(argv[3], NULL, 10);
	else if (e)
		runs = strtoul(e, NULL, 10);
	if ((e = getenv("SBX_FUZZ_SEED")))
		rng ^= strtoull(e, NULL, 0) * 0x2545f4914f6cdd1du;
	push(&seeds, (const uint8_t *)"", 0);
	size_t max = sbx_fuzz_max_len;
	uint8_t *buf = malloc(max + 1);
	if (!buf)
		abort();
	for (size_t i = 0; i < seeds.n; i++) {
		size_t n = seeds.v[i].len < max ? seeds.v[i].len : max;
		memcpy(buf, seeds.v[i].data, n);
		LLVMFuzzerTestOneInput(buf, n);
	}
	for (unsigned long r = 0; r < runs; r++) {
		const struct blob *s = &seeds.v[below(seeds.n)];
		size_t n = s->len < max ? s->len : max;
		memcpy(buf, s->data, n);
		n = mutate(buf, n, max, &seeds, &dict);
		/* An exact-size buffer, so that ASan sees a read past its end. */
		uint8_t *in = malloc(n ? n : 1);
		if (!in)
			abort();
		memcpy(in, buf, n);
		LLVMFuzzerTestOneInput(in, n);
		free(in);
	}
	printf("%zu seeds and %lu mutations of them, no crash\n[  PASSED  ] 1 test(s).\n", seeds.n, runs);
	return 0;
}
