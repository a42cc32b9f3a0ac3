/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer's shared parts: the state and helpers every attack family uses, and
 * each family's command (racer.c has the list of commands and what each does). */
#ifndef SBX_RACER_H
#define SBX_RACER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* Set once to end every flipping thread. */
extern atomic_int stop;
/* How many HOLE lines were printed, and how many expect() calls saw another answer. */
extern int holes, failures;
/* Keep the compiler from merging or dropping the flippers' stores. */
#define barrier() __asm__ __volatile__("" ::: "memory")

/* CLOCK_MONOTONIC in seconds. */
double now(void);
/* Print "HOLE ..." and count it. */
void hole(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* strerror(errno) when R < 0, else "success". */
const char *errstr(long r);
int xrename(const char *a, const char *b, unsigned flags);
/* DIR/NAME, allocated (aborts when out of memory). */
char *path(const char *dir, const char *name);
/* Copy FROM to TO (mode 0755). */
int copy(const char *from, const char *to);
/* Exchange A and B until END or stop; the count, failures in *ERRS. */
unsigned long flip_loop(const char *a, const char *b, double end, unsigned long *errs);
/* Wait for PID: its exit code, 128+N for signal N, -1 if there is none. */
int reap(pid_t pid);
/* WHAT R WANT: R's errno is WANT (0: success); prints ok or FAIL. */
void expect(const char *what, long r, int want);
/* Errno of running P in a child: 0 if it ran. */
int exec_errno(const char *p);

/* racer_moves.c: names and directories that move under the broker. */
int cmd_xflip(const char *a, const char *b, int secs);
int cmd_mutate(const char *d, const char *w, int secs, const char *fa, const char *fb);
int cmd_dotdot(const char *w, int secs, bool inner);
int cmd_dirfd(const char *w);
/* racer_exec.c: exec of names and strings that flip, and the loader. */
int cmd_exec(const char *w, int secs);
int cmd_ldso(const char *w);
/* racer_fds.c: what read-only, write-only and swapped fds allow. */
int cmd_fdmeta(const char *file, const char *dir);
int cmd_emptypath(const char *w, const char *rel, long size, int secs);
int cmd_dup2open(const char *ro, const char *rw, int secs);
int cmd_dup2link(const char *ro, const char *rw, const char *newp, int secs);
int cmd_procfd(const char *w, int fd);
/* racer_names.c: hidden and denied names, capabilities, odd corners. */
int cmd_leak(const char *w, const char *h);
int cmd_denyrename(const char *w);
int cmd_rootcaps(const char *w);
int cmd_misc(const char *w, const char *p, const char *h);

#endif
