#!/usr/bin/env bash
# Build the guest kernels that ksmsim-kernel-replay --guest boots:
#
#   tools/guest/build.sh [--version V] [--jobs N] [--dir DIR] [--status]
#
#   --version V   Debian kernel source package: 7.2 (default, from Debian
#                 unstable) or 6.12 (Debian 12's bookworm-security)
#   --jobs N      parallel make jobs (default: the number of CPUs)
#   --dir DIR     cache folder (default $KSMSIM_GUEST_DIR, else
#                 ${XDG_CACHE_HOME:-~/.cache}/ksmsim/guest)
#   --status      print what is built and exit
#
# Two kernels come out of one source tree: "baseline" (the Debian source
# with tools/guest/patches/V/common/*.patch, fixes both kernels need, none
# for 7.2) and "lpi" (the same plus tools/guest/patches/V/lpi/*.patch, our
# rendering of the linear_page_index series).  Both share one build
# folder, so lpi costs a rebuild of mm/ksm.c only.  A kernel is cached
# under a name made of the source version, the configuration's hash and
# the patches' hash; when nothing changed, the script only checks and
# exits.  DIR/baseline and DIR/lpi link to the kernels in use, and
# DIR/NAME.info describes each (read by the replayer and RECORDED-ON).
#
# Exit status: 0 built (or already built), 2 bad usage or missing
# packages that cannot be installed, 3 a fetch or build step failed (its
# log's tail is shown).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=7.2
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
dir=${KSMSIM_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ksmsim/guest}
status_only=0

die() { echo "ksmsim guest: $*" >&2; exit 2; }
fail() { # fail MESSAGE [LOG]
	echo "ksmsim guest: $1" >&2
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "--- last lines of $2:" >&2
		tail -n 30 "$2" >&2
	fi
	exit 3
}

while [ $# -gt 0 ]; do
	case $1 in
	--version) [ $# -ge 2 ] || die "--version needs a value (7.2 or 6.12)"; version=$2; shift 2 ;;
	--version=*) version=${1#*=}; shift ;;
	--jobs|-j) [ $# -ge 2 ] || die "--jobs needs a number"; jobs=$2; shift 2 ;;
	--dir) [ $# -ge 2 ] || die "--dir needs a folder"; dir=$2; shift 2 ;;
	--status) status_only=1; shift ;;
	-h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
case $version in
7.2|6.12) ;;
*) die "--version must be 7.2 or 6.12, got '$version'" ;;
esac
case $jobs in
''|*[!0-9]*|0) die "--jobs must be a positive number, got '$jobs'" ;;
esac

status() {
	local k
	for k in baseline lpi; do
		if [ -e "$dir/$k" ]; then
			printf '%-9s %s\n' "$k" "$(readlink -f "$dir/$k")"
			sed 's/^/          /' "$dir/$k.info"
		else
			printf '%-9s not built (tools/guest/build.sh)\n' "$k"
		fi
	done
}
if [ $status_only = 1 ]; then
	status
	exit 0
fi

[ "$(uname -s)" = Linux ] || die "guest kernels are built on Linux only"

# --- packages -------------------------------------------------------------
need=(build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils
      qemu-system-x86 ca-certificates)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}"
	fi
	echo "ksmsim guest: installing ${missing[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
log=$dir/build.log

# --- fetch ----------------------------------------------------------------
# 6.12 comes from the machine's own apt sources.  7.2 is in Debian
# unstable only: a private apt state under DIR/apt points at the same
# mirror as the machine's sources with suite sid, so the system's apt
# configuration is never touched.
pkg=linux-source-$version
fetch() {
	local deb
	deb=$(ls "$dir"/debs/"$pkg"_*.deb 2>/dev/null | tail -n 1 || true)
	if [ -n "$deb" ]; then
		echo "$deb"
		return
	fi
	mkdir -p "$dir/debs"
	local apt=()
	if [ "$version" = 7.2 ]; then
		local mirror
		mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' \
			/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
			grep -oE 'https?://[^ ]+' | head -n 1 || true)
		[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
		mkdir -p "$dir/apt/parts" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
		printf 'Types: deb\nURIs: %s\nSuites: sid\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$mirror" > "$dir/apt/parts/sid.sources"
		apt=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$dir/apt/parts"
		     -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::Cache=$dir/apt/cache")
		echo "ksmsim guest: fetching the package list of Debian unstable ($mirror)" >&2
		apt-get "${apt[@]}" update >>"$log" 2>&1 ||
			fail "could not fetch Debian unstable's package list from $mirror" "$log"
	fi
	echo "ksmsim guest: downloading $pkg" >&2
	(cd "$dir/debs" && apt-get "${apt[@]}" download "$pkg" >>"$log" 2>&1) ||
		fail "could not download $pkg (apt-get download $pkg)" "$log"
	ls "$dir"/debs/"$pkg"_*.deb | tail -n 1
}
deb=$(fetch)
debver=$(dpkg-deb -f "$deb" Version)
src=$dir/src/linux-source-$version
if [ ! -f "$src/.ksmsim-from" ] || [ "$(cat "$src/.ksmsim-from")" != "$debver" ]; then
	echo "ksmsim guest: unpacking $pkg $debver" >&2
	rm -rf "$src" "$dir/src/usr"
	mkdir -p "$dir/src"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/src" "./usr/src/linux-source-$version.tar.xz" ||
		fail "could not unpack $deb" "$log"
	tar -xJf "$dir/src/usr/src/linux-source-$version.tar.xz" -C "$dir/src" ||
		fail "could not unpack the kernel source" "$log"
	rm -rf "$dir/src/usr"
	echo "$debver" > "$src/.ksmsim-from"
