#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Races and attacks on the broker: the program (tests/progs/racer.c) and the
# host swap, move and flip what the broker decides on while it decides, and
# every protected tree must come out byte for byte as it went in (names,
# contents, modes, times, xattrs). Then the attacks of the security review:
# each shows a way around the policy and fails while that way is open.
# Each race runs SBX_RACE_SECONDS (3 by default). SBX_RACE_NATIVE=1 runs the
# program without the sandbox: then every test must fail, which shows that
# each one can. SBX_RACE_STRICT=1 runs every sandbox in strict mode (every
# path request the broker's); by default they run in the view, where what
# the policy does not grant is not there (ENOENT stands for EACCES then).
# Run as root and as an
# unprivileged user (meson test and tests/run.sh do both). Needs SBX_BUILD
# (the meson build directory) and SBX_SOURCE (the source tree).
set -uo pipefail
umask 022

B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(realpath "$B") S=$(realpath "$S")
H=$B/helper/sandbox-helper
RACER=$(realpath "${SBX_RACER:-$B/tests/racer}")
EXECRACE=$(realpath "${SBX_EXECRACE:-$B/tests/execrace}")
SECS=${SBX_RACE_SECONDS:-3}
# SBX_LONG=1: the exec race runs a minute (else SECS).
EXECSECS=$SECS
[ "${SBX_LONG:-0}" = 1 ] && EXECSECS=60
. "$S/tests/harness.sh" sbx-race
T=$(realpath "$T") # the broker names canonical paths
# run CMD...: stdout in $T/out, stderr in $T/err, status in $rc.
run() { timeout -k 5 $((SECS + 40)) "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
# fresh NAME: a new world-writable directory $T/NAME as $D.
fresh() { D=$T/$1; mkdir -p "$D"; chmod 777 "$D"; }
# box ARGS... -- RACER-ARGS...: racer in a sandbox of the minimal policy.
box() {
	local a=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
		run "$RACER" "$@"
	else
		run "$H" "${MODE[@]}" --policy=minimal "${a[@]}" -- "$RACER" "$@"
	fi
}
MODE=()
if [ "${SBX_RACE_STRICT:-0}" = 1 ]; then MODE=(--strict); else export SBX_RACER_VIEW=1; fi
echo "# races in ${MODE[*]:-the view (default mode)}"
# protected DIR: files with known content, modes and times; a directory, an
# empty directory, a symlink.
protected() {
	mkdir -p "$1/sub" "$1/empty"
	printf 'protected f1\n' >"$1/f1"
	printf 'protected f2\n' >"$1/f2"
	printf 'protected g\n' >"$1/sub/g"
	ln -s f1 "$1/ln"
	chmod 644 "$1/f1" "$1/f2" "$1/sub/g"
	chmod 755 "$1" "$1/sub" "$1/empty"
	touch -h -d '2001-02-03 04:05:06' "$1/f1" "$1/f2" "$1/sub/g" "$1/ln" "$1/sub" "$1/empty" "$1"
}
# snap DIR [SKIP...]: everything about DIR's tree but access times: type,
# mode, size, mtime, links, owner, xattrs, chattr flags, content and link
# text. SKIP: relative paths left out ("." leaves out DIR's own times).
snap() {
	python3 - "$@" <<'PY'
import fcntl, hashlib, os, stat, struct, sys
root, skip = sys.argv[1], set(sys.argv[2:])
out = []
def one(rel):
    p = os.path.join(root, rel)
    st = os.lstat(p)
    try:
        xa = sorted(os.listxattr(p, follow_symlinks=False))
    except OSError as e:
        xa = [e.strerror]
    line = "%s %s %o %d %d %s %s" % (rel, stat.filemode(st.st_mode), st.st_mode, st.st_nlink,
                                     st.st_uid, st.st_gid, xa)
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        try:  # chattr flags (FS_IOC_GETFLAGS)
            fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                line += " attr=%x" % struct.unpack("i", fcntl.ioctl(fd, 0x80086601, b"\0" * 8)[:4])[0]
            finally:
                os.close(fd)
        except OSError:
            pass
    if not (rel == "." and "." in skip):
        line += " mtime=%d" % st.st_mtime_ns
    if stat.S_ISREG(st.st_mode):
        line += " size=%d sha=%s" % (st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest()[:16])
    elif stat.S_ISLNK(st.st_mode):
        line += " -> " + os.readlink(p)
    out.append(line)
one(".")
for dp, dns, fns in os.walk(root):
    keep = []
    for n in sorted(dns + fns):
        rel = os.path.relpath(os.path.join(dp, n), root)
        if rel in skip:
            continue
        one(rel)
        if n in dns:
            keep.append(n)
    dns[:] = keep
print("\n".join(sorted(out)))
PY
}
# same BEFORE AFTER: equal snapshots, or show the difference.
same() {
	[ "$1" = "$2" ] && return 0
	diff <(echo "$1") <(echo "$2") | sed 's/^/#   /' | head -20
	return 1
}
# host_flip A B: exchange A and B from the host for SECS, in the background.
host_flip() { "$RACER" xflip "$1" "$2" "$SECS" >"$T/flip.out" 2>&1 & fpid=$!; bg_pids+=("$fpid"); }
flip_wait() { wait "$fpid"; frc=$?; }

echo "# races on the broker as $(id -un) (uid $(id -u)), $SECS s each"

# --- a) A directory swapped from the host during mutations -------------------------
# W/d flips (renameat2 RENAME_EXCHANGE with W/d.alt) between a real directory
# and a symlink to P, which the policy grants read only.
fresh a; W=$D/W; P=$D/P
mkdir -p "$W/d/empty"; protected "$P"; ln -s "$P" "$W/d.alt"; chmod -R a+rwX "$W"
before=$(snap "$P")
host_flip "$W/d" "$W/d.alt"
box --write="$W" --read="$P" -- mutate "$W/d" "$W" "$SECS"
flip_wait
res=$(grep '^rounds' "$T/out")
after=$(snap "$P")
same "$before" "$after" && [ "$(ls "$D")" = "$(printf 'P\nW')" ]
check $? "a) host flips W/d between a directory and a symlink to read-only P during 16 mutations: P is unchanged"
[ $rc = 0 ] && [ $frc = 0 ]; check $? "a) ... and the real directory was exercised ($res; $(cat "$T/flip.out"))"

# --- b) The same swap done inside the sandbox --------------------------------------
fresh b; W=$D/W; P=$D/P
mkdir -p "$W/d/empty"; protected "$P"; ln -s "$P" "$W/d.alt"; chmod -R a+rwX "$W"
before=$(snap "$P")
box --write="$W" --read="$P" -- mutate "$W/d" "$W" "$SECS" "$W/d" "$W/d.alt"
res=$(grep -h -e '^rounds' -e '^inner' "$T/out" | tr '\n' ' ')
after=$(snap "$P")
same "$before" "$after" && [ "$(ls "$D")" = "$(printf 'P\nW')" ]
check $? "b) a second process inside flips W/d the same way: P is unchanged"
[ $rc = 0 ]; check $? "b) ... and the real directory was exercised ($res)"

# --- c) ".." while directories move ---------------------------------------------------
# W/a/b/../../N and W/m/n/a/b/../../../../N both name W/N; resolved with ".."
# after a move, one could land in W/m/n, in O (beside W, granted nothing) or
# above. O/sbx-race-x exists; nothing outside W may change.
dotdot_tree() {
	W=$D/W; O=$D/O
	mkdir -p "$W/a/b" "$W/m/n/a/b" "$O/a/b"
	printf 'outside\n' >"$O/sbx-race-x"
	chmod -R a+rwX "$W"; chmod 755 "$O" "$O/a" "$O/a/b"
	touch -d '2001-02-03 04:05:06' "$O/sbx-race-x"
}
strays() { find "$T" / -xdev -maxdepth 1 -name 'sbx-race-*' 2>/dev/null; find "$D" -name 'sbx-race-*' -not -path "$W/*" -not -path "$O/sbx-race-x"; }
fresh c1; dotdot_tree
before=$(snap "$O")
box --write="$W" -- dotdot "$W" "$SECS" inner
res=$(grep '^rounds' "$T/out")
after=$(snap "$O")
same "$before" "$after" && [ -z "$(strays)" ] && [ "$(ls "$D")" = "$(printf 'O\nW')" ]
check $? "c) a thread exchanges W/a and W/m/n/a while another resolves W/a/b/../../N: nothing outside W is made or written"
[ $rc = 0 ]; check $? "c) ... and the paths were exercised ($res)"
fresh c2; dotdot_tree
before=$(snap "$O" . a)
host_flip "$W/a" "$O/a"
box --write="$W" -- dotdot "$W" "$SECS"
flip_wait
res=$(grep '^rounds' "$T/out")
after=$(snap "$O" . a)
same "$before" "$after" && [ -z "$(strays)" ] && [ -z "$(find "$O/a" "$W/a" -mindepth 1 -name 'sbx-race-*')" ]
check $? "c) the host exchanges W/a with O/a (beside W, granted nothing): nothing in O is made or written"
[ $rc = 0 ] && [ $frc = 0 ]; check $? "c) ... and the paths were exercised ($res; $(cat "$T/flip.out"))"

# --- d) A dirfd whose directory moves ---------------------------------------------------
# The program holds W/dir open; it moves it within W, then the host moves it
# to R (granted read), then to O (granted nothing): each *at call follows the
# policy on the directory's path as it is then.
fresh d; W=$D/W; R=$D/R; O=$D/O
mkdir -p "$W/dir" "$R" "$O"; printf 'in dir\n' >"$W/dir/f"; chmod -R a+rwX "$W"; chmod 777 "$R" "$O"
wait_for() { local i; for i in $(seq 500); do [ -e "$1" ] && return 0; alive "$hp" || return 1; sleep 0.02; done; return 1; }
# Strict: in the view a directory the host moves out of a tree stays
# reachable, beneath it only, through the fd the program holds (as with
# any bind mount; tests/viewattack.sh checks that nothing beside it is).
sandboxed=("$H" --strict --policy=minimal --write="$W" --read="$R" --)
[ "${SBX_RACE_NATIVE:-0}" = 1 ] && sandboxed=()
"${sandboxed[@]}" "$RACER" dirfd "$W" >"$T/out" 2>"$T/err" </dev/null &
hp=$!; bg_pids+=("$hp"); watchdog "$hp"
steps=0
wait_for "$W/ready-1" && mv "$W/dir" "$R/dir" && touch "$W/go-1" && steps=1 &&
	wait_for "$W/ready-2" && mv "$R/dir" "$O/dir" && touch "$W/go-2" && steps=2
wait "$hp"; rc=$?
[ $rc = 0 ] && [ $steps = 2 ] && [ "$(cd "$O/dir" && ls | tr '\n' ' ')" = "f made-in-w " ] &&
	[ "$(cat "$O/dir/f")" = "in dir" ] && [ ! -e "$W/stolen" ]
check $? "d) a dirfd moved within W, then by the host to R (read) and O (nothing): *at calls follow the new path"

# --- e) exec of a name that flips between the program's file and an allowed one ---------
# W/x (flipped by a thread) and W/y (flipped by the host) exchange between a
# copy of racer the program wrote and a symlink to /usr/bin/true; a vfork
# child execs a path string that flips between /usr/bin/true and the copy. The
# copy prints MARKER-RAN: it must never run.
fresh e; W=$D/W; mkdir "$W"; chmod 777 "$W"
host_flip "$W/y" "$W/y.alt"
box --write="$W" --exec=/usr/bin/true -- exec "$W" "$SECS"
flip_wait
res=$(grep -e '^runs' -e '^control' "$T/out" | tr '\n' ' ')
! grep -q MARKER-RAN "$T/out"; check $? "e) exec while names and path strings flip never runs the program-written file ($res)"
[ $rc = 0 ]; check $? "e) ... and the allowed program did run (host flips: $(cat "$T/flip.out"))"

# --- Attacks of the review: each fails while the way around is open ---------------------
echo "# attacks"
# 1. Metadata through read-only fds: fchmod, fchmodat2(AT_EMPTY_PATH), futimens,
# utimensat(AT_EMPTY_PATH), fsetxattr and ioctl(FS_IOC_SETFLAGS) go to the
# kernel on any fd.
fresh fdmeta; P=$D/P; protected "$P"
before=$(snap "$P")
box --read="$P" -- fdmeta "$P/f1" "$P"
after=$(snap "$P")
same "$before" "$after" && [ $rc = 0 ]
check $? "read-only fds give no chmod, times or xattrs on the read-only file and directory"

# 2. AT_EMPTY_PATH: the broker reads "" and lets the kernel go on; the kernel
# reads the path again, now "../H/secret" (H: granted nothing).
fresh empty; W=$D/W; Hd=$D/H
mkdir -p "$W" "$Hd"; chmod 777 "$W"; head -c 12345 /dev/zero >"$Hd/secret"; chmod 640 "$Hd/secret"
touch -d '2001-02-03 04:05:06' "$Hd/secret" "$Hd"
before=$(snap "$Hd")
box --write="$W" -- emptypath "$W" ../H/secret 12345 "$SECS"
res=$(grep -e '^calls' "$T/out")
after=$(snap "$Hd")
[ $rc = 0 ]
check $? "statx(fd, \"\", AT_EMPTY_PATH), the \"\" becoming ../H/secret after the broker read it: no hidden file's metadata ($res)"
same "$before" "$after"
check $? "fchmodat2 and utimensat the same way: the hidden file's mode and times are unchanged"

# 3. /proc/self/fd/N reopened for writing while dup2 flips N between a
# read-only fd and a writable one.
fresh dup2open; W=$D/W; P=$D/P; mkdir "$W"; chmod 777 "$W"; protected "$P"
before=$(snap "$P")
box --write="$W" --read="$P" -- dup2open "$P/f1" "$W/w" "$SECS"
res=$(grep '^tries' "$T/out")
after=$(snap "$P")
same "$before" "$after" && [ $rc = 0 ]
check $? "open(/proc/self/fd/N, O_WRONLY) while dup2 flips N: never the read-only file ($res)"

# 4. linkat(N, "", AT_EMPTY_PATH) while dup2 flips N the same way.
fresh dup2link; W=$D/W; P=$D/P; mkdir "$W"; chmod 777 "$W"; protected "$P"
before=$(snap "$P")
box --write="$W" --read="$P" -- dup2link "$P/f1" "$W/w" "$W/l" "$SECS"
res=$(grep '^tries' "$T/out")
after=$(snap "$P")
same "$before" "$after" && [ $rc = 0 ]
check $? "linkat(N, \"\", W/l, AT_EMPTY_PATH) while dup2 flips N: the read-only file never gets a name in W ($res)"

# 5. Errnos that say what exists where the policy grants nothing.
fresh leak; W=$D/W; Hd=$D/H
mkdir -p "$W" "$Hd/dir"; echo hidden >"$Hd/file"; touch "$W/x"; chmod -R a+rwX "$W"
box --write="$W" -- leak "$W" "$Hd"
[ $rc = 0 ] && [ ! -e "$Hd/dir/x" ]
check $? "stat, chdir, mkdir, open and execve through \"..\" and symlinks answer alike for a hidden file, directory and nothing"

# 6. A denied directory inside the writable tree, and a rename of its parent.
fresh deny; W=$D/W; mkdir -p "$W/a/secret"; printf 'denied\n' >"$W/a/secret/f"; chmod -R a+rwX "$W"
box --write="$W" --deny="$W/a/secret" -- denyrename "$W"
[ $rc = 0 ] && [ "$(cat "$W/a/secret/f" 2>/dev/null || cat "$W/b/secret/f")" = denied ]
check $? "--deny=W/a/secret: renaming W/a does not open the denied files"

# 7. What the broker does with capabilities the program lacks (a broker run
# by root keeps them): chown to another uid, security.capability, trusted.*.
fresh caps; W=$D/W; mkdir "$W"; chmod 777 "$W"
box --write="$W" -- rootcaps "$W"
[ $rc = 0 ]; check $? "no chown to another uid, file capabilities or trusted.* xattrs beyond the program's own rights"

# 8. An inherited write-only fd: no read access through /proc/self/fd, no name in W.
fresh procfd; W=$D/W; mkdir "$W"; chmod 777 "$W"; printf 'SECRET-LOG\n' >"$D/outside.log"
sandboxed=("$H" "${MODE[@]}" --policy=minimal --write="$W" --)
[ "${SBX_RACE_NATIVE:-0}" = 1 ] && sandboxed=()
timeout -k 5 40 "${sandboxed[@]}" "$RACER" procfd "$W" 5 >"$T/out" 2>"$T/err" </dev/null 5>>"$D/outside.log"; rc=$?
[ $rc = 0 ] && [ ! -e "$W/log" ]
check $? "an inherited write-only fd outside the policy is neither readable through /proc/self/fd nor linked into W"

# 9. The ELF loader the root holds for every program.
fresh ldso; W=$D/W; mkdir "$W"; chmod 777 "$W"
box --write="$W" --exec=/usr/bin/true -- ldso "$W"
! grep -q MARKER-RAN "$T/out" && [ $rc = 0 ]
check $? "execve of the dynamic loader does not run a program-written ELF"

# 9b. An approved exec whose path string a thread turns into the loader (or
# into the program's own file) after the broker read it: the kernel reads the
# string again. No image the policy did not approve may start.
fresh execld; W=$D/W; mkdir "$W"; chmod 777 "$W"
if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
	timeout -k 5 $((EXECSECS + 40)) "$EXECRACE" "$W" "$EXECSECS" /usr/bin/true >"$T/out" 2>"$T/err" </dev/null; rc=$?
else
	timeout -k 5 $((EXECSECS + 40)) "$H" "${MODE[@]}" --policy=minimal --write="$W" --exec=/usr/bin/true -- \
		"$EXECRACE" "$W" "$EXECSECS" /usr/bin/true >"$T/out" 2>"$T/err" </dev/null; rc=$?
fi
res=$(grep -e '^runs' -e '^control' "$T/out" | tr '\n' ' ')
! grep -q MARKER-RAN "$T/out" && [ $rc = 0 ]
check $? "an exec path flipped to the loader or the program's own file after the broker read it runs neither ($res)"

# 9c. What the exec watch must not break: an exec from a thread that is not
# the leader, one that fails, execs under a stream of signals, a #! script,
# 32 multithreaded processes exec'ing at once, a vfork child.
fresh execok; printf '#!/usr/bin/dash\nexit 7\n' >"$D/s.sh"; chmod 755 "$D/s.sh"
run "$H" "${MODE[@]}" --policy=minimal --exec=/usr/bin/true --exec=/usr/bin/dash --exec="$D/s.sh" --read="$D/s.sh" -- \
	"$EXECRACE" legit /usr/bin/true "$D/s.sh"
res=$(grep -c '^ok' "$T/out")
[ $rc = 0 ] && grep -q '^0 failures' "$T/out"
check $? "execs from threads, failing, under signals, of scripts, 32 at once and after vfork all work under the watch ($res of 6)"

# 9d. The attack review's probes of the watch: a child SIGKILLed while the
# broker checks its image (with the root lock kept busy), 100 processes and
# 50 threads exec'ing at once, two threads of one process at once, SIGSTOP/
# SIGCONT during execs, failing execs, a process that is not dumpable. None
# may be left stuck, unreaped or stopped.
EXECATTACK=$(realpath "${SBX_EXECATTACK:-$B/tests/execattack}")
fresh execattack; W=$D/W; mkdir "$W"; chmod 777 "$W"
bad=""
for spec in "busychdir 150" "storm 100" "threads 50" "twin 20" "stopcont 100" "efail 20" "dumpable 20"; do
	# shellcheck disable=SC2086 # MODE N
	run "$H" "${MODE[@]}" --policy=minimal --write="$W" --exec=/usr/bin/true -- "$EXECATTACK" $spec /usr/bin/true "$W"
	[ $rc = 0 ] || bad="$bad [$spec: $rc $(grep RESULT "$T/out" | tr '\n' ' ')]"
done
[ -z "$bad" ]
check $? "execs killed while checked, storms, threads, stops and failures leave nothing stuck${bad:+:$bad}"

# 9e. A #! script as the sandbox's own command runs (its interpreter is the
# image the kernel loads); a sandbox under a host debugger (strace -f) still
# execs, unwatched, and says so once.
fresh script; printf '#!/bin/sh\necho script-ok\n' >"$D/ok.sh"; chmod 755 "$D/ok.sh"
run "$H" "${MODE[@]}" --policy=minimal --read="$D" -- "$D/ok.sh"
[ $rc = 0 ] && grep -q script-ok "$T/out"
check $? "a #! script given as the command runs (status $rc)"
if command -v strace >/dev/null; then
	# (LeakSanitizer cannot work under a tracer: off for a sanitized build)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run strace -f -o /dev/null "$H" "${MODE[@]}" --policy=minimal -- /usr/bin/true
	[ $rc = 0 ] && [ "$(grep -c 'its execs are not watched' "$T/err")" = 1 ]
	check $? "under strace -f the program still execs, and the broker says once that it is not watched"
else
	echo "SKIP strace is not installed"
fi

# 9f. A directory of the program's renamed to a name whose subtree a deny
# treats apart, while another thread exchanges the renamed name between a
# file and that directory (the attack review's "plant").
PLANT=$(realpath "${SBX_PLANT:-$B/tests/plant}")
fresh plant; W=$D/W; mkdir "$W"; chmod 777 "$W"
if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
	run "$PLANT" "$W" "$SECS"
else
	run "$H" "${MODE[@]}" --policy=minimal --write="$W" --deny="$W/future/locked/**" -- "$PLANT" "$W" "$SECS"
fi
[ $rc = 0 ] && [ ! -e "$W/future/locked/planted" ]
check $? "no rename puts a directory of the program's under a deny, whatever a racing exchange makes of the name ($(grep '^tries' "$T/out"))"

# 10. Smaller things: openat2 RESOLVE_NO_MAGICLINKS, trailing slashes, O_TMPFILE,
# xattr sizes, inotify, odd dirfds (socket, memfd, deleted, /proc, the root),
# long paths.
fresh misc; W=$D/W; P=$D/P; Hd=$D/H; mkdir -p "$W" "$Hd/dir"; chmod 777 "$W"; echo h >"$Hd/file"; protected "$P"
before=$(snap "$P")
box --write="$W" --read="$P" -- misc "$W" "$P" "$Hd"
after=$(snap "$P")
same "$before" "$after" && [ $rc = 0 ]
check $? "openat2 flags, trailing slashes, O_TMPFILE links, xattr sizes, inotify, odd dirfds, long paths"

# 11. The network: a send or connect the broker lets the kernel carry out
# (on a socket of the sandbox's own, which reaches nothing, or on an fd that
# is no socket), while a second thread puts a host socket the broker handed
# over at that fd number between the broker's look and the kernel's call.
NETSWAP=$(realpath "${SBX_NETSWAP:-$B/tests/netswap}")
fresh netswap
/usr/bin/python3 -c 'import socket, sys
ok = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); ok.bind(("127.0.0.1", 0))
bad = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); bad.bind(("127.0.0.1", 0))
print(ok.getsockname()[1], bad.getsockname()[1], flush=True)
while True:
    bad.recv(100)
    print("got", flush=True)' >"$D/ports" 2>&1 &
