#!/usr/bin/env bash
# ksmsim's set-up and everyday commands.  Run from anywhere:
#
#   tools/dev.sh deps       install the build dependencies (Debian/Ubuntu as
#                           root, or through sudo; macOS through Homebrew)
#   tools/dev.sh demo       deps + build + replay the bundled example trace
#   tools/dev.sh test       deps + build + the whole test suite (ctest)
#   tools/dev.sh sanitize   deps + build with ASan/UBSan + the whole suite
#   tools/dev.sh fuzz [S]   deps + clang build + run the parser fuzzer S seconds
#   tools/dev.sh guest [ARGS]
#                           deps + build + the baseline and lpi guest kernels
#                           (tools/guest/build.sh ARGS; ~20 min the first time)
#
# Build folders: build/ (normal), build-asan/, build-fuzz/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

debian_packages=(build-essential cmake pkg-config libcmocka-dev libjemalloc-dev
                 libbsd-dev libgraphviz-dev graphviz libxxhash-dev clang)
brew_packages=(cmake pkg-config cmocka jemalloc libbsd graphviz xxhash)

deps() {
	if [ "$(uname -s)" = Darwin ]; then
		command -v brew >/dev/null || { echo "ksmsim: install Homebrew first" >&2; exit 2; }
		brew install "${brew_packages[@]}"
		return
	fi
	local missing=()
	for p in "${debian_packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || {
			echo "ksmsim: missing packages: ${missing[*]}; install them as root:" >&2
			echo "  apt-get install ${missing[*]}" >&2
			exit 2
		}
		sudo=(sudo)
	fi
	echo "ksmsim: installing ${missing[*]}" >&2
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

build() { # build DIR [cmake args...]
	local dir=$1; shift
	cmake -S "$root" -B "$root/$dir" "$@" >/dev/null
	cmake --build "$root/$dir" -j "$jobs"
}

case "${1:-}" in
deps)
	deps ;;
demo)
	deps
	build build
	"$root/build/ksmsim" replay --check-invariants=each "$root/traces/examples/fork-mremap.trace" ;;
test)
	deps
	build build
	ctest --test-dir "$root/build" --output-on-failure -j "$jobs" ;;
sanitize)
	deps
	build build-asan -DKSMSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" ;;
guest)
	shift
	deps
	build build
	"$root/tools/guest/build.sh" "$@" ;;
fuzz)
	deps
	build build-fuzz -DCMAKE_C_COMPILER=clang -DKSMSIM_FUZZ=ON
	ctest --test-dir "$root/build-fuzz" --output-on-failure -R '^fuzz\.' ;;
*)
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
	exit 2 ;;
esac
