#!/usr/bin/env bash
# cross-build.sh: build the p2pcam binaries for every camera target.
#
#   scripts/cross-build.sh                    all targets into dist/
#   scripts/cross-build.sh --only arm64,armv7 just those (comma list)
#   scripts/cross-build.sh --out DIR          somewhere else than dist/
#   scripts/cross-build.sh --cmd p2pcamd      only these commands (comma list;
#                                             default p2pcamd, and p2pcam when
#                                             cmd/p2pcam exists)
#   scripts/cross-build.sh --x264             also the cgo + libx264 build of
#                                             p2pcamd for the arm64 and amd64
#                                             targets selected, e.g.
#                                             --x264 --only arm64
#   scripts/cross-build.sh --sim-clips        p2pcamd with the sim board's
#                                             clips built in (see below)
#   scripts/cross-build.sh --keep-symbols     no -s -w: symbols for
#                                             scripts/size-report.sh
#
# Targets (name: GOOS/GOARCH and variant):
#   armv6   linux/arm GOARM=6      Raspberry Pi Zero/1, older ARM11 SoCs
#   armv7   linux/arm GOARM=7      Pi 2, most 32-bit camera SoCs
#   arm64   linux/arm64            Pi 3/4/5 (64-bit OS), newer SoCs
#   mipsle  linux/mipsle GOMIPS=softfloat  Ingenic T-series and other MIPS cameras
#   amd64   linux/amd64            PCs, x86 NVR boxes, CI
#
# Each binary is static (CGO_ENABLED=0), built with -trimpath and stripped
# (-s -w, unless --keep-symbols), named like dist/p2pcamd-linux-armv7, and
# stamped with the version from `git describe --tags --always --dirty`
# ("dev" outside git; VERSION=... overrides it). dist/SHA256SUMS lists every
# binary in the output folder.
#
# p2pcamd is built for cameras, smaller than a plain `go build` (docs/size.md
# has the figures):
#   -tags nosimclips        the sim board's clips (770 kB) are left out;
#                           p2pcamd --board sim reads them from
#                           /usr/share/p2pcam/sim (rootfs/README.md) and
#                           fails with a clear error without them.
#                           --sim-clips builds them in instead.
#   -tags nethttpomithttp2  net/http without HTTP/2, which LAN mode (plain
#                           HTTP/1.1) never speaks
#   -gcflags=PATTERN=-l     no inlining in the packages listed in
#                           scripts/noinline-packages.txt, which run only at
#                           set-up (config, signalling, handshakes)
# The p2pcam CLI is built with -tags nodemo: the demo (which runs a whole
# camera on the sim board in-process) is left out, so the shipped viewer
# CLI links no camera code; `go run ./cmd/p2pcam demo` keeps it.
#
# --x264 adds p2pcamd-linux-TARGET-x264 (TARGET arm64 or amd64): built with
# -tags x264 and cgo, so that raw cameras without a hardware encoder can use
# encoder=x264 (capture/x264, through github.com/pion/mediadevices). It is
# dynamically linked: the camera needs the dynamic loader, libc.so.6 and
# libx264.so.164 (Debian's libx264-164; scripts/qemu-rig/build-initramfs.sh
# shows which files). It needs Debian's cross compiler and arm64 libx264:
#   dpkg --add-architecture arm64 && apt-get update &&
#   apt-get install gcc-aarch64-linux-gnu pkg-config libx264-dev:arm64
# (scripts/qemu-rig/deps.sh installs them).
# A full build (no --only, no --cmd) first removes the old binaries there,
# so the folder and its SHA256SUMS always match one build. Prints a size
# table in bytes and MB (10^6 bytes).
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/dist"
only=""
cmd_list=""
x264=""
sim_clips=""
strip="-s -w "
while (($#)); do
	case "$1" in
	--only) only=${2:?--only needs a comma list, e.g. arm64,armv7}; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--cmd) cmd_list=${2:?--cmd needs a comma list, e.g. p2pcamd}; shift 2 ;;
	--cmd=*) cmd_list=${1#*=}; shift ;;
	--out) out=${2:?--out needs a folder}; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--x264) x264=1; shift ;;
	--sim-clips) sim_clips=1; shift ;;
	--keep-symbols) strip=""; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "cross-build: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

all_targets=(armv6 armv7 arm64 mipsle amd64)

# target_env NAME: the go env for one target, as VAR=VALUE words.
target_env() {
	case "$1" in
	armv6) echo "GOOS=linux GOARCH=arm GOARM=6" ;;
	armv7) echo "GOOS=linux GOARCH=arm GOARM=7" ;;
	arm64) echo "GOOS=linux GOARCH=arm64" ;;
	mipsle) echo "GOOS=linux GOARCH=mipsle GOMIPS=softfloat" ;;
	amd64) echo "GOOS=linux GOARCH=amd64" ;;
	*) return 1 ;;
	esac
}

targets=()
if [ -n "$only" ]; then
	IFS=, read -r -a targets <<<"$only"
	for t in "${targets[@]}"; do
		target_env "$t" >/dev/null || { echo "cross-build: unknown target '$t'; known: ${all_targets[*]}" >&2; exit 2; }
	done
