/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <string.h>
#include <sys/uio.h>

#define PAGE 4096u

ssize_t memio_read_string(pid_t pid, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;
	if (!addr)
		return -EFAULT;
	/* Read up to each page end so an unmapped page after a short string
	 * is never touched. */
	while (got < size) {
		uint64_t a = addr + got;
		size_t chunk = PAGE - (size_t)(a % PAGE);
		if (chunk > size - got)
			chunk = size - got;
		struct iovec local = {.iov_base = buf + got, .iov_len = chunk};
		struct iovec remote = {.iov_base = (void *)(uintptr_t)a, .iov_len = chunk};
		ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return n < 0 && errno != EFAULT ? -errno : -EFAULT;
		char *z = memchr(buf + got, '\0', (size_t)n);
		if (z)
			return z - buf;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

int memio_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = {.iov_base = buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return errno == EFAULT ? -EFAULT : -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

int memio_write(int listener, uint64_t id, pid_t pid, uint64_t addr, const void *data, size_t len)
{
	/* Not process_vm_writev(PID): if the target died after the last
	 * check and its pid went to another process, that one would get
	 * the bytes. An open /proc/PID/mem holds the address space it was
	 * opened on, and the request still being there after the open
	 * says that was the target's. */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d/mem", (int)pid);
	int fd = open(proc, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = 0;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
		r = -ENOENT;
	} else {
		ssize_t n = pwrite(fd, data, len, (off_t)addr);
		if (n < 0)
			r = errno == EIO ? -EFAULT : -errno;
		else if ((size_t)n != len)
			r = -EFAULT;
	}
	close(fd);
	return r;
}
