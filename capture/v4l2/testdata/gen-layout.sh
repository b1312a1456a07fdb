#!/bin/sh
# gen-layout.sh builds testdata/layout.c for each architecture whose cross
# compiler is installed and runs it (under qemu-user for foreign ones),
# printing the ground truth that layout_test.go pins. The cross
# compilers to install are listed in internal/ioctltest/layoutgen.sh,
# which does the work.
# The 32-bit targets are built with the C library's default 32-bit time_t
# (Debian 12), which is the legacy layout package v4l2 uses; the
# "+time64" runs show the other layout for reference.
set -eu
src=$(dirname "$0")/layout.c
. "$(dirname "$0")/../../../internal/ioctltest/layoutgen.sh"
run_pinned
run arm+time64 arm-linux-gnueabihf-gcc qemu-arm-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
run 386+time64 i686-linux-gnu-gcc qemu-i386-static -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
