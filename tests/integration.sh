#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Integration tests: real sandboxes, real programs. Run as root and as an
# unprivileged user (tests/run.sh does both). Needs SBX_BUILD (the meson
# build directory) and SBX_SOURCE (the source tree).
set -uo pipefail

B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
PROBE=$(realpath "${SBX_PROBE:-$B/tests/probe}") # a probe without sanitizers, for sanitized builds
SWAPPER=$B/tests/swapper
. "$S/tests/harness.sh" sbx-it
# run CMD...: sandboxed run with stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }

echo "# integration tests as $(id -un) (uid $(id -u))"

# --- The command line ----------------------------------------------------
run "$H" --help
[ $rc = 0 ] && grep -q "Usage: sandbox-helper" "$T/out"; check $? "--help prints usage and exits 0"
run "$H" --version
[ $rc = 0 ] && grep -q "^sandbox-helper [0-9]" "$T/out"; check $? "--version"
run "$H" --frobnicate -- /bin/true
[ $rc = 125 ] && grep -q "unknown option '--frobnicate'" "$T/err"; check $? "unknown option: 125 and a one-line reason"
run "$H"
[ $rc = 125 ] && grep -q "no program given" "$T/err"; check $? "no program: 125"
run "$H" -- no-such-program-here
[ $rc = 127 ] && grep -q "no-such-program-here: command not found" "$T/err"; check $? "missing program: 127"
printf '#!/bin/sh\necho hi\n' >"$T/noexec.sh"; chmod 644 "$T/noexec.sh"
run "$H" -- "$T/noexec.sh"
[ $rc = 126 ] && grep -q "cannot execute" "$T/err"; check $? "non-executable program: 126"

run "$H" --test
[ $rc = 0 ] && grep -q '^mode user-namespace$' "$T/out" && grep -q '^ok   seccomp user notification' "$T/out"
check $? "--test checks the kernel's features and names the mode"
grep -qE '^info Landlock.*\((used|not used):' "$T/out"; check $? "--test says whether init uses Landlock"
run "$H" --help
[ $rc = 0 ] && grep -q -- "--close-fds" "$T/out" && grep -q -- "--read=PATTERN" "$T/out"
check $? "--help: the helper's options, then the broker's (sandbox-broker --usage)"
run "$H" --channel-fd=3 -- /bin/true
[ $rc = 125 ] && grep -q "^sandbox-helper: unknown option '--channel-fd=3'" "$T/err"
check $? "an option only the helper gives the broker is refused from the caller"
run "$H" --pids-max=0 -- /bin/true
[ $rc = 125 ] && grep -q "^sandbox-helper: --pids-max: '0' is not a number" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]
check $? "a bad number for an option the broker reads: one line, naming sandbox-helper"
run "$H" --keep-fd=1 -- /bin/true
[ $rc = 125 ] && grep -q "only makes sense with --close-fds" "$T/err"; check $? "--keep-fd without --close-fds is refused"
run "$H" --json-status-fd=99 -- /bin/true
[ $rc = 125 ] && grep -q "fd 99 is not open" "$T/err"; check $? "--json-status-fd of a closed fd is refused"
run "$H" --rlimit-nofile=abc -- /bin/true
[ $rc = 125 ] && grep -q "rlimit-nofile=abc: 'abc' is not a number" "$T/err"; check $? "a bad number is refused, naming the option"

# --- Launcher features ---------------------------------------------------------
"$H" --json-status-fd=3 -- "$PROBE" signal 15 3>"$T/json" >/dev/null 2>&1 </dev/null
head -1 "$T/json" | grep -qE '^\{"child-pid": [0-9]+, "mode": "user-namespace", "cgroup-namespace": [0-9]+, .*"user-namespace": [0-9]+, "uts-namespace": [0-9]+\}$' &&
	sed -n 2p "$T/json" | grep -qx '{"exit-code": 143, "signal": 15}'
check $? "--json-status-fd: pid, mode and namespaces, then the exit status and signal"
"$H" --json-status-fd=3 -- "$PROBE" exit 7 3>"$T/json" >/dev/null 2>&1 </dev/null
sed -n 2p "$T/json" | grep -qx '{"exit-code": 7}'; check $? "--json-status-fd: exit code"
native=$(bash -c "exec 5</dev/null 7</dev/null; exec \"$PROBE\" fds" </dev/null)
out=$(bash -c "exec 5</dev/null 7</dev/null; exec \"$H\" -- \"$PROBE\" fds" </dev/null 2>/dev/null)
[ "$out" = "$native" ]; check $? "inherited fds pass through and none of the sandbox's own (got $out, natively $native)"
out=$(bash -c "exec 5</dev/null 7</dev/null; exec \"$H\" --close-fds --keep-fd=7 -- \"$PROBE\" fds" </dev/null 2>/dev/null)
[ "$out" = "0 1 2 7 " ]; check $? "--close-fds --keep-fd=7 leaves 0 1 2 7 (got $out)"
out=$(bash -c "exec 5</dev/null; exec \"$H\" --close-fds -- \"$PROBE\" fds" </dev/null 2>/dev/null)
[ "$out" = "0 1 2 " ]; check $? "--close-fds leaves 0 1 2 (got $out)"
out=$(FOO=1 BAR=2 "$H" --unsetenv=FOO --setenv=BAZ=3 -- /usr/bin/env 2>/dev/null </dev/null)
! grep -q '^FOO=' <<<"$out" && grep -q '^BAR=2$' <<<"$out" && grep -q '^BAZ=3$' <<<"$out"
check $? "--setenv and --unsetenv"
out=$(FOO=1 "$H" --clearenv --setenv=ONLY=1 -- /usr/bin/env 2>/dev/null </dev/null)
[ "$(grep -v '^PWD=' <<<"$out")" = "ONLY=1" ]; check $? "--clearenv then --setenv: only that (and PWD)"
run "$H" --rlimit-nofile=20 --policy=shell -- /bin/sh -c 'ulimit -n'
[ "$(cat "$T/out")" = 20 ]; check $? "--rlimit-nofile=20 reaches the program"
"$H" --new-session --policy=shell -- /usr/bin/python3 -c 'import os; print(os.getsid(0) == os.getpid())' >"$T/out" 2>/dev/null </dev/null
[ "$(cat "$T/out")" = True ]; check $? "--new-session: the program leads a session of its own"
"$H" --no-new-session --policy=shell -- /usr/bin/python3 -c 'import os; print(os.getsid(0) == os.getpid())' >"$T/out" 2>/dev/null </dev/null
[ "$(cat "$T/out")" = False ]; check $? "--no-new-session keeps the caller's session"

