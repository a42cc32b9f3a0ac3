#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Setuid tests: a real root-owned 4755 install of sandbox-helper, run by the
# unprivileged test user; then the same where no user namespace can be made
# (a root-installed seccomp filter refuses CLONE_NEWUSER), where the helper falls
# back to Chromium's classic setuid sandbox. Must run as root.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD}
U=${SBX_TEST_USER:-sandbox-test}
PROBE=${SBX_PROBE:-$B/tests/probe}
MUTFLAGS=${SBX_MUTFLAGS:-$B/tests/mutflags}
[ "$(id -u)" = 0 ] || { echo "setuid.sh: must run as root"; exit 2; }
id "$U" >/dev/null 2>&1 || { echo "setuid.sh: no user $U"; exit 2; }

. "${SBX_SOURCE:-$(dirname "$0")/..}/tests/harness.sh" sbx-suid
WRAP=() # a prefix for the user's commands: nouserns, for the last part
as_user() { "${WRAP[@]}" runuser -u "$U" -- "$@"; }
run() { as_user "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }

# A real install, setuid root, by the meson option (set back afterwards).
meson configure "$B" -Dsetuid_helper=true >/dev/null && ninja -C "$B" >/dev/null &&
	DESTDIR="$T/inst" meson install -C "$B" --no-rebuild --quiet >"$T/install.log" 2>&1
meson configure "$B" -Dsetuid_helper=false >/dev/null && ninja -C "$B" >/dev/null
H=$(find "$T/inst" -path '*/bin/sandbox-helper' | head -1)
chmod -R a+rX "$T/inst"
echo "# setuid tests: $H run by $U"
[ -n "$H" ] && [ "$(stat -c '%U %G %a' "$H")" = "root root 4755" ]
check $? "meson -Dsetuid_helper=true installs the helper root-owned, mode 4755"
[ -n "$H" ] || { echo "$pass passed, $((fail + 1)) failed"; exit 1; }

# The helper's own behaviour depends on no environment variable, but as
# Chromium's setuid sandbox (chrome.c), whose protocol is in variables.
readers=$(cd "$B/helper/sandbox-helper.p" && for o in *.o; do nm -u "$o" | grep -qwE 'getenv|secure_getenv' && echo "$o"; done)
[ "$readers" = chrome.c.o ]; check $? "the helper reads the environment only in chrome.c (Chromium's protocol): ${readers//$'\n'/ }"

run "$H" --test
[ $rc = 0 ] && grep -q '^mode setuid-user-namespace$' "$T/out"; check $? "--test as the user: setuid-user-namespace mode"
run "$H" --broker=/bin/true -- /bin/true
[ $rc = 125 ] && grep -q -- "--broker is refused" "$T/err"; check $? "--broker is refused when setuid"
# --explain, setuid: the broker explains as the caller (a file only the
# caller may read is read), and nothing is run.
printf 'include minimal\nread /usr/**\n' >"$T/mine.policy" && chown "$U" "$T/mine.policy" && chmod 600 "$T/mine.policy"
run "$H" --policy="$T/mine.policy" --explain -- /bin/true
[ $rc = 0 ] && grep -q "^Policy $T/mine.policy, after includes" "$T/out" && grep -Eq '^  ro tree +/usr ' "$T/out" &&
	[ ! -s "$T/err" ]
check $? "--explain when setuid: the policy explained as the caller, exit 0"
chmod 600 "$T/mine.policy" && chown root "$T/mine.policy"
run "$H" --policy="$T/mine.policy" --explain
[ $rc = 125 ] && grep -q "mine.policy: Permission denied" "$T/err"
check $? "--explain when setuid: a policy only root may read is not read"

# chrome_protocol_tests: the helper as Chromium's setuid sandbox (chrome.c)
# spoken to by suidclient, which plays Chromium's side, and by callers that
# are not Chromium: one line and a clear status, nothing left privileged.
chrome_protocol_tests() {
	local m C=$T/chrome/chrome-sandbox # the name Chromium runs it by
	mkdir -p "$T/chrome" && ln -sf "$H" "$C" && chmod 755 "$T/chrome"
	for m in zygote twice close bad; do
		run env SBX_CHROME_API_RQ=1 "$C" "$B/tests/suidclient" "$m"
		[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
		check $? "[chrome] $m: $(grep -c '^ok' "$T/out") checks: $(grep '^ok' "$T/out" | tail -n +3 | cut -c4- | tr '\n' ';')"
	done
	run "$H" --get-api
	[ $rc = 0 ] && [ "$(cat "$T/out")" = 1 ]; check $? "[chrome] --get-api says 1"
	# Chromium's children inherit SBX_CHROME_API_RQ: under its own name
	# the helper makes a sandbox of ours for a program all the same.
	run env SBX_CHROME_API_RQ=1 "$H" /bin/sh -c 'echo $$; echo /*'
	[ $rc = 0 ] && [ "$(head -1 "$T/out")" = 2 ] && ! grep -q '/root\|/home' "$T/out"
	check $? "[chrome] SBX_CHROME_API_RQ set, the helper named sandbox-helper: our sandbox, not Chromium's (pid $(head -1 "$T/out"))"
	# A setuid-root program gains nothing beneath the zygote.
	# (no_new_privs, inherited by every child: the kernel grants no setuid.)
	run env SBX_CHROME_API_RQ=1 "$C" /bin/sh -c '/bin/sh -c "grep NoNewPrivs /proc/self/status"'
	[ $rc = 0 ] && grep -q 'NoNewPrivs:[[:space:]]*1' "$T/out"
	check $? "[chrome] beneath the zygote every child has no_new_privs: no setuid program gains root ($(tr '\n' ' ' <"$T/out"))"
	run env SBX_CHROME_API_RQ=2 "$C" "$B/tests/suidclient" zygote
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q 'API 1' "$T/err" && [ ! -s "$T/out" ]
	check $? "[chrome] an API version it does not speak: one line, 125, nothing run"
	run env SBX_CHROME_API_RQ=1x "$C" /bin/true
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ]; check $? "[chrome] a malformed API version: one line, 125"
	run env SBX_CHROME_API_RQ=1 "$C" relative/program
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ]; check $? "[chrome] a relative program: one line, 125"
	run "$H" --adjust-oom-score 1 500
	[ $rc = 125 ] && grep -q "a process of the caller's" "$T/err" && [ "$(cat /proc/1/oom_score_adj)" != 500 ]
	check $? "[chrome] --adjust-oom-score of root's process: refused, unchanged"
	run "$H" --adjust-oom-score 1x 2000
	[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ]; check $? "[chrome] --adjust-oom-score with bad numbers: one line, 125"
	run sh -c '"$1" --adjust-oom-score $$ 300 && cat /proc/$$/oom_score_adj' _ "$H"
	[ $rc = 0 ] && [ "$(cat "$T/out")" = 300 ]; check $? "[chrome] --adjust-oom-score of the caller's own process: set"
	mkdir -p "$T/chrome/u" && ln -sf "$B/helper/sandbox-helper" "$T/chrome/u/chrome-sandbox"
	run env SBX_CHROME_API_RQ=1 "$T/chrome/u/chrome-sandbox" "$B/tests/suidclient" zygote
	[ $rc = 125 ] && grep -q 'installed setuid root' "$T/err"; check $? "[chrome] not setuid: one line, 125"
	# A caller that is not Chromium gets the program run as itself,
	# without privilege: a shell asking for nothing.
	run env SBX_CHROME_API_RQ=1 "$C" /bin/sh -c 'echo $$ $(id -u); grep -E "^Cap(Eff|Prm)" /proc/self/status'
	[ $rc = 0 ] && grep -qx "1 $(id -u "$U")" "$T/out" && [ "$(grep -c ':[[:space:]]*0*$' "$T/out")" = 2 ]
	check $? "[chrome] a program that is not Chromium: pid 1, the caller's uid, no capability"
}

