/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An approved exec, answered with CONTINUE and watched until the kernel has
 * loaded the new image.
 *
 * The kernel reads execve's path again after the broker approved it, and
 * another thread may have rewritten the string by then: into the ELF
 * loader, say, which the root holds as every dynamic program's interpreter
 * and which, run as a program, runs any file it can read. So the broker does
 * not trust the string: the worker that approved the exec attaches to the
 * calling thread with ptrace (PTRACE_O_TRACEEXEC) before it answers, and
 * the kernel stops the thread right after the exec, before the new image
 * runs a single instruction. The broker then compares the image the kernel
 * loaded (/proc/PID/exe) with the files of the root that a rule lets run,
 * detaches if it is one of them, and kills the process if it is not. An
 * exec that fails stops at the PTRACE_INTERRUPT sent after the answer, on
 * its way back to the program, and is let go.
 *
 * Each worker traces at most one thread at a time, and waits with
 * __WNOTHREAD, so it sees only its own tracee; PTRACE_O_EXITKILL ends the
 * tracee if the worker dies while it watches. */
#include <errno.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "execwatch.h"
#include "request.h"
#include "log.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

/* Did the exec that stopped PID load an image a rule lets run? */
static bool image_approved(struct broker *b, pid_t pid, char *exe, size_t size)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d/exe", (int)pid);
	struct stat st;
	if (stat(proc, &st) < 0) {
		snprintf(exe, size, "(unknown: %s)", strerror(errno));
		return false;
	}
	pthread_mutex_lock(&b->root_lock);
	bool ok = sbx_rootview_exec_image(&b->root, st.st_dev, st.st_ino);
	pthread_mutex_unlock(&b->root_lock);
	if (!ok) { /* for the message */
		ssize_t n = readlink(proc, exe, size - 1);
		exe[n > 0 ? (size_t)n : 0] = '\0';
	}
	return ok;
}

/* Let the stopped tracee W go on (with SIG). False when it is not stopped
 * any more: only SIGKILL wakes a tracee we hold, so it is ending, and its
 * end must still be collected (a tracee's end goes to its tracer first;
 * its parent could not reap it, and the next watch would). */
static bool let_go(pid_t w, int sig)
{
	if (ptrace(PTRACE_DETACH, w, 0, (void *)(long)sig) == 0)
		return true;
	if (errno != ESRCH) {
		sbx_log_errno(errno, "cannot let pid %d go on; killing it", (int)w);
		(void)kill(w, SIGKILL);
	}
	return false;
}

/* Wait for the tracee's first stop after the answer and act on it; return
 * when this worker traces nothing any more. */
static void watch(struct broker *b, pid_t tid)
{
	for (;;) {
		int status;
		pid_t w = waitpid(-1, &status, __WALL | __WNOTHREAD);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (errno != ECHILD)
				sbx_log_errno(errno, "cannot watch the exec of pid %d", (int)tid);
			return; /* nothing traced is left */
		}
		if (!WIFSTOPPED(status))
			return; /* it ended, and its end is collected */
		int event = status >> 16;
		if (event == PTRACE_EVENT_EXEC) {
			/* W is the thread group's id now, whichever thread
			 * made the call. */
			char exe[256];
			if (image_approved(b, w, exe, sizeof(exe))) {
				if (let_go(w, 0))
					return;
				continue;
			}
			if (req_may_log(b))
				sbx_log("killed pid %d: its exec loaded %s, which no rule lets run "
					"(the path was changed after the broker approved it)", (int)w, exe);
			if (kill(w, SIGKILL) < 0)
				sbx_log_errno(errno, "cannot kill pid %d", (int)w);
			continue; /* until its end is collected */
		}
		/* Stopped on its way back to the program (our interrupt, a
		 * group stop, or a signal to deliver): no exec happened. A
		 * signal goes on with it. */
		if (let_go(w, event == 0 ? WSTOPSIG(status) : 0))
			return;
	}
}

/* Attach to TID for the exec of request F: 0, 1 when a host debugger
 * traces it (the exec goes on unwatched), or a negative errno. */
static int attach(struct broker *b, const struct request *f, pid_t tid)
{
	for (int tries = 0;; tries++) {
		if (ptrace(PTRACE_SEIZE, tid, 0, (void *)(long)(PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) == 0)
			return 0;
		int err = errno;
		long tracer = err == EPERM ? req_proc_field(b, f, "status", "TracerPid:", 10) : -1;
		if (!req_alive(b, f))
			return -ENOENT;
		char ours[64];
		snprintf(ours, sizeof(ours), "/proc/self/task/%ld", tracer);
		bool our_thread = tracer > 0 && access(ours, F_OK) == 0;
		/* Traced already by a debugger of the host's (strace -f of
		 * the sandbox), since nothing in the sandbox may trace. It
		 * has the caller's rights over the sandbox anyway. */
		if (tracer > 0 && !our_thread) {
			if (!atomic_exchange(&b->exec_unwatched_said, true))
				sbx_log("pid %d is traced by pid %ld outside the sandbox: its execs are not "
					"watched", (int)tid, tracer);
			return 1;
		}
		/* Still held by the worker that watched its last exec: a
		 * failed exec returns to the program before that worker's
		 * interrupt, and the next call can be here first. That worker
		 * lets it go within moments. */
		if (our_thread && tries < 2000) {
			struct timespec ts = {0, 50000};
			nanosleep(&ts, NULL);
			continue;
		}
		sbx_log_errno(err, "refused an exec of pid %d: the broker cannot watch it (ptrace)", (int)tid);
		return -EACCES;
	}
}

int execwatch_continue(struct broker *b, struct request *f)
{
	pid_t tid = (pid_t)f->n->pid;
	int a = attach(b, f, tid);
	if (a == 1) {
		(void)req_continue(b, f);
		return 0;
	}
	if (a < 0)
		return a;
	/* The thread we attached to is the caller only while the request
	 * is still there (its id may have been taken by another since). */
	if (!req_alive(b, f)) {
		(void)ptrace(PTRACE_INTERRUPT, tid, 0, 0);
		watch(b, tid);
		return -ENOENT;
	}
	(void)req_continue(b, f);
	/* A stop on its way back if the exec fails; after a successful one
	 * the exec stop comes first and detaching drops this one. */
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0 && errno != ESRCH)
		sbx_log_errno(errno, "cannot interrupt pid %d", (int)tid);
	watch(b, tid);
	return 0;
}