lpid=$!; bg_pids+=("$lpid")
for _ in $(seq 100); do [ -s "$D/ports" ] && break; sleep 0.05; done
read -r okport badport _ <"$D/ports"
for mode in send connect; do
	before=$(grep -c '^got' "$D/ports")
	if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
		run "$NETSWAP" $mode "$okport" "$badport" "$SECS"
	else
		run "$H" "${MODE[@]}" --policy=minimal --connect="udp 127.0.0.1:$okport" -- "$NETSWAP" $mode "$okport" "$badport" "$SECS"
	fi
	sleep 0.5
	got=$(($(grep -c '^got' "$D/ports") - before))
	[ $rc = 0 ] && [ "$got" = 0 ]
	check $? "a $mode on an fd swapped for a host socket after the broker looked reaches no port the policy does not allow (received $got; $(cat "$T/out"))"
done
# No race: a host socket kept while more are made and closed than the
# broker remembers is then taken for one of the sandbox's own, whose sends
# the kernel carries out.
before=$(grep -c '^got' "$D/ports")
if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
	run "$NETSWAP" forget "$okport" "$badport" 1
else
	run "$H" "${MODE[@]}" --policy=minimal --connect="udp 127.0.0.1:$okport" -- "$NETSWAP" forget "$okport" "$badport" 1