# --- The launcher API (libsandbox-client's sbx_spawn) ---------------------------
L=$B/tests/launcher
run env SBX_HELPER="$H" "$L" minimal -- "$PROBE" exit 7
[ $rc = 7 ] && grep -q '^launcher: pid [0-9]* exited with 7$' "$T/out"; check $? "sbx_spawn: the program's status through the pidfd (7)"
run env SBX_HELPER="$H" "$L" minimal -- "$PROBE" signal 15
[ $rc = 143 ]; check $? "sbx_spawn: a signal's status (143, got $rc)"
out=$(bash -c "exec 5</dev/null 7</dev/null; SBX_HELPER=\"$H\" exec \"$L\" minimal -- \"$PROBE\" fds" </dev/null 2>/dev/null | head -1)
[ "$out" = "0 1 2 " ]; check $? "sbx_spawn closes the caller's other fds (got $out)"
run "$B/tests/spawnkeep" "$H" "$PROBE"
[ $rc = 0 ] && [ "$(cat "$T/out")" = "0 1 2 5 " ]; check $? "sbx_spawn keeps the fds it is given, closes the rest, refuses a closed one (got $(cat "$T/out"))"
run env SBX_HELPER=/nonexistent/sandbox-helper "$L" minimal -- /bin/true
[ $rc = 125 ] && grep -q "No such file or directory" "$T/err"; check $? "sbx_spawn without a helper: an error, nothing started"
# A launcher that runs its own broker (sbx_broker_start, --broker-fd); the
# policy strict, so the refusal is the broker's and logged.
printf 'include shell\nstrict\n' >"$T/shell-strict.policy"
run env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" "$L" --own-broker "$T/shell-strict.policy" -- /bin/sh -c 'cat /etc/shadow; exit 7'
[ $rc = 7 ] && grep -q '^launcher: own broker [0-9]* exited with 7$' "$T/out" && grep -q 'refused openat("/etc/shadow")' "$T/err"
check $? "sbx_spawn with the launcher's own broker (SBX_BROKER_GIVEN): the policy holds, status 7 from both"
# The broker in the launcher's own process (SBX_BROKER_IN_PROCESS).
run env SBX_HELPER="$H" "$L" --in-process "$T/shell-strict.policy" -- /bin/sh -c 'cat /etc/shadow; exit 7'
[ $rc = 7 ] && grep -q '^launcher: in-process pid [0-9]* exited with 7$' "$T/out" && grep -q 'refused openat("/etc/shadow")' "$T/err"
check $? "sbx_spawn with the broker in the launcher's process: the policy holds, status 7"
run env SBX_HELPER="$H" "$L" --in-process=1 minimal -- "$PROBE" exit 0
one=$(grep 'fds and' "$T/out")
run env SBX_HELPER="$H" "$L" --in-process=25 minimal -- "$PROBE" exit 3
[ $rc = 3 ] && [ "$(grep -c 'exited with 3$' "$T/out")" = 25 ] && grep -q "^${one#launcher: }$" <(sed 's/^launcher: //' "$T/out") &&
	grep -q ' 1 threads left$' "$T/out"
check $? "25 sandboxes one after another in one launcher: no fd or thread left behind (after 1: ${one#launcher: }; after 25: $(grep 'fds and' "$T/out" | sed 's/^launcher: //'))"
run env SBX_HELPER="$H" "$L" --in-process=2 no-such-policy -- /bin/true
[ $rc = 125 ] && [ "$(grep -c "policy 'no-such-policy' not found" "$T/err")" = 2 ] && grep -q ' 1 threads left$' "$T/out"
check $? "a sandbox that cannot be set up ends with 125 and the launcher goes on (twice)"
# Later setup steps that fail (the program, the working directory) say why
# once each time, and leave no thread or fd of theirs.
run env SBX_HELPER="$H" "$L" --in-process=3 minimal -- no-such-program-here
[ $rc = 125 ] && [ "$(grep -c 'no-such-program-here: command not found$' "$T/err")" = 3 ] && [ "$(wc -l <"$T/err")" = 3 ] &&
	grep -q "^${one#launcher: }$" <(sed 's/^launcher: //' "$T/out")
check $? "in-process: a program not found, three times: one line each, 125, nothing left ($(grep 'left$' "$T/out"))"
run env SBX_HELPER="$H" "$L" --in-process=2 minimal --chdir=/no/such/dir -- "$PROBE" exit 0
[ $rc = 125 ] && [ "$(grep -c '^sandbox-broker: --chdir=/no/such/dir: No such file or directory$' "$T/err")" = 2 ] &&
	[ "$(wc -l <"$T/err")" = 2 ] && grep -q ' 1 threads left$' "$T/out"
