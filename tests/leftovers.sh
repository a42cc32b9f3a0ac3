# SPDX-License-Identifier: LGPL-2.1-or-later
# Kill at any point, sourced by tests/integration.sh after lifecycle.sh
# (which provides kid_of; harness.sh descendants): the helper, the broker, init, the program,
# and the broker together with its cleanup process, each SIGKILLed at a
# random moment of the setup or the run (10 times each; SBX_LONG=1: 100), in
# a sandbox with a private TMPDIR and, where the caller may make one, a
# cgroup (--pids-max). Counted: processes left, zombies, TMPDIRs and cgroups
# left once the sandbox (and its cleanup process) ended, then again after
# one more sandbox started (which sweeps what no one removed: only then may
# the broker killed with its cleanup process have left nothing), and the
# statuses that are not 137 (the victim's SIGKILL, whichever it was).
LEFT_N=10 # SBX_LEFT_WHO: the victims to try (default: all five)
[ "${SBX_LONG:-0}" = 1 ] && LEFT_N=100
LEFT_TMP=$T/left-tmp
mkdir -p "$LEFT_TMP"
printf 'include minimal\ntmpdir private\n' >"$T/left.policy"
# --pids-max makes the sandbox's cgroup in the caller's when that one is
# delegated (writable). Root here makes one and gives it to itself, as
# setuid.sh does for the unprivileged user (who has none here, and counts
# TMPDIRs only); each sandbox's launcher enters it.
left_limits=() left_cg=""
if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
	left_cg=/sys/fs/cgroup/pids$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)
	left_cg=${left_cg%/}/sbx-left-$$
	if mkdir "$left_cg" 2>/dev/null; then
		left_limits=(--pids-max=1000)
	else
		left_cg=""
	fi
fi
cg_note=" (no cgroup delegated)"
[ -n "$left_cg" ] && cg_note=" (in $left_cg)"

# left_list: the TMPDIRs and cgroups there are (the test's own: a TMPDIR
# and a delegated cgroup of the test's for its sandboxes).
left_list() {
	find "$LEFT_TMP" -mindepth 1 -maxdepth 1 -name 'sandbox-tmp.*'
	[ -z "$left_cg" ] || find "$left_cg" -mindepth 1 -maxdepth 1 -type d -name 'sandbox-*'
}

# cleanup_of PID: the broker PID's cleanup process in CLEANUP, if it has one.
cleanup_of() {
	local k c
	CLEANUP=""
	for k in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		read -r c <"/proc/$k/comm" 2>/dev/null && [ "$c" = sandbox-cleanup ] && CLEANUP=$k
	done
	[ -n "$CLEANUP" ]
}

