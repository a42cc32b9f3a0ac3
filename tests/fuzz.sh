#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fuzz targets (tests/fuzz/*.c) built with clang's libFuzzer, ASan and
# UBSan, each run from its seed corpus with its dictionary:
#   tests/fuzz.sh                            a short run of each (SBX_FUZZ_TIME
#                                            seconds, default 5): the test command's
#   SBX_FUZZ_RUNS=100000000 tests/fuzz.sh    the long run (runs per target; with
#                                            SBX_FUZZ_TIME, at most that many seconds)
# SBX_FUZZ_TARGETS picks some ("clientproto policy resolve"); SBX_FUZZ_JOBS
# runs the long run in that many processes a target. Needs SBX_SOURCE (or
# runs from the tree); a crash leaves its input in SBX_FUZZ_OUT (default: a
# scratch directory, kept when something failed) and fails the script. No
# clang with libFuzzer: says so and passes nothing, fails nothing.
set -uo pipefail
S=${SBX_SOURCE:-$(cd "$(dirname "$0")/.." && pwd)}
S=$(cd "$S" && pwd)
. "$S/tests/harness.sh" sbx-fuzz
targets=${SBX_FUZZ_TARGETS:-clientproto policy resolve}
CC=${SBX_FUZZ_CC:-clang}
echo "# fuzz targets with libFuzzer ($CC)"

probe=$T/probe.c
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe" -o "$T/probe" >/dev/null 2>&1; then
	skip "fuzz targets" "$CC cannot build with -fsanitize=fuzzer (install clang and libclang-rt)"
	summary
	exit 0
fi

# max_len: each target's sbx_fuzz_max_len (the protocol's message body is
# two paths: 8,200 bytes and more).
declare -A max_len=([clientproto]=8300 [policy]=16384 [resolve]=4200)
declare -A srcs=(
	[clientproto]="common/clientproto.c common/policy.c common/policyindex.c common/suggest.c common/policyfile.c common/pattern.c common/netrule.c"
	[policy]="common/policy.c common/policyindex.c common/suggest.c common/policyfile.c common/pattern.c common/netrule.c"
	[resolve]="broker/resolve.c"
)
# The targets' scratch trees in memory (a tmpfs), removed at the end.
shm=$(mktemp -d /dev/shm/sbx-fuzz.XXXXXX 2>/dev/null) || shm=$(mktemp -d "$T/scratch.XXXXXX")
trap 'cleanup; rm -rf "$shm"' EXIT
export SBX_FUZZ_TMPDIR=$shm
out=${SBX_FUZZ_OUT:-$T/out}
mkdir -p "$out"
for t in $targets; do
	exe=$T/fuzz_$t
	src=()
	for f in ${srcs[$t]}; do src+=("$S/$f"); done
	if ! "$CC" -std=gnu17 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -I"$S/common" -I"$S/broker" -I"$S/tests/fuzz" \
		"$S/tests/fuzz/$t.c" "${src[@]}" -o "$exe" 2>"$T/$t.build"; then
		not_ok "$t: builds with libFuzzer"
		sed 's/^/#   /' "$T/$t.build" | head -20
		continue
	fi
	corpus=$T/corpus-$t
	mkdir -p "$corpus"
	cp "$S/tests/fuzz/$t-corpus/"* "$corpus/"
	args=(-max_len="${max_len[$t]}" -dict="$S/tests/fuzz/$t.dict" -artifact_prefix="$out/$t-"
		-print_final_stats=1 -timeout=10 -rss_limit_mb=2048)
	if [ -n "${SBX_FUZZ_RUNS:-}" ]; then
		jobs=${SBX_FUZZ_JOBS:-1}
		per=$((SBX_FUZZ_RUNS / jobs))
		pids=()
		for j in $(seq "$jobs"); do
			(cd "$T" && "$exe" "${args[@]}" -runs="$per" ${SBX_FUZZ_TIME:+-max_total_time="$SBX_FUZZ_TIME"} \
				-seed="$j" "$corpus" >"$out/$t.$j.log" 2>&1) &
			pids+=($!)
		done
		st=0
		for p in "${pids[@]}"; do wait "$p" || st=1; done
	else
		(cd "$T" && "$exe" "${args[@]}" -max_total_time="${SBX_FUZZ_TIME:-5}" "$corpus" >"$out/$t.1.log" 2>&1)
		st=$?
	fi
	for log in "$out/$t".*.log; do
		grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed "s|^|# $t: |"
	done
	if [ $st = 0 ]; then
		ok "$t: no crash, leak or undefined behaviour under libFuzzer"
	else
		not_ok "$t: libFuzzer found a failure (input in $out)"
		grep -hE 'ERROR|SUMMARY|fuzz:|runtime error' "$out/$t".*.log | head -10 | sed 's/^/#   /'
	fi
done
if [ "$fail" != 0 ] && [ -z "${SBX_FUZZ_OUT:-}" ]; then
	keep=$(mktemp -d "${TMPDIR:-/tmp}/sbx-fuzz-failed.XXXXXX")
	cp -r "$out/." "$keep/" && echo "# the failing inputs and logs are kept in $keep"
fi
summary
