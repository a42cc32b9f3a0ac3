#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Chromium's renderers in the sandbox: Debian's chromium, headless, with its
# own sandbox off and sandbox-helper as the renderer command prefix, renders
# a page served on loopback (text in a web font, an image, a canvas,
# JavaScript). Checked: the screenshot's pixels, pixel for pixel the same as
# an unsandboxed rendering; every renderer process in the sandbox's root,
# namespaces and seccomp filter while the page loads; nothing left running.
# Run as root and as an unprivileged user (tests/run.sh does both). Needs
# SBX_BUILD and SBX_SOURCE; SBX_HELPER names another helper (the setuid
# install).
set -uo pipefail
umask 022

B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(realpath "$B") S=$(realpath "$S")
H=${SBX_HELPER:-$B/helper/sandbox-helper}
CHROMIUM=${SBX_CHROMIUM:-/usr/bin/chromium}
. "$S/tests/harness.sh" sbx-chromium
T=$(realpath "$T")
export HOME=$T/home # the browser's profile, crash database and caches
mkdir -p "$HOME"

echo "# chromium renderers in the sandbox as $(id -un) (uid $(id -u)), helper $H"
if [ ! -x "$CHROMIUM" ]; then
	not_ok "chromium is installed ($CHROMIUM; tests/setup.sh installs Debian's package)"
	summary
	exit
fi

python3 "$S/tests/chromium/server.py" "$T" >"$T/port" 2>"$T/server.err" &
bg_pids+=($!)
disown $!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(head -1 "$T/port")
url=http://127.0.0.1:$port/page.html

# browser SHOT [ARGS...]: chromium in the background as $browser, its
# output in $T/SHOT.log.
browser() {
	local shot=$1; shift
	rm -rf "$T/profile-$shot"
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$T/profile-$shot" --window-size=400,300 \
		--screenshot="$T/$shot.png" "$@" "$url" >"$T/$shot.log" 2>&1 </dev/null &
	browser=$!
}

# renderers PID: the renderer processes beneath the browser PID (their
# program is chromium; the helper, broker and init name themselves).
renderers() {
	for p in $(descendants "$1"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
			grep -q '^/usr/lib/chromium/chromium .*--type=renderer' && echo "$p"
	done
}

# The reference: the same page with Chromium's renderers unsandboxed.
touch "$T/release"
browser native
wait "$browser"
rc=$?
[ $rc = 0 ] && [ -s "$T/native.png" ] && python3 "$S/tests/chromium/pixels.py" "$T/native.png" >"$T/out" 2>&1
check $? "the page renders without the sandbox (the reference; status $rc)"
cp "$T/native.log" "$T/err"

# Sandboxed: hold.png keeps the page loading until the renderers are seen.
rm -f "$T/release"
browser sandboxed --renderer-cmd-prefix="$H --policy=chromium-renderer --"
found=()
for _ in $(seq 300); do
	mapfile -t found < <(renderers "$browser")
	[ ${#found[@]} -gt 0 ] && grep -q . "$T/sandboxed.log" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5 # the renderer that loads the page has started by now
mapfile -t found < <(renderers "$browser")
echo "# renderer processes: ${found[*]:-none}"
[ ${#found[@]} -gt 0 ]
check $? "renderer processes run while the page loads"

own_ns() { readlink "/proc/self/ns/$1"; }
# With no renderer seen, every check below fails.
none=$([ ${#found[@]} -gt 0 ]; echo $?)
bad_seccomp=$none bad_ns=$none bad_root=$none bad_pid=$none helper_seen=0
for p in "${found[@]}"; do
	grep -q '^Seccomp:[[:space:]]*2$' "/proc/$p/status" || { bad_seccomp=1; grep Seccomp "/proc/$p/status"; }
	for ns in user pid net mnt ipc uts cgroup; do
		theirs=$(readlink "/proc/$p/ns/$ns") || { bad_ns=1; continue; }
		[ "$theirs" != "$(own_ns "$ns")" ] || { bad_ns=1; echo "# $p shares our $ns namespace"; }
	done
	# The root is the sandbox's: the chromium binary bound and nothing
	# beside it, none of the host's files (the working directory's path
	# is there, empty).
	if [ -e "/proc/$p/root/usr/lib/chromium/chromium" ]; then
		for f in etc/passwd etc/hostname usr/bin/python3 "${T#/}/port" usr/lib/chromium/icudtl.dat; do
			[ ! -e "/proc/$p/root/$f" ] || { bad_root=1; echo "# $p sees /$f"; }
		done
		[ "$(ls -A "/proc/$p/root/usr/lib/chromium")" = chromium ] ||
			{ bad_root=1; echo "# $p has more in /usr/lib/chromium"; }
		[ "$(stat -c %i "/proc/$p/root/")" != "$(stat -c %i /)" ] || bad_root=1
	else
		bad_root=1
		echo "# /proc/$p/root/usr/lib/chromium/chromium is missing"
	fi
	# In its own pid namespace the renderer is pid 2, under init.
	nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status")
	[ "$nspid" = 2 ] || { bad_pid=1; echo "# $p is pid $nspid in its namespace"; }
	# Its parent is the sandbox's init, whose parent is the helper/broker
	# the browser started.
	init=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
	broker=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")
	tr '\0' ' ' <"/proc/$broker/cmdline" | grep -q 'sandbox-broker' && helper_seen=$((helper_seen + 1))
done
check $bad_seccomp "every renderer runs under a seccomp filter (Seccomp: 2)"
check $bad_ns "every renderer has its own user, pid, net, mnt, ipc, uts and cgroup namespaces"
check $bad_root "every renderer's root is the sandbox's empty root, not the host's"
check $bad_pid "every renderer is pid 2 in its own pid namespace"
[ "$helper_seen" = ${#found[@]} ] && [ "$none" = 0 ]
check $? "every renderer was started by sandbox-helper, under a sandbox-broker (${helper_seen}/${#found[@]})"
brokers=()
for p in "${found[@]}"; do
	init=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
	brokers+=("$init" "$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")")
done

touch "$T/release"
wait "$browser"
rc=$?
cp "$T/sandboxed.log" "$T/err"
: >"$T/out"
[ $rc = 0 ] && [ -s "$T/sandboxed.png" ]
check $? "chromium with sandboxed renderers takes the screenshot (status $rc)"
python3 "$S/tests/chromium/pixels.py" "$T/sandboxed.png" "$T/native.png" >"$T/out" 2>&1
check $? "the screenshot shows the page: text in the served font, image, canvas, script; the same pixels as unsandboxed"

# The renderers' sandboxes are gone with the browser.
sleep 0.5
left=0
for p in "${found[@]}" "${brokers[@]}"; do alive "$p" && { left=1; echo "# $p is still running"; }; done
check $left "no renderer, init or broker is left running after the browser exits"

# What the brokers refused is what the renderer may not have.
grep 'sandbox-broker: refused' "$T/sandboxed.log" | sed 's/ for pid [0-9]*//' | sort | uniq -c | sed 's/^/# /'
! grep 'sandbox-broker: refused' "$T/sandboxed.log" | grep -v -e '"/proc/stat"' >"$T/out"
check $? "the renderers asked for nothing the policy refuses but /proc/stat"

summary
