/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp program of the sandboxed process. Default deny: a syscall this
 * list does not know fails with ENOSYS, so the C library falls back to an
 * older one. Path, exec and fd-from-path syscalls stop in the kernel and wait
 * for the broker. exit and exit_group are always allowed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "dispatch.h"
#include "util.h"

/* Run in the kernel: they act on memory, fds the program holds, its own
 * processes (its pid namespace), time and signals. */
static const char *const allowed[] = {
	"exit", "exit_group", "read", "write", "readv", "writev", "pread64",
	"pwrite64", "preadv", "pwritev", "preadv2", "pwritev2", "close",
	"close_range", "fstat", "lseek", "mmap", "mprotect", "munmap", "mremap",
	"madvise", "brk", "msync", "mincore", "mlock", "mlock2", "munlock",
	"mlockall", "munlockall", "membarrier", "rt_sigaction", "rt_sigprocmask",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigpending", "rt_sigtimedwait",
	"rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "kill", "tgkill",
	"tkill", "pause", "alarm", "getitimer", "setitimer", "timer_create",
	"timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete",
	"pipe", "pipe2", "dup", "dup2", "dup3", "fcntl", "flock", "fsync",
	"fdatasync", "ftruncate", "fallocate", "fadvise64", "readahead",
	"getdents", "getdents64", "getcwd", "fstatfs",
	"fgetxattr", "flistxattr", "sendfile", "splice", "tee", "vmsplice",
	"copy_file_range", "getpid", "getppid", "gettid", "getuid", "geteuid",
	"getgid", "getegid", "getgroups", "getresuid", "getresgid", "getpgid",
	"getpgrp", "getsid", "setpgid", "setsid", "uname", "sysinfo",
	"getrlimit", "setrlimit", "prlimit64", "getrusage", "times", "umask",
	"getpriority", "setpriority", "sched_yield", "sched_getaffinity",
	"sched_setaffinity", "sched_getparam", "sched_getscheduler",
	"sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "futex", "futex_waitv", "set_robust_list",
	"get_robust_list", "set_tid_address", "arch_prctl", "rseq", "getrandom",
	"memfd_create", "restart_syscall", "fork", "vfork", "wait4", "waitid",
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
	"epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd",
	"eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
	"signalfd", "signalfd4", "inotify_init", "inotify_init1",
	"inotify_rm_watch", "capget", "capset", "prctl", "seccomp", "pidfd_open",
	"pidfd_send_signal", "socket", "socketpair", "listen",
	"accept", "accept4", "recvfrom", "recvmsg",
	"recvmmsg", "shutdown", "getsockname", "getpeername",
	"setsockopt", "getsockopt", "setuid", "setgid", "setreuid", "setregid",
	"setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
	"get_mempolicy", "set_mempolicy", "mbind", "sync", "syncfs",
	"sync_file_range", "process_mrelease", "ioprio_get",
};

/* Refused with EPERM: ways around the broker, the namespaces or the kernel's
 * own defences. */
static const char *const refused[] = {
	"ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "setns",
	"unshare", "name_to_handle_at", "open_by_handle_at", "io_uring_setup",
	"io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
	"userfaultfd", "keyctl", "add_key", "request_key", "kexec_load",
	"kexec_file_load", "init_module", "finit_module", "delete_module",
	"reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd",
	"syslog", "lookup_dcookie", "vhangup", "settimeofday", "clock_settime",
	"clock_adjtime", "adjtimex", "sethostname", "setdomainname", "iopl",
	"ioperm", "modify_ldt", "uselib", "personality", "fanotify_init",
	"landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
	"move_pages", "migrate_pages", "ioprio_set",
};

/* Calls that act on another process by pid: none may name init, pid 1
 * (argument 0, or the other one given; the kernel reads pids as 32 bits).
 * init keeps the caller's ids, so the kernel lets the program lower its
 * limits, signal it, pin it to one CPU. Reading init's limits stays. */
static const struct {
	const char *name;
	int arg;
} on_pid[] = {
	{"kill", 0},        {"tkill", 0},          {"tgkill", 0},           {"tgkill", 1},
	{"rt_sigqueueinfo", 0}, {"rt_tgsigqueueinfo", 0}, {"rt_tgsigqueueinfo", 1},
	{"pidfd_open", 0},  {"sched_setaffinity", 0}, {"sched_setscheduler", 0},
	{"sched_setparam", 0}, {"sched_setattr", 0},
};

