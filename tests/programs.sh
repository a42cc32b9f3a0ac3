#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real programs in the sandbox: a shell script, python3, gcc, make (with
# cc), tar, sqlite3, meson and ninja at work in a writable directory, checked
# by their output and by the files they leave on the host; then what the
# build policy refuses, and its private TMPDIR; the decoder policy's python3
# decoder; the shell policy's mktemp; the dev policy's git (reading
# ~/.gitconfig), perl, node where installed, ps and whoami. Run as root and as an unprivileged user
# (meson test and tests/run.sh do both). Needs SBX_BUILD (the meson build
# directory) and SBX_SOURCE (the source tree).
set -uo pipefail
umask 022

B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(realpath "$B") S=$(realpath "$S") # the tests change directory
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-prog
T=$(realpath "$T") # the broker names canonical paths
# run CMD...: stdout in $T/out, stderr in $T/err, status in $rc; 40 s at most.
run() { timeout -k 5 40 "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
# fresh NAME: a new empty directory $T/NAME as $D, world-writable (the sandbox
# runs as the caller, who may be root or the test user).
fresh() { D=$T/$1; mkdir -p "$D"; chmod 777 "$D"; }
# sbx POLICY [HELPER-OPTIONS...] -- PROGRAM ARGS...: run in $D, which is
# writable, starting there as the caller's current directory.
sbx() {
	local pol=$1; shift
	if cd "$D"; then run "$H" --policy="$pol" --write="$D" "$@"; else rc=125; fi
	cd "$T" || exit 1
}
# refused WORD PATH: the broker's stderr names a refused WORD(...PATH...).
refused() { grep -q "refused $1(\"[^\"]*$2\"" "$T/err"; }

echo "# real programs in the sandbox as $(id -un) (uid $(id -u))"

# A C program of three files and a header, shared by the gcc and make tests:
# its output depends on every file.
write_c_program() {
	cat >"$1/calc.h" <<'EOF'
int add(int a, int b);
int mul(int a, int b);
void reverse(char *s);
EOF
	cat >"$1/add.c" <<'EOF'
#include "calc.h"
int add(int a, int b) { return a + b; }
EOF
	cat >"$1/mul.c" <<'EOF'
#include "calc.h"
int mul(int a, int b) { return a * b; }
EOF
	cat >"$1/rev.c" <<'EOF'
#include <string.h>
#include "calc.h"
void reverse(char *s)
{
	for (size_t i = 0, j = strlen(s); j-- > i; i++) {
		char c = s[i];
		s[i] = s[j];
		s[j] = c;
	}
}
EOF
	cat >"$1/main.c" <<'EOF'
#include <stdio.h>
#include "calc.h"
int main(void)
{
	char word[] = "sandbox";
	reverse(word);
	printf("%d %d %s\n", add(2, 3), mul(6, 7), word);
	return 0;
}
EOF
}
c_want="5 42 xobdnas"

# --- 1. A shell script: pipes, redirects, cd, mv, rm, relative paths -------------
fresh shell
cat >"$D/script.sh" <<'EOF'
set -e
mkdir -p work/sub
printf 'pear\napple\nfig\napple\n' >work/fruit.txt
cd work/sub
sort ../fruit.txt | uniq -c | sed 's/^ *//' >counts.txt
wc -l <counts.txt >lines.txt
{ echo to-out; echo to-err >&2; } >both.out 2>both.err
echo appended >>both.out
cat counts.txt lines.txt | tr a-z A-Z >upper.txt
mv upper.txt ../../result.txt
cp counts.txt scratch.txt
rm scratch.txt
cd ..
rm fruit.txt
mv sub renamed
cat renamed/lines.txt
cd renamed && pwd
EOF
sbx shell -- /bin/sh script.sh
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf '3\n%s/work/renamed' "$D")" ] &&
	[ "$(cat "$D/result.txt")" = "$(printf '2 APPLE\n1 FIG\n1 PEAR\n3')" ] &&
	[ "$(cat "$D/work/renamed/both.out")" = "$(printf 'to-out\nappended')" ] &&
	[ "$(cat "$D/work/renamed/both.err")" = to-err ] &&
	[ "$(cat "$D/work/renamed/counts.txt")" = "$(printf '2 apple\n1 fig\n1 pear')" ] &&
	[ ! -e "$D/work/fruit.txt" ] && [ ! -e "$D/work/sub" ] && [ ! -e "$D/work/renamed/scratch.txt" ] &&
	[ ! -e "$D/work/renamed/upper.txt" ]
