#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sandbox-helper as Chromium's setuid sandbox (helper/chrome.c), where no
# user namespace can be made (tests/progs/nouserns), run by the unprivileged
# user: Debian's chromium, its own sandbox on (no --no-sandbox), finds the
# helper where it looks for chrome-sandbox (beside the browser; a symlink to
# the root-owned 4755 install), renders the test page with the same pixels
# as unsandboxed, and its zygote and renderers are in new pid and net
# namespaces, chrooted into nothing, without capability, under Chromium's
# own seccomp filters. Without it the same chromium refuses to start. Then
# Debian's chromium-sandbox (downloaded, not installed) the same way, as the
# reference; a table of what each gave. Must run as root (setuid.sh runs it
# with SBX_HELPER, the install, and SBX_BUILD, SBX_SOURCE, SBX_TEST_USER).
set -uo pipefail
umask 022
B=$(realpath "${SBX_BUILD:?set SBX_BUILD}") S=$(realpath "${SBX_SOURCE:?set SBX_SOURCE}")
H=${SBX_HELPER:?set SBX_HELPER to the setuid install} U=${SBX_TEST_USER:-sandbox-test}
. "$S/tests/harness.sh" sbx-chromesuid
T=$(realpath "$T")
chmod 755 "$T"
BROWSER=/usr/lib/chromium/chromium # where Debian's chromium-sandbox puts chrome-sandbox: beside it
EXTRA_ENV=()
SANDBOX=$(dirname "$BROWSER")/chrome-sandbox
echo "# Chromium's setuid sandbox: $H as $SANDBOX, run by $U with no user namespaces"
if [ ! -x "$BROWSER" ] || [ "$(id -u)" != 0 ]; then
	skip "Chromium's setuid sandbox" "needs root and Debian's chromium ($BROWSER)"
	summary
	exit
fi
# A chrome-sandbox of the system's (chromium-sandbox installed) is put back.
[ -e "$SANDBOX" ] || [ -L "$SANDBOX" ] && mv "$SANDBOX" "$T/system-chrome-sandbox"
restore() {
	rm -f "$SANDBOX"
	[ -e "$T/system-chrome-sandbox" ] && mv "$T/system-chrome-sandbox" "$SANDBOX"
}
trap 'restore; cleanup' EXIT

mkdir -p "$T/home" "$T/u" && chown "$U" "$T/home" "$T/u" # the user's: profiles, screenshots
python3 "$S/tests/chromium/server.py" "$T" >"$T/port" 2>"$T/server.err" &
bg_pids+=($!)
disown $!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(head -1 "$T/port")/page.html

# shot NAME [ARGS...]: chromium as the user with no user namespaces, in the
# background as $browser (its output in $T/NAME.log).
shot() {
	local name=$1; shift
	rm -rf "$T/u/profile-$name"
	"$B/tests/nouserns" runuser -u "$U" -- env HOME="$T/home" "${EXTRA_ENV[@]}" timeout -k 5 90 "$BROWSER" --headless \
		--disable-gpu --disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --user-data-dir="$T/u/profile-$name" --window-size=400,300 \
		--screenshot="$T/u/$name.png" "$@" "$url" >"$T/$name.log" 2>&1 </dev/null &
	browser=$!
}
# sandboxed NAME: the sandboxed zygote and the renderers beneath the browser.
sandboxed() {
	local p
	for p in $(descendants "$browser"); do
		# Chromium's own (not the setuid sandbox waiting for it, which
		# runs under its own name), and not the zygote left unsandboxed.
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -E -- "^$BROWSER .*--type=(zygote|renderer)" |
			grep -vq -- '--no-zygote-sandbox' && echo "$p"
	done
}
filters() { awk '/^Seccomp_filters:/ { print $2 }' "/proc/$1/status"; }

# The reference: unsandboxed (--no-sandbox), as the user.
touch "$T/release"
t0=$(date +%s%N)
shot native --no-sandbox
wait "$browser"
printf '# %-16s (--no-sandbox, the reference) run %d ms\n' unsandboxed $((($(date +%s%N) - t0) / 1000000)) >"$T/rows"
cp "$T/native.log" "$T/err"
[ -s "$T/u/native.png" ] && python3 "$S/tests/chromium/pixels.py" "$T/u/native.png" >"$T/out" 2>&1
check $? "the page renders unsandboxed (the reference)"
: >"$T/err"

# Without a setuid sandbox the browser refuses to start.
shot none
wait "$browser"
rc=$?
[ $rc != 0 ] && [ ! -e "$T/u/none.png" ] && grep -q 'No usable sandbox' "$T/none.log"
check $? "without a setuid sandbox (and no user namespaces) chromium refuses to start ($rc)"

