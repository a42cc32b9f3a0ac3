/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for procself.c: the program's own /proc entries, with this
 * test process standing for the program (a client library request, id 0,
 * from a thread of its own so that thread and process ids differ). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "brokerfix.h"
#include "procself.h"

#define MISS(...)                          \
	do {                               \
		print_error(__VA_ARGS__);  \
		print_error("\n");         \
		bad++;                     \
	} while (0)

struct fixture {
	struct broker b;
	struct seccomp_notif n;
	struct request f;
	pid_t tgid, tid; /* the thread the requests come from */
	int rw_fd, ro_fd; /* a file open read-write, and read-only */
	char file[64];
};

/* A thread whose id the requests carry, as a notification carries the
 * calling thread's. */
struct thread {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pid_t tid;
	bool done;
};

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	pthread_mutex_lock(&t->lock);
	t->tid = gettid();
	pthread_cond_broadcast(&t->cond);
	while (!t->done)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static struct thread thr = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};
static pthread_t thread_id;

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	assert_non_null(x);
	struct broker *b = &x->b;
	assert_int_equal(brokerfix_init(b), 0);

	assert_int_equal(pthread_create(&thread_id, NULL, thread_main, &thr), 0);
	pthread_mutex_lock(&thr.lock);
	while (!thr.tid)
		pthread_cond_wait(&thr.cond, &thr.lock);
	pthread_mutex_unlock(&thr.lock);
	x->tgid = getpid();
	x->tid = thr.tid;
	assert_int_not_equal(x->tgid, x->tid);

	x->n.id = 0;
	x->n.pid = (uint32_t)x->tid;
	x->f.n = &x->n;
	x->f.name = "test";
	x->f.npaths = 1;
	assert_true(req_alive(b, &x->f));

	snprintf(x->file, sizeof(x->file), "/tmp/sbx-procself-XXXXXX");
	x->rw_fd = mkostemp(x->file, O_CLOEXEC);
	assert_true(x->rw_fd >= 0);
	x->ro_fd = open(x->file, O_RDONLY | O_CLOEXEC);
	assert_true(x->ro_fd >= 0);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	pthread_mutex_lock(&thr.lock);
	thr.done = true;
	pthread_cond_broadcast(&thr.cond);
	pthread_mutex_unlock(&thr.lock);
	pthread_join(thread_id, NULL);
	unlink(x->file);
	close(x->rw_fd);
	close(x->ro_fd);
	close(x->b.rootfd);
	free(x);
	return 0;
}

/* Expand "%T" to the thread group id, "%t" to the thread id, "%R" and
 * "%W" to the read-only and read-write fds, "%O" to a pid that is not
 * ours. */
static void expand(const struct fixture *x, const char *in, char *out, size_t size)
{
	size_t o = 0;
	for (const char *c = in; *c && o + 16 < size; c++) {
		if (*c != '%') {
			out[o++] = *c;
			continue;
		}
		long v;
		switch (*++c) {
		case 'T': v = x->tgid; break;
		case 't': v = x->tid; break;
		case 'R': v = x->ro_fd; break;
		case 'W': v = x->rw_fd; break;
		default: v = x->tgid == 1 ? getppid() : 1; break; /* 'O' */
		}
		o += (size_t)snprintf(out + o, size - o, "%ld", v);
	}
	out[o] = '\0';
}