# nnp_tests MODE: Chromium launches its renderers with no_new_privs set, so a
# setuid helper given as --renderer-cmd-prefix runs without privilege: it
# works where user namespaces are allowed and says why where they are not.
nnp_tests() {
	run setpriv --no-new-privs "$H" --json-status-fd=3 -- "$PROBE" exit 0 3>"$T/json"
	if [ "$1" = setuid-user-namespace ]; then
		[ $rc = 0 ] && grep -q '"mode": "user-namespace"' "$T/json"
		check $? "[$1] under no_new_privs the setuid install runs unprivileged (user-namespace mode)"
	else
		[ $rc = 125 ] && grep -q 'setuid bit has no effect because the caller set no_new_privs' "$T/err"
		check $? "[$1] under no_new_privs the setuid install says why it cannot start (125)"
	fi
}

# deferred_tests MODE: --deferred works with a user namespace, and is refused
# without one (init would keep capabilities of the host's for the keeper).
deferred_tests() {
	local d=$T/deferred
	mkdir -p "$d/secret" && echo key >"$d/secret/key" && cp /bin/true "$d/secret/run" &&
		echo granted >"$d/granted" && chmod -R a+rwX "$d"
	run "$H" --deferred --read="$d/granted" -- "$B/tests/deferred" "$d/secret" "$d/granted"
	if [ "$1" = setuid-user-namespace ]; then
		[ $rc = 0 ] && grep -q '^0 failures' "$T/out"
		check $? "[$1] --deferred: sbx_enter locks the program down; no fd opened before reaches a path"
	else
		[ $rc = 125 ] && grep -q -- '--deferred needs a user namespace' "$T/err"
		check $? "[$1] --deferred is refused without a user namespace (125)"
	fi
}

