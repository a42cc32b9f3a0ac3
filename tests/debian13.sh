#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The project on Debian 13 (trixie), from a Debian machine, as root: makes a
# trixie root with debootstrap (cached, so a re-run is fast), enters it in a
# private mount namespace with pivot_root, copies the source in and runs the
# README's quick-start commands (tests/demo.sh, tests/run.sh) and
# tests/programs.sh there. It downloads a few hundred MB the first time and
# takes 20-30 minutes; the test command (tests/run.sh) and meson test do not
# run it. Run it by hand:
#   tests/debian13.sh [--quick]     # --quick: demo.sh and programs.sh only
# SBX_DEBIAN13_ROOT (default /var/tmp/sbx-debian13) is the cached root;
# remove it to start over. SBX_DEBIAN_MIRROR picks the mirror. Like a
# container, the root has no cgroup hierarchy: the tests that need one say
# SKIP. The last line is "debian13: demo=S run=S programs=S" with each
# command's exit status.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
root=${SBX_DEBIAN13_ROOT:-/var/tmp/sbx-debian13}
mirror=${SBX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
quick=0
[ "${1:-}" = --quick ] && quick=1
log() { printf '== debian13: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run as root"; exit 2; }

# The packages of tests/setup.sh (what demo.sh and run.sh install), plus git,
# perl and node for the dev policy's tests.
. "$src/tests/setup.sh"
extra=(build-essential git perl nodejs ca-certificates)

if [ ! -e "$root/.sbx-ready" ]; then
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	fi
	rm -rf "$root.tmp"
	log "debootstrap trixie into $root (minbase)"
	debootstrap --variant=minbase \
		--include=build-essential,python3,meson,ninja-build,pkg-config,libseccomp-dev,libcap-dev,libcmocka-dev,git,perl \
		trixie "$root.tmp" "$mirror"
	log "installing the test packages"
	cp /etc/resolv.conf "$root.tmp/etc/resolv.conf"
	chroot "$root.tmp" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		apt-get install -y -qq --no-install-recommends "${SBX_PACKAGES[@]}" "${extra[@]}"
	chroot "$root.tmp" apt-get clean
	touch "$root.tmp/.sbx-ready"
	rm -rf "$root"
	mv "$root.tmp" "$root"
fi

# A fresh copy of the source (without .git and build directories).
rm -rf "$root/src"
mkdir -p "$root/src"
tar -C "$src" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$root/src" -xf -
cp /etc/resolv.conf "$root/etc/resolv.conf"

# inside: runs as pid 1's sibling in the new root; each command's status is
# reported, none stops the others.
inside=$(cat <<'EOF'
set -u
cd /src
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive
echo "== debian13: $(. /etc/os-release; echo "$PRETTY_NAME"), gcc $(gcc -dumpversion), kernel $(uname -r)"
s0=$(date +%s)
bash tests/demo.sh; demo=$?
s1=$(date +%s)
run=skipped
if [ "$QUICK" = 0 ]; then bash tests/run.sh; run=$?; fi
s2=$(date +%s)
# programs.sh against a build of its own, as root and as the test user.
b=/tmp/sbx-deb13-build
rm -rf "$b"
if meson setup --werror "$b" /src >/tmp/setup.log 2>&1 && ninja -C "$b" >/tmp/build.log 2>&1; then
	chmod -R a+rX "$b" /src
	SBX_BUILD=$b SBX_SOURCE=/src bash tests/programs.sh; p1=$?
	runuser -u sandbox-test -- env SBX_BUILD=$b SBX_SOURCE=/src TMPDIR=/tmp HOME=/home/sandbox-test bash tests/programs.sh; p2=$?
	programs="$p1/$p2"
else
	cat /tmp/setup.log /tmp/build.log | tail -30; programs=build-failed
fi
s3=$(date +%s)
echo "debian13: times demo=$((s1 - s0))s run=$((s2 - s1))s programs=$((s3 - s2))s"
echo "debian13: demo=$demo run=$run programs=$programs"
EOF
)

log "entering $root"
exec unshare --mount --propagation private -- bash -c '
set -e
root=$1
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root/.oldroot"
cd "$root"
pivot_root . .oldroot
umount -l /.oldroot
cd /
exec env -i QUICK="$2" HOME=/root USER=root LOGNAME=root bash -c "$3"
' _ "$root" "$quick" "$inside"
