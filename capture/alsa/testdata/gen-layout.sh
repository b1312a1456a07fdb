#!/bin/sh
# gen-layout.sh builds testdata/layout.c for each architecture whose cross
# compiler is installed and runs it (under qemu-user for foreign ones),
# printing the ground truth that layout_test.go pins:
#   sh testdata/gen-layout.sh > testdata/layout.txt
# On Debian:
#   apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
#     gcc-mipsel-linux-gnu gcc-i686-linux-gnu qemu-user-static
# The 32-bit targets are built with the C library's default 32-bit time_t
# (Debian 12): that is the legacy snd_pcm_status layout package alsa
# uses. The "+time64" runs show the y2038 layout for reference.
set -eu
src=$(dirname "$0")/layout.c
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # name cc runner [cflags...]
	name=$1 cc=$2 runner=$3
	shift 3
	command -v "$cc" >/dev/null || { echo "# $name: $cc not installed"; return; }
	"$cc" -static -O0 "$@" -o "$out/$name" "$src"
	echo "# $name"
	if [ -n "$runner" ]; then "$runner" "$out/$name"; else "$out/$name"; fi
}
run amd64 gcc ""
run arm64 aarch64-linux-gnu-gcc qemu-aarch64-static
run arm arm-linux-gnueabihf-gcc qemu-arm-static
run mipsle mipsel-linux-gnu-gcc qemu-mipsel-static
run 386 i686-linux-gnu-gcc qemu-i386-static
run arm+time64 arm-linux-gnueabihf-gcc qemu-arm-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
run mipsle+time64 mipsel-linux-gnu-gcc qemu-mipsel-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
run 386+time64 i686-linux-gnu-gcc qemu-i386-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
