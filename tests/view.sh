#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --view: the policy compiled into the sandbox's mount tree. A sandbox with
# read /usr/**, write $T/w/**, deny /usr/share/doc/** and a literal file
# looks at itself from inside (its mountinfo, its procfs) and tries what
# the mounts forbid. Needs SBX_BUILD and SBX_SOURCE; runs as root and as
# an unprivileged user.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-view
T=$(realpath "$T")
# run CMD...: stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
echo "# view tests as $(id -un) (uid $(id -u))"

mkdir -p "$T/w" "$T/w2" "$T/r"
echo literal >"$T/lit"
echo secret >"$T/unlisted"
cp /usr/bin/true "$T/w/mytrue" && chmod 755 "$T/w/mytrue"
PY=$(readlink -f /usr/bin/python3)
VIEW=(--view --policy=shell --read='/usr/**' --write="$T/w/**" --write="$T/w2/**"
      --deny='/usr/share/doc/**' --read="$T/lit" --exec="$PY")
sbx() { run "$H" "${VIEW[@]}" "$@"; }
# py CODE: python3 in the view; CODE prints what the checks compare.
py() { sbx "$@" -- "$PY" -c "$PYCODE"; }

sbx -- /usr/bin/ls /usr
check $([ $rc = 0 ] && grep -qx bin "$T/out" && grep -qx share "$T/out"; echo $?) "ls /usr works in the view"

sbx -- /usr/bin/cat "$T/lit"
check $([ $rc = 0 ] && [ "$(cat "$T/out")" = literal ]; echo $?) "a literal file granted is read"

doc=$(find /usr/share/doc -maxdepth 2 -type f -print -quit)
sbx -- /usr/bin/cat "$doc"
check $([ $rc != 0 ] && [ ! -s "$T/out" ]; echo $?) "a file under the denied /usr/share/doc is not read ($doc)"

sbx -- /bin/sh -c "echo hi >$T/w/new && /usr/bin/cat $T/w/new"
check $([ $rc = 0 ] && [ "$(cat "$T/out")" = hi ] && [ "$(cat "$T/w/new" 2>/dev/null)" = hi ]; echo $?) \
	"a file is written in the write tree"

sbx -- /bin/sh -c "echo hi >/usr/sandbox-view-test"
check $([ $rc != 0 ] && [ ! -e /usr/sandbox-view-test ]; echo $?) "/usr is not written"

sbx -- /bin/sh -c "/usr/bin/cat $T/unlisted"
check $([ $rc != 0 ] && ! grep -q secret "$T/out"; echo $?) "a file next to the granted one is not read"

sbx -- /bin/sh -c "$T/w/mytrue"
check $([ $rc != 0 ]; echo $?) "a file in the write tree does not run from inside"

# A program in a read tree runs only where an exec rule names it.
mkdir -p "$T/rx" && cp /usr/bin/true "$T/rx/mytrue"
run "$H" "${VIEW[@]}" --read="$T/rx/**" -- /bin/sh -c "$T/rx/mytrue"
a=$rc
run "$H" "${VIEW[@]}" --read="$T/rx/**" --exec="$T/rx/mytrue" -- /bin/sh -c "$T/rx/mytrue"
check $([ $a != 0 ] && [ $rc = 0 ]; echo $?) "a program in a read tree runs only with an exec rule ($a, $rc)"

# The devices the policy names open as devices (their binds are not nodev),
# nothing else of the host's /dev is there.
sbx -- /bin/sh -c 'head -c 4 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c; ls /dev'
check $([ $rc = 0 ] && grep -q '00 00 00 00' "$T/out" && grep -qx 8 "$T/out" && ! grep -qx sda "$T/out" &&
	! grep -qx vda "$T/out" && ! has /dev/null nodev; echo $?) "granted devices open as devices, nothing else of /dev"

# The sandbox's mounts, as it sees them: FIELD 5 is the mount point, 6 its
# options.
sbx -- /usr/bin/cat /proc/self/mountinfo
cp "$T/out" "$T/mountinfo"
opts() { awk -v p="$1" '$5 == p {print $6}' "$T/mountinfo" | tail -1; }
has() { case ",$(opts "$1")," in *",$2,"*) return 0;; esac; return 1; }
# A read tree maps as code (the kernel opens the shared libraries now);
# what runs is still the broker's: execve always stops for it.
check $([ $rc = 0 ] && has /usr ro && has /usr nosuid && has /usr nodev && ! has /usr noexec; echo $?) \
	"/usr is a read-only, nosuid, nodev bind ($(opts /usr))"
check $(has "$T/w" rw && has "$T/w" nosuid && has "$T/w" nodev && has "$T/w" noexec; echo $?) \
	"the write tree is a writable, nosuid, nodev, noexec bind ($(opts "$T/w"))"
