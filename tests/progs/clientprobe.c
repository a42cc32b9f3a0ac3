/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clientprobe: runs inside the sandbox with --client and checks the client
 * library against the policy. argv: ALLOWED-FILE DENIED-FILE WRITABLE-DIR.
 * With "bench FILE N": ns per sbx_client_open+close. */
#include <sandbox/client.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
	failures += !cond;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "bench")) {
		long n = atol(argv[3]);
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < n; i++) {
			int fd = sbx_client_open(argv[2], O_RDONLY | O_CLOEXEC, 0);
			if (fd < 0) {
				perror("sbx_client_open");
				return 1;
			}
			close(fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%.0f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: clientprobe ALLOWED DENIED WRITABLE-DIR | bench FILE N\n");
		return 2;
	}
	check(sbx_client_available(), "the client socket is there");
	int fd = sbx_client_open(argv[1], O_RDONLY, 0);
	char buf[64] = "";
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	check(n > 0 && !strncmp(buf, "public", 6), "open an allowed file and read it");
	if (fd >= 0)
		close(fd);
	errno = 0;
	check(sbx_client_open(argv[2], O_RDONLY, 0) < 0 && errno == EACCES, "open a denied file: EACCES");
	check(sbx_client_open("/etc/shadow", O_RDONLY, 0) < 0 && errno == EACCES, "open /etc/shadow: EACCES");
	struct stat st;
	check(sbx_client_stat(argv[1], &st) == 0 && st.st_size == 12, "stat an allowed file (size 12)");
	check(sbx_client_access(argv[1], R_OK) == 0, "access R_OK");
	check(sbx_client_access(argv[1], W_OK) < 0 && errno == EACCES, "access W_OK of a read-only grant: EACCES");
	char p[4096], q[4096];
	snprintf(p, sizeof(p), "%s/made", argv[3]);
	snprintf(q, sizeof(q), "%s/moved", argv[3]);
	check(sbx_client_mkdir(p, 0700) == 0 && sbx_client_stat(p, &st) == 0 && S_ISDIR(st.st_mode),
	      "mkdir in the writable directory");
	check(sbx_client_rename(p, q) == 0 && sbx_client_rmdir(q) == 0, "rename and rmdir there");
	snprintf(p, sizeof(p), "%s/new.txt", argv[3]);
	fd = sbx_client_open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	check(fd >= 0 && write(fd, "x", 1) == 1 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0,
	      "create a file (O_CREAT|O_EXCL), no O_CLOEXEC unless asked");
	if (fd >= 0)
		close(fd);
	check(sbx_client_unlink(p) == 0 && sbx_client_stat(p, &st) < 0 && errno == ENOENT, "unlink it");
	check(sbx_client_mkdir("/usr/sbx-client-test", 0700) < 0 && errno == EACCES, "mkdir outside: EACCES");
	/* Malformed requests: garbage with a reply socket gets EBADMSG;
	 * without one, nothing; the broker goes on serving. */
	int bfd = atoi(getenv("SBX_BROKER_FD"));
	int sv[2];
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	char junk[100];
	memset(junk, 'A', sizeof(junk));
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = junk, .iov_len = sizeof(junk)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
	int sent = (int)sendmsg(bfd, &mh, 0);
	close(sv[1]);
	struct {
		unsigned magic;
		int result;
	} head = {0, 0};
	char rep[8192];
	ssize_t got = recv(sv[0], rep, sizeof(rep), 0);
	if (got >= (ssize_t)sizeof(head))
		memcpy(&head, rep, sizeof(head));
	close(sv[0]);
	check(sent > 0 && got > 0 && head.result == -EBADMSG, "a malformed request is answered EBADMSG");
	(void)!send(bfd, junk, sizeof(junk), 0); /* no reply socket: dropped */
	check(sbx_client_stat(argv[1], &st) == 0, "and the broker serves on");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
