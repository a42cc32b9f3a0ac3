#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The quick-start demo: installs the build dependencies (Debian 12, as root),
# builds, and runs real programs in the sandbox as an unprivileged user.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/setup.sh"

sbx_prepare "$src"
H=$stage/build/helper/sandbox-helper

# A clean environment, as a login would give, from "/" (the sandbox would
# otherwise show the caller's directory, empty, in its root).
cd /
show() {
	printf '\n$'; printf ' %q' "$@"; echo
	sbx_as_user env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent "$@" ||
		printf '(exit status %d)\n' $?
}
echo
echo "Running as $( [ "$(id -u)" = 0 ] && echo "$SBX_TEST_USER" || id -un ), with the shell policy:"
show "$H" --policy=shell -- /bin/ls -la /
show "$H" --policy=shell -- /bin/sh -c 'id; uname -n; head -n 2 /etc/os-release'
show "$H" --policy=shell -- /bin/cat /etc/shadow
echo
echo "The same in strict mode: every path request goes to the broker, which logs each refusal:"
show "$H" --strict --policy=shell -- /bin/ls -la /
show "$H" --strict --policy=shell -- /bin/cat /etc/shadow
