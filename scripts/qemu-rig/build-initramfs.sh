#!/usr/bin/env bash
# build-initramfs.sh: build the QEMU arm64 rig's kernel and initramfs.
#
#   scripts/qemu-rig/build-initramfs.sh [--out DIR] [--bin-dir DIR]
#                                       [--fetch-only] [--refresh]
#
# Writes DIR/vmlinuz, DIR/initrd.gz (gzip'd cpio) and DIR/kernel-version.
# DIR defaults to $CACHE/out, where CACHE is $P2PCAM_RIG_CACHE, else
# ${XDG_CACHE_HOME:-$HOME/.cache}/p2pcam-rig. scripts/qemu-rig/run.sh boots
# them.
#
# Parts, all cached under CACHE so a rebuild takes seconds:
#   debs/      Debian's arm64 kernel (linux-image-arm64 and the versioned
#              linux-image-*-arm64 it depends on) and busybox-static:arm64,
#              fetched with apt-get download (needs `dpkg --add-architecture
#              arm64`: scripts/qemu-rig/deps.sh); never installed
#   kernel/    the kernel package extracted (dpkg-deb -x), depmod'ed
#   busybox/   the busybox package extracted
#   libs/      Debian's arm64 libc6 and libx264-NNN, extracted: the shared
#              libraries of the x264 build (fetched with apt-get download)
#   dist/      p2pcamd for arm64 and armv7, and the arm64 x264 build
#              (scripts/cross-build.sh --x264)
# --bin-dir DIR take p2pcamd-linux-arm64, p2pcamd-linux-arm64-x264 and
#               p2pcamd-linux-armv7 from DIR (a release, say) instead of
#               cross-building them; also $P2PCAM_RIG_BIN_DIR (so go test
#               ./rig/ can use it)
# --fetch-only  only download the packages (deps.sh calls this)
# --refresh     download the packages again (a newer kernel, say)
#
# The initramfs holds: static busybox, the kernel modules the rig loads
# (vivid, snd-aloop, virtio_pci, virtio_net, virtio_blk, ext4 with crc32c, and their
# dependencies) under
# /lib/modules/VERSION with a fresh modules.dep and their options
# (guest/vivid.conf, guest/snd-aloop.conf) in /etc/modprobe.d, the camera
# image overlay rootfs/etc (S60p2pcamd, p2pcamd.toml with LAN mode on
# 0.0.0.0:8080), /usr/bin/p2pcamd (arm64, static), /usr/bin/p2pcamd-x264
# (arm64, cgo + libx264, dynamically linked) with the shared libraries it
# needs (found by following readelf's NEEDED entries through the extracted
# packages: the dynamic loader /lib/ld-linux-aarch64.so.1, libc.so.6,
# libm.so.6, libx264.so.NNN, in /lib/aarch64-linux-gnu),
# /usr/bin/p2pcamd-armv7, and the rig's /init (scripts/qemu-rig/guest/init),
# which swaps in the x264 build for the qemu-virt board and starts the
# armv7 build beside it.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache=${P2PCAM_RIG_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/p2pcam-rig}
out=""
bin_dir=${P2PCAM_RIG_BIN_DIR:-}
fetch_only=""
refresh=""
while (($#)); do
	case "$1" in
	--out) out=${2:?--out needs a folder}; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--bin-dir) bin_dir=${2:?--bin-dir needs a folder}; shift 2 ;;
	--bin-dir=*) bin_dir=${1#*=}; shift ;;
	--fetch-only) fetch_only=1; shift ;;
	--refresh) refresh=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "build-initramfs: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
out=${out:-$cache/out}

# Modules the rig loads; modules.dep adds their dependencies.
modules=(virtio_pci virtio_net virtio_blk crc32c_generic ext4 vivid snd-aloop)

die() { echo "build-initramfs: $*" >&2; exit 1; }

mkdir -p "$cache/debs"
debs=$cache/debs
# One build at a time per cache (two test runs, say).
exec 9>"$cache/.lock"
flock 9

