#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the program names reaches the broker's log, the caller's terminal and
# the JSON status fd only escaped: no raw control bytes, no forged lines.
# Needs SBX_BUILD and SBX_SOURCE; run as root and as an unprivileged user.
set -uo pipefail

B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=${SBX_HELPER:-$B/helper/sandbox-helper}
PROBE=$(realpath "${SBX_PROBE:-$B/tests/probe}")
. "$S/tests/harness.sh" sbx-logs
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }

echo "# log escaping tests as $(id -un) (uid $(id -u))"

forged='sandbox-broker: FORGED all is well'
evil=$T/$'a\n'"$forged"$'\n\033[31mred\033[0m\abell\x9b2J\xc2\x9bK\xff\xc3\x28\xe2\x80\xaecafé/x'

# raw_free FILE: no ESC, BEL, CSI (0x9b), other C0 control but newline and
# tab, DEL, and only valid UTF-8 in FILE.
raw_free() {
	python3 - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("invalid UTF-8 at byte %d" % e.start)
for ch in text:
    o = ord(ch)
    if (o < 0x20 and ch not in "\n\t") or o == 0x7f or 0x80 <= o <= 0x9f:
        sys.exit("raw control U+%04X" % o)
PY
}

# A refused create of a path that holds newlines, colour and bell sequences,
# a C1 CSI, invalid UTF-8 and a forged broker line. (The program's own
# stderr goes to /dev/null: what is left on stderr is the sandbox's.)
run "$H" --policy=shell -- /bin/sh -c 'exec 2>/dev/null; echo >"$1"' sh "$evil"
raw_free "$T/err"; check $? "a refused path puts no raw control byte or invalid UTF-8 on stderr"
[ "$(grep -c 'refused openat' "$T/err")" = 1 ] &&
	[ "$(grep 'refused openat' "$T/err" | grep -cF 'FORGED all is well')" = 1 ]
check $? "the refusal is one line that holds the whole path"
! grep -q "^$forged" "$T/err"; check $? "no line starts with the forged 'sandbox-broker: ' text"
grep -qF 'a\nsandbox-broker: FORGED all is well\n\x1b[31mred\x1b[0m\x07bell\x9b2J\xc2\x9bK\xff\xc3(\u202ecafé/x")' "$T/err"
check $? "the path is shown escaped (\\n, \\x1b, \\x07)"

# Two names in one refusal (the rename's both names are the program's).
mkdir "$T/w" && touch "$T/w/ok"
run "$H" --policy=shell --write="$T/w" -- /bin/sh -c 'exec 2>/dev/null; mv "$1" "$2"' sh "$T/w/ok" "$evil"
grep -q 'refused rename' "$T/err"; check $? "the rename is refused and said"
raw_free "$T/err"; check $? "a refused rename puts no raw control byte on stderr"
! grep -q "^$forged" "$T/err"; check $? "a refused rename forges no line"

# The caller's own strings: a program that is not found.
run "$H" -- "$evil"
[ $rc = 127 ] && raw_free "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]
check $? "a program name with control bytes: 127 and one escaped line"

# A refused connect to an abstract unix socket whose name is the program's.
if [ -x /usr/bin/python3.11 ]; then
	run "$H" --policy=shell --exec=/usr/bin/python3.11 --read=/usr/lib/python3.11 -- /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(b"\0" + sys.argv[1].encode("utf-8", "surrogateescape"))
except OSError:
    pass