check $(has "$T/lit" ro; echo $?) "the literal file is a read-only bind"
check $(has /usr/share/doc ro && awk '$5 == "/usr/share/doc"' "$T/mountinfo" | grep -q ' - tmpfs '; echo $?) \
	"/usr/share/doc is hidden under an empty read-only tmpfs"
check $(awk '$5 == "/proc"' "$T/mountinfo" | grep -q ' - proc ' && has /proc/sys ro; echo $?) \
	"/proc is a procfs of the sandbox, /proc/sys hidden read-only"
# A policy that grants /proc nothing but processes (minimal) gets a procfs
# of processes only (subset=pid), with nothing hidden in it; one that
# grants a file of the host's (shell: /proc/filesystems) gets that file,
# the rest of the host's hidden.
run "$H" --policy=minimal -- /bin/sh -c 'echo /proc/*; read l </proc/self/mountinfo && echo ok; while read -r l; do case "$l" in *" - proc "*) echo "$l";; esac; done </proc/self/mountinfo'
procs=$(head -1 "$T/out" | tr ' ' '\n' | grep -Evx '/proc/([0-9]+|self|thread-self)')
check $([ $rc = 0 ] && [ -z "$procs" ] && grep -q 'subset=pid' "$T/out" && [ "$(grep -c ' - proc ' "$T/out")" = 1 ]; echo $?) \
	"minimal's /proc holds processes only, one procfs, nothing hidden in it${procs:+: $procs}"
run "$H" --policy=shell -- /bin/sh -c 'read l </proc/filesystems && echo fs; read l </proc/kcore || echo nokcore; read l </proc/cpuinfo || echo nocpuinfo'
check $([ "$(tr '\n' ' ' <"$T/out")" = "fs nokcore nocpuinfo " ]; echo $?) \
	"shell's /proc shows /proc/filesystems, hides /proc/kcore and /proc/cpuinfo"
# Nothing of the host but the binds: every mount point is the root, a path
# the policy grants, the shell policy's private TMPDIR, or the procfs;
# nothing names init's own mounts.
tmpbase=$(realpath "${TMPDIR:-/tmp}")
bad=$(awk '{print $5}' "$T/mountinfo" | grep -Ev "^(/|/usr(/.*)?|/etc(/.*)?|/sys/devices/system/cpu/(online|possible)|/proc(/.*)?|/dev/(null|zero|random|urandom|tty)|$T/(w|w2|lit)|$tmpbase/sandbox-tmp\.[A-Za-z0-9]{6})\$")
check $([ $rc = 0 ] && [ -z "$bad" ] && ! grep -Eq ' /(oldroot|stage|newroot)' "$T/mountinfo" && \
	[ "$(wc -l <"$T/mountinfo")" -gt 3 ]; echo $?) "mountinfo shows nothing of the host beyond the binds${bad:+: $bad}"

# temporary: an exclusive create in /dev/shm gets a file with no name; a
# name the rule matches is never there for the program, a host file of
# that name included; nothing is left in the host's /dev/shm.
shmname=.sbx-test-$$
echo host-secret >"/dev/shm/$shmname.host" && chmod 644 "/dev/shm/$shmname.host"
printf 'include shell\nread /usr/**\nread %s\ntemporary /dev/shm/%s.*\n' "$T/temp.py" "$shmname" >"$T/temp.policy"
cat >"$T/temp.py" <<PY
import errno, os
def err(f):
    try:
        f(); return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
p = "/dev/shm/$shmname.made"
fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b"hello"); os.lseek(fd, 0, 0)
print(os.read(fd, 5).decode(), os.fstat(fd).st_nlink, err(lambda: os.stat(p)), err(lambda: os.unlink(p)))
h = "/dev/shm/$shmname.host"
print(err(lambda: os.open(h, os.O_RDONLY)), err(lambda: os.open(h, os.O_RDWR | os.O_CREAT)),
      err(lambda: os.stat(h)), err(lambda: os.unlink(h)), os.fstat(os.open(h, os.O_RDWR | os.O_CREAT | os.O_EXCL)).st_size)
print(err(lambda: os.open("/dev/shm/$shmname-other", os.O_RDWR | os.O_CREAT | os.O_EXCL)))
PY
before=$(ls -A /dev/shm | wc -l)
for how in "" --strict; do
	run "$H" $how --policy="$T/temp.policy" -- "$PY" "$T/temp.py"
	check $([ $rc = 0 ] && [ "$(sed -n 1p "$T/out")" = "hello 0 ENOENT ENOENT" ] &&
		[ "$(sed -n 2p "$T/out")" = "ENOENT ENOENT ENOENT ENOENT 0" ] && [ "$(sed -n 3p "$T/out")" = EACCES ] &&
		[ "$(ls -A /dev/shm | wc -l)" = "$before" ] && [ "$(cat "/dev/shm/$shmname.host")" = host-secret ]; echo $?) \
		"temporary${how:+ ($how)}: an exclusive create gets a file with no name; the host's file of such a name is never there; nothing left ($(tr '\n' '/' <"$T/out"))"