check $? "sh script: pipes, redirects, cd, mv, cp, rm and relative reads after cd leave the right files"

# --- 2. python3 and its standard library ----------------------------------------
fresh python
cat >"$D/prog.py" <<'EOF'
import email.policy
import http.client
import json
import os
import tempfile
from email.message import EmailMessage
from email.parser import BytesParser

m = EmailMessage()
m["Subject"] = "sandbox test"
m["To"] = "someone@example.org"
m.set_content("line one\nline two\n")
parsed = BytesParser(policy=email.policy.default).parsebytes(m.as_bytes())
res = {
    "subject": parsed["subject"],
    "body": parsed.get_content(),
    "http": http.client.responses[418],
    "https_port": http.client.HTTPS_PORT,
}
try:
    import sqlite3
except ImportError:
    res["sqlite"] = "missing"
else:
    db = sqlite3.connect("py.db")
    db.execute("create table t (k text, v integer)")
    db.executemany("insert into t values (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
    db.commit()
    res["sqlite"] = list(db.execute("select group_concat(k, ''), sum(v) from t").fetchone())
    db.close()
with tempfile.TemporaryFile("w+") as f:
    f.write("scratch")
    f.seek(0)
    res["tempfile"] = f.read()
with open("result.json.part", "w") as f:
    json.dump(res, f, sort_keys=True)
os.rename("result.json.part", "result.json")
print("wrote", sorted(n for n in os.listdir(".") if n.startswith("result")))
EOF
if /usr/bin/python3 -c 'import sqlite3' 2>/dev/null; then sq='["abc", 6]'; else sq='"missing"'; fi
want='{"body": "line one\nline two\n", "http": "I'"'"'m a Teapot", "https_port": 443, "sqlite": '$sq', "subject": "sandbox test", "tempfile": "scratch"}'
sbx build -- /usr/bin/python3 prog.py
[ $rc = 0 ] && [ "$(cat "$T/out")" = "wrote ['result.json']" ] && [ "$(cat "$D/result.json")" = "$want" ] &&
	{ [ "$sq" = '"missing"' ] || [ "$(sqlite3 "$D/py.db" 'select count(*) from t')" = 3 ]; }
check $? "python3: json, email, http.client and sqlite3 from the standard library, writing a file"

# --- 3. gcc: compile and link several files -------------------------------------
fresh gcc
mkdir "$D/src"
write_c_program "$D/src"
chmod -R a+rwX "$D"
sbx build --chdir="$D/src" -- /usr/bin/gcc -std=c99 -Wall -Wextra -Werror -O2 -o ../calc main.c add.c mul.c rev.c
[ $rc = 0 ] && [ -x "$D/calc" ] && [ "$("$D/calc")" = "$c_want" ]
check $? "gcc compiles and links four files and a header; the program runs outside ($("$D/calc" 2>&1))"
sbx build --chdir="$D/src" -- /bin/sh -c 'for f in add mul rev; do gcc -c -O2 $f.c || exit 1; done &&
	ar rcs libcalc.a add.o mul.o rev.o && gcc -o ../calc2 main.c -L. -lcalc && nm libcalc.a | grep -c " T "'
[ $rc = 0 ] && [ "$(cat "$T/out")" = 3 ] && [ "$("$D/calc2")" = "$c_want" ]
check $? "gcc -c, ar and nm make a static library that links"

# --- 4. make -j2 -------------------------------------------------------------------
fresh make
write_c_program "$D"
printf 'OBJS = main.o add.o mul.o rev.o\ncalc: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c calc.h\n\t$(CC) -O2 -c -o $@ $<\n' >"$D/Makefile"
chmod -R a+rwX "$D"
sbx build -- /usr/bin/make -j2
first=$(cat "$T/out")
[ $rc = 0 ] && [ "$("$D/calc")" = "$c_want" ] && [ "$(grep -c -- '-c -o' <<<"$first")" = 4 ]
check $? "make -j2 builds the program from four objects"
before=$(stat -c '%i %Y.%y' "$D/calc" "$D"/*.o 2>&1)
sbx build -- /usr/bin/make -j2
[ $rc = 0 ] && [ "$(cat "$T/out")" = "make: 'calc' is up to date." ] && [ "$(stat -c '%i %Y.%y' "$D/calc" "$D"/*.o 2>&1)" = "$before" ]
check $? "a second make has nothing to do"
touch "$D/mul.c"
sbx build -- /usr/bin/make -j2
[ $rc = 0 ] && [ "$(grep -c -- '-c -o' "$T/out")" = 1 ] && grep -q -- '-o mul.o mul.c' "$T/out" && [ "$("$D/calc")" = "$c_want" ]
check $? "after touching mul.c, make rebuilds only mul.o and the program"

# --- 5. tar: an archive of a directory, and back ---------------------------------
fresh tar
mkdir -p "$D/tree/a/b" "$D/tree/empty"
echo one >"$D/tree/one.txt"
head -c 200000 /dev/urandom >"$D/tree/a/random.bin"
printf '#!/bin/sh\necho deep\n' >"$D/tree/a/b/run.sh"
chmod 755 "$D/tree/a/b/run.sh"
ln -s one.txt "$D/tree/link"
chmod -R a+rwX "$D"
sbx build -- /bin/sh -c 'tar -czf tree.tar.gz tree && tar -tzf tree.tar.gz | sort'
listing=$(printf '%s\n' tree/ tree/a/ tree/a/b/ tree/a/b/run.sh tree/a/random.bin tree/empty/ tree/link tree/one.txt)
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$listing" ] && [ "$(tar -tzf "$D/tree.tar.gz" | sort)" = "$listing" ] &&
	gzip -t "$D/tree.tar.gz"
check $? "tar -czf makes a gzip archive of a directory (listed inside and outside)"
sbx build -- /bin/sh -c 'mkdir out && tar -xzf tree.tar.gz -C out'
diff -r "$D/tree" "$D/out/tree" >/dev/null && cmp -s "$D/tree/a/random.bin" "$D/out/tree/a/random.bin" &&
	[ "$(readlink "$D/out/tree/link")" = one.txt ]
check $? "tar -xzf extracts the same content (diff -r, cmp, the symlink)"
modes() { (cd "$1" && find . -printf '%m %y %p\n' | sort); }
# The modes a native extraction by the same user gives (a user's umask
# applies to them, root's does not).
mkdir "$D/native" && tar -xzf "$D/tree.tar.gz" -C "$D/native"
[ $rc = 0 ] && [ "$(modes "$D/native/tree")" = "$(modes "$D/out/tree")" ] && ! grep -q refused "$T/err"
# tar sets modes with fchmodat(AT_SYMLINK_NOFOLLOW), which glibc does as an
# O_PATH|O_NOFOLLOW open (a symlink: EOPNOTSUPP, which tar ignores) and
# chmod("/proc/self/fd/N") (as root, tar makes directories 0700 and sets
# their modes at the end).
check $? "tar -xzf exits 0 and restores every mode, refusing nothing"

# --- 6. sqlite3 -------------------------------------------------------------------
fresh sqlite
cat >"$D/make.sql" <<'EOF'
create table fruit (name text primary key, n integer);
insert into fruit values ('apple', 3), ('pear', 5), ('fig', 7), ('kiwi', 11);
update fruit set n = n + 1 where name = 'apple';
delete from fruit where name = 'kiwi';
EOF
chmod a+r "$D/make.sql"
sbx build -- /usr/bin/sqlite3 fruit.db '.read make.sql'
sbx build -- /usr/bin/sqlite3 -separator ' ' fruit.db 'select name, n * 2 from fruit order by n desc;' 'select count(*), sum(n) from fruit;'
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf 'fig 14\npear 10\napple 8\n3 16')" ] &&
	[ "$(sqlite3 "$D/fruit.db" "select group_concat(name, ',') from (select name from fruit order by name)")" = apple,fig,pear ] &&
	[ ! -e "$D/fruit.db-journal" ]
check $? "sqlite3 creates a database, inserts, updates, deletes and queries"

# --- 7. meson and ninja -------------------------------------------------------------
fresh meson
mkdir "$D/proj"
cat >"$D/proj/meson.build" <<'EOF'
project('hello', 'c')
executable('hello', 'main.c', 'greet.c')
EOF
printf 'const char *greet(void);\n' >"$D/proj/greet.h"
printf '#include "greet.h"\nconst char *greet(void) { return "hello from meson"; }\n' >"$D/proj/greet.c"
printf '#include <stdio.h>\n#include "greet.h"\nint main(void) { return puts(greet()) < 0; }\n' >"$D/proj/main.c"
chmod -R a+rwX "$D"
# meson runs its compiler sanity check from the build directory: --exec.
sbx build --exec="$D/**" --chdir="$D/proj" -- /usr/bin/meson setup builddir
[ $rc = 0 ] && grep -q '^Build targets in project: 1$' "$T/out" && [ -f "$D/proj/builddir/build.ninja" ]
check $? "meson setup configures a C project"
sbx build --chdir="$D/proj" -- /usr/bin/ninja -C builddir
[ $rc = 0 ] && grep -q 'Linking target hello' "$T/out" && [ "$("$D/proj/builddir/hello")" = "hello from meson" ]
check $? "ninja builds it; the program runs outside"
sbx build --chdir="$D/proj" -- /usr/bin/ninja -C builddir
[ $rc = 0 ] && grep -q '^ninja: no work to do.$' "$T/out"; check $? "a second ninja has nothing to do"

# --- 8. What the build policy refuses --------------------------------------------
fresh refuse
mkdir "$D/w"; chmod 777 "$D/w"
echo keep >"$D/outside.txt"; chmod 666 "$D/outside.txt"
name=sbx-programs-$$-$RANDOM
home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
D=$D/w sbx build -- /usr/bin/touch "/etc/$name"
[ $rc != 0 ] && [ ! -e "/etc/$name" ] && refused openat "/etc/$name"
check $? "touch /etc/$name is refused, with a log line"
D=$D/w sbx build --setenv=HOME="$home" -- /bin/sh -c "echo x >\"\$HOME/$name\""
[ $rc != 0 ] && [ ! -e "$home/$name" ] && refused openat "$home/$name"
check $? "writing in \$HOME ($home) is refused when not granted"
D=$D/w sbx build -- /bin/sh -c 'echo x >../sibling.txt; echo changed >../outside.txt; rm ../outside.txt; mv ../outside.txt moved.txt; exit 0'
[ ! -e "$D/sibling.txt" ] && [ "$(cat "$D/outside.txt")" = keep ] && [ ! -e "$D/w/moved.txt" ] &&
	refused openat ../sibling.txt && refused unlinkat outside.txt && refused renameat2 outside.txt
check $? "next to the --write directory: no create, write, rm or mv (../)"
rm -f "/etc/$name" "$home/$name" 2>/dev/null

# --- 9. The private TMPDIR ----------------------------------------------------------
fresh tmpdir
base=$D/base; mkdir "$base"; chmod 777 "$base"
mkdir "$D/w"; chmod 777 "$D/w"
echo keep >"$D/w/keep.txt"
cat >"$D/w/tmp.sh" <<'EOF'
echo "$TMPDIR" >tmpdir.txt
[ -d "$TMPDIR" ] && [ -w "$TMPDIR" ] || exit 3
mkdir "$TMPDIR/sub" "$TMPDIR/sub/deeper" && echo scratch >"$TMPDIR/sub/deeper/file" || exit 4
ln -s "$PWD/keep.txt" "$TMPDIR/link" || exit 5
cat "$TMPDIR/sub/deeper/file" "$TMPDIR/link"
touch ready
i=0
while [ ! -e go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ -e go ]
EOF
chmod -R a+rwX "$D"
(cd "$D/w" && TMPDIR=$base exec timeout -k 5 40 "$H" --policy=build --write="$D/w" -- /bin/sh tmp.sh) \
	>"$T/out" 2>"$T/err" </dev/null &
hpid=$! # timeout ends it at the latest
bg_pids+=("$hpid")
for _ in $(seq 200); do [ -e "$D/w/ready" ] || ! kill -0 "$hpid" 2>/dev/null && break; sleep 0.05; done
td=$(cat "$D/w/tmpdir.txt" 2>/dev/null)
[ -n "$td" ] && [ "${td%/*}" = "$base" ] && [ "$(cat "$td/sub/deeper/file" 2>&1)" = scratch ]
check $? "TMPDIR ($td) is a fresh directory under the caller's TMPDIR, written inside and seen on the host"
touch "$D/w/go"
wait "$hpid"; rc=$?
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf 'scratch\nkeep')" ] && [ -n "$td" ] && [ ! -e "$td" ] &&
	[ -z "$(ls -A "$base")" ] && [ "$(cat "$D/w/keep.txt")" = keep ]
check $? "after the sandbox, its TMPDIR is gone (and the file its symlink named is not)"
# coreutils' mkdir -p makes a path one component at a time from the root:
# mkdir("/tmp") (EEXIST, as the kernel answers whatever the permissions),
# chdir("/tmp"), mkdir("sandbox-tmp.X") (EEXIST), chdir(...), ...
D=$D/w TMPDIR=$base sbx build -- /bin/sh -c 'mkdir -p "$TMPDIR/p/q" && echo made >"$TMPDIR/p/q/f" && cat "$TMPDIR/p/q/f"'
[ $rc = 0 ] && [ "$(cat "$T/out")" = made ] && ! grep -q refused "$T/err"
check $? "mkdir -p \$TMPDIR/p/q (mkdir and chdir through TMPDIR's ancestors, which no rule grants)"
[ -z "$(ls -A "$base")" ]; check $? "that TMPDIR is gone too"

# --- 10. A plugin-style decoder: reads only its input, writes only its output --------
fresh decoder
/usr/bin/python3 -c "
px = bytes([255,0,0, 0,255,0, 0,0,255, 255,255,255, 0,0,0, 10,20,30, 200,100,50, 128,128,128])
open('$D/in.ppm', 'wb').write(b'P6\n# a comment\n4 2\n255\n' + px)"
echo private >"$D/other.txt"
: >"$D/out.pgm" # the output is granted by name: it exists first
chmod -R a+rwX "$D"
dec() { (cd "$D" && "$H" --policy=decoder --read=in.ppm --write=out.pgm --read="$S/docs/examples/ppm2pgm.py" -- \
	/usr/bin/python3 "$S/docs/examples/ppm2pgm.py" "$@") >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
dec in.ppm out.pgm
[ $rc = 0 ] && [ "$(od -An -tu1 "$D/out.pgm" | tr -s ' \n' ' ')" = " 80 53 10 52 32 50 10 50 53 53 10 76 149 29 255 0 18 124 128 " ] &&
	[ ! -s "$T/err" ]
check $? "decoder: PPM to PGM under policies/decoder.policy, input and output granted, nothing refused"
dec other.txt out.pgm
# Refused by the broker (strict) or not in the view at all.
[ $rc != 0 ] && { grep -q 'refused openat("other.txt")' "$T/err" || grep -q "No such file or directory: 'other.txt'" "$T/err"; }
check $? "decoder: another file in the same directory is refused"
dec in.ppm elsewhere.pgm
[ $rc != 0 ] && [ ! -e "$D/elsewhere.pgm" ] && grep -q 'refused openat("elsewhere.pgm")' "$T/err"
check $? "decoder: writing anywhere but its output is refused"
# Its patterns (python3.*, the multiarch triplet) are expanded into the
# view at start, which holds every grant: a read it does not grant fails in
# the kernel (ENOENT), no broker line; were the view incomplete, the broker
# would refuse it with a line.
(cd "$D" && "$H" --policy=decoder -- /usr/bin/python3 -c 'import json, sys
try: open("/etc/hostname")
except OSError as e: print(e.errno, json.__name__)') >"$T/out" 2>"$T/err" </dev/null; rc=$?
[ $rc = 0 ] && [ "$(cat "$T/out")" = "2 json" ] && [ ! -s "$T/err" ]
check $? "decoder: its view is complete (python3.* and the triplet expanded): an ungranted read is the kernel's ENOENT, no broker line"
(cd "$D" && "$H" --policy=decoder -- /usr/bin/python3 -c 'import os; os.execv("/bin/sh", ["sh", "-c", "echo hi"])') \
	>"$T/out" 2>"$T/err" </dev/null; rc=$?
[ $rc != 0 ] && ! grep -q hi "$T/out" && grep -q 'refused execve("/bin/sh")' "$T/err"
check $? "decoder: it cannot run a shell"

# --- 11. The shell policy: a private TMPDIR for mktemp, whoami ---------------------
fresh shelltmp
sbx shell -- /bin/sh -c 'f=$(mktemp) && echo scratch >"$f" && cat "$f" && case $f in "$TMPDIR"/*) echo "in TMPDIR";; esac && whoami'
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf 'scratch\nin TMPDIR\n%s' "$(id -un)")" ] && ! grep -q refused "$T/err"
check $? "shell: mktemp makes a file in its private TMPDIR; whoami says $(id -un)"

# --- 12. The dev policy: git with the user's ~/.gitconfig, perl, node, ps ----------
# The home directory is outside the granted tree ($D is the sandbox's).
fresh dev
dh=$T/devhome
mkdir -p "$dh/.config" "$D/repo"
printf '[user]\n\tname = Sand Box\n\temail = sandbox@example.invalid\n[init]\n\tdefaultBranch = trunk\n' >"$dh/.gitconfig"
chmod -R a+rwX "$D" "$dh"
# ~/.config is there, ~/.config/git is not: git's optional files there are
# missing, and said so (ENOENT), without a warning.
HOME=$dh sbx dev --chdir="$D/repo" -- /bin/sh -c 'git init -q && printf "hello\n" >a.txt && git add a.txt &&
	git commit -q -m "first commit" && git log --format="%an <%ae> %s" && git branch --show-current'
[ $rc = 0 ] && [ "$(cat "$T/out")" = "$(printf 'Sand Box <sandbox@example.invalid> first commit\ntrunk')" ] &&
	[ -d "$D/repo/.git" ] && ! grep -Eq 'warning|refused' "$T/err"
check $? "dev: git init, add, commit and log in the granted tree, with name, mail and branch from ~/.gitconfig"
HOME=$dh sbx dev --strict --chdir="$D/repo" -- /bin/sh -c 'echo more >>a.txt && git commit -q -a -m second && git log --oneline | wc -l'
[ $rc = 0 ] && [ "$(cat "$T/out")" = 2 ] && ! grep -q warning "$T/err" && [ "$(git -C "$D/repo" log --format=%s -1)" = second ]
check $? "dev --strict: git commit -a through the broker, no warning for git's missing optional files"
# Under a policy that lets git list ~/.config but grants nothing in it, its
# optional files there are missing all the same (ENOENT, as the listing
# shows), not "permission denied" with a warning each.
# (A policy file: --read=DIR grants the tree, "read DIR" the listing.)
printf 'include shell\nread ${HOME}/.config\nread ${HOME}/.gitconfig\nexec /usr/bin/git\nexec /usr/lib/git-core/**\n' \
	>"$T/listing.policy"
HOME=$dh sbx "$T/listing.policy" --strict --chdir="$D/repo" -- /bin/sh -c 'git status --short; cat ~/.config/git/x'
[ $rc != 0 ] && ! grep -q warning "$T/err" && grep -q 'git/x: No such file or directory' "$T/err"
check $? "git under a policy listing ~/.config only: no warning for ~/.config/git/ ($(grep -c warning "$T/err") warnings)"
cp "$dh/.gitconfig" "$T/gitconfig.before"
HOME=$dh sbx dev --chdir="$D/repo" -- /usr/bin/git config --global user.name Intruder
[ $rc != 0 ] && cmp -s "$dh/.gitconfig" "$T/gitconfig.before" && [ ! -e "$dh/.gitconfig.lock" ]
check $? "dev: ~/.gitconfig is read, not written (git config --global fails, status $rc)"
sbx dev -- /usr/bin/perl -e 'print join(",", map { $_ * 2 } 1 .. 3), "\n"'
[ $rc = 0 ] && [ "$(cat "$T/out")" = 2,4,6 ]; check $? "dev: perl -e"
if [ -x /usr/bin/node ]; then
	sbx dev -- /usr/bin/node -e 'console.log([1, 2, 3].map((x) => x * 3).join(","))'
	[ $rc = 0 ] && [ "$(cat "$T/out")" = 3,6,9 ]; check $? "dev: node -e"
else
	skip "dev: node -e" "/usr/bin/node is not installed"
fi
sbx dev -- /bin/sh -c 'ps -e -o pid=,comm=; whoami'
# The shell and ps (and the sandbox's init, where the caller may see it),
# by pids of the sandbox's own pid namespace: none of the host's.
[ $rc = 0 ] && grep -Eq '^ *[0-9]+ ps$' "$T/out" && [ "$(grep -c . "$T/out")" -le 5 ] &&
	[ -z "$(head -n -1 "$T/out" | awk '$1 > 20')" ] && [ "$(tail -n 1 "$T/out")" = "$(id -un)" ]
check $? "dev: ps lists only the sandbox's processes ($(grep -c . "$T/out") lines); whoami"

summary
