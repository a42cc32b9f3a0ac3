/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a fuzz target gives libFuzzer, or the smoke runner (smoke.c). */
#ifndef SBX_FUZZ_H
#define SBX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The longest input worth trying (libFuzzer's -max_len). */
extern const size_t sbx_fuzz_max_len;

/* The scratch directory of sbx_fuzz_scratch(). */
static inline char *sbx_fuzz_scratch_dir(void)
{
	static char dir[64];
	return dir;
}

static inline void sbx_fuzz_scratch_remove(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sbx_fuzz_scratch_dir());
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", sbx_fuzz_scratch_dir());
}

/* A new directory sbx-fuzz-NAME.XXXXXX for a target's files, in memory
 * where there is a tmpfs for it (SBX_FUZZ_TMPDIR, else /dev/shm, else
 * $TMPDIR or /tmp), removed at exit; its path, or abort(). */
static inline const char *sbx_fuzz_scratch(const char *name)
{
	const char *tmp = getenv("SBX_FUZZ_TMPDIR");
	if (!tmp && access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	if (!tmp)
		tmp = getenv("TMPDIR");
	char *dir = sbx_fuzz_scratch_dir();
	snprintf(dir, 64, "%s/sbx-fuzz-%.12s.XXXXXX", tmp && tmp[0] == '/' && strlen(tmp) < 32 ? tmp : "/tmp", name);
	if (!mkdtemp(dir))
		abort();
	atexit(sbx_fuzz_scratch_remove);
	return dir;
}

#endif
