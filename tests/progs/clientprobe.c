/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clientprobe: runs inside the sandbox with --client and checks the client
 * library against the policy. argv: ALLOWED-FILE DENIED-FILE WRITABLE-DIR;
 * or "connect TCP-PORT DENIED-PORT UDP-PORT UNIX-ALLOWED UNIX-DENIED
 * ABSTRACT-NAME" against the echo peers of tests/net/peers.py on loopback,
 * under rules that allow the first, the UDP port, the first unix path and
 * the name; or "private PORT" under "loopback private"; or "fifo FIFO"
 * (opens that do not wait for a peer); or "concurrent
 * ALLOWED-FILE": threads and a signal handler at once. With "bench FILE
 * N": ns per sbx_client_open+close; with "bench-connect PORT N
 * client|sys": ns per connect+close of a TCP socket to 127.0.0.1:PORT
 * through the library or by the system calls. */
#include <sandbox/client.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clientproto.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%s %s\n", cond ? "ok" : "FAIL", what);
	failures += !cond;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Nanoseconds per OP(ARG), of N; or -1 when one failed. */
static double timed(long n, int (*op)(const char *arg), const char *arg)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (op(arg) < 0)
			return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
}

static int open_close(const char *path)
{
	int fd = sbx_client_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		perror("sbx_client_open");
		return -1;
	}
	return close(fd);
}

static int tcp_connect(int port, int type);
static int refused(int fd, int e);
static int connect_checks(char **argv);

static bool by_syscalls; /* bench-connect ... sys */

static int connect_close(const char *port)
{
	struct sockaddr_in a = loopback(atoi(port));
	int fd = by_syscalls ? socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)
			     : sbx_client_connect((struct sockaddr *)&a, sizeof(a), SOCK_STREAM | SOCK_CLOEXEC);
	if (fd < 0 || (by_syscalls && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)) {
		perror("connect");
		return -1;
	}
	return close(fd);
}

/* The socket to the broker, or -1 without --client. */
static int broker_fd(void)
{
	const char *v = getenv("SBX_BROKER_FD");
	return v ? atoi(v) : -1;
}

/* Send the LEN bytes at REQ to the broker with a reply socket, as the
 * library does, but unchecked. Returns the reply's result; a reply that
 * brings an fd, or a reply socket the broker keeps open afterwards, is a
 * failure (-1000). */
static int raw_request(const void *req, size_t len)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1000;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)req, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
	ssize_t sent = sendmsg(broker_fd(), &mh, 0);
	close(sv[1]);
	static struct sbx_client_reply rep;
	memset(&ctl, 0, sizeof(ctl));
	iov = (struct iovec){.iov_base = &rep, .iov_len = sizeof(rep)};
	mh = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	ssize_t got = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
	char more;
	ssize_t eof = recv(sv[0], &more, 1, 0); /* 0: the broker closed its end */
	close(sv[0]);
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS) {
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		close(fd);
		return -1000;
	}
	if (sent <= 0 || got < (ssize_t)(sizeof(rep.magic) + sizeof(rep.result)) || eof != 0)
		return -1000;
	return rep.result;
}

/* How many fds are open, without /proc. */
static int count_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/* FD is a stream (or datagram) socket that echoes what it is sent. */
static int echoes(int fd)
{
	char buf[16] = "";
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return send(fd, "ping", 4, MSG_NOSIGNAL) == 4 && poll(&p, 1, 5000) == 1 &&
	       recv(fd, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "ping", 4);
}

/* sbx_client_connect gave -1 with errno E. */
static int refused(int fd, int e)
{
	int saved = errno;
	if (fd >= 0)
		close(fd);
	return fd < 0 && saved == e;
}

static int unix_connect(const char *path, int type)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (path[0] == '@') {
		a.sun_path[0] = '\0'; /* abstract: no NUL at the end */
		len--;
	}
	return sbx_client_connect((struct sockaddr *)&a, len, type);
}