check $? "in-process: a --chdir that cannot be made, twice: one line each, 125, the launcher goes on"
# One in-process broker serving four sandboxes at once, each with a policy
# of its own; one of them waits in a FIFO's open while the others run.
mkdir -p "$T/many"
run timeout 120 env SBX_HELPER="$H" "$B/tests/manysbx" "$T/many"
[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
check $? "in-process: 4 sandboxes at once, each reading only its own file; 3 end while the 4th waits in a FIFO's open, then it ends; nothing left running ($(grep -c '^ok' "$T/out") checks)"
# One broker process for 21 sandboxes at once (sbx_broker_start_shared):
# 20 start and end while one waits in a FIFO's open; the broker ends once
# the launcher closes its socket.
mkdir -p "$T/shared"
run timeout 180 env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" "$B/tests/manysbx" "$T/shared" --shared=21
[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
check $? "shared broker: 21 sandboxes at once, each reading only its own file; 20 end while the 21st waits in a FIFO's open; the broker exits 0 ($(grep -c '^ok' "$T/out") checks)"
# Warm sandboxes (sbx_warm_new): started ahead, each waiting for its
# program; the program runs under the pool's policy, exec rules included.
for how in "" --shared; do
	mkdir -p "$T/warm$how"
	run timeout 120 env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" SBX_WARM="$B/client/sandbox-warm" \
		"$B/tests/warmsbx" check "$T/warm$how" $how
	[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
	check $? "warm sandboxes${how:+ of a shared broker}: the caller's stdout and status, the pool's policy (reads, execs), no host directory as stdio, 20 in a row, nothing left ($(grep -c '^ok' "$T/out") checks)"
done
# 50 sandboxes of one shared broker, and the broker killed: all gone.
mkdir -p "$T/killed"
run timeout 180 env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" "$B/tests/manysbx" "$T/killed" --kill=50
[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
check $? "shared broker killed with 50 sandboxes alive: every one gone within a second, no process left ($(grep '^# ' "$T/out" | cut -c3-))"
# The program cannot change init's or the broker's limits, priorities or
# state (init keeps the caller's ids: the kernel alone would let it), and
# its group-wide calls reach neither them nor the launcher.
run /usr/bin/python3 "$S/tests/scripts/initguard.py" "$H" "$(realpath "${SBX_INITGUARD:-$B/tests/initguard}")" /usr/bin/true # unsanitized, for sanitized builds
[ $rc = 0 ]; check $? "calls on init (pid 1), its group and its user are refused; init's and the broker's limits, nice, policy and CPUs stay; calls on the program's own processes work; then an exec works"
# No file leases (a renewed lease held every other open of the file, the
# broker's and the host's, for 45 s each), no F_SETOWN to init; to itself works.
mkdir -p "$T/lease" && chmod 777 "$T/lease" && echo x >"$T/lease/f" && chmod 666 "$T/lease/f"
run "$H" --policy=shell --write="$T/lease" --exec='/usr/bin/python3*' -- /usr/bin/python3 -c '
import fcntl, os, sys
def try_(what, f):
    try: f(); print(what, "done")
    except OSError as e: print(what, e.strerror)
fd = os.open(sys.argv[1], os.O_RDONLY)
try_("read lease", lambda: fcntl.fcntl(fd, 1024, fcntl.F_RDLCK))
r, w = os.pipe()
try_("setown init", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, 1))
try_("setown self", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, os.getpid()))' "$T/lease/f"
[ $rc = 0 ] && [ "$(tr '\n' '|' <"$T/out")" = "read lease Permission denied|setown init Operation not permitted|setown self done|" ]
check $? "no file leases, no F_SETOWN to init; F_SETOWN to itself works ($(tr '\n' '|' <"$T/out"))"
# (setsid: a launcher of its own group, so that before the fix the kill took
# only the launcher, not this script.)
run setsid -w env SBX_HELPER="$H" "$L" --in-process=2 shell -- /bin/sh -c 'kill -KILL 0'
[ $rc = 137 ] && [ "$(grep -c 'exited with 137$' "$T/out")" = 2 ] && grep -q ' 1 threads left$' "$T/out"
check $? "kill(0, SIGKILL) in an in-process sandbox kills the program's group, not the launcher (twice)"
# A sandbox that leaves FIFO opens waiting (a reader, a writer) when it
# ends, or is killed, holds nothing the next one of the launcher needs.
mkdir -p "$T/ipf" && mkfifo "$T/ipf/r" "$T/ipf/w" && chmod 666 "$T/ipf/r" "$T/ipf/w"
t0=$(date +%s%N)
run timeout 60 env SBX_HELPER="$H" "$L" --in-process=3 shell --write="$T/ipf" -- /bin/sh -c "cat $T/ipf/r & echo x >$T/ipf/w & sleep 0.3; exit 3"
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc = 3 ] && [ "$(grep -c 'exited with 3$' "$T/out")" = 3 ] && grep -q ' 1 threads left$' "$T/out" && [ $ms -lt 8000 ]
check $? "in-process: 3 sandboxes in a row, each leaving FIFO opens waiting: each starts at once and ends with its status ($ms ms)"
# The same with 40 FIFOs nobody may write to (mode 0444: the broker cannot
# open them both ways to end the opens): nothing piles up in the launcher.
mkdir -p "$T/ipro" && for i in $(seq 40); do mkfifo -m 0444 "$T/ipro/f$i"; done
run timeout 60 env SBX_HELPER="$H" "$L" --in-process=3 shell --read="$T/ipro" -- /bin/sh -c "for f in $T/ipro/*; do cat \$f & done; sleep 0.3; exit 3"
[ $rc = 3 ] && [ "$(grep -c 'exited with 3$' "$T/out")" = 3 ] && grep -q ' 1 threads left$' "$T/out"
check $? "in-process: 3 sandboxes each leaving 40 opens of read-only FIFOs waiting leave no thread or fd behind ($(grep 'left$' "$T/out"))"
t0=$(date +%s%N)
run timeout 60 env SBX_HELPER="$H" "$L" --in-process=2 shell --write="$T/ipf" -- /bin/sh -c "cat $T/ipf/r & sleep 0.3; kill -KILL \$\$"
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc = 137 ] && [ "$(grep -c 'exited with 137$' "$T/out")" = 2 ] && grep -q ' 1 threads left$' "$T/out" && [ $ms -lt 6000 ]
check $? "in-process: a killed sandbox's waiting FIFO open does not hold up the next ($ms ms)"
env SBX_HELPER="$H" /usr/bin/python3 -c 'import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run([sys.argv[1], "--in-process=2", "minimal", f"--json-status-fd={w}", "--", "/bin/true"],
                   pass_fds=[w], capture_output=True, text=True)
print(p.returncode, p.stdout.strip().splitlines()[-1:] if p.stdout.strip() else "")' "$L" >"$T/out" 2>&1 </dev/null
grep -q "^0 \['launcher: [0-9]* fds and 1 threads left'\]$" "$T/out"
check $? "an in-process broker whose status reader is gone (EPIPE) does not take the launcher down ($(cat "$T/out"))"
mark="sbx-inproc-$$-$RANDOM"
env SBX_HELPER="$H" "$L" --in-process minimal -- "$PROBE" pause "$mark" >"$T/ip.out" 2>&1 </dev/null &
lpid=$!
bg_pids+=("$lpid")
hp=""
for _ in $(seq 100); do
	hp=$(ps -o pid= --ppid "$lpid" | head -1 | tr -d ' ')
	[ -n "$hp" ] && [ "$(pgrep -c -f "$mark")" -ge 2 ] && break
	sleep 0.05
done
[ -n "$hp" ] && kill -KILL "$hp"
wait "$lpid"
lrc=$?
sleep 0.3
[ $lrc = 137 ] && ! pgrep -f "$mark" >/dev/null && grep -q ' 1 threads left$' "$T/ip.out"
check $? "SIGKILL to the helper of an in-process sandbox: the sandbox and the broker thread end, the launcher goes on (status $lrc)"
/usr/bin/python3 "$S/tests/scripts/ownbroker.py" "$H" "$B/broker/sandbox-broker" "$PROBE" >"$T/out" 2>"$T/err"
rc=$?
sed 's/^/#   /' "$T/out"
[ $rc = 0 ] && grep -q '^9 passed, 0 failed$' "$T/out"
check $? "sandbox-helper --broker-fd with sandbox-broker --serve-fd: status, policy, signals, kills, bad input (9 checks)"
[ -s "$B/meson-private/sandbox-client.pc" ] &&
	PKG_CONFIG_PATH="$B/meson-private" pkg-config --exists sandbox-client; check $? "sandbox-client.pc is generated"

