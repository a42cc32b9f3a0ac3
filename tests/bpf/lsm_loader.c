/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lsm_loader OBJ: load and attach the BPF LSM program in OBJ, print
 * "attached", and keep it attached until standard input closes. The
 * program is detached when this process ends, however it ends. */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: lsm_loader OBJ\n");
		return 2;
	}
	libbpf_set_print(quiet);
	struct bpf_object *o = bpf_object__open_file(argv[1], NULL);
	if (!o || bpf_object__load(o)) {
		printf("cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct bpf_program *p = bpf_object__next_program(o, NULL);
	struct bpf_link *l = p ? bpf_program__attach_lsm(p) : NULL;
	if (!l) {
		printf("cannot attach: %s\n", strerror(errno));
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	char c;
	while (read(0, &c, 1) > 0)
		;
	bpf_link__destroy(l);
	bpf_object__close(o);
	return 0;
}
