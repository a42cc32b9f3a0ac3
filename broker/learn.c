/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "learn.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "broker.h"
#include "learnpolicy.h"
#include "log.h"
#include "util.h"

struct entry {
	char *path;
	unsigned perms, flags;
	bool found; /* granted on something there at least once */
};

struct learn {
	pthread_mutex_t lock;
	struct entry *tab; /* open addressing, by path */
	size_t cap, n;
	char **net;        /* rule lines, unique */
	size_t n_net, cap_net;
	bool failed;       /* out of memory: the record is incomplete */
	char file[PATH_MAX];
	char include[PATH_MAX];
	char cwd[PATH_MAX], home[PATH_MAX];
	struct sbx_policy base; /* the loaded policy's rules (not owned) */
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static bool grow(struct learn *l)
{
	size_t cap = l->cap ? l->cap * 2 : 1024;
	struct entry *t = calloc(cap, sizeof(*t));
	if (!t)
		return false;
	for (size_t i = 0; i < l->cap; i++) {
		if (!l->tab[i].path)
			continue;
		size_t k = hash(l->tab[i].path) & (cap - 1);
		while (t[k].path)
			k = (k + 1) & (cap - 1);
		t[k] = l->tab[i];
	}
	free(l->tab);
	l->tab = t;
	l->cap = cap;
	return true;
}

void learn_path(const struct broker *b, const char *path, unsigned perms, unsigned flags)
{
	struct learn *l = b->learn;
	if (!l || path[0] != '/')
		return;
	pthread_mutex_lock(&l->lock);
	if ((l->n + 1) * 2 > l->cap && !grow(l)) {
		l->failed = true;
	} else {
		size_t k = hash(path) & (l->cap - 1);
		while (l->tab[k].path && strcmp(l->tab[k].path, path))
			k = (k + 1) & (l->cap - 1);
		struct entry *e = &l->tab[k];
		if (!e->path && (e->path = strdup(path)))
			l->n++;
		if (!e->path)
			l->failed = true;
		e->perms |= perms;
		/* Missing is said of what was never found (made later, say). */
		if (!(flags & SBX_LEARN_MISSING))
			e->found = true;
		e->flags = (e->flags | flags) & ~(e->found ? SBX_LEARN_MISSING : 0u);
	}
	pthread_mutex_unlock(&l->lock);
}

/* A rule line for the address, or false for one a rule cannot name. */
static bool net_line(enum sbx_net_op op, enum sbx_net_proto proto, const struct sockaddr *addr,
		     size_t len, const char *path, bool abstract, char *out, size_t size)
{
	const char *o = sbx_net_op_name(op), *p = sbx_net_proto_name(proto);
	char a[INET6_ADDRSTRLEN];
	if (proto == SBX_NET_UNIX) {
		/* Every blank and control character: the parser splits at '\r'
		 * too, so "/x/bus\r" would be read as "/x/bus", a socket the
		 * run never used. */
		if (!path || !*path || strpbrk(path, "#$*"))
			return false;
		for (const char *c = path; *c; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f)
				return false;
		return snprintf(out, size, "%s unix %s%s", o, abstract ? "@" : "", path) < (int)size;
	}
	if (addr && addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)addr;
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		return snprintf(out, size, "%s %s %s:%u", o, p, a, ntohs(in->sin_port)) < (int)size;
	}
	if (addr && addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		return snprintf(out, size, "%s %s [%s]:%u", o, p, a, ntohs(in6->sin6_port)) < (int)size;
	}
	return false;
}