# --- The client library's requests (--client) ---------------------------------
mkdir -p "$T/cl/w" && echo "public data" >"$T/cl/pub" && echo secret >"$T/cl/sec" && chmod -R a+rwX "$T/cl"
CLIENTPROBE=$(realpath "${SBX_CLIENTPROBE:-$B/tests/clientprobe}") # unsanitized, for sanitized builds
run "$H" --policy=minimal --client --read="$T/cl/pub" --write="$T/cl/w" -- "$CLIENTPROBE" "$T/cl/pub" "$T/cl/sec" "$T/cl/w"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && [ "$(grep -c '^ok' "$T/out")" -ge 14 ]
check $? "client library: open, stat, access, mkdir, rename, rmdir, create, unlink under the policy; malformed requests refused"
mkfifo -m 0666 "$T/cl/fifo"
run "$H" --policy=minimal --client --read="$T/cl/fifo" --write="$T/cl/fifo" -- "$CLIENTPROBE" fifo "$T/cl/fifo"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out"
check $? "a client library open of a FIFO without a peer does not wait, and the next request is answered"
run "$H" --policy=minimal --client --read="$T/cl/pub" -- "$CLIENTPROBE" concurrent "$T/cl/pub"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out"
check $? "client library from 8 threads and a signal handler at once: every answer right, no fd left ($(grep '^# signal' "$T/out"))"
run "$H" --policy=minimal -- "$PROBE" env SBX_BROKER_FD
grep -q '^SBX_BROKER_FD=(unset)$' "$T/out"; check $? "without --client there is no client socket"

# sbx_client_connect against echo peers on loopback (tests/net/peers.py, which
# serves until its stdin closes); the probe pauses twice so that the broker's
# fds can be counted around a loop of refused, malformed and allowed connects.
N=$T/cl/net
mkdir -p "$N" && chmod 777 "$N" && mkfifo "$T/cl/peers.in" "$T/cl/probe.in" "$T/cl/probe.out"
/usr/bin/python3 "$S/tests/net/peers.py" "$N" <"$T/cl/peers.in" >"$T/cl/peers.log" 2>&1 &
bg_pids+=($!)
exec 9>"$T/cl/peers.in"
for _ in $(seq 100); do [ -e "$N/ports" ] && break; sleep 0.05; done
cport() { awk -v k="$1" '$1 == k {print $2}' "$N/ports" 2>/dev/null; }
TCP=$(cport tcp) UDP=$(cport udp) HTTP=$(cport http) ABS=$(cport abstract)
"$H" --policy=minimal --client --connect="tcp 127.0.0.1:$TCP" --connect="udp 127.0.0.1:$UDP" \
	--connect="unix $N/echo.sock" --connect="unix @$ABS" -- \
	"$CLIENTPROBE" connect "$TCP" "$HTTP" "$UDP" "$N/echo.sock" "$N/other.sock" "$ABS" \
	<"$T/cl/probe.in" >"$T/cl/probe.out" 2>"$T/err" &
bpid=$! # the helper execs the broker: this is the broker
bg_pids+=("$bpid")
watchdog "$bpid"
exec 8>"$T/cl/probe.in" 7<"$T/cl/probe.out"
fds=()
: >"$T/out"
while read -r line <&7; do
	echo "$line" >>"$T/out"
	[ "$line" = count-broker-fds ] || continue
	fds+=("$(ls "/proc/$bpid/fd" 2>/dev/null | wc -l)")
	echo go >&8
