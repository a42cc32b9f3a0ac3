/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a fuzz target gives libFuzzer, or the smoke runner (smoke.c). */
#ifndef SBX_FUZZ_H
#define SBX_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* The longest input worth trying (libFuzzer's -max_len). */
extern const size_t sbx_fuzz_max_len;

#endif