# own_broker_tests MODE: a launcher run by the user starts its own broker and
# hands the sandbox to it through the setuid helper (--broker-fd).
own_broker_tests() {
	# The policy strict: the refusal is the broker's, and logged.
	printf 'include shell\nstrict\n' >"$T/shell-strict.policy" && chmod a+r "$T/shell-strict.policy"
	run env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" "$B/tests/launcher" --own-broker "$T/shell-strict.policy" -- /bin/sh -c 'cat /etc/shadow; exit 7'
	[ $rc = 7 ] && grep -q '^launcher: own broker [0-9]* exited with 7$' "$T/out" && grep -q 'refused openat("/etc/shadow")' "$T/err"
	check $? "[$1] --broker-fd: the launcher's own broker serves the setuid helper's sandbox (status 7, policy holds)"
	run env SBX_HELPER="$H" "$B/tests/launcher" --in-process "$T/shell-strict.policy" -- /bin/sh -c 'cat /etc/shadow; exit 7'
	[ $rc = 7 ] && grep -q ' 1 threads left$' "$T/out" && grep -q 'refused openat("/etc/shadow")' "$T/err"
	check $? "[$1] the broker in the launcher's process serves the setuid helper's sandbox (status 7, policy holds)"
	# Warm sandboxes of the setuid helper, with a broker each and with a
	# shared one.
	local how
	for how in "" --shared; do
		local w=$T/warm-$1$how
		mkdir -p "$w" && chmod 777 "$w"
		run env SBX_HELPER="$H" SBX_BROKER="$B/broker/sandbox-broker" SBX_WARM="$B/client/sandbox-warm" \
			"$B/tests/warmsbx" check "$w" $how
		[ $rc = 0 ] && grep -q '^0 failures$' "$T/out"
		check $? "[$1] warm sandboxes${how:+ of a shared broker} from the setuid helper: stdout, status, the pool's policy, nothing left ($(grep -c '^ok' "$T/out") checks)"
	done
}

# exec_race_tests MODE: an approved exec whose path a thread turns into the
# loader or the program's own file never runs either (the broker watches
# the exec with ptrace, which must work in every mode).
exec_race_tests() {
	local w=$T/execrace-$1
	mkdir -p "$w" && chmod 777 "$w"
	run "$H" --policy=minimal --write="$w" --exec=/usr/bin/true -- "${SBX_EXECRACE:-$B/tests/execrace}" "$w" 2 /usr/bin/true
	[ $rc = 0 ] && ! grep -q MARKER-RAN "$T/out" && grep -q 'allowed=[1-9]' "$T/out"
	check $? "[$1] an exec path flipped to the loader after the broker read it never runs it ($(grep '^runs' "$T/out"))"
}

