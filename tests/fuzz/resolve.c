/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the broker's path walker (sbx_resolve) on a scratch tree
 * the harness makes, with symlinks up, down, absolute, looping and chained,
 * a FIFO, a long name. The tree stands for "/". Input: byte 0 the flags
 * (bit 0 NOFOLLOW, bit 1 ALLOW_PROC, bit 2 the callback refuses its Nth
 * call, N from byte 1), then the path (made absolute). Checks:
 *   - what is opened is inside the tree, and the canonical path it reports
 *     names exactly that object (by /proc/self/fd and by device and inode);
 *   - the path is canonical: no "//", ".", ".." or trailing '/';
 *   - with no symlink on the way, it is the lexical form of the request;
 *   - the kernel (openat2 RESOLVE_IN_ROOT from the tree) reaches the same
 *     object whenever the walk reaches one;
 *   - no fd is left open.
 * Built by tests/fuzz.sh with libFuzzer, or with smoke.c (meson). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz.h"
#include "resolve.h"

const size_t sbx_fuzz_max_len = 2 + PATH_MAX + 64;

static char tree[64], real_tree[PATH_MAX];
static int rootfd = -1;
static int fds_at_start;

static void mk(const char *kind, const char *name, const char *target)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", tree, name);
	int r = kind[0] == 'd' ? mkdir(p, 0755)
		: kind[0] == 'l' ? symlink(target, p)
		: kind[0] == 'p' ? mkfifo(p, 0600)
		: close(open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	if (r < 0) {
		perror(p);
		abort();
	}
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void init(void)
{
	snprintf(tree, sizeof(tree), "%s", sbx_fuzz_scratch("resolve"));
	if (!realpath(tree, real_tree))
		abort();
	mk("d", "d", NULL);
	mk("d", "d/sub", NULL);
	mk("d", "d/sub/deeper", NULL);
	mk("f", "d/f", NULL);
	mk("f", "d/sub/g", NULL);
	mk("d", "etc", NULL);
	mk("f", "etc/passwd", NULL);
	mk("d", "tmp", NULL);
	mk("p", "d/fifo", NULL);
	mk("l", "l", "d/f");
	mk("l", "abs", "/d");
	mk("l", "absf", "/d/sub/g");
	mk("l", "loop", "loop");
	mk("l", "loopa", "loopb");
	mk("l", "loopb", "loopa");
	mk("l", "up", "../../..");
	mk("l", "dl", "d");
	mk("l", "dot", ".");
	mk("l", "dangling", "nowhere/at/all");
	mk("l", "d/sub/back", "../..");
	mk("l", "d/sub/esc", "../../../../../../etc/passwd");
	mk("l", "d/sub/absesc", "/../../../etc");
	mk("l", "d/sub/updir", "../sub/../f");
	mk("l", "d/sub/self", "../sub");
	mk("l", "proc", "/proc/self");
	mk("l", "host", tree); /* the tree's host path: inside it, nowhere */
	mk("l", "slash", "/");
	mk("l", "trail", "d/");
	mk("l", "ftrail", "d/f/");
	char name[300], prev[300] = "d/sub/g";
	for (int i = 0; i < 42; i++) { /* a chain past the symlink limit */
		snprintf(name, sizeof(name), "c%d", i);
		mk("l", name, prev);
		snprintf(prev, sizeof(prev), "/c%d", i);
	}
	memset(name, 'n', 255);
	name[255] = '\0';
	mk("d", name, NULL);
	rootfd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	fds_at_start = count_fds();
}

static bool canonical(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!strcmp(p, "/"))
		return true;
	size_t l = strlen(p);
	if (p[l - 1] == '/' || strstr(p, "//"))
		return false;
	for (const char *s = p; (s = strchr(s, '/')); s++) {
		size_t c = strcspn(s + 1, "/");
		if ((c == 1 && s[1] == '.') || (c == 2 && s[1] == '.' && s[2] == '.'))
			return false;
	}
	return true;
}

struct ctx {
	int calls, refuse_at, links;
};