# try NAME: the page with $SANDBOX as it is now; checks the processes while
# the page loads; a table row in $T/rows.
try() {
	local name=$1 t0 t1 procs=() bad=0 p kinds
	rm -f "$T/release"
	shot "$name"
	for _ in $(seq 300); do
		mapfile -t procs < <(sandboxed)
		kinds=$(for p in "${procs[@]}"; do tr '\0' ' ' <"/proc/$p/cmdline" | grep -o -- '--type=[a-z]*'; done | sort -u | tr '\n' ' ')
		case "$kinds" in *renderer*zygote*) break ;; esac
		sleep 0.1
	done
	sleep 0.5
	mapfile -t procs < <(sandboxed)
	local zyg=0 ren=0 filt="" ipc=new uts=new nnp=""
	for p in "${procs[@]}"; do
		case "$(tr '\0' ' ' <"/proc/$p/cmdline")" in *--type=renderer*) ren=$((ren + 1)) ;; *) zyg=$((zyg + 1)) ;; esac
		for ns in pid net; do
			[ "$(readlink "/proc/$p/ns/$ns")" != "$(readlink "/proc/$$/ns/$ns")" ] ||
				{ bad=1; echo "# $name: $p shares the host's $ns namespace"; }
		done
		# The root: a directory that is gone (the chroot helper's fdinfo).
		if ls -A "/proc/$p/root/" 2>/dev/null | grep -q .; then bad=1; echo "# $name: $p sees files in its root"; fi
		grep -q '^CapEff:[[:space:]]*0*$' "/proc/$p/status" || { bad=1; echo "# $name: $p has capabilities"; }
		grep -q '^CapPrm:[[:space:]]*0*$' "/proc/$p/status" || bad=1
		# nouserns's filter, and Chromium's own on the renderers.
		case "$(tr '\0' ' ' <"/proc/$p/cmdline")" in
		*--type=renderer*) [ "$(filters "$p")" -ge 2 ] || { bad=1; echo "# $name: $p has $(filters "$p") filter(s)"; } ;;
		esac
		filt="$filt$(filters "$p"),"
		nnp="$nnp$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$p/status"),"
		[ "$(readlink "/proc/$p/ns/ipc")" != "$(readlink "/proc/$$/ns/ipc")" ] || ipc=host
		[ "$(readlink "/proc/$p/ns/uts")" != "$(readlink "/proc/$$/ns/uts")" ] || uts=host
	done
	[ "$zyg" -ge 1 ] && [ "$ren" -ge 1 ] || { bad=1; echo "# $name: zygotes $zyg, renderers $ren seen"; }
	touch "$T/release"
	wait "$browser"
	local rc=$?
	[ $rc = 0 ] && [ -s "$T/u/$name.png" ] && python3 "$S/tests/chromium/pixels.py" "$T/u/$name.png" "$T/u/native.png" >"$T/out" 2>&1 || bad=1
	for p in "${procs[@]}"; do
		for _ in $(seq 30); do alive "$p" || break; sleep 0.1; done
		! alive "$p" || { bad=1; echo "# $name: $p still runs"; }
	done
	# Timed apart, the page not held.
	t0=$(date +%s%N)
	shot "$name-timed"
	wait "$browser" || bad=1
	t1=$(date +%s%N)
	printf '# %-16s zygotes %d, renderers %d: pid, net new; ipc %s, uts %s; root empty; no capability; no_new_privs %s; seccomp filters %s; run %d ms\n' \
		"$name" "$zyg" "$ren" "$ipc" "$uts" "${nnp%,}" "${filt%,}" $(((t1 - t0) / 1000000)) >>"$T/rows"
	return $bad
}

ln -s "$H" "$SANDBOX"
try sandbox-helper
check $? "with sandbox-helper as chrome-sandbox: the page renders, the same pixels as unsandboxed; zygote and renderers in new pid and net namespaces, an empty root, no capability, Chromium's seccomp on; nothing left"
rm -f "$SANDBOX"

# A browser the user owns (its binary copied, the rest linked) finds it by
# CHROME_DEVEL_SANDBOX, a link named chrome-sandbox (Chromium reads the
# variable only for a browser of the user's own).
mkdir -p "$T/link" && ln -s "$H" "$T/link/chrome-sandbox"
runuser -u "$U" -- sh -c 'mkdir "$1/chromium" && for f in "$2"/*; do ln -s "$f" "$1/chromium/"; done &&
	rm "$1/chromium/chromium" && cp "$2/chromium" "$1/chromium/chromium"' _ "$T/u" "$(dirname "$BROWSER")"
BROWSER=$T/u/chromium/chromium EXTRA_ENV=(CHROME_DEVEL_SANDBOX="$T/link/chrome-sandbox")
try devel-sandbox
check $? "a browser of the user's own with CHROME_DEVEL_SANDBOX naming it: the same pixels, the same confinement"
BROWSER=/usr/lib/chromium/chromium EXTRA_ENV=()
rm -rf "$T/u/chromium"

# Debian's chromium-sandbox of the same version, as the reference.
v=$(dpkg-query -W -f='${Version}' chromium 2>/dev/null)
if (cd "$T" && apt-get download -q "chromium-sandbox=$v" >/dev/null 2>&1) &&
	dpkg-deb -x "$T"/chromium-sandbox_*.deb "$T/ref" && [ -f "$T/ref$SANDBOX" ]; then
	install -o root -g root -m 4755 "$T/ref$SANDBOX" "$SANDBOX"
	try chromium-sandbox
	check $? "Debian's chromium-sandbox $v, the reference, the same way: the same pixels, the same confinement"
	rm -f "$SANDBOX"
else
	skip "Debian's chromium-sandbox $v as the reference" "it could not be downloaded"
fi
cat "$T/rows" 2>/dev/null
summary
