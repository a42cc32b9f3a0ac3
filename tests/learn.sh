#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --learn=FILE: learn a policy from a run of a real program, then run the
# program again under it in strict mode, where every refusal is logged:
# it must do the same with no refusal. A gcc+make build, a Python script,
# git and a shell pipeline; a peer on loopback; what a deny names stays
# refused while learning; nothing the run did not use is granted. Needs
# SBX_BUILD and SBX_SOURCE; runs as root and as an unprivileged user.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-learn
T=$(realpath "$T")
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
echo "# learning tests as $(id -un) (uid $(id -u))"
# rules FILE: its rule lines (not comments, not blank).
rules() { grep -cv '^[[:space:]]*\(#\|$\)' "$1"; }
# shipped NAME: the rules of a shipped policy with what it includes.
shipped() {
	local n; n=$(rules "$S/policies/$1.policy")
	for inc in $(awk '$1 == "include" {print $2}' "$S/policies/$1.policy"); do
		n=$((n - 1 + $(shipped "$inc")))
	done
	echo "$n"
}
# in_dir DIR CMD...: CMD run in DIR, in this shell.
in_dir() { local d=$1; shift; pushd "$d" >/dev/null || return; "$@"; popd >/dev/null || return; }
# learn_then_run NAME DIR RESET CMD...: learn in DIR, reset DIR with RESET,
# run again strictly under the learned policy; both outputs are compared.
learn_then_run() {
	local name=$1 dir=$2 reset=$3; shift 3
	in_dir "$dir" run "$H" --learn="$T/$name.policy" -- "$@"
	cp "$T/out" "$T/$name.learn-out"; cp "$T/err" "$T/$name.learn-err"
	check $([ $rc = 0 ] && [ -s "$T/$name.policy" ] && grep -q "^sandbox-broker: learned a policy of [0-9]* rules" "$T/err"; echo $?) \
		"$name: learned ($(rules "$T/$name.policy" 2>/dev/null) rules)"
	(cd "$dir" && eval "$reset")
	in_dir "$dir" run "$H" --strict --policy="$T/$name.policy" -- "$@"
	check $([ $rc = 0 ] && ! grep -q refused "$T/err" && cmp -s "$T/out" "$T/$name.learn-out"; echo $?) \
		"$name: runs again under the learned policy, strict, with no refusal and the same output"
	(cd "$dir" && eval "$reset")
	in_dir "$dir" run "$H" --policy="$T/$name.policy" -- "$@"
	check $([ $rc = 0 ] && cmp -s "$T/out" "$T/$name.learn-out"; echo $?) "$name: and in the view"
}

# A gcc+make build of a small C project, through cc (a chain of symlinks).
mkdir -p "$T/proj"
printf '#include <stdio.h>\n#include "h.h"\nint main(void) { printf("%%d\\n", F); return 0; }\n' >"$T/proj/m.c"
echo '#define F 42' >"$T/proj/h.h"
printf 'all: m\n\t./m\nm: m.o\n\tcc -o m m.o\nm.o: m.c h.h\n\tcc -O2 -c m.c\n' >"$T/proj/Makefile"
learn_then_run make "$T/proj" 'rm -f m m.o' /usr/bin/make -s
CC=$(readlink -f /usr/bin/cc)
check $(grep -qx "exec $CC" "$T/make.policy" && ! grep -q '^exec /usr/bin/cc$' "$T/make.policy" &&
	grep -Eq '^stat /usr/bin/(cc|\*)$' "$T/make.policy"; echo $?) \
	"make: cc is named by its real path ($CC), the symlink by a stat rule"
check $(grep -qx 'write ${CWD}/\*\*' "$T/make.policy" && grep -qx 'tmpdir private' "$T/make.policy" &&
	grep -q '^read /usr/include/\*\*$' "$T/make.policy"; echo $?) \
	"make: the build tree as \${CWD}, a private TMPDIR, the headers as a tree"

# A Python script: modules, a temporary file, JSON.
mkdir -p "$T/py"
cat >"$T/py/s.py" <<'PY'
import json, email.parser, http.client, tempfile, os
with tempfile.NamedTemporaryFile("w", delete=False) as f:
    f.write("data")
print(json.dumps({"size": os.path.getsize(f.name)}))
os.unlink(f.name)
PY
learn_then_run python "$T/py" ':' /usr/bin/python3 s.py
check $(grep -q '^read /usr/lib/python3[.0-9]*/\*\*$' "$T/python.policy" && grep -qx 'tmpdir private' "$T/python.policy"; echo $?) \
	"python: the standard library as a tree, tempfile's files in a private TMPDIR"

