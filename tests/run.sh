#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test command: installs what it needs (Debian 12, as root), builds, and
# runs every test: the unit tests, then the integration tests as root and as
# the unprivileged test user. Exits non-zero on any failure.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/setup.sh"

sbx_install_deps
sbx_ensure_user
stage=$(sbx_stage "$src")
trap 'rm -rf "$stage"' EXIT
sbx_build "$stage"

status=0
sbx_log "unit and integration tests as $(id -un)"
meson test -C "$stage/build" --print-errorlogs --no-rebuild || status=1
# meson's own summary, as counts.
read -r ok_n fail_n < <(python3 - "$stage/build/meson-logs/testlog.json" <<'PY'
import json, sys
ok = fail = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r == "OK": ok += 1
    elif r not in ("SKIP",): fail += 1
print(ok, fail)
PY
)
if [ "$(id -u)" = 0 ]; then
	sbx_log "integration tests as the unprivileged user $SBX_TEST_USER"
	out=$(mktemp)
	if sbx_as_user env SBX_BUILD="$stage/build" SBX_SOURCE="$stage" TMPDIR=/tmp \
		bash "$stage/tests/integration.sh" | tee "$out"; then
		ok_n=$((ok_n + 1))
	else
		fail_n=$((fail_n + 1)); status=1
	fi
	rm -f "$out"
fi
echo "test suites: $ok_n passed, $fail_n failed"
exit $status