void learn_net(const struct broker *b, enum sbx_net_op op, enum sbx_net_proto proto,
	       const struct sockaddr *addr, size_t len, const char *path, bool abstract)
{
	struct learn *l = b->learn;
	char line[PATH_MAX + 32];
	if (!l || sbx_policy_net_check(&l->base, op, proto, addr, len, path, abstract) ||
	    !net_line(op, proto, addr, len, path, abstract, line, sizeof(line)))
		return;
	pthread_mutex_lock(&l->lock);
	bool seen = false;
	for (size_t i = 0; i < l->n_net && !seen; i++)
		seen = !strcmp(l->net[i], line);
	if (!seen && l->n_net == l->cap_net) {
		size_t cap = l->cap_net ? l->cap_net * 2 : 16;
		char **v = realloc(l->net, cap * sizeof(*v));
		if (v) {
			l->net = v;
			l->cap_net = cap;
		}
	}
	if (!seen && l->n_net < l->cap_net && (l->net[l->n_net] = strdup(line)))
		l->n_net++;
	else if (!seen)
		l->failed = true;
	pthread_mutex_unlock(&l->lock);
}

/* The base: the policy's own rules, without the command line's ("--read",
 * "--link", ...), whose grants the learned policy must hold itself. */
static int keep_base(struct learn *l, const struct sbx_policy *p)
{
	l->base.rules = calloc(p->n_rules + 1, sizeof(*p->rules));
	l->base.net = calloc(p->n_net + 1, sizeof(*p->net));
	if (!l->base.rules || !l->base.net)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_rules; i++)
		if (strncmp(p->rules[i].origin, "--", 2))
			l->base.rules[l->base.n_rules++] = p->rules[i];
	for (size_t i = 0; i < p->n_net; i++)
		if (strncmp(p->net[i].origin, "--", 2))
			l->base.net[l->base.n_net++] = p->net[i];
	return 0;
}

/* Everything but what a deny names (deny wins over any allow). */
static int grant_all(struct broker *b)
{
	static const char *const net[][2] = {
		{"c", "tcp any:*"}, {"c", "udp any:*"}, {"b", "tcp any:*"}, {"b", "udp any:*"},
		{"c", "unix /**"}, {"c", "unix @*"}, {"b", "unix /**"}, {"b", "unix @*"},
	};
	struct sbx_policy_vars none = {0};
	char *err = NULL;
	int r = sbx_policy_add_rule(&b->policy, SBX_RULE_WRITE, "/**", "--learn", &none, &err);
	if (r == 0)
		r = sbx_policy_add_rule(&b->policy, SBX_RULE_EXEC, "/**", "--learn", &none, &err);
	for (size_t i = 0; i < SBX_ARRAY_SIZE(net) && r == 0; i++)
		r = sbx_policy_add_net(&b->policy, net[i][0][0] == 'c' ? SBX_NET_CONNECT : SBX_NET_BIND,
				       net[i][1], "--learn", &err);
	if (r < 0)
		sbx_log("--learn: %s", err ? err : strerror(-r));
	free(err);
	return r;
}

int learn_begin(struct broker *b, const char *file, const char *policy)
{
	struct learn *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	pthread_mutex_init(&l->lock, NULL);
	b->learn = l;
	/* FILE: a regular file or a name to make, in a directory we may
	 * write; nothing is written before the end. */
	struct stat st;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", file);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		slash[slash == dir] = '\0';
	if (!*file || (stat(file, &st) == 0 && !S_ISREG(st.st_mode))) {
		sbx_log("--learn=%s: not a regular file", file);
		return -EINVAL;
	}
	if (access(dir, W_OK) < 0) {
		int e = errno;
		sbx_log("--learn=%s: cannot write in %s: %s", file, dir, strerror(e));
		return -e;
	}
	if (!realpath(dir, l->file) || strlen(l->file) + 2 + strlen(slash ? slash + 1 : file) >= PATH_MAX) {
		sbx_log("--learn=%s: cannot name it", file);
		return -ENAMETOOLONG;
	}
	snprintf(l->file + strlen(l->file), sizeof(l->file) - strlen(l->file), "%s%s",
		 strcmp(l->file, "/") ? "/" : "", slash ? slash + 1 : file);
	/* "include" names a shipped policy by name, a file by its real path. */
	if (strchr(policy, '/') ? !realpath(policy, l->include)
				: snprintf(l->include, sizeof(l->include), "%s", policy) >= (int)sizeof(l->include))
		l->include[0] = '\0';
	if (!getcwd(l->cwd, sizeof(l->cwd)))
		l->cwd[0] = '\0';
	const char *home = getenv("HOME");
	if (!home || !realpath(home, l->home))
		l->home[0] = '\0';
	int r = keep_base(l, &b->policy);
	if (r < 0)
		return r;
	b->policy.strict = true;
	b->policy.private_tmp = true;
	return grant_all(b);
}

