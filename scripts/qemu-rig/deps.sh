#!/usr/bin/env bash
# deps.sh: install what the QEMU arm64 rig (scripts/qemu-rig, rig/) needs.
# Idempotent and quiet: it prints only what it changes. Installing needs
# root (or sudo); without either it says so and does nothing more (the rig
# test skips without root, so this is no error for scripts/test-deps.sh).
#
#   host tools   qemu-system-aarch64 (qemu-system-arm), qemu-aarch64-static
#                (qemu-user-static), cpio, depmod (kmod), flock (util-linux)
#   x264 build   the cross toolchain for p2pcamd's arm64 cgo + libx264 build
#                (scripts/cross-build.sh --x264), which the qemu-virt board
#                runs: gcc-aarch64-linux-gnu (and its readelf), its C library
#                headers (libc6-dev-arm64-cross, which it only recommends, so
#                --no-install-recommends leaves it out), pkg-config,
#                libx264-dev:arm64
#   guest parts  Debian's arm64 kernel (linux-image-arm64 and the versioned
#                linux-image-*-arm64 it depends on) and busybox-static:arm64,
#                downloaded into the rig cache with apt-get download, never
#                installed on the host (build-initramfs.sh --fetch-only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

apt_pkgs=()
need() { command -v "$1" >/dev/null 2>&1 || apt_pkgs+=("$2"); }
need qemu-system-aarch64 qemu-system-arm
need qemu-aarch64-static qemu-user-static
need cpio cpio
need depmod kmod
need flock util-linux
need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
need pkg-config pkg-config
need readelf binutils
# The OTA case's data disk (mkfs.ext4 -d).
need mkfs.ext4 e2fsprogs
add_arch=""
if [ "$(dpkg --print-architecture)" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	add_arch=1
fi

# The cross compiler finds no libc headers without it: cgo fails on
# <stdlib.h>.
if ! echo '#include <stdlib.h>' | aarch64-linux-gnu-gcc -E -x c - >/dev/null 2>&1; then
	apt_pkgs+=(libc6-dev-arm64-cross)
fi
if ! dpkg-query -W -f='${Status}' libx264-dev:arm64 2>/dev/null | grep -q 'ok installed'; then
	apt_pkgs+=(libx264-dev:arm64)
fi

if ((${#apt_pkgs[@]})) || [ -n "$add_arch" ]; then
	sudo=""
	if [ "$(id -u)" != 0 ]; then
		if ! command -v sudo >/dev/null; then
			echo "qemu-rig deps: skipped: installing ${apt_pkgs[*]}${add_arch:+ and arm64 packages} needs root or sudo; the QEMU rig test will be skipped" >&2
			exit 0
		fi
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ -n "$add_arch" ]; then
		# Debian's arm64 packages come from the same archive, as pkg:arm64.
		echo "qemu-rig deps: dpkg --add-architecture arm64"
		$sudo dpkg --add-architecture arm64
	fi
	$sudo apt-get update -qq >/dev/null
	if ((${#apt_pkgs[@]})); then
		echo "qemu-rig deps: installing ${apt_pkgs[*]} (apt)"
		$sudo apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
	fi
fi

# Download the guest packages into the cache now, so a test run does not.
"$here/build-initramfs.sh" --fetch-only
