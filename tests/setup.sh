# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by tests/demo.sh and tests/run.sh: install what the build and the
# tests need (Debian 12, as root), create the unprivileged test user, and
# build in a world-readable copy of the tree so that user can run it too.

SBX_TEST_USER=${SBX_TEST_USER:-sandbox-test}
SBX_PACKAGES=(gcc libc6-dev meson ninja-build pkg-config libseccomp-dev libcap-dev
	libcmocka-dev python3 bubblewrap util-linux bsdutils passwd binutils procps
	clang libclang-rt-dev libbpf-dev bpftool make sqlite3 tar gzip iproute2 chromium fonts-dejavu-core strace)

sbx_log() { printf '== %s\n' "$*" >&2; }

sbx_install_deps() {
	local missing=()
	for p in "${SBX_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		sbx_log "missing packages: ${missing[*]}; run as root to install them"
		return 1
	fi
	sbx_log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

sbx_ensure_user() {
	[ "$(id -u)" = 0 ] || return 0
	if ! id "$SBX_TEST_USER" >/dev/null 2>&1; then
		sbx_log "creating the unprivileged test user $SBX_TEST_USER"
		useradd --create-home --shell /bin/sh "$SBX_TEST_USER"
	fi
}

# sbx_stage SRC: copy the tree (without build directories and .git) into a new
# world-readable directory; prints its path.
sbx_stage() {
	local src=$1 dir
	dir=$(mktemp -d /tmp/sandbox-build.XXXXXX)
	chmod 755 "$dir"
	tar -C "$src" --exclude=./.git --exclude='./build*' -cf - . | tar -C "$dir" -xf -
	chmod -R a+rX "$dir"
	echo "$dir"
}

# sbx_build DIR: configure and compile DIR/build with warnings as errors.
sbx_build() {
	local dir=$1
	sbx_log "building in $dir/build"
	meson setup --werror "$dir/build" "$dir" >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log"; return 1; }
	ninja -C "$dir/build" >"$dir/build.log" 2>&1 || { cat "$dir/build.log"; return 1; }
	chmod -R a+rX "$dir"
}

# sbx_as_user CMD...: run CMD as the test user (or as ourselves if not root).
sbx_as_user() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$SBX_TEST_USER" -- "$@"
	else
		"$@"
	fi
}

# sbx_prepare SRC: everything before a run: packages, test user, a staged
# build. Sets $stage and removes it when the calling script exits.
sbx_prepare() {
	sbx_install_deps
	sbx_ensure_user
	stage=$(sbx_stage "$1")
	trap 'rm -rf "$stage"' EXIT
	sbx_build "$stage"
}
