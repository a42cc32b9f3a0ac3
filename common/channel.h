/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The channel: one AF_UNIX SOCK_SEQPACKET socketpair between the broker and
 * init (and, for a moment, the program before it execs). Each datagram is one
 * message: a fixed header, a payload of at most SBX_MSG_MAX_PAYLOAD bytes and
 * up to SBX_MSG_MAX_FDS descriptors passed with SCM_RIGHTS. */
#ifndef SBX_CHANNEL_H
#define SBX_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBX_MSG_MAX_PAYLOAD 65536u
#define SBX_MSG_MAX_FDS 4u

enum sbx_msg_type {
	/* broker -> init, during setup and later on demand */
	SBX_MSG_ROOT_DIR = 1,  /* payload: path */
	SBX_MSG_ROOT_SYMLINK,  /* payload: path, target */
	SBX_MSG_ROOT_BIND,     /* payload: struct sbx_bind_req + path */
	SBX_MSG_EXEC_PATH,     /* payload: path init execs for the program */
	SBX_MSG_WORKDIR,       /* payload: the program's working directory */
	SBX_MSG_SETENV,        /* payload: NAME, VALUE for the program's environment */
	SBX_MSG_LOOPBACK,      /* bring the sandbox's loopback interface up */
	SBX_MSG_CLIENT,        /* fd: the client library's socket, for the program
				* (its number goes in $SBX_BROKER_FD) */
	SBX_MSG_GUARD,         /* payload: struct sock_filter[], installed first */
	SBX_MSG_FILTER,        /* payload: struct sock_filter[]; starts the program */
	SBX_MSG_SIGNAL,        /* payload: int32 signal for the program (forwarded) */
	/* init -> broker */
	SBX_MSG_ROOT_DONE,     /* id of the request, payload: int32 errno (0: done) */
	SBX_MSG_STARTED,       /* payload: int32 pid of the program in init's pid ns */
	SBX_MSG_EXITED,        /* payload: int32 wait status of the program */
	/* program -> broker, before its execve */
	SBX_MSG_LISTENER,      /* payload: int32, the number of the program's
				* seccomp listener fd, which the broker takes
				* with pidfd_getfd (the sender's pid comes with
				* SO_PASSCRED); sent with write(), since sendmsg
				* already waits for the broker. Or, in tests,
				* the fd itself. */
	SBX_MSG_HANDOVER,      /* helper -> a launcher's broker (--broker-fd): fds
				* channel, pidfd of init[, status fd]; payload:
				* the broker's arguments, each NUL-terminated */
	/* broker -> init, with --view */
	SBX_MSG_ROOT_HIDE,     /* payload: struct sbx_bind_req + path: an empty
				* read-only mount over what is there (dev, ino
				* 0: whatever it is, of that type) */
	SBX_MSG_ROOT_PROC,     /* payload: path, "pid" or "": a procfs of the sandbox there (of its processes only) */
	SBX_MSG_LANDLOCK,      /* fd: the view's Landlock ruleset, for the program
				* to confine itself with before its execve */
	SBX_MSG_TYPE_MAX,
};

struct sbx_msg_hdr {
	uint32_t type;
	uint32_t id;
};

struct sbx_bind_req {
	uint64_t dev;  /* what the broker checked: init refuses anything else */
	uint64_t ino;
	uint32_t mode; /* S_IFMT bits */
	uint32_t flags; /* SBX_BIND_*; 0: read-only, one mount, exec allowed */
};

#define SBX_BIND_WRITABLE 1u  /* not read-only */
#define SBX_BIND_NOEXEC 2u    /* nothing in it runs */
#define SBX_BIND_RECURSIVE 4u /* with the mounts beneath it */
#define SBX_BIND_DEVICE 8u    /* a device node, opened as one (not recursive) */

struct sbx_msg {
	struct sbx_msg_hdr hdr;
	size_t len;
	pid_t sender;  /* with SO_PASSCRED on the receiving end: the sender's
			* pid in our pid namespace; 0 when unknown */
	size_t nfds;
	int fds[SBX_MSG_MAX_FDS];
	unsigned char payload[SBX_MSG_MAX_PAYLOAD];
};

/* Make the socketpair, both ends O_CLOEXEC. */
int sbx_channel_pair(int sv[2]);

/* Send one message. Returns 0 or a negative errno. */
int sbx_msg_send(int fd, uint32_t type, uint32_t id, const void *payload,
		 size_t len, const int *fds, size_t nfds);

/* Send LEN bytes of BUF on SOCK as one datagram, with the fd FD attached
 * (SCM_RIGHTS) unless it is -1; FLAGS as sendmsg's, MSG_NOSIGNAL always
 * added; EINTR retried. Returns the bytes sent or a negative errno. */
ssize_t sbx_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags);

/* Receive one message into M. Returns 1 for a message, 0 at end of stream, or
 * a negative errno: -EBADMSG for a message that is too short, truncated, of an
 * unknown type, or carries anything but SCM_RIGHTS; no fd of a refused
 * message stays open. Received fds are O_CLOEXEC. */
int sbx_msg_recv(int fd, struct sbx_msg *m);

/* Close every fd M still holds (entries set to -1 were taken). */
void sbx_msg_close_fds(struct sbx_msg *m);

/* Payload helpers: a list of N NUL-terminated strings filling the payload
 * exactly. sbx_payload_strings() checks it and points OUT[i] into M.
 * Returns 0 or -EBADMSG. */
int sbx_payload_strings(const struct sbx_msg *m, size_t skip, const char **out,
			size_t n);

/* Encode N strings after an optional fixed prefix into BUF. Returns the length
 * or -E2BIG. */
ssize_t sbx_payload_pack(void *buf, size_t size, const void *prefix,
			 size_t prefix_len, const char *const *strs, size_t n);

#endif