# git: init, add, commit, log, status.
mkdir -p "$T/git"
cat >"$T/git.sh" <<'SH'
set -e
git init -q r && cd r
echo hello >a.txt
git add a.txt
git -c user.name=t -c user.email=t@example.org commit -q -m first
git log --format=%s
git status --short
SH
learn_then_run git "$T/git" 'rm -rf r' /bin/sh "$T/git.sh"
check $(grep -q '^exec /usr/bin/git$' "$T/git.policy" && grep -q '^read /usr/share/git-core/templates/\*\*$' "$T/git.policy"; echo $?) \
	"git: git and its templates"

# A shell pipeline.
learn_then_run pipeline "$T" ':' /bin/sh -c 'ls /usr/bin | grep -c . >/dev/null && sort /etc/passwd | head -1 | cut -d: -f1'

echo "# learned against shipped: make $(rules "$T/make.policy") rules (build: $(shipped build)), python $(rules "$T/python.policy") (decoder: $(shipped decoder)), git $(rules "$T/git.policy") (dev: $(shipped dev)), pipeline $(rules "$T/pipeline.policy") (shell: $(shipped shell))"

# Nothing the run did not use: a sibling of the file read stays out.
mkdir -p "$T/d"; echo a >"$T/d/a"; echo b >"$T/d/b"
run "$H" --learn="$T/cat.policy" -- /usr/bin/cat "$T/d/a"
run "$H" --strict --policy="$T/cat.policy" -- /usr/bin/cat "$T/d/b"
check $([ $rc != 0 ] && grep -q "refused.*$T/d/b" "$T/err" && grep -qx "read $T/d/a" "$T/cat.policy"; echo $?) \
	"a file next to the one read is not granted"

# What a deny names stays refused while learning, and is not learned.
echo secret >"$T/d/secret"
run "$H" --learn="$T/deny.policy" --deny="$T/d/secret" -- /usr/bin/cat "$T/d/secret"
check $([ $rc != 0 ] && ! grep -q secret "$T/out" && grep -q "refused.*$T/d/secret" "$T/err" &&
	! grep -v -e '^#' -e '^deny ' "$T/deny.policy" | grep -q "$T/d" &&
	grep -qx "deny $T/d/secret" "$T/deny.policy"; echo $?) "a deny holds while learning, is not learned, and is written as a deny"
# A tree learned around a --deny does not grant what it denied.
for f in a b c; do echo $f >"$T/d/$f"; done
run "$H" --learn="$T/deny2.policy" --deny="$T/d/secret" -- /bin/sh -c "cat $T/d/a $T/d/b $T/d/c"
run "$H" --strict --policy="$T/deny2.policy" -- /usr/bin/cat "$T/d/secret"
check $([ $rc != 0 ] && ! grep -q secret "$T/out"; echo $?) "a tree learned around a --deny does not grant the denied file"

# A peer on loopback: the connect is learned, and only that port.
PY=$(readlink -f /usr/bin/python3)
"$PY" -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
for _ in range(4):
    c, _ = s.accept(); c.sendall(b"pong\n"); c.close()
' >"$T/port" & srv=$!; bg_pids+=($srv)
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
port=$(cat "$T/port")
CLIENT="import socket; s = socket.create_connection(('127.0.0.1', $port)); print(s.recv(9).decode().strip())"
run "$H" --learn="$T/net.policy" -- "$PY" -c "$CLIENT"
check $([ $rc = 0 ] && grep -qx pong "$T/out" && grep -qx "connect tcp 127.0.0.1:$port" "$T/net.policy"; echo $?) \
	"a loopback peer is learned as a connect rule"
run "$H" --strict --policy="$T/net.policy" -- "$PY" -c "$CLIENT"
check $([ $rc = 0 ] && grep -qx pong "$T/out" && ! grep -q refused "$T/err"; echo $?) "and the learned rule lets it connect again"
kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null

# Bad input: one line, exit 125, nothing run, nothing written.
run "$H" --learn="$T/no/such/dir/p" -- /bin/sh -c "echo ran >$T/ran"
check $([ $rc = 125 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q -- "--learn=.*cannot write in" "$T/err" && [ ! -e "$T/ran" ]; echo $?) \
	"--learn into a missing directory: one line, 125, nothing run"
run "$H" --learn="$T/d" -- /bin/true
check $([ $rc = 125 ] && grep -q "not a regular file" "$T/err"; echo $?) "--learn=DIR: not a regular file"
ls "$T"/*.XXXXXX* "$T"/*.policy.?????? >/dev/null 2>&1
check $([ $? != 0 ]; echo $?) "no half-written policy file is left"

summary
