/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Executables in the empty root: the broker decides, init binds. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "decide.h"
#include "learn.h"
#include "learnpolicy.h"
#include "log.h"
#include "resolve.h"
#include "util.h"

#define MAX_CHAIN 4
#define MAX_LINKS 40

struct links {
	const struct broker *b;
	bool implicit;
	size_t n;
	char *path[MAX_LINKS];
	char *target[MAX_LINKS];
};

static int record_link(void *ctx, const char *link_path, const char *target)
{
	struct links *l = ctx;
	if (!target) /* leaving a directory by ".." */
		return l->implicit || decide_visible(l->b, link_path) ? 0 : -EACCES;
	if (!l->implicit && !(sbx_policy_check(&l->b->policy, link_path) & SBX_PERM_STAT))
		return -EACCES;
	if (!l->implicit)
		learn_path(l->b, link_path, SBX_PERM_STAT, 0);
	if (l->n >= MAX_LINKS)
		return -ELOOP;
	l->path[l->n] = strdup(link_path);
	l->target[l->n] = strdup(target);
	l->n++;
	if (!l->path[l->n - 1] || !l->target[l->n - 1])
		return -ENOMEM;
	return 0;
}

static void links_free(struct links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->target[i]);
	}
}

/* Have init recreate, in the root, each symlink a walk followed. */
static int send_links(struct broker *b, const struct links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *s[2] = {l->path[i], l->target[i]};
		char buf[PATH_MAX * 2 + 2];
		ssize_t len = sbx_payload_pack(buf, sizeof(buf), NULL, 0, s, 2);
		if (len < 0)
			return (int)len;
		int r;
		if ((r = sbx_rootview_add(&b->root, l->path[i], S_IFLNK, l->target[i])) < 0 ||
		    (r = broker_root_request(b, SBX_MSG_ROOT_SYMLINK, buf, (size_t)len)) < 0)
			return r;
	}
	return 0;
}

/* The interpreter an executable names: PT_INTERP of an ELF file, or the
 * first word of a "#!" line. Returns 1 with INTERP set, 0 for none. */
static int find_interp(int pathfd, char *interp, size_t size, bool *is_elf)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	_cleanup_close_ int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	unsigned char hdr[512];
	ssize_t n = SBX_RETRY(pread(fd, hdr, sizeof(hdr), 0));
	if (n < 0)
		return -errno;
	*is_elf = false;
	if (n >= 2 && hdr[0] == '#' && hdr[1] == '!') {
		size_t i = 2, j = 0;
		while (i < (size_t)n && (hdr[i] == ' ' || hdr[i] == '\t'))
			i++;
		while (i < (size_t)n && hdr[i] != ' ' && hdr[i] != '\t' && hdr[i] != '\n' && j + 1 < size)
			interp[j++] = (char)hdr[i++];
		interp[j] = '\0';
		return j && interp[0] == '/' ? 1 : -ENOEXEC;
	}
	if ((size_t)n < sizeof(Elf64_Ehdr) || memcmp(hdr, ELFMAG, SELFMAG))
		return -ENOEXEC;
	*is_elf = true;
	Elf64_Ehdr eh;
	memcpy(&eh, hdr, sizeof(eh));
	if (hdr[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
		return -ENOEXEC;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (SBX_RETRY(pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph)))) !=
		    (ssize_t)sizeof(ph))
			return -ENOEXEC;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > size)
			return -ENOEXEC;
		if (SBX_RETRY(pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset)) != (ssize_t)ph.p_filesz ||
		    interp[ph.p_filesz - 1] != '\0' || interp[0] != '/')
			return -ENOEXEC;
		return 1;
	}
	return 0;
}

/* RUNS: PATH is what runs as the program (what was asked for, or a
 * script's interpreter), not an ELF file's loader. */
