/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing the sandboxed program's memory. */
#ifndef SBX_MEMIO_H
#define SBX_MEMIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read the NUL-terminated string at ADDR in PID into BUF (at most SIZE bytes
 * including the NUL). Returns its length, -ENAMETOOLONG, -EFAULT or another
 * negative errno. The caller must check the notification is still valid
 * before trusting the result. */
ssize_t memio_read_string(pid_t pid, uint64_t addr, char *buf, size_t size);
/* Read exactly LEN bytes at ADDR in PID. Returns 0 or a negative errno. */
int memio_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Write LEN bytes to ADDR in PID, the target of the seccomp request ID on
 * LISTENER: never into another process, even if the target died and its
 * pid was reused. Returns 0, -ENOENT when the request is gone, or another
 * negative errno. Written as a debugger writes (/proc/PID/mem): a buffer
 * in a read-only private mapping of the target gets the bytes where the
 * kernel's own call would fail with EFAULT; only the target's own memory. */
int memio_write(int listener, uint64_t id, pid_t pid, uint64_t addr, const void *data, size_t len);

#endif
