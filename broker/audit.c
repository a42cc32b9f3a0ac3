/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The broker's decisions, told (audit.h).
 *
 * Stderr: a refusal's line is printed the first time that refusal is seen
 * (the same call, object and need, whatever the pid), within the rate
 * limit; repeats are counted, and told at the end with the summary. A
 * lookup of something that is not there (a loader's or a $PATH search's
 * probe) and a look at metadata are quiet: counted, and in the JSON log,
 * without a line; the summary is printed only when some refusal was not
 * quiet.
 *
 * The JSON log: every refusal, and allowed decisions with --log-allowed,
 * one object a line (common/jsonline.h), written whole with one write
 * under the log lock. */
#include "audit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "jsonline.h"
#include "log.h"
#include "pattern.h"
#include "util.h"

#define TABLE_MAX 4096   /* distinct refusals remembered */
#define TABLE_BYTES (4u << 20) /* and the bytes of their names, at most */
#define REPEATS_SHOWN 50 /* repeat lines at the end, at most */

struct seen {
	char *key;           /* call, object, need: what makes it distinct */
	char *what;          /* "openat(\"/etc/shadow\")" for the repeat line */
	unsigned long count;
	bool shown;          /* its line was printed */
};

struct audit {
	int fd;              /* the JSON log, or -1 */
	bool allowed;        /* --log-allowed */
	bool failed;         /* a write failed: said once, no more lines */
	struct seen *tab;    /* open addressing, TABLE_MAX * 2 slots */
	size_t n, bytes;
	unsigned long total, distinct, unshown;
	unsigned long loud; /* refusals that are not quiet */
	struct sbx_jsonline jl;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

int audit_open(struct broker *b, int fd, bool allowed)
{
	struct audit *a = calloc(1, sizeof(*a));
	if (!a || !(a->tab = calloc(TABLE_MAX * 2, sizeof(*a->tab)))) {
		free(a);
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	a->fd = fd;
	a->allowed = allowed;
	b->audit = a;
	return 0;
}

int audit_setup(struct broker *b, const char *file)
{
	struct audit *a = b->audit;
	if (a->fd >= 0 && fcntl(a->fd, F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		sbx_log_errno(e, "bad --log-fd %d", a->fd);
		return -e;
	}
	if (!file)
		return 0;
	if (a->fd >= 0) {
		sbx_log("--log-fd and --log-file: give one of them");
		return -EINVAL;
	}
	/* Ours, not the program's: made by the caller (we are unprivileged
	 * here), never through a symlink, appended to; O_NONBLOCK so that a
	 * FIFO there is refused, not waited on. */
	a->fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
		     0600);
	struct stat st;
	if (a->fd < 0 || fstat(a->fd, &st) < 0) {
		int e = errno;
		sbx_log("--log-file=%s: %s", file,
			e == ELOOP ? "is a symlink (name the file itself)" : strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		sbx_log("--log-file=%s: not a regular file", file);
		return -EINVAL;
	}
	return 0;
}

bool audit_allowed_wanted(const struct broker *b)
{
	return b->audit && b->audit->allowed && b->audit->fd >= 0;
}

void audit_free(struct broker *b)
{
	struct audit *a = b->audit;
	if (!a)
		return;
	for (size_t i = 0; i < TABLE_MAX * 2; i++) {
		free(a->tab[i].key);
		free(a->tab[i].what);
	}
	free(a->tab);
	sbx_jl_free(&a->jl);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	b->audit = NULL;
}

/* 20 lines a second, bursts of 50; log_lock held. */
static bool may_print_locked(struct broker *b)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long now = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (!b->log_bucket.last_ns)
		b->log_bucket.tokens = 50;
	else
		b->log_bucket.tokens += (double)(now - b->log_bucket.last_ns) * 20e-9;
	if (b->log_bucket.tokens > 50)
		b->log_bucket.tokens = 50;
	b->log_bucket.last_ns = now;
	if (b->log_bucket.tokens < 1) {
		b->log_bucket.suppressed++;
		return false;
	}
	b->log_bucket.tokens -= 1;
	if (b->log_bucket.suppressed) {
		sbx_log("(%lu more refusals not shown)", b->log_bucket.suppressed);
		b->log_bucket.suppressed = 0;
	}
	return true;
}

bool audit_may_print(struct broker *b)
{
	pthread_mutex_lock(&b->log_lock);
	bool r = may_print_locked(b);
	pthread_mutex_unlock(&b->log_lock);
	return r;
}

static const char *perm_name(unsigned need)
{
	if (need & SBX_PERM_WRITE)
		return "write";
	if (need & SBX_PERM_EXEC)
		return "exec";
	if (need & SBX_PERM_READ)
		return "read";
	return need & SBX_PERM_TEMP ? "temporary" : "stat";
}

/* The path rule that decided on REAL: a deny that names it; else, allowed,
 * the first rule granting part of NEED; refused, the first that names it
 * (granting less than NEED); NULL: no rule names it (the default deny). */
static const struct sbx_rule *path_rule(const struct sbx_policy *p, const char *real, unsigned need,
					bool allowed)
{
	const struct sbx_rule *found = NULL;
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct sbx_rule *r = &p->rules[i];
		if (!sbx_pattern_match(r->pattern, real))
			continue;
		if (r->kind == SBX_RULE_DENY)
			return r;
		if (!found && (!allowed || (r->perms & need)))
			found = r;
	}
	return found;
}

/* A network rule as its line would say it. */
static void net_rule_text(const struct sbx_net_rule *r, char *out, size_t size)
{
	const char *o = sbx_net_op_name(r->op), *p = sbx_net_proto_name(r->proto);
	char a[INET6_ADDRSTRLEN] = "any", ports[32];
	if (r->proto == SBX_NET_UNIX) {
		snprintf(out, size, "%s unix %s%s", o, r->abstract ? "@" : "", r->pattern ? r->pattern : "");
		return;
	}
	if (r->port_lo == 0 && r->port_hi == 65535)
		snprintf(ports, sizeof(ports), "*");
	else if (r->port_lo == r->port_hi)
		snprintf(ports, sizeof(ports), "%u", r->port_lo);
	else
		snprintf(ports, sizeof(ports), "%u-%u", r->port_lo, r->port_hi);
	bool v6 = r->family == AF_INET6;
	if (r->family == AF_INET || v6)
		inet_ntop(r->family, r->addr, a, sizeof(a));
	unsigned full = v6 ? 128 : 32;
	char pre[8] = "";
	if (r->family != AF_UNSPEC && r->prefix != full)
		snprintf(pre, sizeof(pre), "/%u", r->prefix);
	snprintf(out, size, "%s %s %s%s%s%s:%s", o, p, v6 ? "[" : "", a, pre, v6 ? "]" : "", ports);
}

/* The rule that decided E, as text and origin, and what would allow it
 * (SUGGEST, "" for nothing). */
static void decided_by(const struct broker *b, const struct audit_event *e, char *rule, size_t rsize,
		       const char **origin, char *suggest, size_t ssize)
{
	rule[0] = suggest[0] = '\0';
	*origin = NULL;
	if (e->net) {
		/* No network rule refuses: a refusal is the default's. */
		bool known = e->sa || e->proto == SBX_NET_UNIX;
		for (size_t i = 0; known && !e->answer && i < b->policy.n_net; i++) {
			const struct sbx_net_rule *r = &b->policy.net[i];
			if (sbx_netrule_match(r, e->op, e->proto, e->sa, e->salen, e->unix_path, e->abstract)) {
				net_rule_text(r, rule, rsize);
				*origin = r->origin;
				break;
			}
		}
		if (e->answer && e->suggest && e->peer)
			snprintf(suggest, ssize, "--%s='%s %s'", sbx_net_op_name(e->op),
				 sbx_net_proto_name(e->proto), e->peer);
		return;
	}
	const char *real = e->real && e->real[0] == '/' ? e->real : NULL;
	const struct sbx_rule *r = real ? path_rule(&b->policy, real, e->need, !e->answer) : NULL;
	if (r) {
		snprintf(rule, rsize, "%s %s", sbx_rule_kind_name(r->kind), r->pattern);
		*origin = r->origin;
	}
	if (e->answer && e->suggest && real && !(r && r->kind == SBX_RULE_DENY))
		snprintf(suggest, ssize, "%s %s", perm_name(e->need), real);
}

/* What the refusal's line names: call("path") or call("a", "b"), or
 * "connect tcp PEER". */
static void what_text(const struct audit_event *e, char *out, size_t size)
{
	if (e->net)
		snprintf(out, size, "%s %s %s", e->syscall, sbx_net_proto_name(e->proto), e->peer ? e->peer : "?");
	else if (e->path && e->path2)
		snprintf(out, size, "%s(\"%s\", \"%s\")", e->syscall, e->path, e->path2);
	else if (e->path)
		snprintf(out, size, "%s(\"%s\")", e->syscall, e->path);
	else
		snprintf(out, size, "%s", e->syscall);
}

/* Count E; true when it is new. Log lock held. */
static bool count_locked(struct audit *a, const struct audit_event *e, const char *what, struct seen **out)
{
	char key[PATH_MAX * 2 + 128];
	snprintf(key, sizeof(key), "%s\n%s\n%s\n%u\n%s", e->syscall, e->net ? (e->peer ? e->peer : "")
		 : e->real ? e->real : e->path ? e->path : "", e->path2 ? e->path2 : "", e->need,
		 e->why ? e->why : "");
	a->total++;
	a->loud += !e->quiet;
	*out = NULL;
	size_t k = hash(key) & (TABLE_MAX * 2 - 1);
	while (a->tab[k].key && strcmp(a->tab[k].key, key))
		k = (k + 1) & (TABLE_MAX * 2 - 1);
	struct seen *s = &a->tab[k];
	if (s->key) {
		s->count++;
		*out = s;
		return false;
	}
	a->distinct++;
	size_t cost = strlen(key) + strlen(what) + 2;
	if (a->n < TABLE_MAX && a->bytes + cost <= TABLE_BYTES && (s->key = strdup(key)) &&
	    (s->what = strdup(what))) {
		a->n++;
		a->bytes += cost;
		s->count = 1;
		*out = s;
	} else {
		free(s->key);
		s->key = NULL; /* the table is full: told, not remembered */
	}
	return true;
}

static void iso_time(char *out, size_t size)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
}