static int tcp_connect(int port, int type)
{
	struct sockaddr_in a = loopback(port);
	return sbx_client_connect((struct sockaddr *)&a, sizeof(a), type);
}

/* Print WHAT and wait for a line on stdin (at once on EOF): the test
 * counts the broker's fds meanwhile. A request whose reply socket the
 * broker has closed first: it serves one at a time, so it is done with
 * every earlier one. */
static void pause_for(const char *what)
{
	char line[16];
	if (raw_request("junk", 4) != -EBADMSG)
		check(0, "the broker answers a malformed request before the pause");
	printf("%s\n", what);
	(void)!fgets(line, sizeof(line), stdin);
}

/* argv: TCP-PORT DENIED-PORT UDP-PORT UNIX-ALLOWED UNIX-DENIED ABSTRACT. */
static int connect_checks(char **argv)
{
	int tcp = atoi(argv[0]), denied = atoi(argv[1]), udp = atoi(argv[2]);
	char abstract[108];
	snprintf(abstract, sizeof(abstract), "@%s", argv[5]);
	int fd = tcp_connect(tcp, SOCK_STREAM);
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	check(fd >= 0 && echoes(fd) && !(fl & O_NONBLOCK) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "connect to the allowed TCP peer: blocking, no close-on-exec, it echoes");
	if (fd >= 0)
		close(fd);
	fd = tcp_connect(tcp, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int e = -1;
	socklen_t el = sizeof(e);
	check(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
		      poll(&p, 1, 5000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0 &&
		      echoes(fd),
	      "SOCK_NONBLOCK|SOCK_CLOEXEC: a nonblocking close-on-exec socket, connected once writable");
	if (fd >= 0)
		close(fd);
	int before = count_fds();
	check(refused(tcp_connect(denied, SOCK_STREAM), EACCES), "connect to a port no rule names: EACCES");
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)tcp),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	check(refused(sbx_client_connect((struct sockaddr *)&a6, sizeof(a6), SOCK_STREAM), EACCES),
	      "the allowed port on [::1], which no rule names: EACCES");
	check(refused(tcp_connect(udp, SOCK_STREAM), EACCES), "TCP to the port of a udp rule: EACCES");
	struct sockaddr_in u = loopback(udp);
	fd = sbx_client_connect((struct sockaddr *)&u, sizeof(u), SOCK_DGRAM);
	check(fd >= 0 && echoes(fd), "connect a UDP socket to the allowed peer: it echoes");
	if (fd >= 0)
		close(fd);
	fd = unix_connect(argv[3], SOCK_STREAM);
	check(fd >= 0 && echoes(fd), "connect to the allowed unix socket by path: it echoes");
	if (fd >= 0)
		close(fd);
	check(refused(unix_connect(argv[4], SOCK_STREAM), EACCES), "a unix socket no rule names: EACCES");
	check(refused(unix_connect("/run/no-such-sbx.sock", SOCK_STREAM), EACCES),
	      "a missing unix path no rule names: EACCES, not ENOENT");
	fd = unix_connect(abstract, SOCK_STREAM);
	check(fd >= 0 && echoes(fd), "connect to the allowed abstract name: it echoes");
	if (fd >= 0)
		close(fd);
	check(refused(unix_connect("@sbx-no-such-name", SOCK_STREAM), EACCES), "another abstract name: EACCES");
	/* The library's own checks, as socket(2) and connect(2) make them. */
	struct sockaddr_in a = loopback(tcp);
	check(refused(sbx_client_connect((struct sockaddr *)&a, 8, SOCK_STREAM), EINVAL), "a short sockaddr_in: EINVAL");
	a.sin_family = AF_NETLINK;
	check(refused(sbx_client_connect((struct sockaddr *)&a, sizeof(a), SOCK_STREAM), EAFNOSUPPORT),
	      "an unknown family: EAFNOSUPPORT");
	a.sin_family = AF_INET;
	check(refused(sbx_client_connect((struct sockaddr *)&a, sizeof(a), SOCK_RAW), EINVAL), "SOCK_RAW: EINVAL");
	check(refused(sbx_client_connect(NULL, 16, SOCK_STREAM), EFAULT), "no address: EFAULT");
	/* Malformed connects sent without the library: refused by the broker,
	 * with no fd in the answer, the reply socket closed. */
	static struct sbx_client_req req;
	struct sockaddr_in *ra = (struct sockaddr_in *)&req.addr;
	const char *bad[] = {"an address longer than a sockaddr_storage", "an unknown family",
			     "a short sockaddr_in", "an unknown socket type", "a path besides the address",
			     "a unix address with no name"};
	int bad_ok = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&req, 0, sizeof(req));
		req.magic = SBX_CLIENT_MAGIC;
		req.op = SBX_CLIENT_CONNECT;
		req.flags = SOCK_STREAM;
		*ra = loopback(tcp);
		req.addrlen = sizeof(*ra);
		if (i == 0)
			req.addrlen = sizeof(req.addr) + 1;
		else if (i == 1)
			ra->sin_family = 12345;
		else if (i == 2)
			req.addrlen = 8;
		else if (i == 3)
			req.flags = 0x7f;
		else if (i == 4)
			strcpy(req.path, "/etc/passwd");
		else {
			memset(&req.addr, 0, sizeof(req.addr));
			req.addr.ss_family = AF_UNIX;
			req.addrlen = offsetof(struct sockaddr_un, sun_path);
		}
		int r = raw_request(&req, sizeof(req));
		if (r == -EBADMSG)
			bad_ok++;
		else
			printf("# %s: answered %d\n", bad[i], r);
	}
	check(bad_ok == (int)(sizeof(bad) / sizeof(bad[0])),
	      "malformed connects (long or short address, unknown family or type, a path, no name): EBADMSG, no fd");
	check(count_fds() == before, "no fd left over from the refusals");
	/* The broker's fds: the same before and after many refused,
	 * malformed and allowed connects. */
	pause_for("count-broker-fds");
	int loop_ok = 1;
	for (int i = 0; i < 100; i++) {
		req.flags = SOCK_STREAM;
		req.addrlen = sizeof(req.addr) + 1;
		loop_ok &= raw_request(&req, sizeof(req)) == -EBADMSG;
		loop_ok &= refused(tcp_connect(denied, SOCK_STREAM), EACCES);
		loop_ok &= refused(unix_connect(argv[4], SOCK_STREAM), EACCES);
		fd = tcp_connect(tcp, SOCK_STREAM);
		loop_ok &= fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	check(loop_ok, "100 rounds of a malformed, two refused and an allowed connect");
	pause_for("count-broker-fds");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}