static const struct {
	const char *path;
	enum op op;
	int oflags;
	bool nofollow;
	bool no_magic;
	unsigned need;
	bool handled;
	int ret;
	const char *res; /* for 0: res.path */
	const char *same; /* for 0: a path naming the same object, or NULL */
} cases[] = {
	/* The program's own entries. */
	{"/proc/self/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0, "/proc/%T/status",
	 "/proc/%T/status"},
	{"/proc/%T/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0, "/proc/%T/status",
	 "/proc/%T/status"},
	{"/proc/self//status", OP_STAT, 0, false, false, SBX_PERM_STAT, true, 0, "/proc/%T/status", NULL},
	{"/proc/thread-self/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0,
	 "/proc/%T/task/%t/status", "/proc/%T/task/%t/status"},
	{"/proc/thread-self/comm", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0,
	 "/proc/%T/task/%t/comm", NULL},
	{"/proc/self", OP_STAT, 0, false, false, SBX_PERM_STAT, true, 0, "/proc/%T", "/proc/%T"},
	{"/proc/self/maps", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0, "/proc/%T/maps", NULL},
	{"/proc/self/fdinfo/%R", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0,
	 "/proc/%T/fdinfo/%R", NULL},
	{"/proc/mounts", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, 0, "/proc/%T/mounts", NULL},
	/* Magic links, last: followed to the object, or not. */
	{"/proc/self/fd/%R", OP_STAT, 0, false, false, SBX_PERM_STAT, true, 0, "/proc/%T/fd/%R", "/proc/%T/fd/%R"},
	{"/proc/self/exe", OP_STAT, 0, true, false, SBX_PERM_STAT, true, 0, "/proc/%T/exe", NULL},
	{"/proc/self/cwd/", OP_STAT, 0, false, false, SBX_PERM_STAT, true, 0, "/proc/%T/cwd", "/proc/%T/cwd"},
	{"/proc/self/exe", OP_OPEN, O_RDONLY, false, true, SBX_PERM_READ, true, -ELOOP, NULL, NULL},
	/* Another process's entries. */
	{"/proc/%O/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/%O", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/%O/fd/0", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	/* Entries not served. */
	{"/proc/self/mem", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/pagemap", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/syscall", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/..", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/%T/../%O/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/task/%t/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL,
	 NULL},
	/* /proc/self/root: the way out of the sandbox's root. */
	{"/proc/self/root", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/root", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/thread-self/root", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL,
	 NULL},
	/* Nothing looked up through a magic link. */
	{"/proc/self/root/etc/passwd", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL,
	 NULL},
	{"/proc/self/fd/0/x", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/fd/%R/x", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/self/fd/.", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/self/fd/..", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/self/cwd/x", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, true, -EACCES, NULL, NULL},
	{"/proc/self/exe/x", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/self/ns/mnt/x", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	{"/proc/thread-self/cwd/x", OP_STAT, 0, false, false, SBX_PERM_STAT, true, -EACCES, NULL, NULL},
	/* Write: only fd/N, and only as the fd allows. */
	{"/proc/self/status", OP_OPEN, O_WRONLY, false, false, SBX_PERM_READ | SBX_PERM_WRITE, true, -EACCES,
	 NULL, NULL},
	{"/proc/self/comm", OP_OPEN, O_WRONLY, false, false, SBX_PERM_WRITE, true, -EACCES, NULL, NULL},
	{"/proc/thread-self/comm", OP_OPEN, O_WRONLY, false, false, SBX_PERM_WRITE, true, -EACCES, NULL,
	 NULL},
	{"/proc/self/exe", OP_EXEC, 0, false, false, SBX_PERM_EXEC, true, -EACCES, NULL, NULL},
	{"/proc/self/fd/%W", OP_OPEN, O_RDWR, false, false, SBX_PERM_READ | SBX_PERM_WRITE, true, 0,
	 "/proc/%T/fd/%W", "/proc/%T/fd/%W"},
	{"/proc/self/fd/%R", OP_OPEN, O_RDWR, false, false, SBX_PERM_READ | SBX_PERM_WRITE, true, -EACCES,
	 NULL, NULL},
	{"/proc/self/fd/%R", OP_OPEN, O_WRONLY, false, false, SBX_PERM_WRITE, true, -EACCES, NULL, NULL},
	{"/proc/self/fd/%R", OP_OPEN, O_RDONLY | O_TRUNC, false, false, SBX_PERM_READ | SBX_PERM_WRITE,
	 true, -EACCES, NULL, NULL},
	/* Not a process's: the policy's to decide. */
	{"/etc/passwd", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
	{"/proc", OP_STAT, 0, false, false, SBX_PERM_STAT, false, 0, NULL, NULL},
	{"/proc/cpuinfo", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
	{"/proc/sys/kernel/ostype", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
	{"/proc/selfish/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
	{"/procself/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
	{"/proc/12ab/status", OP_OPEN, O_RDONLY, false, false, SBX_PERM_READ, false, 0, NULL, NULL},
};

static void test_procself(void **state)
{
	struct fixture *x = *state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct request *f = &x->f;
		f->op = cases[i].op;
		f->oflags = cases[i].oflags;
		f->nofollow = cases[i].nofollow;
		f->no_magic = cases[i].no_magic;
		struct fpath *p = &f->p[0];
		memset(p, 0, sizeof(*p));
		p->dirfd = AT_FDCWD;
		expand(x, cases[i].path, p->path, sizeof(p->path));
		memcpy(p->abs, p->path, sizeof(p->abs));
		static struct sbx_resolved res;
		memset(&res, 0, sizeof(res));
		res.fd = -1;
		bool handled = !cases[i].handled; /* must be set either way */
		int r = procself_resolve(&x->b, f, p, cases[i].nofollow, cases[i].need, &res, &handled);
		if (handled != cases[i].handled || r != cases[i].ret) {
			MISS("%s (op %d, need %#x): %d, handled %d; expected %d, handled %d", p->abs,
			     cases[i].op, cases[i].need, r, handled, cases[i].ret, cases[i].handled);
			if (r == 0 && handled)
				close(res.fd);
			continue;
		}
		if (r < 0 || !handled)
			continue;
		char want[PATH_MAX];
		expand(x, cases[i].res, want, sizeof(want));
		if (strcmp(res.path, want))
			MISS("%s: res.path %s, expected %s", p->abs, res.path, want);
		struct stat fst;
		if (fstat(res.fd, &fst) < 0 || fst.st_ino != res.st.st_ino || fst.st_dev != res.st.st_dev)
			MISS("%s: res.st is not the fd's", p->abs);
		if (cases[i].same) {
			char same[PATH_MAX];
			struct stat st;
			expand(x, cases[i].same, same, sizeof(same));
			if (stat(same, &st) < 0 || st.st_ino != fst.st_ino || st.st_dev != fst.st_dev)
				MISS("%s: the fd is not on %s", p->abs, same);
		}
		close(res.fd);
	}
	if (bad)
		fail_msg("%d of %zu cases wrong", bad, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_procself, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
