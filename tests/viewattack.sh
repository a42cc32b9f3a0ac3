#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Attacks on the view's fast path: the kernel opens and stats by itself, so
# each of these tries to make it reach what the policy does not grant: links
# and symlinks made in a write tree, a rename on the host over a hidden file,
# directory fds and working directories from outside the view (inherited,
# served by the broker), /proc, open flags the filter might misread. Each
# check also runs the same program against a path it may reach, so a check
# cannot pass because the program did not run. Needs SBX_BUILD and
# SBX_SOURCE; runs as root and as an unprivileged user.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-viewattack
T=$(realpath "$T")
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
echo "# view attack tests as $(id -un) (uid $(id -u))"

# Landlock's ABI version (landlock_create_ruleset with the version flag).
abi=$(python3 -c 'import ctypes; l = ctypes.CDLL(None); l.syscall.restype = ctypes.c_long; print(l.syscall(444, None, 0, 1))')
if [ "$abi" -lt 1 ]; then
	echo "SKIP - the kernel has no Landlock: the view's fast path is off, every read is brokered"
	echo "0 passed, 0 failed"
	exit 0
fi

mkdir -p "$T/r/sub" "$T/w" "$T/w2"
echo granted >"$T/r/file"
echo r-secret >"$T/r/secret"
echo sub >"$T/r/sub/x"
echo unlisted >"$T/unlisted"
PY=$(readlink -f /usr/bin/python3)
POL=(--policy=shell --read="$T/r/**" --deny="$T/r/secret" --write="$T/w/**" --write="$T/w2/**" --exec="$PY")

# Each program below is python3 in the sandbox, $PREAMBLE first; it prints
# "NAME VALUE" lines. got NAME: the first VALUE NAME printed.
got() { awk -v n="$1" '$1 == n {print $2; exit}' "$T/out"; }
PREAMBLE='
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def rd(name, path, dir_fd=None, flags=os.O_RDONLY):
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
        data = os.read(fd, 100).decode(errors="replace").strip() or "empty"
        os.close(fd)
        print(name, data)
    except OSError as x:
        print(name, errno.errorcode.get(x.errno, x.errno))
def do(name, f):
    try:
        f(); print(name, "ok")
    except OSError as x:
        print(name, errno.errorcode.get(x.errno, x.errno))
'
# The fast path is what is under attack: the kernel answers reads here.
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE"'rd("granted", "'"$T/r/file"'"); rd("secret", "'"$T/r/secret"'")'
check $([ $rc = 0 ] && [ "$(got granted)" = granted ] && [ "$(got secret)" != r-secret ] && ! grep -q refused "$T/err"; echo $?) \
	"a granted file reads, a denied one does not, and no line is logged: the kernel answered ($(tr '\n' ' ' <"$T/out"))"

# Symlinks the program makes in a write tree, to a hidden file, to a file
# outside the view, to a host file the policy denies.
CODE='
for n, t in [("hidden", "'"$T/r/secret"'"), ("outside", "'"$T/unlisted"'"), ("shadow", "/etc/shadow"), ("fine", "'"$T/r/file"'")]:
    do("mk-" + n, lambda: os.symlink(t, "'"$T/w/"'" + n))
    rd("via-" + n, "'"$T/w/"'" + n)
'
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE$CODE"
check $([ $rc = 0 ] && [ "$(got mk-hidden)" = ok ] && [ "$(got via-fine)" = granted ] &&
	[ "$(got via-hidden)" != r-secret ] && [ "$(got via-outside)" != unlisted ] &&
	! grep -q '^via-shadow [a-z0-9$]' "$T/out"; echo $?) \
	"a symlink made in a write tree reaches only what the view holds ($(tr '\n' ' ' <"$T/out"))"

# Hard links and renames out of a read tree into a write tree (the
# program would get a writable name for a file it may only read).
CODE='
do("link", lambda: os.link("'"$T/r/file"'", "'"$T/w/hl"'"))
do("rename", lambda: os.rename("'"$T/r/file"'", "'"$T/w/mv"'"))
do("link-hidden", lambda: os.link("'"$T/r/secret"'", "'"$T/w/hl2"'"))
do("link-ww", lambda: os.link("'"$T/w/a"'", "'"$T/w2/b"'"))
'
echo a >"$T/w/a"
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE$CODE"
check $([ $rc = 0 ] && [ "$(got link)" != ok ] && [ "$(got rename)" != ok ] && [ "$(got link-hidden)" != ok ] &&
	[ ! -e "$T/w/hl" ] && [ ! -e "$T/w/mv" ] && [ ! -e "$T/w/hl2" ] && [ -e "$T/r/file" ] &&
	[ "$(got link-ww)" = ok ]; echo $?) \
	"links and renames from a read tree into a write tree are refused ($(tr '\n' ' ' <"$T/out"))"

