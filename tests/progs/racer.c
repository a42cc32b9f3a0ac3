/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* racer: races and attacks for tests/races.sh, one file per family (racer_moves.c,
 * racer_exec.c, racer_fds.c, racer_names.c; racer.h has what they share). Every
 * subcommand runs inside the sandbox except xflip, which the test also runs on the host.
 *
 *   xflip A B SECS          exchange A and B (renameat2 RENAME_EXCHANGE) in a loop
 *   mutate D W SECS [A B]   every mutating syscall on D/NAME in a loop (a child
 *                           exchanges A and B meanwhile, when given)
 *   dotdot W SECS [inner]   open/mkdir/rename/chmod W/a/b/../../N and
 *                           W/m/n/a/b/../../../../N (N: sbx-race-x, -y) in a
 *                           loop; with "inner" a thread exchanges W/a and
 *                           W/m/n/a meanwhile (else the host moves things)
 *   dirfd W                 a dirfd on W/dir while the program moves it within
 *                           W, then the host to R (granted read), then to O
 *                           (granted nothing), told by W/ready-N and W/go-N
 *   exec W SECS             execve of W/x, W/y and of a path string while each
 *                           flips between a program-written copy of racer and an
 *                           allowed executable (/usr/bin/true): W/x flipped by
 *                           a thread, W/y by the host; the copy prints MARKER-RAN
 *   marker                  print MARKER-RAN, exit 42 (what the copy does)
 * Attacks: each prints "ok ..." for what held and "HOLE ..." for a way around
 * the policy, and exits 1 when it found one.
 *   fdmeta FILE DIR         metadata changes through read-only fds (fchmod,
 *                           futimens, fsetxattr, FS_IOC_SETFLAGS, AT_EMPTY_PATH)
 *   emptypath W REL SIZE SECS
 *                           AT_EMPTY_PATH with "" that becomes REL after the
 *                           broker read it (the kernel reads it again)
 *   dup2open RO RW SECS     reopen /proc/self/fd/N for write while N flips
 *                           between a read-only and a writable fd
 *   dup2link RO RW NEW SECS linkat(N, "", NEW, AT_EMPTY_PATH), N flipping so
 *   leak W H                errnos that tell what exists in the hidden H
 *   denyrename W            rename the parent of a denied directory
 *   rootcaps W              chown and security./trusted. xattrs done by a
 *                           broker that has capabilities the program lacks
 *   procfd W FD             reopen and link an inherited write-only fd
 *   ldso W                  run a program-written ELF through the loader
 *   misc W P H              openat2 RESOLVE_NO_MAGICLINKS, trailing slashes,
 *                           O_TMPFILE, xattr sizes, inotify, odd dirfds (a
 *                           socket, a memfd, a deleted directory, /proc, the
 *                           sandbox's root), long paths, /proc/PID from a
 *                           second thread
 * With SBX_RACE_NATIVE=1 tests/races.sh runs these without the sandbox, where
 * every check must fail. */
#include "racer.h"

atomic_int stop;
int holes, failures;

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hole(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("HOLE ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	holes++;
}

const char *errstr(long r)
{
	return r < 0 ? strerror(errno) : "success";
}

int xrename(const char *a, const char *b, unsigned flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, flags);
}

char *path(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

int copy(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	ssize_t n = 0;
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	int r = in >= 0 && out >= 0 && n == 0 ? 0 : -1;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

unsigned long flip_loop(const char *a, const char *b, double end, unsigned long *errs)
{
	unsigned long n = 0;
	while (now() < end && !atomic_load(&stop))
		for (int i = 0; i < 64; i++) {
			if (xrename(a, b, RENAME_EXCHANGE) == 0)
				n++;
			else
				++*errs;
		}
	return n;
}

int reap(pid_t pid)
{
	int st = 0;
	if (pid <= 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void expect(const char *what, long r, int want)
{
	int e = r < 0 ? errno : 0;
	/* In the view what the policy does not grant is not there at all. */
	if (want == EACCES && e == ENOENT && getenv("SBX_RACER_VIEW")) {
		printf("ok %s: %s (the view holds nothing there)\n", what, strerror(e));
	} else if (e == want) {
		printf("ok %s: %s\n", what, r < 0 ? strerror(e) : "success");
	} else {
		printf("FAIL %s: %s, wanted %s\n", what, r < 0 ? strerror(e) : "success",
		       want ? strerror(want) : "success");
		failures++;
	}
	if (r >= 0 && (strstr(what, "open") || strstr(what, "socket")))
		close((int)r);
}

int exec_errno(const char *p)
{
	char *const argv[] = {"x", NULL};
	char *const envp[] = {NULL};
	int pfd[2];
	if (pipe(pfd) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		execve(p, argv, envp);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(1);
		_exit(1);
	}
	close(pfd[1]);
	int e = 0;
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = 0;
	close(pfd[0]);
	reap(pid);
	return e;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: racer COMMAND ARGS... (see the source)\n");
		return 2;
	}
	const char *c = argv[1];
	int n = argc - 2;
	char **a = argv + 2;
	if (!strcmp(c, "xflip") && n == 3)
		return cmd_xflip(a[0], a[1], atoi(a[2]));
	if (!strcmp(c, "mutate") && (n == 3 || n == 5))
		return cmd_mutate(a[0], a[1], atoi(a[2]), n == 5 ? a[3] : NULL, n == 5 ? a[4] : NULL);
	if (!strcmp(c, "dotdot") && (n == 2 || n == 3))
		return cmd_dotdot(a[0], atoi(a[1]), n == 3);
	if (!strcmp(c, "dirfd") && n == 1)
		return cmd_dirfd(a[0]);
	if (!strcmp(c, "exec") && n == 2)
		return cmd_exec(a[0], atoi(a[1]));
	if (!strcmp(c, "marker")) {
		printf("MARKER-RAN\n");
		return 42;
	}
	if (!strcmp(c, "fdmeta") && n == 2)
		return cmd_fdmeta(a[0], a[1]);
	if (!strcmp(c, "emptypath") && n == 4)
		return cmd_emptypath(a[0], a[1], atol(a[2]), atoi(a[3]));
	if (!strcmp(c, "dup2open") && n == 3)
		return cmd_dup2open(a[0], a[1], atoi(a[2]));
	if (!strcmp(c, "dup2link") && n == 4)
		return cmd_dup2link(a[0], a[1], a[2], atoi(a[3]));
	if (!strcmp(c, "leak") && n == 2)
		return cmd_leak(a[0], a[1]);
	if (!strcmp(c, "denyrename") && n == 1)
		return cmd_denyrename(a[0]);
	if (!strcmp(c, "rootcaps") && n == 1)
		return cmd_rootcaps(a[0]);
	if (!strcmp(c, "procfd") && n == 2)
		return cmd_procfd(a[0], atoi(a[1]));
	if (!strcmp(c, "ldso") && n == 1)
		return cmd_ldso(a[0]);
	if (!strcmp(c, "misc") && n == 3)
		return cmd_misc(a[0], a[1], a[2]);
	fprintf(stderr, "racer: unknown command or wrong arguments: %s\n", c);
	return 2;
}