/* E's JSON line, written; log lock held. */
static void write_json_locked(struct audit *a, const struct audit_event *e, const char *rule,
			      const char *origin, const char *suggest)
{
	struct sbx_jsonline *j = &a->jl;
	char t[64];
	iso_time(t, sizeof(t));
	sbx_jl_begin(j);
	sbx_jl_cstr(j, "time", t);
	sbx_jl_int(j, "pid", e->pid);
	sbx_jl_cstr(j, "syscall", e->syscall);
	if (e->net) {
		sbx_jl_cstr(j, "proto", sbx_net_proto_name(e->proto));
		sbx_jl_cstr(j, "address", e->peer);
	} else {
		if (e->path)
			sbx_jl_cstr(j, "path", e->path);
		if (e->path2)
			sbx_jl_cstr(j, "path2", e->path2);
		sbx_jl_cstr(j, "real", e->real && e->real[0] == '/' ? e->real : NULL);
		if (e->need)
			sbx_jl_cstr(j, "need", perm_name(e->need));
	}
	sbx_jl_cstr(j, "rule", rule[0] ? rule : NULL);
	sbx_jl_cstr(j, "origin", origin);
	sbx_jl_cstr(j, "answer", !e->answer ? "allowed" : strerrorname_np(-e->answer) ? strerrorname_np(-e->answer) : "?");
	if (e->answer) {
		sbx_jl_cstr(j, "why", e->why);
		sbx_jl_cstr(j, "suggest", suggest[0] ? suggest : NULL);
		if (e->missing)
			sbx_jl_bool(j, "missing", true);
		if (e->quiet)
			sbx_jl_bool(j, "quiet", true);
	}
	const char *line;
	size_t len;
	if (sbx_jl_end(j, &line, &len) < 0)
		return;
	while (len) {
		ssize_t w = write(a->fd, line, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			a->failed = true;
			sbx_log_errno(w < 0 ? errno : EIO, "cannot write to the audit log (no more lines go there)");
			return;
		}
		line += w;
		len -= (size_t)w;
	}
}

