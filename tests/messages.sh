#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The messages a person writing a command line or a policy reads: "did you
# mean" for policy names, rule keywords, options and paths; the shipped
# policies listed when a name is not found; '--policy X' pointed to
# --policy=X; a grant of a path that does not exist refused at start; the
# helper's own name on errors about its command line; how to get a
# delegated cgroup; and --explain, which prints the policy as compiled and
# warns about what matches nothing, with no sandbox made. Each error: 125,
# one line, and the program never started. Needs SBX_BUILD and SBX_SOURCE;
# runs as root and as an unprivileged user.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-messages
T=$(realpath "$T")
echo "# message tests as $(id -un) (uid $(id -u))"
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
# The program every failing run names: it would leave this file.
RAN=$T/ran
prog=(/bin/sh -c ": >'$RAN'")
# refused MESSAGE: the last run ended 125 with MESSAGE (a fixed string) as
# its one line on stderr, and the program never started.
refused() {
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -qxF -- "$1" "$T/err" && [ ! -e "$RAN" ]
}
mkdir -p "$T/w/build" && cd "$T/w" || exit 1

# --- did you mean: policy names, keywords, options, paths --------------------
run "$H" --policy=shel -- "${prog[@]}"
refused "sandbox-helper: policy 'shel' not found in $S/policies: did you mean 'shell'? (the policies there: $(cd "$S/policies" && ls -- *.policy | sed 's/\.policy$//' | sort | paste -sd, - | sed 's/,/, /g'))"
check $? "--policy=shel: 125, did you mean 'shell', and the shipped policies listed"
run "$H" --policy=no-such-policy-here -- "${prog[@]}"
[ $rc = 125 ] && grep -q "^sandbox-helper: policy 'no-such-policy-here' not found in .* (the policies there: .*minimal.*shell" "$T/err" &&
	! grep -q "did you mean" "$T/err" && [ ! -e "$RAN" ]
check $? "a policy name far from every one: the list, no guess"
printf 'include minimal\nraed /usr/**\n' >"$T/typo.policy"
run "$H" --policy="$T/typo.policy" -- "${prog[@]}"
refused "sandbox-broker: $T/typo.policy:2:1: unknown rule 'raed': did you mean 'read'?"
check $? "a typo'd keyword in a policy file: file:line:column and the keyword meant"
printf 'include shel\n' >"$T/inc.policy"
run "$H" --policy="$T/inc.policy" -- "${prog[@]}"
[ $rc = 125 ] && grep -qF "sandbox-broker: $T/inc.policy:1:9: policy 'shel' not found: did you mean 'shell'? (the policies there: " "$T/err" &&
	[ ! -e "$RAN" ]
check $? "include of a typo'd name: where, and the name meant"
run "$H" --polcy=shell -- "${prog[@]}"
refused "sandbox-helper: unknown option '--polcy=shell': did you mean '--policy'? (see --help)"
check $? "--polcy=shell: did you mean '--policy'"
run "$H" --clsoe-fds -- "${prog[@]}"
refused "sandbox-helper: unknown option '--clsoe-fds': did you mean '--close-fds'? (see --help)"
check $? "a typo'd option of the helper's own: did you mean '--close-fds'"
run "$H" --frobnicate -- "${prog[@]}"
refused "sandbox-helper: unknown option '--frobnicate' (see --help)"
check $? "an option like none: no guess"
run "$H" --policy shell -- "${prog[@]}"
refused "sandbox-helper: --policy takes its value after '=': write --policy=shell"
check $? "'--policy shell' (a space): pointed to --policy=shell"
run "$H" --write -- "${prog[@]}"
refused "sandbox-helper: --write takes its value after '=': write --write=VALUE"
check $? "'--write' alone: its value after '='"

# --- a command-line grant of what does not exist -------------------------------
run "$H" --policy=shell --write=buidl -- "${prog[@]}"
refused "sandbox-helper: --write=buidl: no such file or directory in $T/w: did you mean 'build'?"
check $? "--write=buidl beside ./build: 125, where, and did you mean 'build'"
run "$H" --policy=shell --read=biuld/x.c -- "${prog[@]}"
refused "sandbox-helper: --read=biuld/x.c: no such file or directory in $T/w: did you mean 'build/x.c'?"
check $? "the first missing name is the one corrected (biuld/x.c: build/x.c)"
run "$H" --policy=shell --exec="$T/nothing/here" -- "${prog[@]}"
refused "sandbox-helper: --exec=$T/nothing/here: no such file or directory (to let the program make it, grant the directory it goes in)"
check $? "--exec of an absolute path that is not there: 125 and what to do"
run "$H" --policy=shell --write=out.txt -- /bin/sh -c 'echo made >out.txt'
[ $rc = 125 ] && grep -q "^sandbox-helper: --write=out.txt: no such file or directory in $T/w (to let the program make it" "$T/err" &&
	[ ! -e out.txt ]
check $? "--write of an output not made yet: refused at start, not granted and refused later"
run "$H" --policy=shell --write=. -- /bin/sh -c 'echo made >out.txt'
[ $rc = 0 ] && [ "$(cat out.txt)" = made ] && rm -f out.txt
check $? "... and granting its directory lets the program make it"
run "$H" --policy=shell --write="$T" --deny="$T/nothing/here" --stat="$T/nothing/there" -- "${prog[@]}"
[ $rc = 0 ] && [ -e "$RAN" ] && rm -f "$RAN"
check $? "--deny and --stat may name what is not there"

