#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Network tests: real peers on loopback that this script starts itself
# (TCP, UDP, unix and abstract echo servers, python's http.server), and a
# sandboxed python3 client under rules that name some of them. Needs
# SBX_BUILD and SBX_SOURCE; runs as root and as an unprivileged user.
set -uo pipefail
B=${SBX_BUILD:?set SBX_BUILD to the build directory}
S=${SBX_SOURCE:?set SBX_SOURCE to the source directory}
B=$(cd "$B" && pwd) S=$(cd "$S" && pwd)
H=$B/helper/sandbox-helper
. "$S/tests/harness.sh" sbx-net
# run CMD...: stdout in $T/out, stderr in $T/err, status in $rc.
run() { "$@" >"$T/out" 2>"$T/err" </dev/null; rc=$?; }
echo "# network tests as $(id -un) (uid $(id -u))"

chmod 755 "$T"
N=$T/net
mkdir -p "$N" && chmod 777 "$N"
# The peers serve until their stdin closes: a FIFO we hold open.
mkfifo "$T/peers.in"
/usr/bin/python3 "$S/tests/net/peers.py" "$N" <"$T/peers.in" >"$T/peers.log" 2>&1 &
peers=$!
bg_pids+=("$peers")
exec 9>"$T/peers.in"
for _ in $(seq 100); do [ -e "$N/ports" ] && break; sleep 0.05; done
if [ ! -e "$N/ports" ]; then
	not_ok "the test peers did not start: $(cat "$T/peers.log")"
	summary
	exit
fi
port() { awk -v k="$1" '$1 == k {print $2}' "$N/ports"; }
TCP=$(port tcp) UDP=$(port udp) HTTP=$(port http) FULL=$(port full) ABS=$(port abstract)
client() { # RULES... -- WORDS...: run the client with rules, the words as checks
	local rules=()
	while [ "$1" != -- ]; do rules+=("$1"); shift; done
	shift
	run "$H" --policy=shell --read="$S/tests/net/client.py" --read="$N/ports" "${rules[@]}" -- \
		/usr/bin/python3 "$S/tests/net/client.py" "$N/ports" "$@"
}
client_ok() { # WHAT: every check of the last client run passed
	[ $rc = 0 ] && ! grep -q '^FAIL' "$T/out" && grep -q '^ok' "$T/out"
	check $? "$1: $(grep -c '^ok' "$T/out") checks ($(grep -o '^FAIL.*' "$T/out" | head -3 | tr '\n' ';'))"
}

run "$H" --policy=minimal --connect='tcp nowhere' -- /bin/true
[ $rc = 125 ] && grep -q -- "--connect=tcp nowhere: expected ADDRESS:PORT" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ]
check $? "a malformed --connect: 125 with one line"
printf 'include minimal\nconnect udp 10.0.0.0/40:53\n' >"$T/bad.policy"
run "$H" --policy="$T/bad.policy" -- /bin/true
[ $rc = 125 ] && grep -q "bad.policy:2:22: expected a prefix length from 0 to 32" "$T/err"; check $? "a malformed network rule: file:line:column"

client --connect="tcp 127.0.0.1:$TCP" -- tcp_blocking tcp_nonblocking tcp_denied tcp_v6_denied
client_ok "TCP: blocking and nonblocking connects to the allowed peer; others refused"
grep -q "refused connect tcp 127.0.0.1:$UDP" "$T/err"; check $? "a refused connect is logged with its peer"

client --connect="udp 127.0.0.1:$UDP" -- udp_sendto
client_ok "UDP: sendto and connect to the allowed peer, sendto others refused"

client --connect="unix $N/echo.sock" -- unix_path
client_ok "unix sockets by path: the one the rule names, no other"

client -- abstract_denied
client_ok "the host's abstract sockets are out of reach"
client --connect="unix @$ABS" -- abstract_allowed
client_ok "an abstract name a rule names is reached"

client --connect="tcp 127.0.0.1:$HTTP" -- http_get
client_ok "python urllib against python's http.server"

client -- raw bind_denied
client_ok "raw, netlink and packet sockets and unnamed binds are refused"
client --bind="tcp 127.0.0.1:0" -- fastopen
client_ok "a socket bound through a rule cannot open a connection with TCP Fast Open"

printf 'include shell\nloopback private\n' >"$T/lo.policy"
run "$H" --policy="$T/lo.policy" --connect="tcp 127.0.0.1:$TCP" --read="$S/tests/net/client.py" --read="$N/ports" -- \
	/usr/bin/python3 "$S/tests/net/client.py" "$N/ports" private_loopback
client_ok "loopback private: the sandbox's own loopback, and not the host's"
client -- no_loopback
client_ok "without it, the sandbox has no loopback"

# A server in the sandbox, reached from the host.
: >"$N/server-port" # granted by name: it exists first
client --bind="tcp 127.0.0.1:0" --write="$N/server-port" -- server &
cpid=$!
bg_pids+=("$cpid")
for _ in $(seq 100); do [ -s "$N/server-port" ] && break; sleep 0.05; done
reply=$(/usr/bin/python3 -c "
import socket, sys
s = socket.create_connection(('127.0.0.1', int(open('$N/server-port').read())), timeout=5)
s.sendall(b'shout'); print(s.recv(16).decode())" 2>&1)
wait "$cpid"
[ "$reply" = SHOUT ]; check $? "bind and accept in the sandbox: the host's client got '$reply'"

# A connect that hangs (a listener whose backlog is full), and the program
# dies in the middle of it: the sandbox ends, and the broker holds no
# socket to that peer afterwards.
syn_sent() { ss -Htn state syn-sent "( dport = :$FULL )" 2>/dev/null | wc -l; }
before=$(syn_sent)
"$H" --policy=shell --read="$S/tests/net/client.py" --read="$N/ports" --connect="tcp 127.0.0.1:$FULL" -- \
	/usr/bin/python3 "$S/tests/net/client.py" "$N/ports" hang >"$T/hang.out" 2>&1 </dev/null &
hpid=$!
bg_pids+=("$hpid")
watchdog "$hpid"
for _ in $(seq 100); do grep -q connecting "$T/hang.out" && break; sleep 0.05; done
sleep 0.5
during=$(syn_sent)
kill -TERM "$hpid"
wait "$hpid"; hrc=$?
sleep 0.2
left=$(syn_sent)
[ "$hrc" = 143 ] && ! grep -q 'connected?' "$T/hang.out" && [ "$during" -gt "$before" ] && [ "$left" = "$before" ]
check $? "killed in the middle of a connect: status $hrc; connecting sockets $before before, $during during, $left after"

kill "$peers" 2>/dev/null # by its pid; other holders of the FIFO (watchdogs) may outlive us
wait "$peers" 2>/dev/null
# Under datagram rules every sendmsg is the broker's, from its copy of the
# socket (a CONTINUE would let the kernel look at the fd again): sends on
# the sandbox's own sockets keep their meaning.
run "$H" --policy=shell --read="$S/tests/net/ownsends.py" --connect="udp 127.0.0.1:$UDP" --connect="unix @sbx-none" -- \
	/usr/bin/python3 "$S/tests/net/ownsends.py" "$N/nosuch.sock"
[ $rc = 0 ] && [ "$(grep -c '^ok' "$T/out")" = 5 ] && ! grep -q '^FAIL' "$T/out"
check $? "own sockets under udp and unix rules: fd passing, a waiting send, datagram pairs, unix paths refused, SIGPIPE ($(grep -o '^FAIL.*' "$T/out" "$T/err" | head -3 | tr '\n' ';'))"
summary