static int guard_init(scmp_filter_ctx ctx)
{
	int r;
	for (size_t i = 0; i < SBX_ARRAY_SIZE(on_pid); i++) {
		int nr = seccomp_syscall_resolve_name(on_pid[i].name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		struct scmp_arg_cmp is_init = {(unsigned)on_pid[i].arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, 1};
		if ((r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, &is_init)) < 0)
			return r;
	}
	/* prlimit64(1, resource, new, ...) with a new limit. */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prlimit64), 2,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, 1), SCMP_A2(SCMP_CMP_NE, 0))) < 0)
		return r;
	/* setpriority: not of init; not of a whole user (every process of the
	 * caller's uid in the sandbox, init too); not of the caller's process
	 * group, which init (and, when the program shares the caller's group,
	 * the broker) is in, nor of a group 1. Its own processes one by one
	 * are the program's to renice. */
	const struct scmp_arg_cmp which_process = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PRIO_PROCESS),
				  which_pgrp = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PRIO_PGRP),
				  which_user = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, PRIO_USER),
				  who_1 = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, 1),
				  who_0 = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0);
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 2, which_process, who_1)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 2, which_pgrp, who_1)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 2, which_pgrp, who_0)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setpriority), 1, which_user)) < 0)
		return r;
	return 0;
}

static int add_list(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown to this libseccomp: default applies */
		int r = seccomp_rule_add(ctx, action, nr, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Stop and wait for the broker: every call of the syscall table (every
 * call that names a path, exec, and the network's connect and bind).
 * Sends that may name an address matter only on a datagram socket of the
 * host's, which the broker hands over only where the policy has a udp or
 * unix rule (DGRAM). Then sendto with an address, sendmsg and sendmmsg
 * stop for the broker; else (and always for sendto without an address)
 * they are the kernel's: a stream ignores the address, and the sandbox's
 * own sockets reach nothing. */
/* The view's fast path: what only reads by path and runs in the kernel
 * when the view holds every grant, Landlock keeps the program to it and
 * the program holds no directory fd of the host's (setup.c's send_lock).
 * An open only without a flag that writes, makes or truncates (the
 * others stop: one rule for each such flag); creat always makes. */
static const unsigned long write_oflags[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
					    __O_TMPFILE & ~O_DIRECTORY};

static int add_fast(scmp_filter_ctx ctx, const struct syscall_row *row, bool unix_rules)
{
	switch (row->op) {
	case OP_OPEN: {
		/* openat2's flags are in memory: the kernel decides it whole,
		 * on the view's mounts and Landlock rights, which are the
		 * policy's; so no fd the broker opened on the host (a lookup
		 * from it would leave the view) is ever its answer. */
		if (row->how)
			return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, row->nr, 0);
		if (row->oflags)
			return 1;
		unsigned arg = row->arg[ARG_OFLAGS] - 1u;
		unsigned long all = 0;
		int r = 0;
		for (size_t i = 0; i < SBX_ARRAY_SIZE(write_oflags) && r == 0; i++) {
			struct scmp_arg_cmp has = {arg, SCMP_CMP_MASKED_EQ, write_oflags[i], write_oflags[i]};
			all |= write_oflags[i];
			r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, row->nr, 1, &has);
		}
		struct scmp_arg_cmp none = {arg, SCMP_CMP_MASKED_EQ, all, 0};
		return r < 0 ? r : seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, row->nr, 1, &none);
	}
	case OP_FCHDIR:
		/* Every directory fd the program holds is of the view. */
		return unix_rules ? 1 : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, row->nr, 0);
	/* statfs stays: init waits in statfs("/") until the broker holds
	 * the listener (helper/init.c), and few programs call it. */
	case OP_STAT: case OP_STATX: case OP_ACCESS: case OP_READLINK:
	case OP_CHDIR: case OP_XATTR_GET: case OP_XATTR_LIST:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, row->nr, 0);
	default:
		return 1;
	}
}

