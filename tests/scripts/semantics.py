# SPDX-License-Identifier: LGPL-2.1-or-later
# File-syscall semantics, printed one result a line. The integration tests
# run it natively and in the sandbox (with the directory granted) and
# compare the two outputs line for line: every flag, mode and errno must be
# the kernel's own.
import ctypes
import errno
import os
import stat
import sys

D = sys.argv[1]
os.chdir(D)


def res(what, fn):
    try:
        r = fn()
        print(what, "->", "ok" if r is None else r)
    except OSError as e:
        print(what, "->", errno.errorcode.get(e.errno, e.errno))


def mode(p, follow=True):
    st = os.stat(p) if follow else os.lstat(p)
    return "%s %o" % (stat.filemode(st.st_mode)[0], stat.S_IMODE(st.st_mode))


def write_file(p, data, flags=os.O_WRONLY | os.O_CREAT | os.O_TRUNC, m=0o666):
    fd = os.open(p, flags, m)
    try:
        return os.write(fd, data)
    finally:
        os.close(fd)


def read_file(p, flags=os.O_RDONLY):
    fd = os.open(p, flags)
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


os.umask(0o027)
res("create with umask 027", lambda: write_file("a", b"one") and mode("a"))
res("O_EXCL on existing", lambda: write_file("a", b"x", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
res("O_TRUNC", lambda: write_file("a", b"", os.O_WRONLY | os.O_TRUNC) or os.stat("a").st_size)
res("O_APPEND", lambda: [write_file("a", b"xy", os.O_WRONLY | os.O_APPEND) for _ in range(2)] and read_file("a"))
res("open missing", lambda: read_file("missing"))
res("O_CREAT in missing dir", lambda: write_file("nodir/x", b""))
res("O_DIRECTORY on file", lambda: read_file("a", os.O_RDONLY | os.O_DIRECTORY))
res("write open of a dir", lambda: os.open(".", os.O_WRONLY))
os.umask(0o022)
res("mkdir 0777", lambda: os.mkdir("d", 0o777) or mode("d"))
res("mkdir existing", lambda: os.mkdir("d"))
res("mkdir d/.", lambda: os.mkdir("d/."))
res("mkdir trailing slash", lambda: os.mkdir("e/") or mode("e"))
res("symlink", lambda: os.symlink("a", "l") or os.readlink("l"))
res("symlink dangling", lambda: os.symlink("nothere", "dl") or os.readlink("dl"))
res("symlink existing", lambda: os.symlink("a", "l"))
res("lstat link", lambda: mode("l", False))
res("stat through link", lambda: mode("l"))
res("O_NOFOLLOW on link", lambda: read_file("l", os.O_RDONLY | os.O_NOFOLLOW))
res("O_CREAT through dangling link", lambda: write_file("dl", b"made") and read_file("nothere"))
res("O_CREAT|O_EXCL on dangling link", lambda: os.symlink("gone", "dl2") or write_file("dl2", b"", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
res("readlink of a file", lambda: os.readlink("a"))
res("link", lambda: os.link("a", "d/hard") or os.stat("a").st_nlink)
res("link existing", lambda: os.link("a", "d/hard"))
res("rename into dir", lambda: os.rename("d/hard", "d/moved") or sorted(os.listdir("d")))
res("rename over file", lambda: write_file("b", b"bee") and os.rename("b", "d/moved") or read_file("d/moved"))
res("rename dir onto non-empty dir", lambda: os.mkdir("f") or os.rename("f", "d"))
res("rmdir non-empty", lambda: os.rmdir("d"))
res("rmdir file", lambda: os.rmdir("a"))
res("unlink dir", lambda: os.unlink("e"))
res("unlink missing", lambda: os.unlink("nope"))
res("rmdir .", lambda: os.rmdir("."))
res("chmod 600", lambda: os.chmod("a", 0o600) or mode("a"))
res("chmod through link", lambda: os.chmod("l", 0o640) or mode("a"))
res("truncate", lambda: os.truncate("a", 2) or read_file("a"))
res("truncate dir", lambda: os.truncate("d", 0))
res("utime", lambda: os.utime("a", (1000000000, 1000000000)) or os.stat("a").st_mtime)
res("utime nofollow on link", lambda: os.utime("l", (2000000000, 2000000000), follow_symlinks=False) or (os.lstat("l").st_mtime, os.stat("a").st_mtime))
res("access R_OK", lambda: os.access("a", os.R_OK))
res("access X_OK on 640 file", lambda: os.access("a", os.X_OK))
res("mkfifo", lambda: os.mkfifo("p", 0o644) or mode("p"))
fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)


def read_file_at(dfd, p):
    f = os.open(p, os.O_RDONLY, dir_fd=dfd)
    try:
        return os.read(f, 100)
    finally:
        os.close(f)


res("openat(dirfd, a)", lambda: read_file_at(fd, "a"))
res("mkdirat(dirfd)", lambda: os.mkdir("g", dir_fd=fd) or mode("g"))
res("unlinkat(dirfd, AT_REMOVEDIR)", lambda: os.rmdir("g", dir_fd=fd))
res("renameat(dirfd)", lambda: os.rename("a", "a2", src_dir_fd=fd, dst_dir_fd=fd) or os.path.exists("a2"))
res("fstat(dirfd)", lambda: stat.S_ISDIR(os.fstat(fd).st_mode))
res("chdir d", lambda: os.chdir("d") or os.path.basename(os.getcwd()))
res("relative read after chdir", lambda: read_file("moved"))
res("relative .. after chdir", lambda: read_file("../a2"))
res("fchdir back", lambda: os.fchdir(fd) or os.getcwd() == os.path.realpath(D))
res("chdir to a file", lambda: os.chdir("a2"))
res("chdir missing", lambda: os.chdir("zzz"))
tf = os.open(".", os.O_TMPFILE | os.O_RDWR, 0o600)
res("O_TMPFILE write", lambda: os.write(tf, b"tmp"))
res("O_TMPFILE nlink", lambda: os.fstat(tf).st_nlink)
libc = ctypes.CDLL(None, use_errno=True)


def linkat_follow(src, dst):
    if libc.linkat(-100, src.encode(), -100, dst.encode(), 0x400) < 0:  # AT_SYMLINK_FOLLOW
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


res("linkat O_TMPFILE via /proc/self/fd, AT_SYMLINK_FOLLOW",
    lambda: linkat_follow("/proc/self/fd/%d" % tf, "fromtmp") or read_file("fromtmp"))
res("listdir", lambda: sorted(os.listdir(".")))
res("xattr set", lambda: os.setxattr("a2", "user.k", b"v"))
res("xattr get", lambda: os.getxattr("a2", "user.k"))
res("xattr list", lambda: "user.k" in os.listxattr("a2"))
res("xattr remove", lambda: os.removexattr("a2", "user.k") or os.listxattr("a2"))
res("xattr get missing", lambda: os.getxattr("a2", "user.k"))


def inotify():
    ifd = libc.inotify_init1(os.O_CLOEXEC)
    wd = libc.inotify_add_watch(ifd, b".", 0x100)  # IN_CREATE
    if wd < 0:
        raise OSError(ctypes.get_errno(), "inotify_add_watch")
    write_file("watched", b"")
    ev = os.read(ifd, 4096)
    os.close(ifd)
    return "wd=%d name=%s" % (wd, ev[16:].rstrip(b"\0").decode())


res("inotify_add_watch and an IN_CREATE event", inotify)
res("inotify_add_watch on a missing path",
    lambda: (lambda i: libc.inotify_add_watch(i, b"zzz-missing", 0x100) >= 0 or
             (_ for _ in ()).throw(OSError(ctypes.get_errno(), "")))(libc.inotify_init1(0)))


def fstat_kinds():
    import select
    import socket
    r, w = os.pipe()
    s1, s2 = socket.socketpair()
    ep = select.epoll()
    out = []
    for fd in (r, s1.fileno(), ep.fileno(), os.eventfd(0), os.open("/dev/null", os.O_RDONLY)):
        st = os.fstat(fd)
        out.append(stat.filemode(st.st_mode)[0] + str(st.st_nlink))
    return " ".join(out)


res("fstat of a pipe, a socket, an epoll, an eventfd and a device", fstat_kinds)


def raw(fn):
    """A libc call's -1 as the OSError of its errno."""
    def run():
        if fn() < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
    return run


# Calls on an fd given AT_FDCWD: no fd at all, not the working directory.
res("fchmod(AT_FDCWD)", raw(lambda: libc.fchmod(-100, 0o755)))
res("fchown(AT_FDCWD)", raw(lambda: libc.fchown(-100, -1, -1)))
