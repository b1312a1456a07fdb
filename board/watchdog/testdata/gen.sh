#!/bin/sh
# gen.sh builds a C program against the kernel's uapi headers for each
# architecture whose cross compiler is installed and runs it (under
# qemu-user for foreign ones), printing the ground truth a test pins.
#   testdata/gen.sh testdata/ioc.c
# On Debian: apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
#   gcc-mipsel-linux-gnu gcc-i686-linux-gnu qemu-user-static
set -eu
src=${1:?usage: gen.sh FILE.c}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() { # name cc runner
	name=$1 cc=$2 runner=$3
	command -v "$cc" >/dev/null || { echo "# $name: $cc not installed"; return; }
	"$cc" -static -O0 -o "$out/$name" "$src"
	echo "# $name"
	if [ -n "$runner" ]; then "$runner" "$out/$name"; else "$out/$name"; fi
}
run amd64 gcc ""
run arm64 aarch64-linux-gnu-gcc qemu-aarch64-static
run arm arm-linux-gnueabihf-gcc qemu-arm-static
run mipsle mipsel-linux-gnu-gcc qemu-mipsel-static
run 386 i686-linux-gnu-gcc qemu-i386-static
