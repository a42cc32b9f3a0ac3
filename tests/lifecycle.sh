# SPDX-License-Identifier: LGPL-2.1-or-later
# Lifecycle tests, sourced by tests/integration.sh (which provides H, PROBE,
# T, ok/not_ok/check, alive, child_of, bg_pids): kill the launcher, the
# broker, init or the program at several moments, during setup and during
# the run, and check that nothing is left; then sydbox's core exit and abort
# tests: many sandboxes at once, each with 64 children ending in chosen ways.
FORKER=${SBX_FORKER:-$B/tests/forker} # without sanitizers, for sanitized builds

# kid_of PID: its first child in KID (none: empty).
kid_of() { KID=""; read -r KID _ <"/proc/$1/task/$1/children" 2>/dev/null; }
# chain_of PID: PID's first child, its first child and so on, in CHAIN
# (the broker, init, the program; the broker's cleanup process is its
# child after init).
chain_of() {
	local p=$1
	CHAIN=()
	for _ in 1 2 3; do
		kid_of "$p"
		[ -n "$KID" ] || break
		CHAIN+=("$KID") p=$KID
	done
}

# kill_at WHO DELAY: start a sandbox, SIGKILL WHO (launcher|broker|init|
# program) DELAY seconds after it exists, and check that within a second no
# process of that sandbox is left (found by a mark in their command lines,
# so processes that were reparented count too). Prints "ok" or what is left.
kill_at() {
	local who=$1 delay=$2 mark="sbx-mark-$$-$RANDOM$RANDOM" lpid victim="" left want
	bash -c "\"$H\" --policy=minimal -- \"$PROBE\" pause $mark >/dev/null 2>&1 </dev/null; :" &
	lpid=$!
	# The launcher no sooner than init exists: one killed before the
	# helper could look at its parent leaves a helper whose parent is the
	# reaper, which it cannot tell from a launcher.
	case $who in launcher) want=2 ;; broker) want=1 ;; init) want=2 ;; program) want=3 ;; esac
	# Wait until WHO exists (setup runs in a few ms), then DELAY more.
	for _ in $(seq 200); do
		chain_of "$lpid"
		[ ${#CHAIN[@]} -ge "$want" ] && break
		sleep 0.005
	done
	sleep "$delay"
	chain_of "$lpid"
	set -- "${CHAIN[@]}"
	case $who in
	launcher) victim=$lpid ;;
	broker) victim=${1:-} ;;
	init) victim=${2:-} ;;
	program) victim=${3:-} ;;
	esac
	[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
	for _ in $(seq 20); do
		left=""
		for p in $(pgrep -f "$mark"); do alive "$p" && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.05
	done
	kill -KILL "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	if [ -z "$victim" ]; then echo "no $who to kill"
	elif [ -z "$left" ]; then echo ok
	else echo "left:$left"; fi
}

for who in launcher broker init program; do
	res=""
	for delay in 0 0.002 0.01 0.03 0.3; do
		r=$(kill_at "$who" "$delay")
		[ "$r" = ok ] || res="$res [$delay s: $r]"
	done
	[ -z "$res" ]; check $? "SIGKILL to the $who during setup and the run: nothing left within a second$res"
done

# sydbox t0005-core-exit and t0006-core-abort: sandboxes in parallel, each
# with 64 children that sleep a random moment and then exit with a chosen
# code or die by a chosen signal.
start=$(date +%s)
cases=(exit:0 exit:1 exit:7 exit:42 exit:127 exit:255 signal:6 signal:9 signal:15 signal:10 signal:11 signal:1)
pids=() wants=()
for round in 1 2; do
	for c in "${cases[@]}"; do
		how=${c%%:*} code=${c##*:}
		"$H" --policy=minimal -- "$FORKER" 64 "$how" "$code" >/dev/null 2>"$T/forker.$round.$c.err" </dev/null &
		pids+=($!)
		if [ "$how" = exit ]; then wants+=("$code"); else wants+=($((128 + code))); fi
	done
done
bad=""
for i in "${!pids[@]}"; do
	wait "${pids[$i]}"; got=$?
	[ "$got" = "${wants[$i]}" ] || bad="$bad [case $i: want ${wants[$i]} got $got]"
done
elapsed=$(( $(date +%s) - start ))
[ -z "$bad" ] && [ "$elapsed" -lt 60 ]
check $? "sydbox core exit/abort: ${#pids[@]} sandboxes x 64 children, every status right, ${elapsed}s$bad"

# A wrapper between the helper and the broker (--broker=SCRIPT that runs the
# broker as its child, not by exec): init is the wrapper's child, not the
# broker's. The broker must still end at once with the program's status,
# use next to no CPU, and end on SIGTERM. Each run is bounded by a
# watchdog (timeout): before the fix the broker spun at 100% CPU forever.
wrap=$T/broker-wrapper
cat >"$wrap" <<WRAP
#!/bin/sh
# Not exec: the broker is the wrapper's child, init its sibling.
"$B/broker/sandbox-broker" "\$@"
st=\$?
times >"$T/wrap-times"
exit \$st
WRAP
chmod 755 "$wrap"
# cpu_of_children FILE: the children's user+system seconds that sh's times
# wrote (its second line: "0m0.004000s 0m0.008000s"), as a decimal.
cpu_of_children() {
	awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] } print t }' "$1"
}
rm -f "$T/wrap-times"
# wrapped_broker PID: the broker below the helper (wrapper) PID, if any.
wrapped_broker() {
	local p
	for p in $(descendants "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sandbox-broker ] && echo "$p"
	done
}
start=$(date +%s%N)
timeout -s KILL 10 "$H" --broker="$wrap" -- "$PROBE" exit 7 >"$T/out" 2>"$T/err" </dev/null &
wpid=$! bpid=""
while alive "$wpid"; do
	[ -z "$bpid" ] && bpid=$(wrapped_broker "$wpid")
	sleep 0.01
done
wait "$wpid"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ -n "$bpid" ] && kill -KILL "$bpid" 2>/dev/null # a broker left spinning
cpu=$(cpu_of_children "$T/wrap-times" 2>/dev/null)
[ $rc = 7 ] && [ "$ms" -lt 1500 ] && [ -n "$cpu" ] && awk -v c="$cpu" 'BEGIN { exit !(c < 0.3) }'
check $? "a wrapper between helper and broker: the program's status (got $rc), the broker ends at once (${ms} ms), little CPU (${cpu:-none} s)"
# SIGTERM to the broker: forwarded to the program, which dies of it; the
# broker ends within a second with 143.
rm -f "$T/wrap-times"
timeout -s KILL 10 "$H" --broker="$wrap" -- "$PROBE" pause >"$T/out" 2>"$T/err" </dev/null &
wpid=$!
bpid=""
for _ in $(seq 200); do
	grep -q ready "$T/out" 2>/dev/null && break
	sleep 0.01
done
bpid=$(wrapped_broker "$wpid")
start=$(date +%s%N)
[ -n "$bpid" ] && kill -TERM "$bpid"
wait "$wpid"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ -n "$bpid" ] && alive "$bpid" && { kill -KILL "$bpid"; rc=999; }
[ -n "$bpid" ] && [ $rc = 143 ] && [ "$ms" -lt 1000 ]
check $? "a wrapper between helper and broker: SIGTERM to the broker (pid ${bpid:-none}) ends the sandbox with 143 (got $rc) in ${ms} ms"
