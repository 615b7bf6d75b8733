#!/usr/bin/env bash
# ksmsim's set-up and everyday commands.  Run from anywhere:
#
#   tools/dev.sh deps       install the build dependencies (Debian/Ubuntu as
#                           root, or through sudo; macOS through Homebrew)
#   tools/dev.sh demo       deps + build (log in build/build.log) + the
#                           project's answer: the window in which the
#                           index-guided rmap walk misses a mapping, on the
#                           simulated and the recorded real kernels
#   tools/dev.sh test       deps + build + the whole test suite (ctest)
#   tools/dev.sh sanitize   deps + build with ASan/UBSan + the whole suite
#   tools/dev.sh release    deps + optimised build (Release, -O3) + the suite
#   tools/dev.sh fuzz [S]   deps + clang build + the libFuzzer harnesses
#                           (parser, replayer): a short smoke run, or S
#                           seconds each
#   tools/dev.sh guest [ARGS]
#                           deps + build + the baseline and lpi guest kernels
#                           (tools/guest/build.sh ARGS; ~20 min the first time)
#
# Build folders: build/ (normal), build-asan/, build-release/, build-fuzz/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)

debian_packages=(build-essential cmake pkg-config libcmocka-dev libjemalloc-dev
                 libbsd-dev libgraphviz-dev graphviz libxxhash-dev clang parallel)
brew_packages=(cmake pkg-config cmocka jemalloc libbsd graphviz xxhash parallel)

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

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

build() { # build DIR [cmake args...]
	local dir=$1; shift
	cmake -S "$root" -B "$root/$dir" "$@" >/dev/null
	cmake --build "$root/$dir" -j "$jobs"
}

# The build's output goes to DIR/build.log; on failure its end is shown.
quiet_build() { # quiet_build DIR [cmake args...]
	local dir=$1 log
	mkdir -p "$root/$dir"
	log="$root/$dir/build.log"
	echo "ksmsim: building in $dir/ (log: $dir/build.log)" >&2
	if ! build "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "ksmsim: the build failed; the whole log is $log" >&2
		exit 1
	fi
}

# The finding, shown on the simulator and on the recorded guest kernels.
demo() {
	local trace=traces/guest/f01-window-migrate.trace name rc=0
	name=$(basename "$trace" .trace)
	mkdir -p "$root/out"
	echo >&2
	(cd "$root" && build/ksmsim window --svg out/finding.svg \
		--recorded "baseline=traces/guest/baseline/$name.jsonl" \
		--recorded "lpi=traces/guest/lpi/$name.jsonl" "$trace") || rc=$?
	# 1 means "a window was found": the answer, not a failure.
	[ "$rc" -le 1 ] || exit "$rc"
	cat <<-EOF

	The trace: $trace (read its comments).  More:
	  build/ksmsim window TRACE        any trace; --json for scripts
	  build/ksmsim explore --exhaustive --depth 6 --out out   search for windows
	  docs/rmap.md                     what the window is and why it opens
	EOF
}

case "${1:-}" in
deps)
	deps ;;
demo)
	deps
	quiet_build build
	demo ;;
test)
	deps
	build build
	ctest --test-dir "$root/build" --output-on-failure -j "$jobs" ;;
sanitize)
	deps
	build build-asan -DKSMSIM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" ;;
release)
	deps
	build build-release -DCMAKE_BUILD_TYPE=Release
	ctest --test-dir "$root/build-release" --output-on-failure -j "$jobs" ;;
guest)
	shift
	deps
	build build
	"$root/tools/guest/build.sh" "$@" ;;
fuzz)
	seconds=${2:-0}
	case $seconds in
	''|*[!0-9]*)
		echo "ksmsim: fuzz takes a whole number of seconds per harness, not '$seconds'" >&2
		exit 2 ;;
	esac
	[ $# -le 2 ] || { echo "ksmsim: fuzz takes at most one argument (seconds)" >&2; exit 2; }
	deps
	# Passed every time: the cache would otherwise keep an earlier S.
	build build-fuzz -DCMAKE_C_COMPILER=clang -DKSMSIM_FUZZ=ON -DKSMSIM_FUZZ_SECONDS="$seconds"
	ctest --test-dir "$root/build-fuzz" --output-on-failure -R '^fuzz\.' ;;
-h|--help|help)
	usage ;;
'')
	usage >&2
	exit 2 ;;
*)
	echo "ksmsim: tools/dev.sh: unknown command '$1'" >&2
	usage >&2
	exit 2 ;;
esac
