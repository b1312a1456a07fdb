// Package rig holds the QEMU arm64 rig test: p2pcamd on an emulated
// arm64 camera, booted from Debian's arm64 kernel and a small initramfs.
//
// The test (rig_test.go) builds the rig with scripts/qemu-rig
// (build-initramfs.sh: kernel, busybox, modules, the rootfs/ overlay, the
// cross-built arm64 and armv7 p2pcamd), boots it with run.sh under
// qemu-system-aarch64 (full emulation, no KVM), and checks, from the host:
//
//   - LAN mode answers get_device_st through QEMU's port forward;
//   - 5 s of live HTTP-FLV at quality=high is H.264 640x360 that ffmpeg
//     decodes cleanly;
//   - the guest loaded vivid (a virtual V4L2 camera: /dev/video0) and
//     snd-aloop (an ALSA loopback card), which the qemu-virt board will
//     capture from;
//   - the armv7 build runs on the arm64 kernel (32-bit compat).
//
// It needs root (scripts/qemu-rig/deps.sh installs QEMU and fetches the
// Debian packages) and qemu-system-aarch64; without them it is skipped,
// except under CI (CI non-empty), where a missing QEMU is a failure. -short
// skips it. The downloads, the extracted kernel and the Go build are cached
// (see build-initramfs.sh), so a warm run takes 15-25 s.
//
//	go test -race ./rig/ -run . -v
package rig