# left_run WHO: one sandbox, WHO SIGKILLed at a random moment; prints
# "STATUS PROCS ZOMBIES TMPDIRS CGROUPS" (the last two before any sweep).
left_run() {
	local who=$1 mark="sbx-left-$$-$RANDOM$RANDOM" lpid victim="" all left zombies p st
	rm -f "$T/left-status"
	left_list >"$T/left-before"
	TMPDIR=$LEFT_TMP CG=$left_cg bash -c '[ -z "$CG" ] || echo $$ >"$CG/cgroup.procs" || exit 99
		"$@" >/dev/null 2>&1 </dev/null; echo $? >"'"$T"'/left-status"' sh \
		"$H" --policy="$T/left.policy" "${left_limits[@]}" -- "$PROBE" pause "$mark" >/dev/null 2>&1 &
	lpid=$!
	# The victim, found with builtins only (a ps takes longer than the
	# setup): the helper is the launcher's child, init the helper's (the
	# broker's, once it has executed it), the program init's.
	local chain=() c delay=$((RANDOM % 80)) until=$((SECONDS + 10))
	CLEANUP=""
	while [ $SECONDS -lt $until ]; do
		chain=() p=$lpid
		for _ in 1 2 3; do
			kid_of "$p"
			[ -n "$KID" ] || break
			chain+=("$KID") p=$KID
		done
		case $who in
		helper) [ ${#chain[@]} -ge 1 ] && break ;;
		broker) c=""; [ ${#chain[@]} -ge 1 ] && read -r c <"/proc/${chain[0]}/comm" 2>/dev/null
			[ "$c" = sandbox-broker ] && break ;;
		cleanup) [ ${#chain[@]} -ge 1 ] && cleanup_of "${chain[0]}" && break ;;
		init) [ ${#chain[@]} -ge 2 ] && { [ -z "$left_cg" ] || [ $delay -ge 20 ] ||
			[ -d "$left_cg/sandbox-${chain[1]}" ]; } && break ;;
		program) [ ${#chain[@]} -ge 3 ] && break ;;
		esac
		alive "$lpid" || break
	done
	# A random moment: at once (the middle of the setup; for init, in some
	# runs, the moment its cgroup appears) in half the runs, else up to
	# 40 ms later (the end of the setup, or well into the run).
	[ $delay -ge 40 ] && sleep "$(printf '0.%03d' $((delay - 40)))"
	case $who in
	helper | broker) victim=${chain[0]:-} ;;
	cleanup) victim="${chain[0]:-} $CLEANUP" ;;
	init) victim=${chain[1]:-} ;;
	program) victim=${chain[2]:-} ;;
	esac
	all="${chain[*]}"
	[ -n "$victim" ] && kill -KILL $victim 2>/dev/null
	all="$all $(descendants "$lpid")"
	for _ in $(seq 250); do alive "$lpid" || break; sleep 0.02; done
	alive "$lpid" && kill -KILL "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
	# Within a second: no process of the sandbox, no zombie of it; within
	# three, no cleanup process (the broker's, when it was killed).
	local cleaners i
	for i in $(seq 80); do
		left=0 zombies=0 cleaners=0
		for p in $(pgrep -f "$mark"); do
			alive "$p" || continue
			if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sandbox-cleanup ]; then
				cleaners=$((cleaners + 1))
			else
				left=$((left + 1))
			fi
		done
		# Zombies that someone of ours should reap (not those the system's
		# init adopted: init's, when its parent, the broker, was killed).
		for p in $all; do
			[ "$(awk '{print $3 != "Z" ? "-" : $4}' "/proc/$p/stat" 2>/dev/null)" -gt 1 ] 2>/dev/null &&
				zombies=$((zombies + 1))
		done
		[ $left = 0 ] && [ $zombies = 0 ] && [ $cleaners = 0 ] && break
		[ "$i" -ge 20 ] && { [ $left != 0 ] || [ $zombies != 0 ]; } && break
		sleep 0.05
	done
	left=$((left + cleaners))
	for p in $(pgrep -f "$mark"); do kill -KILL "$p" 2>/dev/null; done
	st=$(cat "$T/left-status" 2>/dev/null || echo none)
	[ -n "$victim" ] || st=novictim
	local tmps cgs
	tmps=$(left_list | grep -vxFf "$T/left-before" | grep -c sandbox-tmp)
	cgs=$(left_list | grep -vxFf "$T/left-before" | grep -vc sandbox-tmp)
	echo "$st $left $zombies $tmps $cgs"
}

left_figures=""
for who in ${SBX_LEFT_WHO:-helper broker init program cleanup}; do
	procs=0 zombies=0 tmps=0 cgs=0 bad=""
	for i in $(seq "$LEFT_N"); do
		read -r st p z t c < <(left_run "$who")
		procs=$((procs + p)) zombies=$((zombies + z))
		[ "$t" -gt 0 ] && tmps=$((tmps + 1))
		[ "$c" -gt 0 ] && cgs=$((cgs + 1))
		[ "$st" = 137 ] || bad="$bad $st"
	done
	# The next start sweeps what a killed broker could not remove.
	TMPDIR=$LEFT_TMP CG=$left_cg bash -c '[ -z "$CG" ] || echo $$ >"$CG/cgroup.procs" || exit 99
		exec "$@" >/dev/null 2>&1 </dev/null' sh "$H" --policy="$T/left.policy" "${left_limits[@]}" -- /bin/true
	rest_t=$(left_list | grep -c sandbox-tmp)
	rest_c=$(left_list | grep -vc sandbox-tmp)
	what=$who
	[ "$who" = cleanup ] && what="broker and its cleanup process"
	fig="SIGKILL of the $what, $LEFT_N random moments: $procs processes and $zombies zombies left;"
	fig="$fig TMPDIR left in $tmps runs, cgroup in $cgs$cg_note until the next start,"
	fig="$fig then $rest_t and $rest_c; statuses other than 137:${bad:- none}"
	echo "# $fig"
	# Only the broker's cleanup process killed with it leaves them until the
	# next start (which the count after it shows); else none is left.
	[ $procs = 0 ] && [ $zombies = 0 ] && [ "$rest_t" = 0 ] && [ "$rest_c" = 0 ] && [ -z "$bad" ] &&
		{ [ "$who" = cleanup ] || { [ $tmps = 0 ] && [ $cgs = 0 ]; }; }
	check $? "$fig"
	# Nothing left for the next round, whatever happened in this one.
	find "$LEFT_TMP" -mindepth 1 -maxdepth 1 -name 'sandbox-tmp.*' -exec rm -rf {} +
	[ -z "$left_cg" ] || find "$left_cg" -mindepth 1 -maxdepth 1 -type d -name 'sandbox-*' -exec rmdir {} + 2>/dev/null