static int plan_one(struct broker *b, const char *path, bool implicit, bool runs, int depth,
		    char *canon, size_t size)
{
	if (depth > MAX_CHAIN)
		return -ELOOP;
	struct links l = {.b = b, .implicit = implicit};
	struct sbx_resolved *res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	int r = sbx_resolve(b->rootfd, path, 0, record_link, &l, res);
	if (r < 0)
		goto out;
	if (!S_ISREG(res->st.st_mode)) {
		r = -EACCES;
		goto out;
	}
	if (!implicit && !(sbx_policy_check(&b->policy, res->path) & SBX_PERM_EXEC)) {
		r = -EACCES;
		goto out;
	}
	if (!implicit)
		learn_path(b, res->path, SBX_PERM_EXEC, 0);
	if (faccessat(res->fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
		r = -errno;
		goto out;
	}
	char interp[PATH_MAX];
	bool is_elf = false;
	r = find_interp(res->fd, interp, sizeof(interp), &is_elf);
	if (r < 0)
		goto out;
	if (r == 1) {
		char ican[PATH_MAX];
		/* An ELF file's loader comes with it; a script's interpreter
		 * must itself be allowed to run. */
		r = plan_one(b, interp, implicit || is_elf, !is_elf, depth + 1, ican, sizeof(ican));
		if (r < 0)
			goto out;
	}
	if ((r = send_links(b, &l)) < 0)
		goto out;
	struct sbx_bind_req req = {
		.dev = res->st.st_dev, .ino = res->st.st_ino, .mode = res->st.st_mode & S_IFMT,
	};
	const char *s[1] = {res->path};
	char buf[sizeof(req) + PATH_MAX];
	ssize_t len = sbx_payload_pack(buf, sizeof(buf), &req, sizeof(req), s, 1);
	if (len < 0) {
		r = (int)len;
		goto out;
	}
	if ((r = sbx_rootview_add(&b->root, res->path, S_IFREG, NULL)) < 0 ||
	    (r = broker_root_request(b, SBX_MSG_ROOT_BIND, buf, (size_t)len)) < 0)
		goto out;
	/* Run directly: what was asked for, what an exec rule names, and the
	 * interpreter of the command-line script (the image the kernel runs
	 * for it); an ELF interpreter is only the loader of others (run by
	 * hand, ld.so would load any file the program can read). */
	if ((runs && (depth == 0 || implicit)) || (sbx_policy_check(&b->policy, res->path) & SBX_PERM_EXEC))
		sbx_rootview_mark_exec(&b->root, res->path, res->st.st_dev, res->st.st_ino);
	if (canon && snprintf(canon, size, "%s", res->path) >= (int)size)
		r = -ENAMETOOLONG;
out:
	if (r < 0 && depth > 0)
		sbx_log_errno(r, "cannot prepare the interpreter %s", path);
	sbx_closep(&res->fd);
	free(res);
	links_free(&l);
	return r;
}

int plan_exec(struct broker *b, const char *path, bool implicit, char *canon, size_t size)
{
	pthread_mutex_lock(&b->root_lock);
	int r = plan_one(b, path, implicit, true, 0, canon, size);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}

static int plan_dir_locked(struct broker *b, const char *path, bool implicit, char *canon)
{
	struct links l = {.b = b, .implicit = implicit};
	struct sbx_resolved *res = malloc(sizeof(*res));
	if (!res)
		return -ENOMEM;
	int r = sbx_resolve(b->rootfd, path, 0, record_link, &l, res);
	if (r == 0 && !S_ISDIR(res->st.st_mode))
		r = -ENOTDIR;
	/* A directory granted, or on the way to something granted. */
	if (r == 0 && !implicit && !sbx_policy_check(&b->policy, res->path) &&
	    !sbx_policy_covers_below(&b->policy, res->path))
		r = -EACCES;
	if (r == 0 && !implicit)
		learn_path(b, res->path, SBX_PERM_STAT, SBX_LEARN_DIR);
	if (r == 0)
		r = send_links(b, &l);
	if (r == 0) {
		const char *s[1] = {res->path};
		char buf[PATH_MAX + 1];
		ssize_t len = sbx_payload_pack(buf, sizeof(buf), NULL, 0, s, 1);
		r = len < 0 ? (int)len : sbx_rootview_add(&b->root, res->path, S_IFDIR, NULL);
		if (r == 0)
			r = broker_root_request(b, SBX_MSG_ROOT_DIR, buf, (size_t)len);
	}
	if (r == 0 && canon)
		memcpy(canon, res->path, strlen(res->path) + 1);
	sbx_closep(&res->fd);
	free(res);
	links_free(&l);
	return r;
}

int plan_dir(struct broker *b, const char *path, bool implicit, char *canon)
{
	pthread_mutex_lock(&b->root_lock);
	int r = plan_dir_locked(b, path, implicit, canon);
	pthread_mutex_unlock(&b->root_lock);
	return r;
}
