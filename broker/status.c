/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --json-status-fd: one JSON object a line for the launcher. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "escape.h"
#include "log.h"
#include "util.h"

static void emit(const struct broker *b, const char *line, size_t len)
{
	ssize_t n = SBX_RETRY(write(b->json_fd, line, len));
	if (n != (ssize_t)len)
		sbx_log_errno(n < 0 ? errno : EIO, "cannot write to --json-status-fd");
}

/* The program: init's child, seen in our pid namespace. */
static pid_t find_program(pid_t init_pid)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	pid_t found = -ESRCH;
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[300], buf[512];
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		/* pid (comm) state ppid: comm may hold anything but ends at the last ')' */
		const char *close = strrchr(buf, ')');
		int ppid;
		if (close && sscanf(close + 1, " %*c %d", &ppid) == 1 && ppid == init_pid) {
			found = atoi(e->d_name);
			break;
		}
	}
	closedir(d);
	return found;
}

void status_started(struct broker *b)
{
	if (b->json_fd < 0)
		return;
	static const char *const ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"};
	pid_t pid = find_program(b->init_pid);
	char line[1024], mode[128];
	/* Every string is escaped as JSON (RFC 8259), whatever it holds. */
	if (sbx_escape_json(mode, sizeof(mode), b->mode, strlen(b->mode)) >= sizeof(mode))
		snprintf(mode, sizeof(mode), "?");
	int o = snprintf(line, sizeof(line), "{\"child-pid\": %d, \"mode\": \"%s\"", (int)pid, mode);
	for (size_t i = 0; pid > 0 && i < SBX_ARRAY_SIZE(ns) && o > 0 && (size_t)o < sizeof(line); i++) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i]);
		if (stat(path, &st) == 0)
			o += snprintf(line + o, sizeof(line) - (size_t)o, ", \"%s-namespace\": %llu", ns[i],
				      (unsigned long long)st.st_ino);
	}
	if (o > 0 && (size_t)o < sizeof(line) - 2) {
		o += snprintf(line + o, sizeof(line) - (size_t)o, "}\n");
		emit(b, line, (size_t)o);
	}
}

void status_exited(struct broker *b, int exit_status, int signal)
{
	if (b->json_fd < 0)
		return;
	char line[128];
	int o = signal ? snprintf(line, sizeof(line), "{\"exit-code\": %d, \"signal\": %d}\n", exit_status, signal)
		       : snprintf(line, sizeof(line), "{\"exit-code\": %d}\n", exit_status);
	emit(b, line, (size_t)o);
}