' "sock"$'\n'"$forged"$'\033[2J\a'
	grep -q 'refused connect unix @sock' "$T/err" && raw_free "$T/err" && ! grep -q "^$forged" "$T/err"
	check $? "a refused unix connect is one escaped line, no raw control byte, no forged line"
fi

# Policy errors reach stderr whole, with file:line:column, however long.
word=$(printf 'k%.0s' $(seq 3000))
printf 'read /usr/**\n%s /x\n' "$word" >"$T/long.policy"
printf 'read /usr/**\ninclude ./long.policy\n' >"$T/top.policy"
run "$H" --policy="$T/top.policy" -- /bin/true
[ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ] &&
	grep -qF "sandbox-broker: $T/top.policy:2:9: in the included policy: $T/./long.policy:2:1: unknown rule '$word' (expected" "$T/err" &&
	grep -q 'loopback or strict)$' "$T/err"
check $? "a policy error of 3,000 bytes in an included file: one whole line naming both places"
mkfifo "$T/fifo.policy"
run timeout 20 "$H" --policy="$T/fifo.policy" -- /bin/true
[ $rc = 125 ] && grep -qx "sandbox-broker: $T/fifo.policy: not a regular file (a FIFO)" "$T/err"
check $? "a FIFO as the policy is refused at once (125, one line)"
printf 'include /proc/self/environ\n' >"$T/env.policy"
run "$H" --policy="$T/env.policy" -- /bin/true
[ $rc = 125 ] && grep -qx "sandbox-broker: $T/env.policy:1:9: in the included policy: /proc/self/environ: not a regular file (a file of procfs)" "$T/err"
check $? "including /proc/self/environ is refused, not read as an empty policy"

# The JSON status: valid JSON, one object a line, whatever the program is called.
ln -s "$PROBE" "$T/$(printf 'pro\nbe\033[31m\a')"
"$H" --json-status-fd=3 -- "$T/$(printf 'pro\nbe\033[31m\a')" exit 3 3>"$T/json" >/dev/null 2>"$T/err" </dev/null
raw_free "$T/json" && python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
for l in lines: json.loads(l)
assert json.loads(lines[1]) == {"exit-code": 3}, lines[1]
' "$T/json"
check $? "--json-status-fd: two valid JSON lines, no raw control byte"


# --- The audit log (--log-fd, --log-file) and the refusal lines ---------------
# json_ok FILE [MIN]: every line of FILE is one JSON object with the fields
# every decision has (MIN lines at least); no raw control byte, valid UTF-8.
json_ok() {
	raw_free "$1" && python3 - "$1" "${2:-1}" <<'PY'
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "the last line is not ended"
lines = lines[:-1]
assert len(lines) >= int(sys.argv[2]), "%d lines" % len(lines)
for l in lines:
    o = json.loads(l.decode("utf-8"))
    for k in ("time", "pid", "syscall", "answer", "rule", "origin"):
        assert k in o, (k, o)
PY
}

# A hostile path refused in strict mode: every line valid JSON, the path's
# bytes escaped and given back whole by path_hex.
run "$H" --strict --policy=shell --log-fd=3 -- /bin/sh -c 'exec 2>/dev/null; echo >"$1"; cat /etc/shadow; cat /etc/shadow; cat /etc/shadow' sh "$evil" 3>"$T/audit.json"
json_ok "$T/audit.json" 3; check $? "--log-fd: every line is a JSON object, no raw control byte, valid UTF-8"
python3 - "$T/audit.json" "$evil" "$T" <<'PY'
import json, os, sys
want = os.fsencode(sys.argv[2])
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if '"openat"' in l]
o = [h for h in hits if h.get("path_hex") and bytes.fromhex(h["path_hex"]) == want]
assert len(o) == 1, hits
o = o[0]
assert o["answer"] == "EACCES" and o["need"] == "write" and o["real"].startswith(sys.argv[3] + "/a\n"), o
assert "\nsandbox-broker: FORGED all is well\n\x1b[31m" in o["path"], o["path"]
assert o["suggest"] == "write " + o["real"], o
PY
check $? "--log-fd: the hostile path's line: escaped, path_hex gives its bytes back, real path, need, suggestion"
python3 - "$T/audit.json" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sh = [h for h in hits if h.get("path") == "/etc/shadow"]
assert len(sh) == 3, sh
for h in sh:
    assert h["rule"] == "deny /etc/shadow" and h["origin"].endswith("shell.policy:%s" % h["origin"].rsplit(":", 1)[1]), h
    assert h["answer"] == "EACCES" and h["suggest"] is None and h["real"] == "/etc/shadow", h
PY
check $? "--log-fd: each of three refusals of /etc/shadow is a line naming the deny rule and its file:line"
[ "$(grep -c 'refused openat("/etc/shadow") for pid' "$T/err")" = 1 ] &&
	grep -q "^sandbox-broker: refused openat(\"/etc/shadow\") for pid [0-9]*: not allowed by the policy (needs read); denied by 'deny /etc/shadow' (.*shell.policy:[0-9]*)$" "$T/err" &&
	grep -q '^sandbox-broker: refused openat("/etc/shadow") 3 times in all$' "$T/err"
check $? "stderr: the same refusal three times is one line (naming the deny) and a count at the end"
grep -Eq '^sandbox-broker: [0-9]+ refusals \([0-9]+ distinct\), [0-9]+ lines? not shown$' "$T/err" &&
	[ "$(tail -1 "$T/err" | sed 's/.*: \([0-9]*\) refusals.*/\1/')" = "$(wc -l <"$T/audit.json")" ]
check $? "stderr: the summary at the end counts every refusal the log has"

