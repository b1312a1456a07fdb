#!/bin/sh
# gen-layout.sh builds testdata/layout.c for each architecture whose cross
# compiler is installed and runs it (under qemu-user for foreign ones),
# printing the ground truth that layout_test.go pins:
#   sh testdata/gen-layout.sh > testdata/layout.txt
# The cross compilers to install are listed in
# internal/ioctltest/layoutgen.sh, which does the work.
# The 32-bit targets are built with the C library's default 32-bit time_t
# (Debian 12): that is the legacy snd_pcm_status layout package alsa
# uses. The "+time64" runs show the y2038 layout for reference.
set -eu
src=$(dirname "$0")/layout.c
. "$(dirname "$0")/../../../internal/ioctltest/layoutgen.sh"
run_pinned
run arm+time64 arm-linux-gnueabihf-gcc qemu-arm-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
run mipsle+time64 mipsel-linux-gnu-gcc qemu-mipsel-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
run 386+time64 i686-linux-gnu-gcc qemu-i386-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