static int cb(void *vctx, const char *link_path, const char *target)
{
	struct ctx *c = vctx;
	if (!canonical(link_path))
		abort();
	if (target)
		c->links++;
	if (++c->calls == c->refuse_at)
		return -EPERM;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long runs;
	if (rootfd < 0)
		init();
	if (size < 2)
		return 0;
	unsigned flags = 0;
	if (data[0] & 1)
		flags |= SBX_RESOLVE_NOFOLLOW;
	if (data[0] & 2)
		flags |= SBX_RESOLVE_ALLOW_PROC;
	struct ctx c = {.refuse_at = data[0] & 4 ? data[1] % 8 + 1 : 0};
	char path[PATH_MAX + 64];
	size_t n = size - 2 < sizeof(path) - 2 ? size - 2 : sizeof(path) - 2;
	path[0] = '/';
	memcpy(path + 1, data + 2, n);
	path[n + 1] = '\0'; /* up to the first NUL */
	const char *asked = path[1] == '/' ? path + 1 : path;

	static struct sbx_resolved out;
	int r = sbx_resolve(rootfd, asked, flags, cb, &c, &out);
	if (r > 0)
		abort();
	if (r < 0) {
		if (out.fd != -1)
			abort();
		if (r == -ENOENT && !canonical(out.path))
			abort();
		/* Missing for the walk: missing for the kernel too. */
		if (r == -ENOENT && !(c.refuse_at && c.calls >= c.refuse_at)) {
			struct open_how how = {
				.flags = O_PATH | O_CLOEXEC | ((flags & SBX_RESOLVE_NOFOLLOW) ? O_NOFOLLOW : 0),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
			};
			int kfd = (int)syscall(SYS_openat2, rootfd, asked, &how, sizeof(how));
			if (kfd >= 0) {
				fprintf(stderr, "fuzz: %s is missing for the walk (%s), not for the kernel\n", asked,
					out.path);
				abort();
			}
		}
	} else {
		if (out.fd < 0 || !canonical(out.path))
			abort();
		/* Where the fd is, by the kernel's word. */
		char link[64], where[PATH_MAX + 1];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", out.fd);
		ssize_t l = readlink(link, where, sizeof(where) - 1);
		if (l < 0)
			abort();
		where[l] = '\0';
		size_t tl = strlen(real_tree);
		const char *tail = !strcmp(out.path, "/") ? "" : out.path;
		if (strncmp(where, real_tree, tl) || strcmp(where + tl, tail)) {
			fprintf(stderr, "fuzz: %s resolved to %s, opened %s\n", asked, out.path, where);
			abort();
		}
		struct stat st;
		if (fstat(out.fd, &st) < 0 || st.st_dev != out.st.st_dev || st.st_ino != out.st.st_ino)
			abort();
		/* No symlink on the way: the lexical form. */
		char lex[PATH_MAX];
		if (!c.links && sbx_path_lexical(asked, lex, sizeof(lex)) && strcmp(lex, out.path)) {
			fprintf(stderr, "fuzz: %s resolved to %s, lexically %s\n", asked, out.path, lex);
			abort();
		}
		/* The kernel, with the tree as its root, reaches the same. */
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC | ((flags & SBX_RESOLVE_NOFOLLOW) ? O_NOFOLLOW : 0),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		int kfd;
		/* EAGAIN: a rename somewhere on the machine while ".." was
		 * looked up; the kernel asks to try again. On a busy machine
		 * a path of many ".." may never get through: not compared.
		 * ELOOP: a lookup the kernel restarted out of RCU mode counts
		 * the links of both tries (this kernel's quirk): again. */
		for (int i = 0; (kfd = (int)syscall(SYS_openat2, rootfd, asked, &how, sizeof(how))) < 0 &&
				(errno == EAGAIN || errno == ELOOP) && i < 100; i++)
			;
		struct stat kst;
		if (kfd < 0 && errno == EAGAIN)
			;
		else if (kfd < 0 || fstat(kfd, &kst) < 0 || kst.st_dev != st.st_dev || kst.st_ino != st.st_ino) {
			fprintf(stderr, "fuzz: %s resolved to %s; the kernel: %s\n", asked, out.path,
				kfd < 0 ? strerror(errno) : "another object");
			abort();
		}
		if (kfd >= 0)
			close(kfd);
		close(out.fd);
	}
	if (++runs % 4096 == 0 && count_fds() != fds_at_start) {
		fprintf(stderr, "fuzz: fds leaked: %d open, %d at the start\n", count_fds(), fds_at_start);
		abort();
	}
	return 0;
}