# A rename on the host over the hidden file while the sandbox runs: the
# kernel drops the mount that hid it; Landlock, which names the files of
# that directory one by one, still keeps the new one out.
mkfifo "$T/go"
"$H" "${POL[@]}" --read="$T/go" -- "$PY" -c "$PREAMBLE"'
open("'"$T/go"'").read()
rd("after", "'"$T/r/secret"'"); rd("still", "'"$T/r/file"'")' >"$T/out" 2>"$T/err" </dev/null & spid=$!
bg_pids+=($spid)
watchdog $spid
sleep 1
echo new-secret >"$T/r/new" && mv "$T/r/new" "$T/r/secret" && release "$T/go"
wait $spid; rc=$?
check $([ $rc = 0 ] && [ "$(got still)" = granted ] && [ "$(got after)" != new-secret ] &&
	! grep -q new-secret "$T/out"; echo $?) \
	"a file the host renames over a hidden one is not read ($(tr '\n' ' ' <"$T/out"))"

# A directory the host moves out of a write tree while the program holds
# an fd of it: what is beneath stays reachable through that fd (as with
# any bind mount), nothing beside it ('..' of a moved mount's directory
# is not followed).
mkdir -p "$T/w/mdir" "$T/o" && echo beneath >"$T/w/mdir/f" && echo beside >"$T/o/beside" && mkfifo "$T/w/go3"
"$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE"'
d = os.open("'"$T/w/mdir"'", os.O_RDONLY | os.O_DIRECTORY)
open("'"$T/w/go3"'").read()
rd("beneath", "f", dir_fd=d); rd("beside", "../beside", dir_fd=d); rd("up", "../../unlisted", dir_fd=d)
do("stat-beside", lambda: os.stat("../beside", dir_fd=d))' >"$T/out" 2>"$T/err" </dev/null & spid=$!
bg_pids+=($spid)
watchdog $spid
sleep 1
mv "$T/w/mdir" "$T/o/mdir" && release "$T/w/go3"
wait $spid; rc=$?
check $([ $rc = 0 ] && [ "$(got beneath)" = beneath ] && [ "$(got beside)" != beside ] && [ "$(got up)" != unlisted ] &&
	[ "$(got stat-beside)" != ok ]; echo $?) \
	"a directory the host moves out of a tree: reachable beneath the held fd only ($(tr '\n' ' ' <"$T/out"))"

# Directory fds and working directories from outside the view: one the
# caller passes in (init closes every inherited directory, so no lookup
# can start on the host; other fds pass), one opened with openat2 (the
# kernel's then: an fd on the view's mounts, never one of the broker's).
mkdir -p "$T/r/sub/hid" && echo hid >"$T/r/sub/hid/x"
CODE='
rd("fd-in", "r/file", dir_fd=3)
rd("fd-out", "unlisted", dir_fd=3)
rd("fd-up", "../" + os.path.basename("'"$T"'") + "/unlisted", dir_fd=3)
rd("fd-self", "/proc/self/fd/3/unlisted")
rd("file-fd", "/proc/self/fd/4")
do("fchdir", lambda: os.fchdir(3))
rd("cwd-out", "unlisted")
class How(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]
how = How(os.O_RDONLY | os.O_DIRECTORY, 0, 0)
libc.syscall.restype = ctypes.c_long
d = libc.syscall(437, -100, "'"$T/r/sub"'".encode(), ctypes.byref(how), ctypes.c_size_t(24))
print("served", "ok" if d >= 0 else errno.errorcode.get(ctypes.get_errno()))
if d >= 0:
    rd("srv-in", "x", dir_fd=d)
    rd("srv-up", "../../unlisted", dir_fd=d)
    rd("srv-hidden", "../secret", dir_fd=d)
    do("srv-stat-up", lambda: os.stat("../../unlisted", dir_fd=d))
    do("srv-stat-hidden", lambda: print("size", os.stat("../secret", dir_fd=d).st_size))
    do("srv-list-hid", lambda: print("hidlist", ",".join(os.listdir(os.open("hid", os.O_RDONLY | os.O_DIRECTORY, dir_fd=d))) or "none"))