# mode_tests MODE: what must hold in either setuid mode.
# view_tests MODE: --view from the setuid install. init takes each bind as
# the user would (search rights on the way, no symlink followed, the very
# object the broker saw): a tree the user cannot read stays unreadable
# inside, and what is written belongs to the user.
view_tests() {
	local d=$T/view-$1
	mkdir -p "$d/w" "$d/priv" && echo key >"$d/priv/key" && chmod 700 "$d/priv" && chmod 777 "$d/w" "$d"
	run "$H" --view --policy=shell --read='/usr/**' --write="$d/w/**" --deny='/usr/share/doc/**' \
		--read="$d/priv/**" -- /bin/sh -c "ls /usr; echo hi >$d/w/f; cat /proc/self/mountinfo; cat $d/priv/key"
	[ "$(stat -c %U "$d/w/f" 2>/dev/null)" = "$U" ] && grep -qx bin "$T/out" &&
		awk '$5 == "/usr" {print $6}' "$T/out" | grep -q 'ro,nosuid,nodev' &&
		awk '$5 == "/usr/share/doc"' "$T/out" | grep -q ' - tmpfs ' && ! grep -qx key "$T/out"
	check $? "[$1] the view: /usr a read-only, nosuid, nodev bind, the deny hidden, the write the user's, a 0700 tree unread"
	# A write tree of root's is writable only as the user's rights allow.
	local before; before=$(md5sum </etc/hostname)
	run "$H" --view --policy=shell --write='/etc/**' -- /bin/sh -c 'echo x >>/etc/hostname'
	[ $rc != 0 ] && [ "$(md5sum </etc/hostname)" = "$before" ]
	check $? "[$1] --view: a write tree of root's files stays unwritten by the user"
	# A broker of the user's own (--broker-fd) asks for a procfs at a path
	# through its write tree, where a symlink of the user's points out of
	# the sandbox's root into init's tree (its own root, the host's copy):
	# init, which may be root, must not follow it.
	mkdir -p "$d/w/outside" && ln -sfn "/oldroot$d/w/outside" "$d/w/out" && ln -sfn / "$d/w/top" &&
		chmod -R a+rwX "$d/w"
	run /usr/bin/python3 "${SBX_SOURCE:-$(dirname "$0")/..}/tests/scripts/forged_broker.py" "$H" \
		"bind:$d/w" "proc:$d/w/out" "proc:$d/w/top" proc:/proc "bind0:$d/w/outside"
	[ "$(sed -n 1p "$T/out")" = "bind $d/w 0" ] && [ "$(sed -n 4p "$T/out")" = "proc /proc 0" ] &&
		! grep -Eq "^proc $d/w/(out|top) 0\$" "$T/out" && grep -qx "bind0 $d/w/outside 22" "$T/out"
	check $? "[$1] --view: init mounts no procfs through the user's symlink, binds nothing unchecked ($(tr '\n' ' ' <"$T/out"))"
}