static long count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	long n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* TEXT into FILE, whole or not at all: a new file beside it, renamed. */
static int write_whole(const char *file, const char *text)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text), done = 0;
	int r = 0;
	while (done < len && r == 0) {
		ssize_t n = SBX_RETRY(write(fd, text + done, len - done));
		if (n < 0)
			r = -errno;
		else
			done += (size_t)n;
	}
	if (r == 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, file) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

int learn_finish(struct broker *b, char *const *argv)
{
	struct learn *l = b->learn;
	if (!l)
		return 0;
	pthread_mutex_lock(&l->lock);
	struct sbx_learned *v = calloc(l->n + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; v && i < l->cap; i++)
		if (l->tab[i].path)
			v[n++] = (struct sbx_learned){l->tab[i].path, l->tab[i].perms, l->tab[i].flags};
	if (l->n_net)
		qsort(l->net, l->n_net, sizeof(*l->net), cmp_line);
	char cmd[1024];
	size_t o = 0;
	cmd[0] = '\0';
	for (size_t i = 0; argv && argv[i] && o + 1 < sizeof(cmd); i++) {
		int k = snprintf(cmd + o, sizeof(cmd) - o, "%s%s", i ? " " : "", argv[i]);
		o = k < 0 ? o : o + (size_t)k >= sizeof(cmd) ? sizeof(cmd) - 1 : o + (size_t)k;
	}
	struct sbx_learn_input in = {
		.paths = v,
		.n_paths = n,
		.net = (const char *const *)l->net,
		.n_net = l->n_net,
		.base = &l->base,
		.include = l->include[0] ? l->include : NULL,
		.tmpdir = b->tmpdir.path[0] ? b->tmpdir.path : NULL,
		.home = l->home[0] ? l->home : NULL,
		.cwd = l->cwd[0] ? l->cwd : NULL,
		.command = cmd,
		.entries = count_entries,
	};
	/* The command line's denies (the policy's own come with "include"). */
	const char **denies = calloc(b->policy.n_rules + 1, sizeof(*denies));
	for (size_t i = 0; denies && i < b->policy.n_rules; i++)
		if (b->policy.rules[i].kind == SBX_RULE_DENY && !strncmp(b->policy.rules[i].origin, "--", 2))
			denies[in.n_denies++] = b->policy.rules[i].pattern;
	in.denies = denies;
	size_t rules = 0;
	char *text = v && denies && !l->failed ? sbx_learn_policy(&in, &rules) : NULL;
	free(denies);
	pthread_mutex_unlock(&l->lock);
	free(v);
	int r = text ? write_whole(l->file, text) : -ENOMEM;
	free(text);
	if (r < 0)
		sbx_log_errno(r, "--learn: cannot write the policy to %s", l->file);
	else
		sbx_log("learned a policy of %zu rules from %zu paths into %s", rules, n, l->file);
	return r;
}

void learn_free(struct broker *b)
{
	struct learn *l = b->learn;
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++)
		free(l->tab[i].path);
	free(l->tab);
	for (size_t i = 0; i < l->n_net; i++)
		free(l->net[i]);
	free(l->net);
	free(l->base.rules);
	free(l->base.net);
	pthread_mutex_destroy(&l->lock);
	free(l);
	b->learn = NULL;
}