# --log-allowed: the broker's allowed decisions too, with the rule that
# allowed them; without it, none.
mkdir -p "$T/aw"
run "$H" --policy=minimal --write="$T/aw" --log-fd=3 --log-allowed -- /bin/sh -c "echo x >$T/aw/made" 3>"$T/allowed.json"
json_ok "$T/allowed.json" 1 && python3 - "$T/allowed.json" "$(realpath "$T/aw")" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
ok = [h for h in hits if h["answer"] == "allowed" and h.get("real") == sys.argv[2] + "/made"]
assert ok and ok[0]["rule"] == "write %s/**" % sys.argv[2] and ok[0]["origin"] == "--write", hits
assert "why" not in ok[0], ok[0]
PY
check $? "--log-allowed: an allowed create is a line with the rule (write DIR/**) and its origin (--write)"
run "$H" --policy=minimal --write="$T/aw" --log-fd=3 -- /bin/sh -c "echo x >$T/aw/made2" 3>"$T/noallowed.json"
! grep -q '"allowed"' "$T/noallowed.json"; check $? "without --log-allowed no allowed decision is logged"

# The suggestion names what a symlinked program really runs.
mkdir -p "$T/bin" && ln -sf "$PROBE" "$T/bin/alias-cc"
run "$H" --policy=shell --read="$T/bin" --log-fd=3 -- /bin/sh -c "exec $T/bin/alias-cc exit 0" 3>"$T/exec.json"
[ $rc != 0 ] && grep -qF "refused execve(\"$T/bin/alias-cc\") for pid" "$T/err" && grep -qF "; add: exec $PROBE" "$T/err" &&
	python3 -c 'import json,sys; o=[json.loads(l) for l in open(sys.argv[1]) if "execve" in l][0]; assert o["real"] == sys.argv[2] and o["path"] == sys.argv[3], o' "$T/exec.json" "$PROBE" "$T/bin/alias-cc"
check $? "a refused exec of a symlink: add: exec REAL-TARGET on stderr, real path in the log"
# And where the target may run but the link is not visible, the link is
# what to add (stat), not the exec rule the policy already has.
ln -sf "$PROBE" "$T/bin/hidden-cc"
run "$H" --policy=shell --exec="$PROBE" -- /bin/sh -c "exec $T/bin/hidden-cc exit 0"
[ $rc != 0 ] && grep -qF "refused execve(\"$T/bin/hidden-cc\") for pid" "$T/err" &&
	grep -qF "(needs stat); add: stat $T/bin/hidden-cc" "$T/err" && ! grep -qF "add: exec" "$T/err"
check $? "an exec through a link the policy does not show: add: stat LINK, not the exec rule it has"

# An exclusive create (mktemp, mkstemp) where the policy grants nothing is
# said on stderr; a read of a missing file there is in the log only.
mkdir -p "$T/hid"
run "$H" --strict --policy=shell --log-fd=3 -- /bin/sh -c "mktemp $T/hid/tmpXXXXXX; cat $T/hid/missing" 3>"$T/excl.json"
[ $rc != 0 ] && grep -q "refused openat(\"$T/hid/tmp......\") for pid [0-9]*: not allowed by the policy (needs write); add: write $(realpath "$T/hid")/tmp" "$T/err" &&
	! grep -q "refused.*hid/missing" "$T/err" && grep -q "\"path\": \"$T/hid/missing\".*\"missing\": true, \"quiet\": true" "$T/excl.json"
check $? "mktemp's O_CREAT|O_EXCL refusal is on stderr with add: write; a missing file's lookup only in the log"
if [ -x /usr/bin/python3.11 ]; then
	run "$H" --policy=shell --exec=/usr/bin/python3.11 --read=/usr/lib/python3.11 --log-fd=3 -- /usr/bin/python3 -c "import tempfile; tempfile.mkstemp(dir='$T/hid')" 3>"$T/py.json"
	[ $rc != 0 ] && grep -q "refused openat(\"$T/hid/tmp[^\"]*\").*needs write" "$T/err" && grep -q '"need": "write"' "$T/py.json"
	check $? "Python's tempfile.mkstemp refusal is said and logged"
fi

# The log's fd is the broker's: the program does not have it.
run "$H" --policy=shell --log-fd=7 -- /bin/sh -c 'ls -l /proc/self/fd/' 7>>"$T/fd.json"
[ $rc = 0 ] && grep -q ' 2 -> ' "$T/out" && ! grep -q ' 7 -> ' "$T/out" && ! grep -q fd.json "$T/out"
check $? "--log-fd: the program does not hold the log's fd (/proc/self/fd)"

