# SPDX-License-Identifier: LGPL-2.1-or-later
# Lifecycle tests, sourced by tests/integration.sh (which provides H, PROBE,
# T, ok/not_ok/check, alive, child_of, bg_pids): kill the launcher, the
# broker, init or the program at several moments, during setup and during
# the run, and check that nothing is left; then sydbox's core exit and abort
# tests: many sandboxes at once, each with 64 children ending in chosen ways.
FORKER=${SBX_FORKER:-$B/tests/forker} # without sanitizers, for sanitized builds

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

# kill_at WHO DELAY: start a sandbox, SIGKILL WHO (launcher|broker|init|
# program) DELAY seconds after it exists, and check that within a second no
# process of that sandbox is left (found by a mark in their command lines,
# so processes that were reparented count too). Prints "ok" or what is left.
kill_at() {
	local who=$1 delay=$2 mark="sbx-mark-$$-$RANDOM$RANDOM" lpid victim="" left want
	bash -c "\"$H\" --policy=minimal -- \"$PROBE\" pause $mark >/dev/null 2>&1 </dev/null; :" &
	lpid=$!
	case $who in launcher) want=0 ;; broker) want=1 ;; init) want=2 ;; program) want=3 ;; esac
	# Wait until WHO exists (setup runs in a few ms), then DELAY more.
	for _ in $(seq 200); do
		set -- $(descendants "$lpid")
		[ $# -ge "$want" ] && break
		sleep 0.005
	done
	sleep "$delay"
	set -- $(descendants "$lpid")
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
