# layoutgen.sh is sourced (not run) by the testdata/gen*.sh scripts of the
# packages that pin kernel struct layouts and ioctl numbers (board/gpio,
# board/watchdog, internal/ioc, capture/alsa, capture/v4l2). Set src to
# the C file first; then run_pinned builds it for each column of
# ioctltest.Archs whose cross compiler is installed and runs it (under
# qemu-user for foreign ones), printing the ground truth; run adds a
# build of your own. On Debian:
#   apt-get install gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf \
#     gcc-mipsel-linux-gnu gcc-i686-linux-gnu qemu-user-static
set -eu
: "${src:?layoutgen.sh: set src to the C file before sourcing}"
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
run_pinned() { # the columns of ioctltest.Archs, in order
	run amd64 gcc ""
	run arm64 aarch64-linux-gnu-gcc qemu-aarch64-static
	run arm arm-linux-gnueabihf-gcc qemu-arm-static
	run mipsle mipsel-linux-gnu-gcc qemu-mipsel-static
	run 386 i686-linux-gnu-gcc qemu-i386-static
}