# --log-file: made 0600, appended to, never through a symlink.
run "$H" --strict --policy=shell --log-file="$T/file.json" -- /bin/cat /etc/shadow
run "$H" --strict --policy=shell --log-file="$T/file.json" -- /bin/cat /etc/shadow
json_ok "$T/file.json" 2 && [ "$(grep -c '"/etc/shadow"' "$T/file.json")" = 2 ] && [ "$(stat -c %a "$T/file.json")" = 600 ]
check $? "--log-file: made with mode 0600 and appended to by each run"
ln -s "$T/target.json" "$T/link.json"
run "$H" --policy=shell --log-file="$T/link.json" -- /bin/true
[ $rc = 125 ] && grep -q "log-file=$T/link.json: is a symlink" "$T/err" && [ ! -e "$T/target.json" ]
check $? "--log-file refuses a symlink (125), and makes nothing where it points"
run "$H" --policy=shell --log-file="$T" -- /bin/true
[ $rc = 125 ] && grep -q "log-file=$T: " "$T/err"; check $? "--log-file of a directory is refused (125)"

# Network decisions: the peer, the rule that allowed one, the option that
# would allow the other.
if [ -x /usr/bin/python3.11 ]; then
	run "$H" --policy=shell --exec=/usr/bin/python3.11 --read=/usr/lib/python3.11 --connect='tcp 127.0.0.1:9' \
		--log-fd=3 --log-allowed -- /usr/bin/python3 -c '
import socket
for port in (9, 7):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        pass
' 3>"$T/net.json"
	json_ok "$T/net.json" 2 && grep -q "refused connect tcp 127.0.0.1:7 for pid [0-9]*: not allowed by the policy; add: --connect='tcp 127.0.0.1:7'$" "$T/err" &&
		python3 - "$T/net.json" <<'PY'
import json, sys
hits = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if '"proto"' in l]
ok = [h for h in hits if h["address"] == "127.0.0.1:9"]
no = [h for h in hits if h["address"] == "127.0.0.1:7"]
assert ok and ok[0]["answer"] == "allowed" and ok[0]["rule"] == "connect tcp 127.0.0.1:9" and ok[0]["origin"] == "--connect", hits
assert no and no[0]["answer"] == "EACCES" and no[0]["proto"] == "tcp" and no[0]["suggest"] == "--connect='tcp 127.0.0.1:7'" and no[0]["rule"] is None, hits
PY
	check $? "network: the allowed connect names its rule, the refused one the option that would allow it"
	# A unix socket refused is named by its real path, not the link asked for.
	mkdir -p "$T/us"
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(30)' "$T/us/real.sock" &
	bg_pids+=($!)
	disown $!
	for i in $(seq 50); do [ -S "$T/us/real.sock" ] && break; sleep 0.1; done
	ln -s real.sock "$T/us/link.sock" && chmod -R a+rwX "$T/us"
	run "$H" --policy=shell --exec=/usr/bin/python3.11 --read=/usr/lib/python3.11 --read="$T/us" -- /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError:
    pass
' "$T/us/link.sock"
	grep -qF "refused connect unix $(realpath "$T/us/real.sock") for pid" "$T/err" &&
		grep -qF "add: --connect='unix $(realpath "$T/us/real.sock")'" "$T/err"
	check $? "network: a refused unix connect through a symlink names the socket's real path"
fi

# --broker-fd: the launcher's broker gets no fd of the caller's.
run "$H" --broker-fd=5 --log-fd=6 -- /bin/true 5</dev/null 6>"$T/bfd.json"
[ $rc = 125 ] && grep -q -- "--log-fd cannot be used with --broker-fd" "$T/err"
check $? "--log-fd with --broker-fd is refused (125) with the reason"
run "$H" --broker-fd=5 --log-file=rel.json -- /bin/true 5</dev/null
[ $rc = 125 ] && grep -q -- "--log-file with --broker-fd: give an absolute path" "$T/err" && [ ! -e rel.json ]
check $? "a relative --log-file with --broker-fd is refused (125)"

# --deferred: the decisions after sbx_enter() are logged as any others, and
# the program never holds the log's fd (init closed it before it ran).
DEFERRED=$(realpath "${SBX_DEFERRED:-$B/tests/deferred}" 2>/dev/null)
if [ -x "$DEFERRED" ]; then
	D=$T/deferred
	mkdir -p "$D/secret" && echo "secret key" >"$D/secret/key" && cp /bin/true "$D/secret/run" &&
		echo granted >"$D/granted" && chmod -R a+rwX "$D"
	run "$H" --deferred --read="$D/granted" --write=/tmp --log-fd=3 -- "$DEFERRED" "$D/secret" "$D/granted" 3>"$T/deferred.json"
	[ $rc = 0 ] && grep -q '^0 failures' "$T/out" && json_ok "$T/deferred.json" 5 &&
		grep -q '"path": "/etc/passwd", "real": "/etc/passwd", "need": "read", .*"answer": "EACCES"' "$T/deferred.json"
	check $? "--deferred: the refusals after sbx_enter() are in the audit log"
fi

summary