# apt_download PKG...: apt-get download into $debs, quietly; refreshes the
# package lists once when a package is not found.
apt_download() {
	local log
	log=$(mktemp)
	# apt drops to user _apt to download, which cannot write to a root-only
	# cache; as root, download as root instead (no sandbox warning).
	local sandbox=()
	[ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
	if ! (cd "$debs" && apt-get download -qq "${sandbox[@]}" "$@" >"$log" 2>&1); then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >/dev/null 2>&1 || true
		fi
		if ! (cd "$debs" && apt-get download -qq "${sandbox[@]}" "$@" >"$log" 2>&1); then
			cat "$log" >&2
			rm -f "$log"
			die "apt-get download $* failed: run scripts/qemu-rig/deps.sh (dpkg --add-architecture arm64; apt-get update)"
		fi
	fi
	rm -f "$log"
}

# newest GLOB: the newest file matching GLOB, or nothing.
newest() {
	local f best="" files
	shopt -s nullglob
	# shellcheck disable=SC2206 # $1 is a glob, expanded here on purpose
	files=($1)
	for f in "${files[@]}"; do
		if [ -z "$best" ] || [ "$f" -nt "$best" ]; then
			best=$f
		fi
	done
	echo "$best"
}

fetch() {
	if [ -n "$refresh" ]; then
		rm -f "$debs"/*.deb
		rm -rf "$cache/kernel" "$cache/busybox"
	fi
	local meta bb kpkg kdeb
	meta=$(newest "$debs/linux-image-arm64_*_arm64.deb")
	bb=$(newest "$debs/busybox-static_*_arm64.deb")
	[ -n "$meta" ] || apt_download linux-image-arm64:arm64
	[ -n "$bb" ] || apt_download busybox-static:arm64
	meta=$(newest "$debs/linux-image-arm64_*_arm64.deb")
	bb=$(newest "$debs/busybox-static_*_arm64.deb")
	if [ -z "$meta" ] || [ -z "$bb" ]; then
		die "downloads missing in $debs"
	fi
	# "linux-image-6.1.0-56-arm64 (= 6.1.192-2)": the versioned image.
	kpkg=$(dpkg-deb -f "$meta" Depends | tr ',|' '\n' | sed -n 's/^ *\(linux-image-[0-9][^ ]*-arm64\).*/\1/p' | head -n1)
	[ -n "$kpkg" ] || die "no linux-image-*-arm64 in the Depends of $meta"
	kdeb=$(newest "$debs/${kpkg}_*_arm64.deb")
	if [ -z "$kdeb" ]; then
		apt_download "$kpkg:arm64"
		kdeb=$(newest "$debs/${kpkg}_*_arm64.deb")
		[ -n "$kdeb" ] || die "download of $kpkg missing in $debs"
	fi
	kernel_deb=$kdeb
	busybox_deb=$bb
}

# extract DEB DIR: dpkg-deb -x once, marked done by DIR/.extracted.
extract() {
	[ -f "$2/.extracted" ] && return 0
	rm -rf "$2"
	mkdir -p "$2"
	dpkg-deb -x "$1" "$2"
	touch "$2/.extracted"
}

# lib_package SONAME: the Debian arm64 package shipping a library the x264
# build needs (Debian names library packages after their soname).
lib_package() {
	case "$1" in
	libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | ld-linux-aarch64.so.1) echo libc6 ;;
	libx264.so.*) echo "libx264-${1##*.so.}" ;;
	*) return 1 ;;
	esac
}

# fetch_lib PKG: download PKG:arm64 once and extract it under $cache/libs;
# prints the extracted folder.
fetch_lib() {
	local deb
	deb=$(newest "$debs/${1}_*_arm64.deb")
	if [ -z "$deb" ]; then
		apt_download "$1:arm64"
		deb=$(newest "$debs/${1}_*_arm64.deb")
		[ -n "$deb" ] || die "download of $1:arm64 missing in $debs"
	fi
	local dir
	dir=$cache/libs/$(basename "$deb" .deb)
	extract "$deb" "$dir"
	echo "$dir"
}

fetch
if [ -n "$fetch_only" ]; then
	# The x264 build's libraries: libc6, and the libx264 the cross
	# toolchain links against (when it is installed).
	fetch_lib libc6 >/dev/null
	if x264dep=$(dpkg-query -W -f='${Depends}' libx264-dev:arm64 2>/dev/null); then
		x264pkg=$(echo "$x264dep" | tr ',' '\n' | sed -n 's/^ *\(libx264-[0-9][0-9]*\).*/\1/p' | head -n1)
		[ -n "$x264pkg" ] && fetch_lib "$x264pkg" >/dev/null
	fi
	exit 0
fi

for tool in depmod cpio gzip readelf; do
	command -v "$tool" >/dev/null || die "$tool missing: run scripts/qemu-rig/deps.sh"
done