/* "concurrent FILE": the library from 8 threads at once and from a signal
 * handler that interrupts them (each thread on its kept connection, a
 * handler that interrupted a request with a reply socket of its own), then
 * from a forked child and its parent at once. */
static const char *shared_file;
static volatile sig_atomic_t in_handler_ok, in_handler_bad;

static void on_alarm(int sig)
{
	(void)sig;
	int saved = errno;
	struct stat st;
	if (sbx_client_stat(shared_file, &st) == 0 && st.st_size == 12)
		in_handler_ok++;
	else
		in_handler_bad++;
	errno = saved;
}

static void *hammer(void *arg)
{
	long bad = 0;
	for (int i = 0; i < 300; i++) {
		char buf[16] = "";
		int fd = sbx_client_open(shared_file, O_RDONLY | O_CLOEXEC, 0);
		struct stat st;
		bad += fd < 0 || read(fd, buf, sizeof(buf)) != 12 || strncmp(buf, "public data", 11);
		if (fd >= 0)
			close(fd);
		bad += sbx_client_stat(shared_file, &st) < 0 || st.st_size != 12;
	}
	return (void *)bad;
}

static int concurrent_checks(const char *file)
{
	shared_file = file;
	/* This thread's connection is made by its first request. */
	struct stat st0;
	check(sbx_client_stat(file, &st0) == 0, "a first request");
	int before = count_fds();
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 2000}, {0, 2000}};
	setitimer(ITIMER_REAL, &it, NULL);
	pthread_t t[8];
	long bad = 0;
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		bad += (long)r;
	}
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	check(bad == 0, "8 threads x 300 opens, reads and stats through the library at once: all right");
	printf("# signal handler requests: %d right, %d wrong\n", (int)in_handler_ok, (int)in_handler_bad);
	check(in_handler_ok > 0 && in_handler_bad == 0, "stats from a signal handler interrupting them: all right");
	check(count_fds() == before, "no fd left behind (each thread's connection closed at its end)");
	/* A child forked with this thread's connection asks on its own. */
	pid_t child = fork();
	if (child == 0)
		_exit((int)(long)hammer(NULL) == 0 ? 0 : 1);
	long pbad = (long)hammer(NULL);
	int st = -1;
	check(child > 0 && waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "a forked child's 300 opens and stats at once with its parent's: all right");
	check(pbad == 0, "and its parent's: all right");
	check(count_fds() == before, "no fd left behind after the fork");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "concurrent"))
		return concurrent_checks(argv[2]);
	double ns = 0;
	if (argc == 4 && !strcmp(argv[1], "bench"))
		ns = timed(atol(argv[3]), open_close, argv[2]);
	else if (argc == 5 && !strcmp(argv[1], "bench-connect")) {
		by_syscalls = !strcmp(argv[4], "sys");
		ns = timed(atol(argv[3]), connect_close, argv[2]);
	}
	else if (argc == 8 && !strcmp(argv[1], "connect"))
		return connect_checks(argv + 2);
	else if (argc == 3 && !strcmp(argv[1], "fifo")) {
		/* A FIFO without a writer: the client's open does not wait
		 * (the library's one thread would), and the next request
		 * is answered at once; for writing without a reader, ENXIO. */
		alarm(10);
		int fd = sbx_client_open(argv[2], O_RDONLY, 0);
		check(fd >= 0, "client open of a FIFO without a writer returns");
		check(fd < 0 || !(fcntl(fd, F_GETFL) & O_NONBLOCK), "... and its fd blocks, as asked");
		struct stat st;
		check(sbx_client_stat(argv[2], &st) == 0 && S_ISFIFO(st.st_mode), "then a client stat answers");
		if (fd >= 0)
			close(fd);
		int wfd = sbx_client_open(argv[2], O_WRONLY, 0);
		check(wfd < 0 && errno == ENXIO, "client open for writing without a reader: ENXIO");
		printf("%d failures\n", failures);
		return failures ? 1 : 0;
	}
	else if (argc == 3 && !strcmp(argv[1], "private")) {
		/* "loopback private": 127.0.0.1 is the sandbox's, where
		 * nothing listens, whatever the rules say of the host's. */
		int fd = tcp_connect(atoi(argv[2]), SOCK_STREAM);
		check(refused(fd, ECONNREFUSED), "loopback private: the sandbox's own loopback refuses");
		return failures;
	}
	if (ns < 0)
		return 1;
	if (ns > 0) {
		printf("%.0f\n", ns);
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: clientprobe ALLOWED DENIED WRITABLE-DIR | connect TCP DENIED UDP UNIX-OK "
				"UNIX-DENIED ABSTRACT | bench FILE N | bench-connect PORT N client|sys\n");
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
	char junk[100];
	memset(junk, 'A', sizeof(junk));
	check(raw_request(junk, sizeof(junk)) == -EBADMSG, "a malformed request is answered EBADMSG");
	(void)!send(broker_fd(), junk, sizeof(junk), 0); /* no reply socket: dropped */
	check(sbx_client_stat(argv[1], &st) == 0, "and the broker serves on");
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
