#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/chromium.sh (renderers under --renderer-cmd-prefix) and
# tests/chromesuid.sh (Chromium's own sandbox through ours, with no user
# namespaces) against every Chromium build the machine's Debian sources
# offer (Debian 12: the point release's and the security suite's),
# each installed in turn with apt-get, then the build that was installed
# put back. Not part of tests/run.sh (it changes the system's Chromium and
# downloads each build): run it as root before changing the renderer policy
# or the broker's handling of Chromium. Needs SBX_BUILD and SBX_SOURCE (as
# tests/run.sh sets them) or a build in ./build; the unprivileged user is
# $SBX_TEST_USER (tests/setup.sh).
set -uo pipefail
S=$(cd "$(dirname "$0")/.." && pwd)
B=${SBX_BUILD:-$S/build}
[ "$(id -u)" = 0 ] || { echo "chromium-builds.sh: run it as root (it installs Chromium builds)" >&2; exit 2; }
[ -x "$B/helper/sandbox-helper" ] || { echo "chromium-builds.sh: no build in $B (set SBX_BUILD)" >&2; exit 2; }
. "$S/tests/setup.sh"
sbx_ensure_user
had=$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)
mapfile -t versions < <(apt-cache madison chromium | awk '{print $3}' | sort -uV)
[ ${#versions[@]} -gt 0 ] || { echo "chromium-builds.sh: apt offers no chromium build" >&2; exit 2; }
fails=0 ran=0
# A root-owned 4755 copy of the helper, for Chromium's own sandbox through ours.
suid=$(mktemp -d /tmp/sbx-chromium-builds.XXXXXX)
trap 'rm -rf "$suid"' EXIT
chmod 755 "$suid" && install -o root -g root -m 4755 "$B/helper/sandbox-helper" "$suid/sandbox-helper"
for v in "${versions[@]}"; do
	echo "== chromium $v"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades \
		"chromium=$v" "chromium-common=$v" >/dev/null 2>&1; then
		echo "not ok - chromium $v installs"; fails=$((fails + 1)); continue
	fi
	log=$(mktemp)
	sbx_as_user env SBX_BUILD="$B" SBX_SOURCE="$S" TMPDIR=/tmp bash "$S/tests/chromium.sh" >"$log" 2>&1
	sed 's/^/  /' "$log"
	summary=$(tail -1 "$log")
	case "$summary" in
	*" passed, 0 failed") echo "ok - chromium $v: $summary" ;;
	*) echo "not ok - chromium $v: $summary"; fails=$((fails + 1)) ;;
	esac
	ran=$((ran + 1))
	SBX_BUILD="$B" SBX_SOURCE="$S" SBX_HELPER="$suid/sandbox-helper" bash "$S/tests/chromesuid.sh" >"$log" 2>&1
	grep -v 'dbus\|^#   \[' "$log" | sed 's/^/  /'
	summary=$(tail -1 "$log")
	case "$summary" in
	*" passed, 0 failed") echo "ok - chromium $v, its own sandbox through ours: $summary" ;;
	*) echo "not ok - chromium $v, its own sandbox through ours: $summary"; fails=$((fails + 1)) ;;
	esac
	ran=$((ran + 1))
	rm -f "$log"
done
if [ -n "$had" ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "chromium=$had" "chromium-common=$had" \
		>/dev/null 2>&1 || { echo "not ok - chromium $had put back"; fails=$((fails + 1)); }
fi
echo "$((ran - fails < 0 ? 0 : ran - fails)) passed, $fails failed"
[ $fails = 0 ]
