// SPDX-License-Identifier: LGPL-2.1-or-later
/* What Ubuntu's AppArmor restriction does, as a BPF LSM program: refuse to
 * create a user namespace to any task without CAP_SYS_ADMIN. For the setuid
 * tests; loaded by lsm_loader.c for the duration of a test. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define CAP_SYS_ADMIN 21
#define EPERM 1

SEC("lsm/userns_create")
int BPF_PROG(deny_userns, const struct cred *cred, int ret)
{
	__u64 eff = 0;
	if (ret)
		return ret;
	/* The effective set is 64 bits in either kernel_cap_t layout. */
	bpf_core_read(&eff, sizeof(eff), &cred->cap_effective);
	return eff & (1ULL << CAP_SYS_ADMIN) ? 0 : -EPERM;
}