mode_tests() {
	local mode=$1
	run "$H" --json-status-fd=3 -- "$PROBE" self 3>"$T/json"
	[ $rc = 0 ] && grep -q '^eff=0 prm=0 inh=0 bnd=0 amb=0 nnp=1 seccomp=2 pid=2$' "$T/out" &&
		grep -q "\"mode\": \"$mode\"" "$T/json"
	check $? "[$mode] the program has no capabilities, no_new_privs, seccomp; JSON says the mode"
	run "$H" --strict --policy=shell -- /bin/sh -c 'cat /etc/hostname >/dev/null && cat /etc/shadow'
	[ $rc != 0 ] && grep -q 'refused openat("/etc/shadow")' "$T/err"; check $? "[$mode] strict: reads work, /etc/shadow is refused with a line"
	run "$H" --policy=shell -- /bin/sh -c 'cat /etc/hostname >/dev/null && cat /etc/shadow'
	[ $rc != 0 ] && ! grep -q 'root:' "$T/out"; check $? "[$mode] the view: reads work, /etc/shadow is not read"
	run "$H" --policy=shell -- "$PROBE" attacks
	[ $rc = 0 ]; check $? "[$mode] attack probe"
	# Every mutating call and flag against denied, read-only and missing
	# names (tests/progs/mutflags.c), the files made by the user.
	local mf rows
	mf=$(mktemp -d "$T/mf.XXXXXX") && chmod 777 "$mf" && as_user "$MUTFLAGS" setup "$mf" >"$T/out" 2>"$T/err"
	rows=$(sed -n 's/^\([0-9]*\) rows$/\1/p' "$T/out")
	run "$H" --policy="$mf/policy" --client -- "$MUTFLAGS" run "$mf"
	[ $rc = 0 ] && grep -q "^$rows rows, 0 failures, 0 holes$" "$T/out" && [ "${rows:-0}" -ge 150 ] &&
		as_user "$MUTFLAGS" verify "$mf" >"$T/out" 2>&1
	check $? "[$mode] every mutating call and flag ($rows rows): the errno of each, no name opens a denied file, each denied file unchanged"
	run /usr/bin/python3 "${SBX_SOURCE:-$(dirname "$0")/..}/tests/scripts/initguard.py" "$H" "$B/tests/initguard" /usr/bin/true
	[ $rc = 0 ]; check $? "[$mode] calls on init (pid 1), its group and its user are refused; init's and the broker's state stays; then an exec works"
	run "$H" --policy=shell -- /bin/sh -c 'exec 2>/dev/null; echo >"$1"' sh \
		/tmp/$'x\nsandbox-broker: FORGED\033[31m\a\xff'
	grep -q 'refused openat("/tmp/x\\nsandbox-broker: FORGED\\x1b\[31m\\x07\\xff")' "$T/err" &&
		! grep -q '^sandbox-broker: FORGED' "$T/err" && ! LC_ALL=C grep -q $'[\033\a\xff]' "$T/err"
	check $? "[$mode] a refused path is logged escaped: one line, no raw control byte"
	for code in 0 42; do
		run "$H" -- "$PROBE" exit $code
		[ $rc = $code ]; check $? "[$mode] exit code $code"
	done
	run "$H" -- "$PROBE" signal 9
	[ $rc = 137 ]; check $? "[$mode] killed by SIGKILL: 137"

	# Credentials at each stage, from /proc.
	"${WRAP[@]}" runuser -u "$U" -- "$H" --json-status-fd=3 -- "$PROBE" pause \
		3>"$T/json" >"$T/pause.out" 2>"$T/pause.err" </dev/null &
	local hpid=$!
	bg_pids+=("$hpid")
	watchdog "$hpid"
	for _ in $(seq 100); do grep -q ready "$T/pause.out" 2>/dev/null && break; sleep 0.05; done
	local cpid ipid bpid uid gid
	cpid=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' "$T/json" | head -1)
	ipid=$(awk '/^PPid:/ {print $2}' "/proc/$cpid/status" 2>/dev/null)
	bpid=$(awk '/^PPid:/ {print $2}' "/proc/$ipid/status" 2>/dev/null)
	uid=$(id -u "$U"); gid=$(id -g "$U")
	field() { awk -v f="$2:" '$1 == f {$1=""; print substr($0, 2)}' "/proc/$1/status"; }
	local ids="$uid $uid $uid $uid" gids="$gid $gid $gid $gid"
	[ "$(field "$bpid" Uid)" = "$ids" ] && [ "$(field "$bpid" Gid)" = "$gids" ] &&
		[ "$(field "$bpid" CapEff)" = 0000000000000000 ] && [ "$(field "$bpid" CapPrm)" = 0000000000000000 ]
	check $? "[$mode] broker: Uid/Gid the user's (real, effective, saved, fs), CapEff/CapPrm 0"
	# init keeps CAP_SYS_ADMIN (21) and CAP_SETPCAP (8) for mounts and for
	# dropping the program's capabilities, and in its user namespace
	# CAP_NET_ADMIN (12) for the sandbox's loopback; in
	# setuid-no-user-namespace mode they are capabilities of the initial
	# namespace, so they matter most (and NET_ADMIN is not kept).
	if [ "$mode" = setuid-user-namespace ]; then
		[ "$(field "$ipid" Uid)" = "$ids" ] && [ "$(field "$ipid" Gid)" = "$gids" ] &&
			[ "$(field "$ipid" CapEff)" = 0000000000201100 ] && [ "$(field "$ipid" CapPrm)" = 0000000000201100 ]
		check $? "[$mode] init: Uid/Gid the user's, CapEff/CapPrm only SYS_ADMIN|SETPCAP|NET_ADMIN in its namespace (got $(field "$ipid" CapEff))"
	else
		# Capabilities of the initial namespace: root's ids, so the user
		# can neither trace nor signal it; files are opened as the user.
		[ "$(field "$ipid" Uid)" = "0 0 0 $uid" ] && [ "$(field "$ipid" Gid)" = "0 0 0 $gid" ] &&
			[ "$(field "$ipid" CapEff)" = 00000000002001e0 ] && [ "$(field "$ipid" CapPrm)" = 00000000002001e0 ]
		check $? "[$mode] init: Uid/Gid root's but fs the user's, CapEff/CapPrm only SYS_ADMIN|SETPCAP|SETUID|SETGID|KILL (got $(field "$ipid" Uid), $(field "$ipid" CapEff))"
		! as_user kill -0 "$ipid" 2>/dev/null; check $? "[$mode] the user cannot signal init"
	fi
	[ "$(field "$cpid" Uid)" = "$ids" ] && [ "$(field "$cpid" CapEff)" = 0000000000000000 ] &&
		[ "$(field "$cpid" CapPrm)" = 0000000000000000 ] && [ "$(field "$cpid" CapBnd)" = 0000000000000000 ] &&
		[ "$(field "$cpid" NoNewPrivs)" = 1 ] && [ "$(field "$cpid" Seccomp)" = 2 ]
	check $? "[$mode] program: Uid the user's, CapEff/CapPrm/CapBnd 0, NoNewPrivs 1, Seccomp 2"
	# init held privileges: the user must not be able to inspect or trace it.
	! as_user cat "/proc/$ipid/environ" >/dev/null 2>&1
	check $? "[$mode] the user cannot read init's /proc/PID/environ (not dumpable)"
	for ns in pid net mnt ipc uts; do
		[ "$(readlink /proc/1/ns/$ns)" != "$(readlink "/proc/$cpid/ns/$ns")" ] || { not_ok "[$mode] shares $ns"; continue; }
	done
	ok "[$mode] pid, net, mnt, ipc and uts namespaces are the sandbox's own"
	# A policy only root may read, a program only root may run: the broker
	# reads and plans as the caller.
	install -m 600 /dev/null "$T/root-only.policy"
	run "$H" --policy="$T/root-only.policy" -- /bin/true
	[ $rc = 125 ] && grep -q "Permission denied" "$T/err"; check $? "[$mode] a policy only root can read is not read"
	install -m 700 "$PROBE" "$T/root-only-prog"
	run "$H" -- "$T/root-only-prog" self
	[ $rc = 126 ] && ! grep -q eff= "$T/out"; check $? "[$mode] a program only root can run is not run (status $rc)"
	kill -TERM "$bpid"; wait "$hpid"; rc=$?
	[ $rc = 143 ] && ! alive "$cpid" && ! alive "$ipid" && ! alive "$bpid"
	check $? "[$mode] SIGTERM to the broker reaches the program (status $rc), nothing left"

	# Environment: the caller's, less what the C library strips from a
	# setuid program, which --setenv can put back.
	run env FOO=bar LD_LIBRARY_PATH=/nonexistent "$H" -- "$PROBE" env FOO
	grep -q '^FOO=bar$' "$T/out"; check $? "[$mode] the caller's environment reaches the program"
	run env LD_LIBRARY_PATH=/nonexistent "$H" -- "$PROBE" env LD_LIBRARY_PATH
	grep -q '^LD_LIBRARY_PATH=(unset)$' "$T/out"; check $? "[$mode] LD_LIBRARY_PATH is stripped by the C library"
	run "$H" --setenv=LD_LIBRARY_PATH=/nonexistent -- "$PROBE" env LD_LIBRARY_PATH
	grep -q '^LD_LIBRARY_PATH=/nonexistent$' "$T/out"; check $? "[$mode] --setenv puts it back"

	# fds: the caller's pass through; none of the helper's, init's or the broker's.
	local native
	native=$(as_user bash -c "exec 5</dev/null 7</dev/null; exec \"$PROBE\" fds" </dev/null)
	run bash -c "exec 5</dev/null 7</dev/null; exec \"$H\" -- \"$PROBE\" fds"
	[ "$(cat "$T/out")" = "$native" ] && grep -q "^0 1 2 5 7 " "$T/out"
	check $? "[$mode] the caller's fds pass through, nothing else (got $(cat "$T/out"), natively $native)"
	run bash -c "exec 5</dev/null 7</dev/null; exec \"$H\" --close-fds --keep-fd=7 -- \"$PROBE\" fds"
	[ "$(cat "$T/out")" = "0 1 2 7 " ]; check $? "[$mode] --close-fds --keep-fd=7 (got $(cat "$T/out"))"
}

