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

summary