done
[ -n "$left_cg" ] && rmdir "$left_cg" 2>/dev/null

# The sweep removes only what is the caller's and no one holds: a running
# sandbox keeps its TMPDIR while others start; a symlink with a leftover's
# name is not followed; a leftover's tree is removed without following the
# symlinks in it, also from a directory made unwritable; another user's
# directory (made by root for the unprivileged user, when root) stays.
mkdir -p "$T/left-outside" && echo keep >"$T/left-outside/file"
mkdir -p "$LEFT_TMP/sandbox-tmp.AAAAAA/sub/deep" && echo x >"$LEFT_TMP/sandbox-tmp.AAAAAA/sub/deep/f"
ln -s "$T/left-outside" "$LEFT_TMP/sandbox-tmp.AAAAAA/sub/link"
chmod 500 "$LEFT_TMP/sandbox-tmp.AAAAAA/sub"
ln -s "$T/left-outside" "$LEFT_TMP/sandbox-tmp.BBBBBB"
other=""
if [ "$(id -u)" = 0 ] && id sandbox-test >/dev/null 2>&1; then
	mkdir "$LEFT_TMP/sandbox-tmp.CCCCCC" && chown sandbox-test "$LEFT_TMP/sandbox-tmp.CCCCCC" && other=1
fi
TMPDIR=$LEFT_TMP "$H" --policy="$T/left.policy" -- "$PROBE" pause "sbx-left-live-$$" >"$T/live.out" 2>&1 </dev/null &
live=$!
bg_pids+=("$live")
live_dir=""
for _ in $(seq 1000); do
	grep -q ready "$T/live.out" 2>/dev/null &&
		live_dir=$(find "$LEFT_TMP" -mindepth 1 -maxdepth 1 -name 'sandbox-tmp.*' ! -name 'sandbox-tmp.AAAAAA' \
			! -name 'sandbox-tmp.BBBBBB' ! -name 'sandbox-tmp.CCCCCC' | head -1)
	[ -n "$live_dir" ] && break
	sleep 0.01
done
for _ in 1 2 3; do
	TMPDIR=$LEFT_TMP "$H" --policy="$T/left.policy" -- /bin/true >/dev/null 2>&1 </dev/null
done
[ -n "$live_dir" ] && [ -d "$live_dir" ] && [ ! -e "$LEFT_TMP/sandbox-tmp.AAAAAA" ] &&
	[ -L "$LEFT_TMP/sandbox-tmp.BBBBBB" ] && [ "$(cat "$T/left-outside/file")" = keep ] &&
	{ [ -z "$other" ] || [ -d "$LEFT_TMP/sandbox-tmp.CCCCCC" ]; }
check $? "the sweep: a running sandbox keeps its TMPDIR (${live_dir:-none}), a dead one's tree goes (unwritable parts too, links not followed), a symlink named like one is not followed${other:+, a directory of another user stays}"
kill -TERM "$live"; wait "$live"
[ ! -e "$live_dir" ]; check $? "the running sandbox's TMPDIR goes when it ends"
# What the program leaves in its private TMPDIR is removed however it made
# it: 300 levels deep (more fds than a walk may hold; level 65 unwritable),
# and directories it made unreadable and unsearchable (mode 0).
DEEP_TMP=$T/deep-tmp; mkdir -p "$DEEP_TMP" && chmod 777 "$DEEP_TMP"
TMPDIR=$DEEP_TMP "$H" --policy=build -- /bin/sh -c 'cd "$TMPDIR" && mkdir -p "$(printf "d/%.0s" $(seq 300))" && chmod 0500 "$(printf "d/%.0s" $(seq 65))" && mkdir -p a/b && echo x >a/b/f && chmod 0 a/b a' \
	>"$T/deep.out" 2>&1 </dev/null
left=$(find "$DEEP_TMP" -mindepth 1 -maxdepth 1 -name 'sandbox-tmp.*' | wc -l)
[ "$left" = 0 ] && ! grep -q 'cannot remove' "$T/deep.out"
check $? "a private TMPDIR 300 levels deep, with directories of mode 0, is removed at the end ($left left)"
rm -rf "$LEFT_TMP"