void audit_decision(struct broker *b, const struct audit_event *e)
{
	struct audit *a = b->audit;
	if (!e->answer && !audit_allowed_wanted(b))
		return;
	char rule[PATH_MAX + 64], suggest[PATH_MAX + 64], what[PATH_MAX * 2 + 64];
	const char *origin;
	decided_by(b, e, rule, sizeof(rule), &origin, suggest, sizeof(suggest));
	what_text(e, what, sizeof(what));
	pthread_mutex_lock(&b->log_lock);
	if (a && a->fd >= 0 && !a->failed)
		write_json_locked(a, e, rule, origin, suggest);
	struct seen *s = NULL;
	bool fresh = !e->answer ? false : a ? count_locked(a, e, what, &s) : true;
	if (fresh) {
		bool print = !e->quiet && may_print_locked(b);
		if (s)
			s->shown = print;
		if (!print && a)
			a->unshown++;
		if (print) {
			char tail[PATH_MAX + 128] = "";
			if (suggest[0])
				snprintf(tail, sizeof(tail), "; add: %s", suggest);
			else if (!strncmp(rule, "deny ", 5))
				snprintf(tail, sizeof(tail), "; denied by '%s' (%s)", rule, origin ? origin : "?");
			if (e->net)
				sbx_log("refused %s for pid %u: %s%s", what, e->pid,
					e->why ? e->why : "not allowed by the policy", tail);
			else
				sbx_log("refused %s for pid %u: %s%s%s%s%s", what, e->pid,
					e->why ? e->why : "not allowed by the policy", e->need ? " (needs " : "",
					e->need ? perm_name(e->need) : "", e->need ? ")" : "", tail);
		}
	}
	pthread_mutex_unlock(&b->log_lock);
}

void audit_finish(struct broker *b)
{
	struct audit *a = b->audit;
	if (!a)
		return;
	pthread_mutex_lock(&b->log_lock);
	size_t told = 0;
	for (size_t i = 0; i < TABLE_MAX * 2 && told < REPEATS_SHOWN; i++) {
		const struct seen *s = &a->tab[i];
		if (s->key && s->shown && s->count > 1) {
			sbx_log("refused %s %lu times in all", s->what, s->count);
			told++;
		}
	}
	/* Only quiet ones (a loader's probes of missing files, metadata
	 * looks): nothing to say about a run that had no other refusal. */
	if (a->loud)
		sbx_log("%lu refusal%s (%lu distinct), %lu line%s not shown%s", a->total, a->total == 1 ? "" : "s",
			a->distinct, a->unshown, a->unshown == 1 ? "" : "s",
			a->unshown && a->fd < 0 ? " (--log-file=FILE has every one)" : "");
	pthread_mutex_unlock(&b->log_lock);
}