mode_tests setuid-user-namespace
nnp_tests setuid-user-namespace
deferred_tests setuid-user-namespace
own_broker_tests setuid-user-namespace
exec_race_tests setuid-user-namespace
view_tests setuid-user-namespace

# --pids-max and --memory-max: refused without a delegated cgroup; with one
# (made here by root and given to the user, as systemd delegates), the
# whole sandbox is held to the limits and its cgroup is gone afterwards.
cgroup_tests() {
	run "$H" --pids-max=16 -- /bin/true
	# Where no cgroup hierarchy is mounted at all (a container), the line
	# says that instead.
	[ $rc = 125 ] && grep -qE "cgroup is delegated to you|no pids cgroup hierarchy here" "$T/err" &&
		[ "$(wc -l <"$T/err")" = 1 ]
	check $? "--pids-max without a delegated cgroup: 125 and one line saying why ($(head -c 200 "$T/err"))"
	if ! awk '$3 == "cgroup" || $3 == "cgroup2" {found = 1} END {exit !found}' /proc/self/mounts; then
		skip "delegated cgroup limits" "no cgroup hierarchy is mounted here (a container?)"
		return 0
	fi
	if grep -q '^0::' /proc/self/cgroup && [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
		skip "delegated cgroup v2 limits" "the test delegates v1 hierarchies only"
		return 0
	fi
	local pids mem
	pids=/sys/fs/cgroup/pids$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)
	mem=/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
	pids=${pids%/}/sbx-deleg-$$ mem=${mem%/}/sbx-deleg-$$
	if ! mkdir "$pids" "$mem" 2>/dev/null; then
		skip "delegated cgroup v1 limits" "cannot make $pids and $mem"
		return 0
	fi
	chown -R "$U" "$pids" "$mem"
	local enter="echo \$\$ >$pids/cgroup.procs && echo \$\$ >$mem/cgroup.procs && exec"
	run sh -c "$enter \"$H\" --pids-max=16 -- \"$B/tests/forker\" 64 exit 0"
	[ $rc = 98 ] && grep -q "fork: Resource temporarily unavailable" "$T/err"
	check $? "--pids-max=16 holds a sandbox that forks 64 children (fork fails, status $rc)"
	run sh -c "$enter \"$H\" --pids-max=200 -- \"$B/tests/forker\" 64 exit 0"
	[ $rc = 0 ]; check $? "--pids-max=200 lets the same sandbox run (status $rc)"
	run sh -c "$enter \"$H\" --memory-max=50000000 --policy=shell -- /usr/bin/python3 -c 'bytearray(200 << 20); print(1)'"
	[ $rc = 137 ] && ! grep -q '^1$' "$T/out"; check $? "--memory-max=50000000: 200 MB allocation is killed (status $rc)"
	run sh -c "$enter \"$H\" --memory-max=50000000 --policy=shell -- /usr/bin/python3 -c 'bytearray(10 << 20); print(1)'"
	[ $rc = 0 ] && grep -q '^1$' "$T/out"; check $? "--memory-max=50000000: 10 MB is fine"
	[ -z "$(ls -d "$pids"/sandbox-* "$mem"/sandbox-* 2>/dev/null)" ]; check $? "the sandbox's cgroups are removed when it ends"
	# SIGKILL to the broker: its cleanup process removes the cgroups; to
	# the broker and its cleanup process: the next start does.
	local how left
	for how in broker both; do
		as_user sh -c "$enter \"$H\" --pids-max=200 --memory-max=50000000 -- \"$PROBE\" pause" \
			>"$T/out" 2>&1 </dev/null &
		local sp=$! bp="" cp=""
		for _ in $(seq 200); do grep -q ready "$T/out" && break; sleep 0.02; done
		for p in $(cat "$pids/cgroup.procs"); do
			case "$(cat "/proc/$p/comm" 2>/dev/null)" in
			sandbox-broker) bp=$p ;;
			sandbox-cleanup) cp=$p ;;
			esac
		done
		# Both: the cleanup process first, or it may sweep in between.
		[ $how = both ] && [ -n "$cp" ] && kill -KILL "$cp"
		[ -n "$bp" ] && kill -KILL "$bp"
		wait "$sp"
		for _ in $(seq 60); do
			left=$(ls -d "$pids"/sandbox-* "$mem"/sandbox-* 2>/dev/null)
			[ -z "$left" ] && break
			sleep 0.05
		done
		if [ $how = both ]; then
			[ -n "$left" ] && run sh -c "$enter \"$H\" --pids-max=200 -- /bin/true" &&
				[ -z "$(ls -d "$pids"/sandbox-* "$mem"/sandbox-* 2>/dev/null)" ]
			check $? "the broker and its cleanup process SIGKILLed (pids $bp $cp): the cgroups stay ($(echo $left)), the next start removes them"
		else
			[ -n "$bp" ] && [ -n "$cp" ] && [ -z "$left" ]
			check $? "the broker SIGKILLed (pid $bp): its cleanup process (pid $cp) removes the cgroups"
		fi
		rmdir "$pids"/sandbox-* "$mem"/sandbox-* 2>/dev/null
	done
	rmdir "$pids" "$mem" 2>/dev/null
}
cgroup_tests

