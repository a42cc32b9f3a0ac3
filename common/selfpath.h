/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef SBX_SELFPATH_H
#define SBX_SELFPATH_H

#include <stddef.h>

/* The directory holding the running executable, from /proc/self/exe (which the
 * kernel provides, so it is trustworthy even in a setuid program). */
int sbx_self_dir(char *buf, size_t size);

#endif