'
run "$H" "${POL[@]}" --deny="$T/r/sub/hid/**" -- "$PY" -c "$PREAMBLE$CODE" 3<"$T" 4<"$T/r/file"
check $([ $rc = 0 ] && [ "$(got fd-in)" = EBADF ] && [ "$(got fd-out)" != unlisted ] && [ "$(got file-fd)" = granted ] &&
	[ "$(got fd-up)" != unlisted ] && [ "$(got fd-self)" != unlisted ] && [ "$(got fchdir)" != ok ] &&
	[ "$(got cwd-out)" != unlisted ]; echo $?) \
	"an inherited host directory fd is closed before the program runs, a file fd passes ($(tr '\n' ' ' <"$T/out"))"
check $([ "$(got served)" = ok ] && [ "$(got srv-in)" = sub ] && [ "$(got srv-up)" != unlisted ] &&
	[ "$(got srv-hidden)" != r-secret ] && [ "$(got srv-stat-up)" != ok ] && ! grep -q '^size 9' "$T/out" &&
	! grep -q '^hidlist x' "$T/out"; echo $?) \
	"a directory fd from openat2 reaches only the view: no open, stat or listing of what it hides"

# An O_PATH open with write bits (which the kernel drops for O_PATH) stops
# for the broker on those bits: its answer must be the view's directory,
# never the broker's own fd of the host's (stat, readlink and access from
# it are the kernel's, and Landlock does not limit them).
CODE='
d = os.open("'"$T/r/sub"'", os.O_PATH | os.O_WRONLY)
v = os.open("'"$T/r/sub"'", os.O_PATH)
mnt = lambda fd: [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fd) if l.startswith("mnt_id")][0]
print("same-mount", "yes" if mnt(d) == mnt(v) else "no")
do("opath-stat-up", lambda: os.stat("../../unlisted", dir_fd=d))
do("opath-stat-hidden", lambda: print("size", os.stat("../secret", dir_fd=d).st_size))
do("opath-fchdir", lambda: os.fchdir(d))
do("opath-cwd-up", lambda: os.stat("../../unlisted"))
'
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE$CODE"
check $([ $rc = 0 ] && [ "$(got same-mount)" = yes ] && [ "$(got opath-stat-up)" != ok ] &&
	! grep -qE '^size [1-9]' "$T/out" && [ "$(got opath-cwd-up)" != ok ]; echo $?) \
	"an O_PATH open with write bits gets the view's directory, not the broker's of the host ($(tr '\n' ' ' <"$T/out"))"

# A deny that matches nothing at start: what the host makes there later
# does not open (the directory it would appear in is guarded).
mkfifo "$T/go2"
"$H" "${POL[@]}" --read="$T/go2" --deny="$T/r/late" --deny="$T/r/sub/*.key" -- "$PY" -c "$PREAMBLE"'
open("'"$T/go2"'").read()
rd("late", "'"$T/r/late"'"); rd("key", "'"$T/r/sub/new.key"'"); rd("still", "'"$T/r/sub/x"'")' >"$T/out" 2>"$T/err" </dev/null & spid=$!
bg_pids+=($spid)
watchdog $spid
sleep 1
echo late-secret >"$T/r/late" && echo key-secret >"$T/r/sub/new.key" && release "$T/go2"
wait $spid; rc=$?
check $([ $rc = 0 ] && [ "$(got still)" = sub ] && ! grep -q -e late-secret -e key-secret "$T/out"; echo $?) \
	"files the host makes later under a deny are not read ($(tr '\n' ' ' <"$T/out"))"

# A deny with a wildcard above a bound tree: over the trees an expanded
# "read U/*/**" gives, and over a literal tree. A file the host makes there
# later under the denied name does not open.
mkdir -p "$T/u/a" && echo pub >"$T/u/a/pub" && chmod -R a+rX "$T/u"
printf 'include shell\nexec %s\nread %s/u/*/**\ndeny %s/u/*/secret\n' "$PY" "$T" "$T" >"$T/exp.policy"
printf 'include shell\nexec %s\nread %s/u/a/**\ndeny %s/*/a/secret\n' "$PY" "$T" "$T" >"$T/lit.policy"
for kind in exp lit; do
	rm -f "$T/u/a/secret" "$T/u/a/go"
	# (No FIFO to wait on: a FIFO grant leaves the view incomplete.)
	"$H" --policy="$T/$kind.policy" -- "$PY" -c "$PREAMBLE"'
import time
for i in range(200):
    if os.path.exists("'"$T/u/a/go"'"): break
    time.sleep(0.05)