# Unprivileged user namespaces forbidden, privileged ones allowed, as on
# Ubuntu: a BPF LSM program on userns_create refuses tasks without
# CAP_SYS_ADMIN. Needs clang, bpftool, libbpf and a kernel that lets root
# load BPF LSM programs; where it cannot be loaded, these tests say SKIP.
bpf_lsm_tests() {
	local src=${SBX_SOURCE:-$(dirname "$0")/..}/tests/bpf reason=""
	if ! command -v clang >/dev/null || ! command -v bpftool >/dev/null; then
		reason="clang or bpftool missing"
	elif ! bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$T/vmlinux.h" 2>/dev/null; then
		reason="no kernel BTF"
	elif ! clang -O2 -g -target bpf -I"$T" -c "$src/deny_userns.bpf.c" -o "$T/deny.o" 2>"$T/clang.err" ||
		! cc -o "$T/lsm_loader" "$src/lsm_loader.c" -lbpf 2>>"$T/clang.err"; then
		reason="cannot build the BPF program: $(head -1 "$T/clang.err")"
	fi
	if [ -z "$reason" ]; then
		mkfifo "$T/lsm.in"
		"$T/lsm_loader" "$T/deny.o" <"$T/lsm.in" >"$T/lsm.out" 2>&1 &
		local lpid=$!
		bg_pids+=("$lpid")
		exec 9>"$T/lsm.in"
		for _ in $(seq 50); do [ -s "$T/lsm.out" ] && break; sleep 0.1; done
		grep -q '^attached$' "$T/lsm.out" || reason="the kernel refused the BPF LSM program ($(head -1 "$T/lsm.out"))"
	fi
	if [ -n "$reason" ]; then
		skip "BPF LSM userns_create restriction" "$reason"
		exec 9>&-
		return 0
	fi
	run "$B/helper/sandbox-helper" -- /bin/true
	[ $rc = 125 ] && grep -q "user namespaces" "$T/err"; check $? "[bpf-lsm] unprivileged user namespaces refused: the plain helper says why (125)"
	run "$H" --test
	grep -q '^mode setuid-user-namespace$' "$T/out"; check $? "[bpf-lsm] the setuid helper still makes its user namespace"
	mode_tests setuid-user-namespace
	exec 9>&-
	wait "$lpid"
}
bpf_lsm_tests