kdir=$cache/kernel/$(basename "$kernel_deb" .deb)
extract "$kernel_deb" "$kdir"
kver=$(basename "$(newest "$kdir/lib/modules/*-arm64")")
if [ -z "$kver" ] || [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
	die "no kernel in $kdir"
fi
if [ ! -f "$kdir/lib/modules/$kver/modules.dep" ]; then
	depmod -b "$kdir" "$kver"
fi
bdir=$cache/busybox/$(basename "$busybox_deb" .deb)
extract "$busybox_deb" "$bdir"

if [ -z "$bin_dir" ]; then
	bin_dir=$cache/dist
	# A release version, which OTA updates compare (git describe's is not
	# one): the rig's OTA test installs newer ones over it.
	VERSION=${P2PCAM_RIG_VERSION:-1.0.0} "$root/scripts/cross-build.sh" --only arm64,armv7 --cmd p2pcamd --x264 --out "$bin_dir" >/dev/null
fi
for arch in arm64 arm64-x264 armv7; do
	[ -f "$bin_dir/p2pcamd-linux-$arch" ] || die "$bin_dir/p2pcamd-linux-$arch missing (scripts/cross-build.sh --x264 --only arm64,armv7 builds them)"
done

# Stage the tree.
stage=$cache/stage
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc/init.d,etc/default,etc/modprobe.d,proc,sys,dev,run,tmp,root,var/log,var/lib/p2pcam}
ln -s ../run "$stage/var/run"
install -m 0755 "$bdir/bin/busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
ln -s ../bin/busybox "$stage/sbin/init"

# Modules: the wanted ones and what modules.dep says they need.
mdir=$kdir/lib/modules/$kver
declare -A want_ko=()
for m in "${modules[@]}"; do
	if grep -qE "/${m//[-_]/[-_]}\\.ko\$" "$mdir/modules.builtin"; then
		continue # built in
	fi
	line=$(grep -E "(^|/)${m//[-_]/[-_]}\\.ko:" "$mdir/modules.dep") || die "module $m not in $mdir/modules.dep"
	for ko in ${line/:/}; do
		want_ko[$ko]=1
	done
done
smdir=$stage/lib/modules/$kver
mkdir -p "$smdir"
for ko in "${!want_ko[@]}"; do
	install -D -m 0644 "$mdir/$ko" "$smdir/$ko"
done
cp "$mdir"/modules.{builtin,builtin.modinfo,order} "$smdir/"
depmod -b "$stage" "$kver"
install -m 0644 "$here/guest/vivid.conf" "$stage/etc/modprobe.d/vivid.conf"
install -m 0644 "$here/guest/snd-aloop.conf" "$stage/etc/modprobe.d/snd-aloop.conf"

# The camera image overlay, with LAN mode open to QEMU's port forward.
cp -a "$root/rootfs/etc/." "$stage/etc/"
conf=$stage/etc/p2pcam/p2pcamd.toml
sed -i 's/^listen = "127\.0\.0\.1:8080"$/listen = "0.0.0.0:8080"/' "$conf"
grep -q '^listen = "0.0.0.0:8080"$' "$conf" || die "could not set listen = \"0.0.0.0:8080\" in $conf: has rootfs/etc/p2pcam/p2pcamd.toml changed shape?"
install -m 0755 "$bin_dir/p2pcamd-linux-arm64" "$stage/usr/bin/p2pcamd"
install -m 0755 "$bin_dir/p2pcamd-linux-armv7" "$stage/usr/bin/p2pcamd-armv7"
install -m 0755 "$bin_dir/p2pcamd-linux-arm64-x264" "$stage/usr/bin/p2pcamd-x264"
# The camera build leaves the sim clips out (-tags nosimclips); the sim
# board reads them from here.
install -D -m 0644 -t "$stage/usr/share/p2pcam/sim" "$root"/capture/sim/clips/*.h264

# The x264 build's shared libraries, from Debian's arm64 packages: follow
# the NEEDED entries from the binary, through every library found.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
interp=$(readelf -l "$stage/usr/bin/p2pcamd-x264" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
[ -n "$interp" ] || die "p2pcamd-linux-arm64-x264 names no dynamic loader: is it the cgo build?"
declare -A lib_dirs=() done_libs=()
# shellcheck disable=SC2207 # sonames have no spaces
todo=($(needed "$stage/usr/bin/p2pcamd-x264") "$(basename "$interp")")
mkdir -p "$stage/lib/aarch64-linux-gnu"
while ((${#todo[@]})); do
	so=${todo[0]}
	todo=("${todo[@]:1}")
	[ -n "${done_libs[$so]:-}" ] && continue
	done_libs[$so]=1
	pkg=$(lib_package "$so") || die "no Debian package known for $so, which p2pcamd-x264 needs"
	[ -n "${lib_dirs[$pkg]:-}" ] || lib_dirs[$pkg]=$(fetch_lib "$pkg")
	src=""
	for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
		[ -e "${lib_dirs[$pkg]}/$d/$so" ] && src=${lib_dirs[$pkg]}/$d/$so && break
	done
	[ -n "$src" ] || die "$so not in Debian's $pkg:arm64 (${lib_dirs[$pkg]})"
	install -m 0755 "$(readlink -f "$src")" "$stage/lib/aarch64-linux-gnu/$so"
	# shellcheck disable=SC2207
	todo+=($(needed "$stage/lib/aarch64-linux-gnu/$so"))
done
mkdir -p "$stage$(dirname "$interp")"
[ -e "$stage$interp" ] || ln -s "/lib/aarch64-linux-gnu/$(basename "$interp")" "$stage$interp"

install -m 0755 "$here/guest/init" "$stage/init"
install -m 0644 "$here/guest/inittab" "$stage/etc/inittab"
install -m 0755 "$here/guest/rcS" "$stage/etc/init.d/rcS"
install -m 0755 "$here/guest/rcK" "$stage/etc/init.d/rcK"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\nvideo:x:44:\naudio:x:29:\n' >"$stage/etc/group"

# Pack. gzip -1: the guest unpacks it under emulation, where -9 costs more
# boot time than it saves.
mkdir -p "$out"
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$out/initrd.gz.tmp"
mv -f "$out/initrd.gz.tmp" "$out/initrd.gz"
cmp -s "$kdir/boot/vmlinuz-$kver" "$out/vmlinuz" 2>/dev/null || cp -f "$kdir/boot/vmlinuz-$kver" "$out/vmlinuz"
echo "$kver" >"$out/kernel-version"