done
exec 7<&- 8>&-
wait "$bpid"; rc=$?
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && [ "$(grep -c '^ok' "$T/out")" -ge 18 ]
check $? "client connect: TCP, UDP, unix path and abstract peers the rules name; others EACCES; malformed requests EBADMSG, no fd"
grep -q "refused client connect tcp 127.0.0.1:$HTTP for pid" "$T/err"; check $? "a refused client connect is logged with its peer"
[ ${#fds[@]} = 2 ] && [ "${fds[0]}" -gt 0 ] && [ "${fds[0]}" = "${fds[1]}" ]
check $? "the broker's fds are as many after 400 client connects as before (${fds[*]})"
printf 'include minimal\nloopback private\n' >"$T/cl/lo.policy"
run "$H" --policy="$T/cl/lo.policy" --client --connect="tcp 127.0.0.1:$TCP" -- "$CLIENTPROBE" private "$TCP"
[ $rc = 0 ] && grep -q '^ok' "$T/out"; check $? "client connect under loopback private: the sandbox's own loopback, not the host's peer"
exec 9>&-

# --- Policies --------------------------------------------------------------
printf 'read /usr/**\nread relative/path\n' >"$T/bad.policy"
run "$H" --policy="$T/bad.policy" -- /bin/true
[ $rc = 125 ] && grep -q "bad.policy:2:6: " "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]
check $? "malformed policy: 125 with file:line:column"
run "$H" --policy=no-such-policy -- /bin/true
[ $rc = 125 ] && grep -q "no-such-policy" "$T/err"; check $? "unknown policy name: 125"

# --- The empty root ----------------------------------------------------------
# A policy that grants the loader's files and nothing that is a directory, so
# every directory the probe lists is the sandbox's own.
cat >"$T/bare.policy" <<EOP
stat /lib
stat /lib64
read /etc/ld.so.cache
read /usr/lib/x86_64-linux-gnu/libc.so.6
EOP
probe_real=$(readlink -f "$PROBE")
ld_real=$(readlink -f /lib64/ld-linux-x86-64.so.2)
run "$H" --strict --policy="$T/bare.policy" -- "$PROBE" tree /
files=$(grep -E '^[fo?] ' "$T/out" | sort)
want=$(printf 'f %s\nf %s\n' "$probe_real" "$ld_real" | sort)
[ $rc = 0 ] && [ "$files" = "$want" ]; check $? "the root holds only the program and its loader"
# The loader walks /lib64, and /lib where it takes the cache's /lib/...
# names as they are (Debian 12, not 13): each as the host's symlink.
grep -q '^l /lib64 -> usr/lib64$' "$T/out" && ! grep -Eq '^[^l] /lib(64)?$' "$T/out" &&
	{ ! grep -q ' /lib$' "$T/out" || grep -q '^l /lib -> usr/lib$' "$T/out"; }
check $? "the merged-/usr symlinks are recreated ($(grep -E ' /lib(64)?( |$)' "$T/out" | tr '\n' ' '))"
run "$H" --strict --policy=shell --chdir=/ -- /bin/ls -1A /
got=$(sort "$T/out" | tr '\n' ' ')
[ $rc = 0 ] && { [ "$got" = "bin lib lib64 usr " ] || [ "$got" = "bin lib64 usr " ]; }
check $? "ls -A / under the shell policy lists only the root's entries ($got)"
run "$H" --policy=shell --chdir=/usr/share -- /bin/sh -c 'pwd; echo "$PWD"; ls -d doc'
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf '/usr/share\n/usr/share\ndoc')" ]; check $? "--chdir=DIR: pwd, \$PWD and relative paths"
run "$H" --policy=shell --chdir=/root -- /bin/true
[ $rc = 125 ] && grep -q -- "--chdir=/root: the policy grants nothing there" "$T/err"; check $? "--chdir to a directory the policy does not grant: 125"
(cd "$S/tests" && "$H" --strict --policy=shell -- /bin/sh -c 'pwd; cat scripts/procself.py' >"$T/out" 2>"$T/err" </dev/null); rc=$?
[ $rc != 0 ] && [ "$(head -1 "$T/out")" = "$(cd "$S/tests" && pwd -P)" ] && grep -q 'refused openat("scripts/procself.py")' "$T/err"
check $? "the program starts in the caller's directory, whose contents stay the policy's"

# --- Privileges inside -------------------------------------------------------
run "$H" --policy=minimal -- "$PROBE" self
grep -q '^eff=0 prm=0 inh=0 bnd=0 amb=0 nnp=1 seccomp=2 pid=2$' "$T/out"
check $? "no capabilities, empty bounding set, no_new_privs, seccomp filter, pid 2"

# --- Namespaces and status, seen from outside ---------------------------------
child_of() { # PID: the first child of PID
	local p
	for p in /proc/[0-9]*; do
		[ "$(awk '{print $4}' "$p/stat" 2>/dev/null)" = "$1" ] && { echo "${p#/proc/}"; return; }
	done
}
"$H" --policy=minimal -- "$PROBE" pause >"$T/pause.out" 2>"$T/pause.err" </dev/null &
hpid=$!
bg_pids+=("$hpid")
watchdog "$hpid"
for _ in $(seq 100); do grep -q ready "$T/pause.out" 2>/dev/null && break; sleep 0.05; done
ipid=$(child_of "$hpid")
ppid_=$( [ -n "$ipid" ] && child_of "$ipid")
if [ -n "$ppid_" ]; then
	same=""
	for ns in user pid net mnt ipc uts cgroup; do
		[ "$(readlink /proc/self/ns/$ns)" = "$(readlink /proc/$ppid_/ns/$ns)" ] && same="$same $ns"
	done
	[ -z "$same" ]; check $? "the program shares no namespace with the host (shared:${same:- none})"
	st=/proc/$ppid_/status
	grep -q '^CapEff:\s*0000000000000000$' $st && grep -q '^CapPrm:\s*0000000000000000$' $st &&
		grep -q '^CapBnd:\s*0000000000000000$' $st && grep -q '^NoNewPrivs:\s*1$' $st &&
		grep -q '^Seccomp:\s*2$' $st
	check $? "/proc/PID/status of the program: CapEff/CapPrm/CapBnd 0, NoNewPrivs 1, Seccomp 2"
	[ "$(stat -c %u /proc/$hpid)" = "$(id -u)" ] && grep -q '^CapEff:\s*0000000000000000$' /proc/$hpid/status ||
		[ "$(id -u)" = 0 ]
	check $? "the broker runs as the caller with no capabilities"
	kill -TERM "$hpid"
	wait "$hpid"; rc=$?
	[ $rc = 143 ]; check $? "SIGTERM to the sandbox reaches the program: status 143 (got $rc)"
	sleep 0.2
	! alive "$ppid_" && ! alive "$ipid"; check $? "nothing is left running after the sandbox ends"
else
	not_ok "could not find the sandboxed program's pid"
	kill -KILL "$hpid"
fi

# Every forwarded signal reaches the program.
"$H" --policy=minimal -- "$PROBE" signals >"$T/sig.out" 2>"$T/sig.err" </dev/null &
hpid=$!
bg_pids+=("$hpid")
watchdog "$hpid"
for _ in $(seq 100); do grep -q ready "$T/sig.out" 2>/dev/null && break; sleep 0.05; done
for sig in HUP INT QUIT USR1 USR2 WINCH CONT; do
	kill -s "$sig" "$hpid"
	n=$(kill -l "$sig")
	for _ in $(seq 40); do grep -q "^got $n$" "$T/sig.out" && break; sleep 0.05; done
done
kill -TERM "$hpid"; wait "$hpid"; rc=$?
want=$(for s in HUP INT QUIT USR1 USR2 WINCH CONT TERM; do echo "got $(kill -l $s)"; done)
[ $rc = 0 ] && [ "$(grep '^got' "$T/sig.out")" = "$want" ]
check $? "HUP, INT, QUIT, USR1, USR2, WINCH, CONT and TERM are forwarded to the program"

# --- Exit status ----------------------------------------------------------
for code in 0 1 42 255; do
	run "$H" --policy=minimal -- "$PROBE" exit $code
	[ $rc = $code ]; check $? "exit code $code is passed through (got $rc)"
done
for sig in 9 15 11; do
	run "$H" --policy=minimal -- "$PROBE" signal $sig
	[ $rc = $((128 + sig)) ]; check $? "killed by signal $sig: status $((128 + sig)) (got $rc)"
done
run "$H" --policy=shell -- /bin/sh -c 'exit 42'
[ $rc = 42 ]; check $? "/bin/sh -c 'exit 42' returns 42"

# --- Files -------------------------------------------------------------------
run "$H" --policy=shell -- /bin/cat /etc/os-release
[ $rc = 0 ] && cmp -s "$T/out" /etc/os-release; check $? "an allowed read works (cat /etc/os-release)"
run "$H" --policy=shell -- /bin/sh -c 'grep -c "^root:" /etc/passwd | tr -d "\n"; echo " lines"'
[ $rc = 0 ] && [ "$(cat "$T/out")" = "1 lines" ]; check $? "a shell pipeline with grep and tr"
run "$H" --policy=shell -- /bin/sh -c 'echo hidden >/dev/null; echo shown 2>/dev/null'
[ $rc = 0 ] && [ "$(cat "$T/out")" = shown ]; check $? "redirects to /dev/null (write to an existing file the policy grants)"
printf 'keep\n' >"$T/ro.txt"; chmod a+rw "$T/ro.txt"
printf 'include minimal\nread %s/ro.txt\n' "$T" >"$T/ro.policy"
run "$H" --policy="$T/ro.policy" -- /bin/sh -c "echo changed >$T/ro.txt"
[ "$(cat "$T/ro.txt")" = keep ] && grep -q 'needs write' "$T/err"; check $? "a file granted read only cannot be written"
run "$H" --strict --policy=shell -- /bin/cat /etc/shadow
[ $rc != 0 ] && grep -q 'refused openat("/etc/shadow")' "$T/err" && ! grep -q "root:" "$T/out"
check $? "/etc/shadow is refused with a log line"
mkdir -p "$T/pub"
echo "SECRET data" >"$T/secret.txt"
echo "public data" >"$T/pub/file"
ln -s ../secret.txt "$T/pub/uplink"
ln -s "$T/secret.txt" "$T/pub/abslink"
chmod -R a+rX "$T"
printf 'include minimal\nread %s/pub/**\n' "$T" >"$T/pub.policy"
run "$H" --policy="$T/pub.policy" -- "$PROBE" read "$T/pub/file"
[ $rc = 0 ] && grep -q "public data" "$T/out"; check $? "a file the policy allows is read"
# A program refused in a loop cannot flood the caller's terminal: the same
# refusal is one line and a count at the end; distinct ones are rate-limited,
# and the summary counts what was not shown.
run "$H" --strict --policy=shell -- /bin/sh -c 'i=0; while [ $i -lt 400 ]; do cat /etc/shadow 2>/dev/null; i=$((i+1)); done'
[ "$(grep -c 'refused openat("/etc/shadow") for pid' "$T/err")" = 1 ] &&
	grep -q '^sandbox-broker: refused openat("/etc/shadow") 400 times in all$' "$T/err" &&
	grep -Eq '^sandbox-broker: [0-9]+ refusals \([0-9]+ distinct\), [0-9]+ lines? not shown' "$T/err"
check $? "a refusal repeated 400 times is one line, then its count and the summary at the end"
# A burst of 50, then 20 lines a second, however long the loop takes.
t0=$(date +%s)
run "$H" --strict --policy=shell -- /bin/sh -c 'i=0; while [ $i -lt 400 ]; do true 2>/dev/null >/etc/sbx-flood-$i; i=$((i+1)); done'
secs=$(($(date +%s) - t0 + 1))
n=$(grep -c 'refused openat("/etc/sbx-flood-[0-9]*") for pid' "$T/err")
# The summary: the distinct refusals (the 400, and any other the shell or
# its loader made), and how many of them it did not show.
read -r total hidden <<<"$(sed -n 's/^sandbox-broker: [0-9]* refusals (\([0-9]*\) distinct), \([0-9]*\) lines* not shown.*/\1 \2/p' "$T/err")"
others=$(grep -c '^sandbox-broker: refused .* for pid ' "$T/err")
[ "$n" -ge 20 ] && [ "$n" -le $((50 + 20 * secs)) ] && [ "${total:-0}" -ge 400 ] &&
	[ "$((others + ${hidden:-0}))" = "${total:-0}" ]
check $? "400 distinct refusals: lines rate-limited ($n shown in about $secs s), the summary counts the other ${hidden:-?} of ${total:-?} distinct"
run "$H" --strict --policy="$T/pub.policy" -- "$PROBE" read "$T/secret.txt"
[ $rc != 0 ] && grep -q "Permission denied" "$T/out" && grep -q "refused" "$T/err"
check $? "a file outside the policy is refused"
for p in "$T/pub/uplink" "$T/pub/abslink" "$T/pub/../secret.txt" "$T/pub/./../pub/../secret.txt"; do
	run "$H" --policy="$T/pub.policy" -- "$PROBE" read "$p"
	[ $rc != 0 ] && ! grep -q SECRET "$T/out"; check $? "no way out through $(basename "$p")"
done
mkdir -p "$T/w"
for mode in --strict --policy=shell; do
	rm -rf "$T/w" && mkdir -p "$T/w"
	run "$H" "$mode" --policy=shell --write="$T/w" -- "$PROBE" attacks "$T/w"
	[ $rc = 0 ]; check $? "attacks ($mode): ptrace, mount, unshare, chroot, io_uring, handles, bpf, TIOCSTI, /proc, dirfds, cwd, links, renames, own executables"
done

# Every mutating call with each of its flags, on a denied file, a directory
# that holds a denied subtree, a read-only area, a missing name: the errno
# of each row, and afterwards no name opens a denied file (tests/progs/mutflags.c).
MUTFLAGS=$(realpath "${SBX_MUTFLAGS:-$B/tests/mutflags}") # unsanitized, for sanitized builds
mkdir "$T/mf" && "$MUTFLAGS" setup "$T/mf" >"$T/out" 2>"$T/err"
rows=$(sed -n 's/^\([0-9]*\) rows$/\1/p' "$T/out")
run "$H" --policy="$T/mf/policy" --client -- "$MUTFLAGS" run "$T/mf"
[ $rc = 0 ] && grep -q "^$rows rows, 0 failures, 0 holes$" "$T/out" && [ "${rows:-0}" -ge 150 ]
check $? "renameat2, linkat, unlinkat, mkdirat, mknodat, symlinkat, fchmodat2, fchownat, utimensat, openat and the client library, each flag ($rows rows): the errno of each, no name opens a denied file"
run "$MUTFLAGS" verify "$T/mf"
[ $rc = 0 ]; check $? "after those rows every denied and read-only file is where it was, as it was, with one link"
mkdir -p "$T/mfr/sub/locked" "$T/mfr/decoy" && echo SECRET >"$T/mfr/sub/locked/f"
run "$H" --policy=minimal --write="$T/mfr" --deny="$T/mfr/sub/locked/**" -- "$MUTFLAGS" repro "$T/mfr"
[ $rc = 0 ] && [ "$(cat "$T/mfr/sub/locked/f")" = SECRET ]
check $? "the issue's reproducer: renameat2(W/decoy, W/sub, RENAME_EXCHANGE) under --deny=W/sub/locked/** is refused like rename(W/sub, W/moved)"

run "$H" --strict --policy=shell --read="$S/tests/scripts/procself.py" -- /usr/bin/python3 "$S/tests/scripts/procself.py"
[ $rc = 0 ] && ! grep -q FAIL "$T/out"; check $? "/proc/self, /proc/thread-self and /proc/PID are the program's own; nothing else of /proc"

# Semantics: the same script natively and in the sandbox prints the same
# results (flags, modes, umask, errnos, dirfds, chdir, links, O_TMPFILE).
mkdir -p "$T/sem-native" "$T/sem-box"
/usr/bin/python3 "$S/tests/scripts/semantics.py" "$T/sem-native" >"$T/sem-native.out" 2>&1
run "$H" --policy=shell --write="$T/sem-box" --read="$S/tests/scripts/semantics.py" -- /usr/bin/python3 "$S/tests/scripts/semantics.py" "$T/sem-box"
diff "$T/sem-native.out" "$T/out" >"$T/sem.diff" && [ "$(wc -l <"$T/out")" -gt 50 ]
check $? "$(wc -l <"$T/sem-native.out") file-syscall results are the kernel's own (native and sandboxed outputs are equal)"
[ -s "$T/sem.diff" ] && sed 's/^/#   /' "$T/sem.diff" | head -20

# Devices, and /dev/tty only in the caller's session.
run "$H" --policy=minimal -- "$PROBE" read /dev/null
[ $rc = 0 ]; check $? "/dev/null"
run "$H" --policy=shell -- /bin/sh -c 'head -c 16 /dev/zero | od -An -tx1 | tr -d " \n"; head -c 8 /dev/urandom | wc -c; head -c 8 /dev/random | wc -c'
[ "$(tr -d ' \n' <"$T/out")" = 0000000000000000000000000000000088 ]; check $? "/dev/zero, /dev/urandom and /dev/random"
if command -v script >/dev/null; then
	script -qec "$H --no-new-session --policy=shell -- /bin/sh -c 'echo to-tty >/dev/tty && echo written'" /dev/null </dev/null >"$T/out" 2>&1
	grep -q '^written' "$T/out"; check $? "/dev/tty in the caller's session (--no-new-session)"
	script -qec "$H --new-session --policy=shell -- /bin/sh -c 'echo to-tty >/dev/tty || echo refused'" /dev/null </dev/null >"$T/out" 2>&1
	grep -q '^refused' "$T/out" && ! grep -q '^to-tty' "$T/out"; check $? "/dev/tty is not the caller's terminal after --new-session (ENXIO)"
else
	skip "/dev/tty tests" "script(1) is not installed"
fi
# Command-line rules: relative and symlinked paths, --deny wins.
mkdir -p "$T/cli/real" && echo data >"$T/cli/real/f" && ln -sfn real "$T/cli/link" && chmod -R a+rwX "$T/cli"
(cd "$T/cli" && "$H" --strict --policy=minimal --read=link --deny=real/f -- "$PROBE" read "$T/cli/real/f" >"$T/out" 2>"$T/err" </dev/null); rc=$?
[ $rc != 0 ] && grep -q 'refused' "$T/err"; check $? "--deny wins over --read"
(cd "$T/cli" && "$H" --policy=shell --write=link -- /bin/sh -c 'echo new >link/g && cat real/f') >"$T/out" 2>"$T/err" </dev/null; rc=$?
[ $rc = 0 ] && [ "$(cat "$T/out")" = data ] && [ "$(cat "$T/cli/real/g")" = new ]; check $? "--write=RELATIVE-SYMLINK grants the real directory beneath"

# Concurrency: threads served at once while one waits on a FIFO.
mkdir -p "$T/thr"
run "$H" --policy=shell --write="$T/thr" --read="$S/tests/scripts/threads.py" -- /usr/bin/python3 "$S/tests/scripts/threads.py" "$T/thr"
[ $rc = 0 ]; check $? "8 threads open, write, rename and unlink at once while a FIFO open waits ($(cat "$T/out" | head -1))"
mkdir -p "$T/sh"
run "$H" --policy=shell --write="$T/sh" --chdir="$T/sh" -- /bin/sh -c 'mkfifo p && { cat p >got & } && sleep 0.2 && cat /etc/hostname >p && wait && cmp got /etc/hostname && echo same'
[ $rc = 0 ] && [ "$(cat "$T/out")" = same ]; check $? "a shell's FIFO: the reader waits, the writer is served meanwhile"
# FIFO opens that wait for a peer take no worker: each waits in a thread
# of its own (before, 64 of them took every worker and a stat never came back).
mkdir -p "$T/fifos"
run timeout 120 "$H" --policy=shell --write="$T/fifos" --read="$S/tests/scripts/fifos.py" -- /usr/bin/python3 "$S/tests/scripts/fifos.py" "$T/fifos" 100
[ $rc = 0 ] && ! grep -q '^FAIL' "$T/out"
check $? "100 FIFO opens wait for writers: a stat answers at once, then every reader gets its data; O_NONBLOCK, signals and restarted opens as the kernel's ($(grep -c '^ok' "$T/out") of 9)"
# So do blocking connects to a peer that never answers (a full backlog on
# the host's loopback: its SYNs are dropped).
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/port" 2>/dev/null &
bg_pids+=($!)
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
run timeout 60 "$H" --policy=shell --read="$S/tests/scripts/connects.py" --connect="tcp 127.0.0.1:$port" -- /usr/bin/python3 "$S/tests/scripts/connects.py" "$port" 100
[ $rc = 0 ]; check $? "100 blocking connects wait for a peer that never answers: a stat still answers ($(cat "$T/out"))"
kill "${bg_pids[-1]}" 2>/dev/null

# A racing symlink swap outside the sandbox: the broker must never hand out
# the secret, however the check and the open interleave.
ln -s file "$T/pub/race"
"$SWAPPER" "$T/pub/race" file ../secret.txt 3 >"$T/swap.out" &
spid=$!
bg_pids+=("$spid")
run "$H" --policy="$T/pub.policy" -- "$PROBE" race "$T/pub/race" 2
wait "$spid"
[ $rc = 0 ]; check $? "symlink swap race: $(cat "$T/out") with $(cat "$T/swap.out")"

run "$H" --policy=shell -- /bin/sh -c '/usr/bin/python3 -c "print(1)"'
[ $rc = 126 ] && grep -q 'refused execve("/usr/bin/python3")' "$T/err" && ! grep -q '^1$' "$T/out"
check $? "exec of a program no rule names is refused (sh: 126)"
run "$H" --policy=shell -- /bin/sh -c '/nonexistent/dir/prog'
[ $rc = 127 ] || [ $rc = 126 ]; ! grep -q "No such file" "$T/err" || grep -q 'refused execve' "$T/err"
check $? "exec of a missing host path outside the policy does not say whether it exists"

# Killing the broker ends everything inside (parent-death signal, pid ns).
"$H" --policy=minimal -- "$PROBE" pause >"$T/pause.out" 2>"$T/pause.err" </dev/null &
hpid=$!
bg_pids+=("$hpid")
watchdog "$hpid"
for _ in $(seq 100); do grep -q ready "$T/pause.out" 2>/dev/null && break; sleep 0.05; done
ipid=$(child_of "$hpid"); ppid_=$( [ -n "$ipid" ] && child_of "$ipid")
kill -KILL "$hpid"; wait "$hpid" 2>/dev/null
gone=no
for _ in $(seq 20); do
	[ -n "$ppid_" ] && ! alive "$ppid_" && ! alive "$ipid" && { gone=yes; break; }
	sleep 0.05
done
[ $gone = yes ]; check $? "SIGKILL to the broker: init and the program are gone within a second"

# --- Real programs -------------------------------------------------------------
run "$H" --policy=shell -- /usr/bin/python3 -c 'import json, email; print(json.dumps({"ok": 1}))'
[ $rc = 0 ] && [ "$(cat "$T/out")" = '{"ok": 1}' ]; check $? "python3 imports from the standard library"
run "$H" --policy=shell -- /bin/sh -c 'for f in /etc/hostname /etc/os-release; do test -r $f && echo yes; done | wc -l'
[ $rc = 0 ] && [ "$(tr -d ' ' <"$T/out")" = 2 ]; check $? "a shell loop with test and wc"

# --- Deferred lockdown (--deferred, sbx_enter) ---------------------------------
DEFERRED=$(realpath "${SBX_DEFERRED:-$B/tests/deferred}")
D=$T/deferred
mkdir -p "$D/secret" && echo "secret key" >"$D/secret/key" && cp /bin/true "$D/secret/run" &&
	echo granted >"$D/granted" && chmod -R a+rwX "$D"
run "$H" --deferred --read="$D/granted" --write=/tmp -- "$DEFERRED" "$D/secret" "$D/granted"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && [ "$(grep -c '^ok' "$T/out")" -ge 30 ]
check $? "--deferred: the host's tree read-only before sbx_enter; after it the empty root and the filter, and no fd opened before reaches a path (dirfds, fchdir, /proc/self/fd, linkat, execveat)"
run "$H" --deferred -- "$DEFERRED" threads
[ $rc = 0 ] && grep -q '^ok' "$T/out"; check $? "sbx_enter refuses while the program has two threads (EBUSY)"
run "$H" --deferred -- "$DEFERRED" io_uring
[ $rc = 0 ] && grep -q '^0 failures' "$T/out"; check $? "sbx_enter refuses while the program has an io_uring (EBUSY)"
for m in child clonevm; do
	run "$H" --deferred -- "$DEFERRED" $m
	[ $rc = 0 ] && grep -q '^0 failures' "$T/out"; check $? "sbx_enter refuses while another process is in the sandbox ($m: EBUSY)"
done
run "$H" --deferred -- "$DEFERRED" bogus
[ $rc = 125 ] && grep -q 'handed over as the seccomp listener is not one' "$T/err"
check $? "a pipe handed over as the listener is refused by the broker, and the sandbox ends (125)"
run "$H" --deferred -- "$DEFERRED" unshare
[ $rc = 0 ] && grep -q '^0 failures' "$T/out"; check $? "sbx_enter refuses a program that left the root it shares with the keeper (EPERM)"
run "$H" -- "$DEFERRED" plain
[ $rc = 0 ] && grep -q '^ok' "$T/out"; check $? "sbx_enter without --deferred: ENOTSUP"
run "$H" --deferred -- /bin/sh -c 'cat /etc/hostname >/dev/null && echo x >"$1"/planted' sh "$D"
[ $rc != 0 ] && [ ! -e "$D/planted" ] && grep -q 'Read-only file system' "$T/err"
check $? "--deferred without sbx_enter: reads the host, writes nothing, exits with the program"
run "$H" --deferred --close-fds -- "$PROBE" env SBX_ENTER_FD
grep -q '^SBX_ENTER_FD=[0-9]' "$T/out"; check $? "--deferred: the enter socket survives --close-fds"

# --- What the kernel resolves from the working directory ------------------------
# fchdir may put the working directory on the host; the kernel then resolves
# a unix datagram's relative address and a core dump's name from there.
CWDESCAPE=$(realpath "${SBX_CWDESCAPE:-$B/tests/cwdescape}")
E=$T/cwd
mkdir -p "$E/host" && chmod -R a+rwX "$E"
/usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
try:
    print(s.recv(100), flush=True)
except OSError:
    pass' "$E/host/hostsock" >"$E/got" 2>&1 &
bg_pids+=($!)
sockpid=$!
for _ in $(seq 50); do [ -S "$E/host/hostsock" ] && break; sleep 0.05; done
chmod a+w "$E/host/hostsock" 2>/dev/null
run "$H" --read="$E/host" -- "$CWDESCAPE" sock "$E/host"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && grep -q 'fchdir to the host directory: done' "$T/out"
check $? "from a working directory on the host (fchdir to a broker's fd) no unix datagram socket can be made, none reaches a host socket"
run "$H" --deferred -- "$CWDESCAPE" sock "$E/host"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && grep -q 'fchdir to the host directory: done' "$T/out"
check $? "--deferred: the same from a directory opened before sbx_enter"
/usr/bin/python3 -c 'import socket, subprocess, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
r = subprocess.run(sys.argv[1:], pass_fds=[a.fileno()], capture_output=True, text=True)
print(r.returncode, r.stderr.strip())' "$H" -- /bin/true >"$T/out" 2>&1
grep -q '^125 .*inherited fd [0-9]* is a unix datagram socket' "$T/out"
check $? "an inherited unix datagram socket is refused (125, one line)"
run "$H" --read="$E/host" --connect="unix $E/other" -- "$CWDESCAPE" sock "$E/host"
[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && grep -q 'fchdir to the host directory: Permission denied' "$T/out"
check $? "under unix rules (unix datagram sockets allowed) fchdir to a host directory is refused"
kill "$sockpid" 2>/dev/null
wait "$sockpid" 2>/dev/null
[ ! -s "$E/got" ]; check $? "the host's datagram socket received nothing (got: $(cat "$E/got"))"
run "$H" --read="$E/host" -- "$CWDESCAPE" core "$E/host"
[ $rc = 134 ] && grep -q '^0 failures' "$T/out" && ! ls "$E/host" | grep -q core
check $? "no core dump (RLIMIT_CORE 0, hard), not even into a host working directory (status $rc)"

. "$S/tests/lifecycle.sh"
. "$S/tests/leftovers.sh"

summary