# --- errors about the helper's command line carry its name -----------------------
run "$H" --connect='bad' -- "${prog[@]}"
refused "sandbox-helper: --connect=bad: expected PROTO ADDRESS, e.g. 'tcp 127.0.0.1:80'"
check $? "a bad --connect: said as sandbox-helper"
run "$H" --chdir=relative -- "${prog[@]}"
refused "sandbox-helper: --chdir=relative: give an absolute path"
check $? "a relative --chdir: said as sandbox-helper"
run "$H" --read='/a/../b' -- "${prog[@]}"
[ $rc = 125 ] && grep -q "^sandbox-helper: " "$T/err" && [ ! -e "$RAN" ]
check $? "a bad command-line pattern: said as sandbox-helper"

# --- no delegated cgroup: how to get one -----------------------------------------
run "$H" --pids-max=16 -- "${prog[@]}"
if [ $rc = 0 ]; then
	echo "SKIP - --pids-max without a delegated cgroup: this caller has one"
	rm -f "$RAN"
else
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
		grep -q "delegated.*systemd-run --user --scope -p Delegate=yes sandbox-helper" "$T/err" && [ ! -e "$RAN" ]
	check $? "--pids-max without a delegated cgroup: the systemd-run hint"
fi

# --- --explain ---------------------------------------------------------------------
run "$H" --help
grep -q '^  --explain ' "$T/out"; check $? "--help lists --explain"
run "$H" --policy=shell --explain -- "${prog[@]}"
[ $rc = 0 ] && [ ! -e "$RAN" ] && [ ! -s "$T/err" ] &&
	grep -q "^Policy shell, after includes and variables: [0-9]* path rules, 0 network rules$" "$T/out" &&
	grep -q "^The sandbox's root (the view" "$T/out" &&
	grep -Eq "^  ro tree +/usr  $S/policies/shell.policy:[0-9]+$" "$T/out" &&
	grep -Eq "^  hidden +/etc/shadow  $S/policies/shell.policy:[0-9]+$" "$T/out" &&
	grep -Eq "^  proc +/proc$" "$T/out" &&
	grep -q "^Fast path: " "$T/out" && grep -q "^The broker decides:$" "$T/out" &&
	grep -Eq "^  exec +/usr/bin/dash  $S/policies/shell.policy:[0-9]+$" "$T/out" &&
	grep -Eq "^  network +nothing: no network rule$" "$T/out" &&
	grep -Eq "^[0-9]+ rules? match(es)? nothing here\.$" "$T/out"
check $? "--explain of a shipped policy: the view's trees and hides, the broker's part, exit 0, nothing run"
run "$H" --policy=shell --write=buidl --read='/no-such-dir-here/*' --connect='tcp 127.0.0.1:8080' --explain
[ $rc = 0 ] && grep -qxF "warning: --write: write $T/w/buidl matches nothing on this machine: did you mean '$T/w/build'? (a run refuses this grant)" "$T/out" &&
	grep -qxF "warning: --read: read /no-such-dir-here/* matches nothing on this machine" "$T/out" &&
	grep -Eq "^  connect +tcp 127.0.0.1:8080  --connect$" "$T/out" &&
	grep -q "^The view is not complete, because of:$" "$T/out" &&
	grep -qF "  read /no-such-dir-here/*  --read: a wildcard outside every bound tree" "$T/out"
check $? "--explain warns about a grant of a missing path (with the name meant) and a glob that matches nothing"
printf 'include shell\nwrite %s/**\ndeny %s/build/secret\n' "$T/w" "$T/w" >"$T/wd.policy"
run "$H" --policy="$T/wd.policy" --explain
[ $rc = 0 ] && grep -qF "  deny $T/w/build/secret  $T/wd.policy:3: a deny inside a write tree" "$T/out" &&
	grep -q "^Fast path: off (the view is not complete)" "$T/out" &&
	grep -Eq "^  rw tree +$T/w  $T/wd.policy:2$" "$T/out"
check $? "--explain says why the view is not complete (a deny inside a write tree)"
if [ -L /bin ]; then
	printf 'include minimal\nexec /bin/sh\n' >"$T/link.policy"
	run "$H" --policy="$T/link.policy" --explain
	[ $rc = 0 ] && grep -qF "warning: $T/link.policy:2: exec /bin/sh matches nothing on this machine: it goes through a symlink: the policy decides on real paths, did you mean '$(realpath /bin)/sh'?" "$T/out"
	check $? "--explain: a rule through a symlink names nothing, and the real path is said"
fi
run "$H" --policy=shel --explain
refused "sandbox-helper: policy 'shel' not found in $S/policies: did you mean 'shell'? (the policies there: $(cd "$S/policies" && ls -- *.policy | sed 's/\.policy$//' | sort | paste -sd, - | sed 's/,/, /g'))"
check $? "--explain of a policy not found: 125 and the same line as a run"
if command -v strace >/dev/null && strace -f -o "$T/trace" -e trace=clone,clone3,unshare,setns /bin/true 2>/dev/null; then
	strace -f -o "$T/trace" -e trace=clone,clone3,unshare,setns,execve "$H" --policy=build --explain -- "${prog[@]}" >/dev/null 2>&1 </dev/null
	! grep -q "CLONE_NEW\|unshare(\|setns(" "$T/trace" && grep -q 'sandbox-broker", \["sandbox-broker", "--explain"' "$T/trace" && [ ! -e "$RAN" ]
	check $? "--explain makes no namespace: the broker explains, as the caller"
else
	echo "SKIP - --explain makes no namespace: no strace here"
fi

summary