else
	targets=("${all_targets[@]}")
fi

cd "$root"
cmds=(p2pcamd)
[ -d cmd/p2pcam ] && cmds+=(p2pcam)
if [ -n "$cmd_list" ]; then
	IFS=, read -r -a cmds <<<"$cmd_list"
	for c in "${cmds[@]}"; do
		[ -f "cmd/$c/main.go" ] || { echo "cross-build: no command cmd/$c" >&2; exit 2; }
	done
fi

# x264_env TARGET: the cgo environment of a target's x264 build, as
# VAR=VALUE words; fails for a target without one. PKG_CONFIG_LIBDIR (not
# _PATH) keeps the build machine's own x264.pc out of a cross build.
x264_env() {
	case "$1" in
	arm64) echo "CC=aarch64-linux-gnu-gcc PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig" ;;
	amd64) echo "CC=x86_64-linux-gnu-gcc PKG_CONFIG_LIBDIR=/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig" ;;
	*) return 1 ;;
	esac
}

x264_targets=()
if [ -n "$x264" ]; then
	for t in "${targets[@]}"; do
		x264_env "$t" >/dev/null && x264_targets+=("$t")
	done
	if ((${#x264_targets[@]} == 0)); then
		echo "cross-build: --x264 builds for arm64 and amd64 only; add one of them to --only" >&2
		exit 2
	fi
	for t in "${x264_targets[@]}"; do
		read -r -a xenv <<<"$(x264_env "$t")"
		cc=${xenv[0]#CC=}
		if ! command -v "$cc" >/dev/null || ! command -v pkg-config >/dev/null ||
			! dpkg-query -W -f='${Status}' "libx264-dev:$t" 2>/dev/null | grep -q 'ok installed'; then
			pkgs="pkg-config libx264-dev:$t"
			[ "$t" = arm64 ] && pkgs="gcc-aarch64-linux-gnu $pkgs"
			[ "$t" = amd64 ] && pkgs="gcc $pkgs"
			echo "cross-build: --x264 for $t needs $cc, pkg-config and libx264-dev:$t: dpkg --add-architecture $t && apt-get update && apt-get install $pkgs (scripts/qemu-rig/deps.sh does this for arm64)" >&2
			exit 3
		fi
	done
fi

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
# cmd/*/main.go declares `var version = "dev"`, stamped here.
ldflags="${strip}-X main.version=$version"

# The camera build of p2pcamd (see the top): its tags, comma-separated, and
# its -gcflags, one per package pattern in scripts/noinline-packages.txt.
camera_tags=nethttpomithttp2
[ -z "$sim_clips" ] && camera_tags="nosimclips,$camera_tags"
camera_gcflags=()
while read -r pattern; do
	camera_gcflags+=("-gcflags=$pattern=-l")
done < <(sed 's/#.*//;/^[[:space:]]*$/d' scripts/noinline-packages.txt)

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "$only" ] && [ -z "$cmd_list" ]; then
	rm -f "$out"/p2pcam-linux-* "$out"/p2pcamd-linux-*
fi

built=()
for t in "${targets[@]}"; do
	read -r -a envs <<<"$(target_env "$t")"
	for c in "${cmds[@]}"; do
		bin="$out/$c-linux-$t"
		flags=()
		[ "$c" = p2pcamd ] && flags=(-tags "$camera_tags" "${camera_gcflags[@]}")
		[ "$c" = p2pcam ] && flags=(-tags nodemo)
		env "${envs[@]}" CGO_ENABLED=0 go build -trimpath "${flags[@]}" -ldflags "$ldflags" -o "$bin.tmp" "./cmd/$c"
		mv -f "$bin.tmp" "$bin"
		built+=("$bin")
	done
done

for t in "${x264_targets[@]}"; do
	read -r -a envs <<<"$(target_env "$t")"
	read -r -a xenv <<<"$(x264_env "$t")"
	bin="$out/p2pcamd-linux-$t-x264"
	env "${envs[@]}" "${xenv[@]}" CGO_ENABLED=1 \
		go build -trimpath -tags "x264,$camera_tags" "${camera_gcflags[@]}" -ldflags "$ldflags" -o "$bin.tmp" ./cmd/p2pcamd
	mv -f "$bin.tmp" "$bin"
	built+=("$bin")
done

(
	cd "$out"
	shopt -s nullglob
	bins=(p2pcam-linux-* p2pcamd-linux-*)
	sha256sum "${bins[@]}" >SHA256SUMS.tmp
	mv -f SHA256SUMS.tmp SHA256SUMS
)

# Sizes in bytes and in MB of 10^6 bytes, as docs/size.md and the 10 MB
# target count them (not MiB).
printf '%-32s %10s %8s\n' binary bytes MB
for b in "${built[@]}"; do
	size=$(stat -c %s "$b")
	printf '%-32s %10d %8s\n' "$(basename "$b")" "$size" "$(awk -v s="$size" 'BEGIN{printf "%.2f", s/1e6}')"
done
echo "version $version -> $out"