fi
sleep 0.5
got=$(($(grep -c '^got' "$D/ports") - before))
[ $rc = 0 ] && [ "$got" = 0 ]
check $? "a host socket stays one of the host's however many more the program makes: its sends reach no port the policy does not allow (received $got; $(cat "$T/out"))"
# With "loopback private", a connect of a socket of the sandbox's own to a
# loopback address is its own loopback's; swapped for a host socket (one
# connected to an allowed address that is not loopback: a udp connect sends
# nothing), it reaches the host's loopback.
printf 'include minimal\nloopback private\nconnect udp 198.51.100.7:53\n' >"$D/own.policy"
if ! /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(("198.51.100.7", 53))' 2>/dev/null; then
	echo "SKIP no route to 198.51.100.7 for the host socket of the loopback swap"
else
	before=$(grep -c '^got' "$D/ports")
	if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
		run "$NETSWAP" ownloop 198.51.100.7:53 "$badport" "$SECS"
	else
		run "$H" "${MODE[@]}" --policy="$D/own.policy" --exec="$NETSWAP" -- "$NETSWAP" ownloop 198.51.100.7:53 "$badport" "$SECS"
	fi
	sleep 0.5
	got=$(($(grep -c '^got' "$D/ports") - before))
	[ $rc = 0 ] && [ "$got" = 0 ]
	check $? "under loopback private, a connect to the sandbox's own loopback on an fd swapped for a host socket reaches nothing of the host's loopback (received $got; $(cat "$T/out"))"