# No user namespaces at all, as on a kernel with max_user_namespaces=0: a
# root-installed seccomp filter refuses CLONE_NEWUSER to everything below.
WRAP=("$B/tests/nouserns")
run "$H" --test
grep -q '^mode setuid-no-user-namespace$' "$T/out"; check $? "--test with no user namespaces: setuid-no-user-namespace mode"
run "$B/helper/sandbox-helper" -- /bin/true
[ $rc = 125 ] && grep -q "user namespaces" "$T/err"; check $? "the helper without setuid says why it cannot start (125)"
mode_tests setuid-no-user-namespace
nnp_tests setuid-no-user-namespace
deferred_tests setuid-no-user-namespace
own_broker_tests setuid-no-user-namespace
exec_race_tests setuid-no-user-namespace
view_tests setuid-no-user-namespace
chrome_protocol_tests
WRAP=()
# Chromium with its own sandbox through ours, where it has no other.
SBX_HELPER="$H" SBX_TEST_USER="$U" bash "${SBX_SOURCE:-$(dirname "$0")/..}/tests/chromesuid.sh" >"$T/chromesuid.log" 2>&1
sed '$d' "$T/chromesuid.log"
read -r cp _ cf _ < <(tail -1 "$T/chromesuid.log")
pass=$((pass + ${cp:-0})) fail=$((fail + ${cf:-1}))
skipped=$((skipped + $(grep -c '# SKIP' "$T/chromesuid.log")))

summary