fi
kver=$(make -s -C "$src" kernelversion)

# --- configure ------------------------------------------------------------
shopt -s nullglob
common=("$here"/patches/$version/common/*.patch)
lpi=("$here"/patches/$version/lpi/*.patch)
shopt -u nullglob
patches=("${common[@]}" "${lpi[@]}")
[ ${#lpi[@]} -gt 0 ] || die "no lpi patches for $version in $here/patches/$version/lpi"
cfghash=$(cat "$src/arch/x86/configs/x86_64_defconfig" "$src/kernel/configs/kvm_guest.config" \
	"$here/guest.config" | sha256sum | cut -c1-12)
commonhash=none
[ ${#common[@]} -eq 0 ] || commonhash=$(cat "${common[@]}" | sha256sum | cut -c1-12)
patchhash=$(cat "${patches[@]}" | sha256sum | cut -c1-12)
obj=$dir/build-$kver
mkdir -p "$obj" "$dir/kernels"

# The source tree is patched in place; a run interrupted between patching
# and unpatching is put right here.
apply() { # apply PATCH...
	local p
	for p in "$@"; do
		patch -d "$src" -p1 -s -f --no-backup-if-mismatch < "$p" >>"$log" 2>&1 ||
			{ unpatch; fail "patch $(basename "$p") does not apply to $pkg $debver" "$log"; }
	done
}
unpatch() {
	local p
	for ((i = ${#patches[@]} - 1; i >= 0; i--)); do
		p=${patches[$i]}
		if patch -d "$src" -p1 -R --dry-run -s -f < "$p" >/dev/null 2>&1; then
			patch -d "$src" -p1 -R -s -f < "$p" >>"$log" 2>&1
		fi
	done
}
unpatch

if [ ! -f "$obj/.ksmsim-config" ] || [ "$(cat "$obj/.ksmsim-config")" != "$cfghash" ]; then
	echo "ksmsim guest: configuring $kver (defconfig + kvm_guest.config + tools/guest/guest.config)" >&2
	{
		make -C "$src" O="$obj" defconfig &&
		"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$src/kernel/configs/kvm_guest.config" "$here/guest.config" &&
		make -C "$src" O="$obj" olddefconfig
	} >>"$log" 2>&1 || fail "configuring the kernel failed" "$log"
	# Every line of guest.config that sets an option must have stuck.
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qx "$line" "$obj/.config" || fail "option did not stick: $line" ;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$obj/.config" || fail "option did not stick: $line" ;;
		esac
	done < "$here/guest.config"
	echo "$cfghash" > "$obj/.ksmsim-config"
fi

build_one() { # build_one NAME KEY
	local name=$1 key=$2 out=$dir/kernels/$kver-$1-$2.bzImage t0 t1
	if [ -f "$out" ]; then
		echo "ksmsim guest: $name kernel $kver is up to date ($out)" >&2
	else
		echo "ksmsim guest: building the $name kernel $kver with $jobs jobs (about 20 minutes from scratch on 2 CPUs; log: $log)" >&2
		t0=$(date +%s)
		make -C "$src" O="$obj" -j"$jobs" bzImage >>"$log" 2>&1 ||
			{ unpatch; fail "building the $name kernel failed" "$log"; }
		t1=$(date +%s)
		cp "$obj/arch/x86/boot/bzImage" "$out.tmp"
		mv "$out.tmp" "$out"
		{
			echo "kernel $name"
			echo "release $(cat "$obj/include/config/kernel.release")"
			echo "source $pkg $debver"
			echo "config $cfghash"
			echo "patches $([ "$name" = lpi ] && echo "$patchhash" || echo "$commonhash")"
			echo "built $(date -u +%Y-%m-%d) in $((t1 - t0)) s"
		} > "$dir/kernels/$kver-$name-$key.info"
	fi
	ln -sfn "kernels/$kver-$name-$key.bzImage" "$dir/$name"
	ln -sfn "kernels/$kver-$name-$key.info" "$dir/$name.info"
}

apply "${common[@]}"
build_one baseline "$cfghash$([ "$commonhash" = none ] || echo "-$commonhash")"
apply "${lpi[@]}"
build_one lpi "$cfghash-$patchhash"
unpatch
status
