#!/bin/sh
# gen.sh builds a C program against the kernel's uapi headers for each
# architecture whose cross compiler is installed and runs it (under
# qemu-user for foreign ones), printing the ground truth a test pins:
#   sh testdata/gen.sh testdata/ioc.c > testdata/ioc.txt
# The work is in internal/ioctltest/layoutgen.sh, which lists the
# cross compilers to install.
set -eu
src=${1:?usage: gen.sh FILE.c}
. "$(dirname "$0")/../../ioctltest/layoutgen.sh"
run_pinned
