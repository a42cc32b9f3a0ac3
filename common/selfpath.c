/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "selfpath.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int sbx_self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return -EINVAL;
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}