fi
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null

# 12. fchdir where a working directory on the host is refused (under unix
# rules): to a directory of the sandbox's own root it was let through to the
# kernel, which looks at the fd again; a second thread puts a host directory
# fd there meanwhile, and a unix datagram to a relative address then reaches
# a host socket the policy does not grant.
CWDSWAP=$(realpath "${SBX_CWDSWAP:-$B/tests/cwdswap}")
fresh cwdswap; mkdir "$D/host"; chmod 777 "$D/host"
/usr/bin/python3 -c 'import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777)
print("ready", flush=True)
while True:
    s.recv(100)
    print("got", flush=True)' "$D/host/hostsock" >"$D/got" 2>&1 &
lpid=$!; bg_pids+=("$lpid")
for _ in $(seq 100); do [ -s "$D/got" ] && break; sleep 0.05; done
if [ "${SBX_RACE_NATIVE:-0}" = 1 ]; then
	run "$CWDSWAP" "$D/host" "$SECS"
else
	run "$H" "${MODE[@]}" --policy=minimal --read="$D/host" --connect="unix $D/other" -- "$CWDSWAP" "$D/host" "$SECS"
fi
sleep 0.5
got=$(grep -c '^got' "$D/got")
[ $rc = 0 ] && [ "$got" = 0 ]
check $? "under unix rules no fchdir, whatever another thread puts at its fd, leaves a working directory on the host that a datagram's relative address reaches (received $got; $(tail -1 "$T/out"))"
kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null

summary
