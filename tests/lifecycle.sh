# SPDX-License-Identifier: LGPL-2.1-or-later
# Lifecycle tests, sourced by tests/integration.sh (which provides H, PROBE,
# T, ok/not_ok/check, alive, child_of, bg_pids): kill the launcher, the
# broker, init or the program at several moments, during setup and during
# the run, and check that nothing is left; then sydbox's core exit and abort
# tests: many sandboxes at once, each with 64 children ending in chosen ways.
FORKER=$B/tests/forker

# descendants PID: every process below PID (from /proc, no pgrep).
descendants() {
	local todo=("$1") out=() p q
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]}; todo=("${todo[@]:1}")
		for q in /proc/[0-9]*; do
			[ "$(awk '{print $4}' "$q/stat" 2>/dev/null)" = "$p" ] || continue
			out+=("${q#/proc/}"); todo+=("${q#/proc/}")
		done
	done
	echo "${out[@]}"
}

# kill_at WHO DELAY: start a sandbox, SIGKILL WHO (launcher|broker|init|
# program) after DELAY seconds, and check that within a second nothing of it
# is left running. Prints "ok" or what survived.
kill_at() {
	local who=$1 delay=$2 lpid all victim left p
	# The launcher: a shell that runs the helper and waits for it.
	bash -c "\"$H\" --policy=minimal -- \"$PROBE\" pause >/dev/null 2>&1 </dev/null; :" &
	lpid=$!
	sleep "$delay"
	all=$(descendants "$lpid")
	set -- $all
	case $who in
	launcher) victim=$lpid ;;
	broker) victim=${1:-} ;;
	init) victim=${2:-} ;;
	program) victim=${3:-} ;;
	esac
	[ -n "$victim" ] && kill -KILL "$victim" 2>/dev/null
	left=""
	for _ in $(seq 20); do
		left=""
		for p in $all; do alive "$p" && left="$left $p"; done
		[ -z "$left" ] && break
		sleep 0.05
	done
	# The launcher may outlive its child; it is ours to reap, not the sandbox.
	kill -KILL "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
	for p in $left; do kill -KILL "$p" 2>/dev/null; done
	if [ -z "$left" ]; then echo ok; else echo "left:$left ($(cat /proc/${left# }/comm 2>/dev/null))"; fi
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
