# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the test scripts: a scratch directory $T (removed at exit), the
# background processes to kill at exit, and the TAP-like reporting that
# tests/run.sh counts ("ok - ...", "not ok - ...", "N passed, N failed"; a
# skipped test is "ok - ... # SKIP reason", counted apart as "# N skipped",
# never as passed).
# Source it with the scratch directory's name prefix as $1.
T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
chmod 755 "$T"
bg_pids=()
cleanup() {
	for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

pass=0 fail=0 skipped=0
# watchdog PID: a test must not hang; SIGKILL PID after 60 s.
watchdog() { (sleep 60; kill -KILL "$1" 2>/dev/null) >/dev/null 2>&1 & bg_pids+=($!); disown $!; }
ok() { echo "ok - $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok - $*"; fail=$((fail + 1)); }
# skip NAME REASON: a test that cannot run here, and why.
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }
# check STATUS NAME: STATUS decides; on failure show the last run's output.
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; sed 's/^/#   /' "$T/out" "$T/err" 2>/dev/null | head -40; fi; }
# release FIFO: write a line to the FIFO a sandboxed program waits on; a
# program that never started (so never opens it) costs 20 s, not a hang.
release() { timeout 20 sh -c 'echo go >"$1"' _ "$1"; }
# alive PID: running (not gone, not a zombie waiting for its reaper).
alive() { [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# descendants PID: every process below PID, parents before children.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END {
			n = split(kids[root], todo, " ")
			for (i = 1; i <= n; i++) {
				out = out " " todo[i]
				m = split(kids[todo[i]], more, " ")
				for (j = 1; j <= m; j++) todo[++n] = more[j]
			}
			print out
		}'
}
# summary: the closing line, and the script's status.
summary() {
	[ "$skipped" = 0 ] || echo "# $skipped skipped"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
