/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --pids-max and --memory-max: a cgroup of the sandbox's own, made inside
 * the cgroup the caller runs in when that one is delegated to the caller
 * (writable by them). cgroup v2 (unified) and v1 (one hierarchy per
 * controller) are both handled; the project's test machines have v1
 * hierarchies only, so no test here exercises the v2 path yet. init is
 * moved in before the program starts, so everything in the sandbox is
 * counted. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "util.h"

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = SBX_RETRY(write(fd, text, strlen(text)));
	return n < 0 ? -errno : 0;
}

/* The caller's cgroup in the hierarchy of CONTROLLER ("" for v2). */
static int own_cgroup(const char *controller, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	char line[PATH_MAX + 64];
	int r = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		bool match = !*controller ? !strcmp(line, "0") && !*ctrls : false;
		for (char *save = NULL, *t = *controller ? strtok_r((char *)ctrls, ",", &save) : NULL; t;
		     t = strtok_r(NULL, ",", &save))
			match = match || !strcmp(t, controller);
		if (!match)
			continue;
		const char *mnt = *controller ? controller : "";
		int n = snprintf(out, size, "/sys/fs/cgroup%s%s%s", *mnt ? "/" : "", mnt,
				 strcmp(path, "/") ? path : "");
		r = n < (int)size ? 0 : -ENAMETOOLONG;
		break;
	}
	fclose(f);
	return r;
}

static bool is_fs(const char *dir, long magic)
{
	struct statfs sf;
	return statfs(dir, &sf) == 0 && sf.f_type == magic;
}

/* Make BASE/PREFIX-PID and lock it for our life (leftover.c); returns 0
 * with DIR set. EXISTING: it may be there already. */
static int make_child(struct broker *b, const char *base, const char *prefix, pid_t pid, bool existing,
		      char *dir, size_t size)
{
	if (access(base, W_OK) < 0)
		return -EACCES;
	if (snprintf(dir, size, "%s/%s-%d", base, prefix, (int)pid) >= (int)size)
		return -ENAMETOOLONG;
	int fd = -EAGAIN;
	for (int tries = 0; fd == -EAGAIN && tries < 16; tries++) {
		if (mkdir(dir, 0755) < 0 && (errno != EEXIST || !existing))
			return -errno;
		fd = leftover_claim(dir); /* -EAGAIN: a sweep took it */
	}
	if (fd < 0) {
		rmdir(dir);
		return fd;
	}
	b->cgroup_locks[b->n_cgroup_locks++] = fd;
	return 0;
}

void cgroup_sweep(int *busy)
{
	char base[PATH_MAX];
	if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
		if (own_cgroup("", base, sizeof(base)) == 0) {
			(void)leftover_sweep(base, "sandbox-", true, false, busy);
			(void)leftover_sweep(base, "broker-", true, false, busy);
		}
		return;
	}
	static const char *const v1[] = {"pids", "memory"};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(v1); i++)
		if (own_cgroup(v1[i], base, sizeof(base)) == 0 && is_fs(base, CGROUP_SUPER_MAGIC))
			(void)leftover_sweep(base, "sandbox-", true, false, busy);
}

/* What to do when there is no cgroup of the caller's to limit the sandbox in. */
#define DELEGATE_HINT                                                                              \
	"start the sandbox in a delegated cgroup of its own, e.g. "                                \
	"systemd-run --user --scope -p Delegate=yes sandbox-helper ..."

int cgroup_confine(struct broker *b)
{
	if (b->pids_max < 0 && b->memory_max < 0)
		return 0;
	char base[PATH_MAX], pid[32], val[32];
	snprintf(pid, sizeof(pid), "%d", (int)b->init_pid);
	int r;
	if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
		if ((r = own_cgroup("", base, sizeof(base))) < 0)
			return r;
		char *dir = b->cgroups[b->n_cgroups];
		if ((r = make_child(b, base, "sandbox", b->init_pid, false, dir, PATH_MAX)) < 0) {
			sbx_log("no cgroup is delegated to you at %s (%s): %s", base, strerror(-r), DELEGATE_HINT);
			return r;
		}
		b->n_cgroups++;
		/* Controllers are enabled from the parent, which must then hold
		 * no process: move ourselves to a leaf beside the sandbox's. The
		 * launcher must not share the cgroup (a scope of our own). */
		char self[PATH_MAX], me[32];
		snprintf(me, sizeof(me), "%d", (int)getpid());
		if ((r = make_child(b, base, "broker", getpid(), true, self, sizeof(self))) < 0 ||
		    (r = write_file(self, "cgroup.procs", me)) < 0) {
			sbx_log_errno(r, "cannot move the broker to %s", self);
			return r;
		}
		const char *want = b->pids_max >= 0 && b->memory_max >= 0 ? "+pids +memory"
				   : b->pids_max >= 0 ? "+pids" : "+memory";
		if ((r = write_file(base, "cgroup.subtree_control", want)) < 0) {
			sbx_log("cannot enable %s in %s (%s): %s", want, base, strerror(-r), DELEGATE_HINT);
			return r;
		}
		if (b->pids_max >= 0) {
			snprintf(val, sizeof(val), "%lld", b->pids_max);
			if ((r = write_file(dir, "pids.max", val)) < 0)
				return r;
		}
		if (b->memory_max >= 0) {
			snprintf(val, sizeof(val), "%lld", b->memory_max);
			if ((r = write_file(dir, "memory.max", val)) < 0)
				return r;
			/* No swap either, where swap is accounted. */
			(void)write_file(dir, "memory.swap.max", "0");
		}
		return write_file(dir, "cgroup.procs", pid);
	}
	/* v1: one hierarchy per controller. */
	static const struct {
		const char *controller, *file;
	} v1[] = {{"pids", "pids.max"}, {"memory", "memory.limit_in_bytes"}};
	for (size_t i = 0; i < SBX_ARRAY_SIZE(v1); i++) {
		long long limit = i == 0 ? b->pids_max : b->memory_max;
		if (limit < 0)
			continue;
		if ((r = own_cgroup(v1[i].controller, base, sizeof(base))) < 0 ||
		    !is_fs(base, CGROUP_SUPER_MAGIC)) {
			sbx_log("no %s cgroup hierarchy here", v1[i].controller);
			return r < 0 ? r : -ENOENT;
		}
		char *dir = b->cgroups[b->n_cgroups];
		if ((r = make_child(b, base, "sandbox", b->init_pid, false, dir, PATH_MAX)) < 0) {
			sbx_log("no %s cgroup is delegated to you at %s (%s): %s", v1[i].controller, base,
				strerror(-r), DELEGATE_HINT);
			return r;
		}
		b->n_cgroups++;
		snprintf(val, sizeof(val), "%lld", limit);
		if ((r = write_file(dir, v1[i].file, val)) < 0 || (r = write_file(dir, "cgroup.procs", pid)) < 0) {
			sbx_log_errno(r, "cannot set up the cgroup %s", dir);
			return r;
		}
	}
	return 0;
}

void cgroup_remove(struct broker *b)
{
	/* Everything in them is dead; the kernel may take a moment to let go. */
	for (size_t i = 0; i < b->n_cgroups; i++) {
		int tries = 50;
		while (rmdir(b->cgroups[i]) < 0 && errno == EBUSY && tries--)
			usleep(10000);
	}
	b->n_cgroups = 0;
	for (size_t i = 0; i < b->n_cgroup_locks; i++)
		sbx_closep(&b->cgroup_locks[i]);
	b->n_cgroup_locks = 0;
}
