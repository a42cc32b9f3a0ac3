#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test command: installs what it needs (Debian 12, as root), builds, and
# runs every test: the unit tests, then the integration tests as root and as
# the unprivileged test user. Exits non-zero on any failure.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/setup.sh"

sbx_prepare "$src"

status=0
# meson test runs the unit tests and the integration suite (integration.sh,
# programs.sh, network.sh, races.sh, chromium.sh, logs.sh, view.sh, viewattack.sh, learn.sh, messages.sh) as the caller; its log holds their counts.
sbx_log "unit and integration tests as $(id -un)"
meson test -C "$stage/build" --print-errorlogs --no-rebuild || status=1
# Count test cases: cmocka's "[  PASSED  ] N test(s)." and "[  FAILED  ] N
# test(s)", and the integration script's "N passed, N failed" (and "# N
# skipped", harness.sh's skip: neither passed nor failed).
count() {
	python3 - "$@" <<'PY'
import re, sys
ok = bad = skipped = 0
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        m = re.match(r"\[  PASSED  \] (\d+) test", line)
        if m: ok += int(m.group(1))
        m = re.match(r"\[  FAILED  \] (\d+) test", line)
        if m: bad += int(m.group(1))
        m = re.match(r"^(\d+) passed, (\d+) failed$", line)
        if m: ok += int(m.group(1)); bad += int(m.group(2))
        m = re.match(r"^# (\d+) skipped$", line)
        if m: skipped += int(m.group(1))
print(ok, bad, skipped)
PY
}
logs=("$stage/build/meson-logs/testlog.txt")
# The integration suite and the races again against an ASan+UBSan build of
# the helper, the broker and the library; the programs run inside stay
# unsanitized (ASan needs what the sandbox refuses). Any report fails.
sbx_log "integration tests and races against an ASan+UBSan build"
if meson setup --werror -Db_sanitize=address,undefined -Db_lundef=false "$stage/build-asan" "$stage" \
	>"$stage/asan-setup.log" 2>&1 && ninja -C "$stage/build-asan" >"$stage/asan-build.log" 2>&1; then
	chmod -R a+rX "$stage/build-asan"
	san=$stage/sanitizer-reports; mkdir -p "$san"; chmod 1777 "$san"
	u=$stage/build/tests
	for script in integration races; do
		sanlog=$stage/asan-$script.log
		env ASAN_OPTIONS="detect_leaks=1:log_path=$san/asan" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$san/ubsan" \
			SBX_BUILD="$stage/build-asan" SBX_SOURCE="$stage" SBX_PROBE="$u/probe" SBX_CLIENTPROBE="$u/clientprobe" \
			SBX_DEFERRED="$u/deferred" SBX_CWDESCAPE="$u/cwdescape" SBX_FORKER="$u/forker" SBX_RACER="$u/racer" \
			SBX_EXECRACE="$u/execrace" SBX_EXECATTACK="$u/execattack" SBX_INITGUARD="$u/initguard" SBX_PLANT="$u/plant" SBX_MUTFLAGS="$u/mutflags" SBX_NETSWAP="$u/netswap" SBX_CWDSWAP="$u/cwdswap" bash "$stage/tests/$script.sh" 2>&1 | sed 's/^/[asan] /' | tee "$sanlog" | grep -E '^\[asan\] (not ok|[0-9]+ passed)' || true
		sed 's/^\[asan\] //' "$sanlog" >"$sanlog.plain"
		logs+=("$sanlog.plain")
	done
	if [ -n "$(ls -A "$san")" ]; then
		sbx_log "sanitizer reports:"; cat "$san"/* >&2
		echo "not ok - the ASan+UBSan build reported errors"; echo "0 passed, 1 failed" >"$stage/asan-reports.log"
	else
		echo "1 passed, 0 failed" >"$stage/asan-reports.log"
	fi
	logs+=("$stage/asan-reports.log")
else
	cat "$stage/asan-setup.log" "$stage/asan-build.log" | tail -30
	echo "0 passed, 1 failed" >"$stage/asan-build-failed.log"; logs+=("$stage/asan-build-failed.log")
fi
if [ "$(id -u)" = 0 ]; then
	for script in integration programs network races chromium logs view viewattack learn messages; do
		sbx_log "tests/$script.sh as the unprivileged user $SBX_TEST_USER"
		userlog=$stage/user-$script.log
		sbx_as_user env SBX_BUILD="$stage/build" SBX_SOURCE="$stage" TMPDIR=/tmp \
			bash "$stage/tests/$script.sh" 2>&1 | tee "$userlog" || status=1
		logs+=("$userlog")
	done
	sbx_log "setuid tests: a root-owned 4755 install run by $SBX_TEST_USER"
	suidlog=$stage/setuid.log
	SBX_BUILD="$stage/build" SBX_SOURCE="$stage" SBX_TEST_USER="$SBX_TEST_USER" \
		bash "$stage/tests/setuid.sh" 2>&1 | tee "$suidlog" || status=1
	logs+=("$suidlog")
fi
read -r ok_n fail_n skip_n < <(count "${logs[@]}")
[ "$fail_n" = 0 ] || status=1
[ $status = 0 ] || [ "$fail_n" != 0 ] || fail_n=1 # a crash that printed no count
echo "tests: $ok_n passed, $fail_n failed, $skip_n skipped"
exit $status