done
rm -f "/dev/shm/$shmname.host"
# In strict mode none of it: the root holds only the executables.
run "$H" --strict --policy=shell -- /usr/bin/cat /proc/self/mountinfo
check $([ $rc = 0 ] && ! awk '{print $5}' "$T/out" | grep -qx /usr && ! grep -q ' - proc ' "$T/out"; echo $?) \
	"--strict: the root is empty as before"

PYCODE='
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def e(r): return "ok" if r == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
print("umount", e(libc.umount2(b"/usr", 2)))
print("mount", e(libc.mount(b"none", b"'$T'/w", b"tmpfs", 0, None)))
try:
    os.readlink("/proc/1/root"); print("root1 ok")
except OSError as x: print("root1", errno.errorcode[x.errno])
try:
    os.listdir("/proc/1/root/"); print("root1ls ok")
except OSError as x: print("root1ls", errno.errorcode[x.errno])
'
py
check $([ $rc = 0 ] && grep -q '^umount E' "$T/out" && grep -q '^mount E' "$T/out"; echo $?) \
	"umount and mount fail inside ($(tr '\n' ' ' <"$T/out"))"
check $([ $rc = 0 ] && grep -q '^root1 E' "$T/out" && grep -q '^root1ls E' "$T/out"; echo $?) \
	"/proc/1/root shows nothing of init's tree"

if [ "$(id -u)" = 0 ]; then
	# A setuid binary in a read tree: owned by nobody, it would make
	# root nobody if the bit counted.
	cp /usr/bin/id "$T/r/suid-id" && chown 65534 "$T/r/suid-id" && chmod 4755 "$T/r/suid-id"
	mknod "$T/r/null" c 1 3
	run "$H" "${VIEW[@]}" --read="$T/r/**" --exec="$T/r/suid-id" -- "$T/r/suid-id" -u
	check $([ $rc = 0 ] && [ "$(cat "$T/out")" = 0 ]; echo $?) "a setuid binary in a read tree gains nothing"
	run "$H" "${VIEW[@]}" --read="$T/r/**" -- /usr/bin/cat /proc/self/mountinfo
	check $([ $rc = 0 ] && awk -v p="$T/r" '$5 == p {print $6}' "$T/out" | grep -q nodev; echo $?) \
		"the read tree holding a device node is nodev"
else
	echo "# not counted: the setuid and device node checks need root to make the files"
fi

# A tree at the root itself.
run "$H" --view --policy=shell --read='/**' -- /usr/bin/ls /
check $([ $rc = 0 ] && grep -qx usr "$T/out" && grep -qx proc "$T/out"; echo $?) "read /** binds the root itself"

# A deny in a write tree whose file the host replaces by a rename while the
# sandbox runs (as editors and git do): the kernel drops a mount whose
# point is renamed over in another namespace, so the hidden mount is gone
# and only the broker stands between the program and the new file.
mkdir -p "$T/wr" && echo old >"$T/wr/secret" && mkfifo "$T/wr/go"
"$H" --view --policy=shell --write="$T/wr/**" --deny="$T/wr/secret" -- /bin/sh -c \
	"read x <$T/wr/go; /usr/bin/cat /proc/self/mountinfo; /usr/bin/cat $T/wr/secret" \
	>"$T/out" 2>"$T/err" </dev/null & spid=$!
sleep 1 # the view built, the program waiting on the FIFO
echo new-secret >"$T/wr/new" && mv "$T/wr/new" "$T/wr/secret" && release "$T/wr/go"
wait "$spid"
check $(awk -v p="$T/wr" '$5 == p' "$T/out" | grep -q . && ! grep -q new-secret "$T/out"; echo $?) \
	"a denied file the host replaced by a rename is not read"
awk -v p="$T/wr/secret" '$5 == p' "$T/out" | grep -q . ||
	echo "# note: the hidden mount over $T/wr/secret is gone after the host's rename (the broker refused the read)"

# The view holds what the policy grants: with the view and in strict mode,
# the same program says the same.
run "$H" --strict --policy=shell -- /bin/sh -c "ls /usr/bin | head -3; cat $T/lit; ls $T/w"
cp "$T/out" "$T/plain"
sbx -- /bin/sh -c "ls /usr/bin | head -3; cat $T/lit; ls $T/w"
check $([ $rc = 0 ] && ! cmp -s "$T/plain" /dev/null && head -3 "$T/plain" | cmp -s - <(head -3 "$T/out"); echo $?) \
	"the view and the broker list /usr/bin alike"

summary