static int add_notified(scmp_filter_ctx ctx, bool dgram, bool fast, bool unix_rules)
{
	size_t n;
	const struct syscall_row *rows = syscalls_table(&n);
	for (size_t i = 0; i < n; i++) {
		const struct syscall_row *row = &rows[i];
		int r = fast ? add_fast(ctx, row, unix_rules) : 1;
		if (r <= 0) {
			if (r < 0)
				return r;
		} else if (row->when == NOTIFY_ALWAYS || !dgram) {
			r = seccomp_rule_add(ctx, row->when == NOTIFY_ALWAYS ? SCMP_ACT_NOTIFY : SCMP_ACT_ALLOW,
					     row->nr, 0);
		} else if (row->addr_arg) {
			struct scmp_arg_cmp none = {row->addr_arg - 1u, SCMP_CMP_EQ, 0, 0};
			struct scmp_arg_cmp some = {row->addr_arg - 1u, SCMP_CMP_NE, 0, 0};
			r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, row->nr, 1, &none);
			if (r == 0)
				r = seccomp_rule_add_array(ctx, SCMP_ACT_NOTIFY, row->nr, 1, &some);
		} else {
			r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, row->nr, 0);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* The libseccomp program as raw BPF. */
static int export(scmp_filter_ctx ctx, void **bpf, size_t *len)
{
	_cleanup_close_ int fd = memfd_create("sandbox-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		return -EIO;
	*bpf = malloc((size_t)size);
	if (!*bpf)
		return -ENOMEM;
	if (pread(fd, *bpf, (size_t)size, 0) != size) {
		free(*bpf);
		return -EIO;
	}
	*len = (size_t)size;
	return 0;
}

int filter_compile_guard(void **bpf, size_t *len, bool unix_dgram)
{
	/* A second, default-allow filter for argument checks that cannot
	 * share a syscall with an unconditional rule in the main one: the
	 * kernel applies the strictest answer of all filters. ioctl: never
	 * push input into a terminal (TIOCSTI) or reach the console
	 * (TIOCLINUX); the kernel reads the command as 32 bits. */
	int r;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX))) < 0)
		goto out;
	if ((r = guard_init(ctx)) < 0)
		goto out;
	/* chattr: no file flags (append-only, immutable, nodump...). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FS_IOC_SETFLAGS))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FS_IOC_FSSETXATTR))) < 0)
		goto out;
	/* No leases: a lease makes every other open of the file, the
	 * broker's workers' and the host's, wait out the lease-break time
	 * (45 s) while the program renews it. No signals to init by
	 * F_SETOWN either (pid 1 or its group). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(fcntl), 1,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, F_SETLEASE))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 2,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, F_SETOWN),
				  SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, 1))) < 0 ||
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 2,
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, F_SETOWN),
				  SCMP_A2(SCMP_CMP_MASKED_EQ, 0xffffffffu, 0xffffffffu))) < 0)
		goto out;
	/* Sockets: unix, IPv4 and IPv6 only; streams, datagrams and
	 * sequenced packets only (no raw or packet sockets, no netlink). */
	for (int fam = 0; fam <= AF_MAX; fam++) {
		if (fam == AF_UNIX || fam == AF_INET || fam == AF_INET6)
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
					  SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam))) < 0)
			goto out;
	}
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
				  SCMP_A0(SCMP_CMP_GT, AF_MAX))) < 0)
		goto out;
	for (int type = 0; type <= 0xf; type++) {
		if (type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET)
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)type))) < 0)
			goto out;
	}
	/* socketpair: unix streams and sequenced packets only (the kernel
	 * reads the domain as an int: anything but exactly AF_UNIX is
	 * refused, high bits too). */
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
				  SCMP_A0(SCMP_CMP_NE, AF_UNIX))) < 0)
		goto out;
	for (int type = 0; type <= 0xf; type++) {
		if (type == SOCK_STREAM || type == SOCK_SEQPACKET || (unix_dgram && type == SOCK_DGRAM))
			continue;
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socketpair), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)type))) < 0)
			goto out;
	}
	/* Unix datagram sockets only under unix rules. A datagram sent to a
	 * relative address is resolved by the kernel from the working
	 * directory, which fchdir may put on the host (see exec.c).
	 * (SOCK_RAW, which unix sockets take as SOCK_DGRAM, is refused
	 * above for every family.) */
	if (!unix_dgram &&
	    (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 2,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, AF_UNIX),
				  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_DGRAM))) < 0)
		goto out;
	r = export(ctx, bpf, len);
out:
	seccomp_release(ctx);
	return r;
}

int filter_compile(void **bpf, size_t *len, bool dgram, bool fast, bool unix_rules)
{
	int r;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (!ctx)
		return -ENOMEM;
	/* Only the native ABI: i386 and x32 entry points are killed. The
	 * syscalls in a binary tree (libseccomp 2.5): every call of the
	 * program runs this, the hot ones should not wait behind 300 others. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		goto out;
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		goto out;
#endif
	if ((r = add_list(ctx, SCMP_ACT_ALLOW, allowed, SBX_ARRAY_SIZE(allowed))) < 0 ||
	    (r = add_notified(ctx, dgram, fast, unix_rules)) < 0 ||
	    (r = add_list(ctx, SCMP_ACT_ERRNO(EPERM), refused, SBX_ARRAY_SIZE(refused))) < 0)
		goto out;
	/* clone: no new namespaces; clone3 hides its flags in memory, so it
	 * gets ENOSYS and the C library falls back to clone. */
	const uint64_t ns = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
			    CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				  SCMP_A0(SCMP_CMP_MASKED_EQ, ns, 0))) < 0)
		goto out;
	if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 0)) < 0)
		goto out;
out:
	if (r == 0)
		r = export(ctx, bpf, len);
	seccomp_release(ctx);
	return r;
}

/* The program made at build time for these choices (filtergen.c), copied;
 * else compiled now (a cross build has none). */
static int prebuilt(bool guard, unsigned key, void **bpf, size_t *len)
{
	size_t n;
	const void *p = filter_prebuilt(guard, key, &n);
	if (!p)
		return 1;
	if (!(*bpf = malloc(n)))
		return -ENOMEM;
	memcpy(*bpf, p, n);
	*len = n;
	return 0;
}

int filter_build_guard(void **bpf, size_t *len, bool unix_dgram)
{
	int r = prebuilt(true, unix_dgram, bpf, len);
	return r <= 0 ? r : filter_compile_guard(bpf, len, unix_dgram);
}

int filter_build(void **bpf, size_t *len, bool dgram, bool fast, bool unix_rules)
{
	int r = prebuilt(false, FILTER_KEY(dgram, fast, unix_rules), bpf, len);
	return r <= 0 ? r : filter_compile(bpf, len, dgram, fast, unix_rules);
}
