/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "memio.h"

#include <errno.h>
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

int memio_write(pid_t pid, uint64_t addr, const void *data, size_t len)
{
	struct iovec local = {.iov_base = (void *)data, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return errno == EFAULT ? -EFAULT : -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}