rd("pub", "'"$T/u/a/pub"'"); rd("late", "'"$T/u/a/secret"'")' >"$T/out" 2>"$T/err" </dev/null & spid=$!
	bg_pids+=($spid)
	watchdog $spid
	sleep 1
	echo late-secret >"$T/u/a/secret" && : >"$T/u/a/go"
	wait $spid; rc=$?
	check $([ $rc = 0 ] && [ "$(got pub)" = pub ] && ! grep -q late-secret "$T/out" && ! grep -q refused "$T/err"; echo $?) \
		"$kind: a file made later where a deny's wildcard above the tree names it is not read, by the kernel ($(tr '\n' ' ' <"$T/out"))"
done

# /proc from inside: init's root, our own, the host's sysctl.
CODE='
do("root1", lambda: os.listdir("/proc/1/root/'"${T#/}"'"))
rd("self-root", "/proc/self/root'"$T"'/unlisted")
rd("self-root-ok", "/proc/self/root'"$T"'/r/file")
rd("hostname", "/proc/sys/kernel/hostname")
do("sysctl-w", lambda: open("/proc/sys/kernel/hostname", "w").write("x"))
do("sysrq", lambda: open("/proc/sysrq-trigger", "w").write("h"))
print("pids", len([p for p in os.listdir("/proc") if p.isdigit()]))
rd("meminfo", "/proc/meminfo"); rd("cmdline", "/proc/cmdline"); rd("init", "/proc/1/status")
rd("filesystems", "/proc/filesystems")
'
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE$CODE"
check $([ $rc = 0 ] && [ "$(got root1)" != ok ] && [ "$(got self-root)" != unlisted ] &&
	[ "$(got self-root-ok)" = granted ] && [ "$(got hostname)" != "$(hostname)" ] && [ "$(got sysctl-w)" != ok ] &&
	[ "$(got sysrq)" != ok ] && [ "$(got pids)" -le 3 ] && [ "$(got meminfo)" = empty ] &&
	[ "$(got cmdline)" = empty ] && [ "$(got filesystems)" = nodev ]; echo $?) \
	"/proc shows the sandbox's processes, no way into init's root, what describes the host only where granted ($(tr '\n' ' ' <"$T/out"))"
# init is undumpable: invisible to the program (as root, init keeps
# capabilities the program lacks, and the kernel lets root see it).
if [ "$(id -u)" != 0 ]; then
	check $([ "$(got init)" = ENOENT ]; echo $?) "init (pid 1) is not in the program's /proc ($(got init))"
fi

# Open flags the filter must read as the kernel does: write bits with the
# upper half of the register set (the kernel reads an int), O_TMPFILE,
# O_TRUNC alone; on a file of a read tree and one the broker may write.
CODE='
libc.syscall.restype = ctypes.c_long
for n, fl in [("hi-wronly", (1 << 32) | os.O_WRONLY), ("hi-rdwr", (1 << 40) | os.O_RDWR), ("trunc", os.O_TRUNC)]:
    r = libc.syscall(257, -100, "'"$T/r/file"'".encode(), ctypes.c_ulong(fl), 0)
    print(n, "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno()))
r = libc.syscall(257, -100, "'"$T/r"'".encode(), ctypes.c_ulong(os.O_TMPFILE | os.O_RDWR), 0o600)
print("tmpfile", "ok" if r >= 0 else errno.errorcode.get(ctypes.get_errno()))
rd("after", "'"$T/r/file"'")
'
run "$H" "${POL[@]}" -- "$PY" -c "$PREAMBLE$CODE"
check $([ $rc = 0 ] && [ "$(got hi-wronly)" != ok ] && [ "$(got hi-rdwr)" != ok ] && [ "$(got trunc)" != ok ] &&
	[ "$(got tmpfile)" != ok ] && [ "$(got after)" = granted ] && [ "$(cat "$T/r/file")" = granted ]; echo $?) \
	"write, truncate and tmpfile opens of a read tree fail whatever the upper bits ($(tr '\n' ' ' <"$T/out"))"

# In strict mode the same program is refused by the broker, with a line.
run "$H" --strict "${POL[@]}" -- "$PY" -c "$PREAMBLE"'rd("secret", "'"$T/r/secret"'"); rd("granted", "'"$T/r/file"'")'
check $([ $rc = 0 ] && [ "$(got granted)" = granted ] && [ "$(got secret)" = EACCES ] &&
	grep -q "refused openat(\"$T/r/secret\")" "$T/err"; echo $?) "--strict: the broker refuses and says so"

summary
