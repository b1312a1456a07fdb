#!/usr/bin/env bash
# run.sh: boot the QEMU arm64 rig (an emulated camera running p2pcamd).
#
#   scripts/qemu-rig/run.sh [--dir DIR] [--port PORT] [--armv7-port PORT]
#                           [--board NAME] [--serial-log FILE] [--shell]
#                           [--verbose] [--disk IMG]
#                           [-- QEMU-ARGS...]
#
#   --dir DIR         where build-initramfs.sh put vmlinuz and initrd.gz
#                     (default: its default, $CACHE/out)
#   --port PORT       host port forwarded to the guest's LAN mode port 8080,
#                     on 127.0.0.1 only (default 8080)
#   --armv7-port PORT host port forwarded to guest port 8081, where the
#                     qemu-virt board also runs the armv7 p2pcamd (on
#                     127.0.0.1; default: none)
#   --board NAME      p2pcamd board profile, passed as p2pcam.board=NAME on
#                     the kernel command line (default sim)
#   --serial-log FILE also write the serial console to FILE
#   --shell           a root shell on the serial console
#   --verbose         kernel messages on the console too (no "quiet")
#   --disk IMG        a raw ext4 image as virtio disk /dev/vda, which the
#                     guest mounts on /var/lib/p2pcam (persistent state: the
#                     A/B update slots; guest/init)
#
# Run build-initramfs.sh first. Then, from the host:
#   ffplay 'http://127.0.0.1:PORT/ipc.flv?action=live&channel=0&quality=high'
# Quit QEMU with Ctrl-A X, or poweroff -f in the --shell (it never
# reboots: -no-reboot).
# Without KVM (full emulation, 2 cores) the guest answers in about 4-10 s.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

cache=${P2PCAM_RIG_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/p2pcam-rig}
dir=$cache/out
port=8080
port2=""
board=sim
log=""
shell=0
verbose=0
disk=""
while (($#)); do
	case "$1" in
	--dir) dir=${2:?--dir needs a folder}; shift 2 ;;
	--port) port=${2:?--port needs a number}; shift 2 ;;
	--armv7-port) port2=${2:?--armv7-port needs a number}; shift 2 ;;
	--board) board=${2:?--board needs a name}; shift 2 ;;
	--serial-log) log=${2:?--serial-log needs a file}; shift 2 ;;
	--shell) shell=1; shift ;;
	--verbose) verbose=1; shift ;;
	--disk) disk=${2:?--disk needs an image}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done

for f in vmlinuz initrd.gz; do
	[ -f "$dir/$f" ] || { echo "run.sh: $dir/$f missing: run scripts/qemu-rig/build-initramfs.sh" >&2; exit 1; }
done
command -v qemu-system-aarch64 >/dev/null || { echo "run.sh: qemu-system-aarch64 missing: run scripts/qemu-rig/deps.sh" >&2; exit 1; }

# The serial console: on a terminal, interactive like -nographic (Ctrl-A X
# quits, Ctrl-A C is the QEMU monitor) and logged with --serial-log;
# otherwise (tests, CI) only to the log file, or to stdout.
console=()
if [ -t 0 ]; then
	console=(-chardev "stdio,id=con0,mux=on,signal=off${log:+,logfile=$log}"
		-serial chardev:con0 -mon "chardev=con0,mode=readline")
elif [ -n "$log" ]; then
	console=(-serial "file:$log" -monitor none)
else
	console=(-chardev "stdio,id=con0,signal=off" -serial chardev:con0 -monitor none)
fi

fwd="hostfwd=tcp:127.0.0.1:$port-:8080"
[ -n "$port2" ] && fwd+=",hostfwd=tcp:127.0.0.1:$port2-:8081"

append="console=ttyAMA0 panic=-1 p2pcam.board=$board"
[ "$verbose" = 1 ] || append+=" quiet"
[ "$shell" = 1 ] && append+=" p2pcam.shell=1"
drive=()
[ -n "$disk" ] && drive=(-drive "file=$disk,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0)

exec qemu-system-aarch64 \
	-M virt -cpu cortex-a57 -smp 2 -m 512 \
	-nographic "${console[@]}" \
	-kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
	-append "$append" \
	-netdev "user,id=n0,$fwd" \
	-device virtio-net-pci,netdev=n0,romfile= \
	"${drive[@]}" \
	-no-reboot "$@"
