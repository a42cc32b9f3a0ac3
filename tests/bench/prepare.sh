#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prepare what tests/bench/bench.py needs before it runs, so the bench itself
# touches no network: the packages the project's tests use (bubblewrap among
# them) and the Lua 5.4 source the build rows compile, taken from the
# distribution's own source package (the upstream release tarball it ships).
#
#   tests/bench/prepare.sh [WORKDIR]     (as root; WORKDIR defaults to
#                                         $SBX_BENCH_DIR or /var/tmp/sandbox-bench)
#
# sydbox is not prepared here: the bench compares against it only when a
# sydbox 2.2.0 binary is given with SBX_SYDBOX=/path/to/syd, or installed as
# WORKDIR/sydbox/bin/syd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${1:-${SBX_BENCH_DIR:-/var/tmp/sandbox-bench}}
# shellcheck source=../setup.sh
. "$here/../setup.sh"
sbx_install_deps

mkdir -p "$work"
work=$(cd "$work" && pwd)
if [ -s "$work/lua.tar.gz" ]; then
	sbx_log "the Lua source is already in $work/lua.tar.gz"
	exit 0
fi

# apt here is set up for binary packages only. Source indexes go into a
# private state directory built from the system's own sources, so the
# machine's apt configuration stays as it was.
apt=$(mktemp -d "$work/apt.XXXXXX")
trap 'rm -rf "$apt"' EXIT
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/get"
: >"$apt/sources.list"
if [ -f /etc/apt/sources.list ]; then
	sed -n 's/^deb[[:space:]]/deb-src /p' /etc/apt/sources.list >"$apt/sources.list"
fi
for f in /etc/apt/sources.list.d/*.sources; do
	[ -e "$f" ] || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/parts/${f##*/}"
done
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
	-o "Dir::State::Lists=$apt/lists" -o "APT::Sandbox::User=root")
sbx_log "downloading the lua5.4 source package"
apt-get "${opts[@]}" update -qq
(cd "$apt/get" && apt-get "${opts[@]}" source --download-only -qq lua5.4)

orig=$(find "$apt/get" -maxdepth 1 -name 'lua5.4_5.4.*.orig.tar.*' | head -n 1)
[ -n "$orig" ] || { sbx_log "no lua5.4 upstream tarball in the source package"; exit 1; }
# The bench unpacks the tarball afresh for each run; check once that it is
# the upstream tree with its top-level Makefile.
tar -tf "$orig" | grep -E '^lua-5\.4\.[0-9]+/Makefile$' >/dev/null ||
	{ sbx_log "$orig is not a Lua 5.4 release tree"; exit 1; }
cp "$orig" "$work/lua.tar.gz.part"
mv "$work/lua.tar.gz.part" "$work/lua.tar.gz"
sbx_log "Lua source: $work/lua.tar.gz ($(basename "$orig"))"
