// Package rig holds the QEMU arm64 rig test: p2pcamd on an emulated
// arm64 camera, booted from Debian's arm64 kernel and a small initramfs.
//
// The test (rig_test.go) builds the rig with scripts/qemu-rig
// (build-initramfs.sh: kernel, busybox, modules, the rootfs/ overlay, the
// cross-built arm64 and armv7 p2pcamd, and the arm64 x264 build with its
// shared libraries), then boots it twice with run.sh under
// qemu-system-aarch64 (full emulation, no KVM), one board after the
// other, and checks from the host:
//
// The sim board (built-in clips):
//   - LAN mode answers get_device_st through QEMU's port forward;
//   - 5 s of live HTTP-FLV at quality=high is H.264 640x360 that ffmpeg
//     decodes cleanly;
//   - the guest loaded vivid (a virtual V4L2 camera: /dev/video0) and
//     snd-aloop (an ALSA loopback card);
//   - the armv7 build runs on the arm64 kernel (32-bit compat).
//
// The qemu-virt board (vivid's raw YUYV through V4L2, encoded by libx264
// in p2pcamd's x264 build):
//   - the x264 build runs (dynamic loader, libc, libx264 in the image);
//   - p2pcamd --list-devices shows vivid (formats, sizes, frame rates,
//     controls) and the loopback card;
//   - two live fetches are H.264 at the size the camera was set to,
//     start on a keyframe, decode cleanly, the first carries x264's SEI,
//     their pictures differ (vivid's on-screen clock) and the frames
//     captured keep growing;
//   - it logs the capture path's figures, measured in the guest: per
//     frame encode time, dequeue-to-emit and buffer-timestamp-to-emit
//     delays (p2pcamd's debug lines), and the CPU of p2pcamd and of
//     vivid's kthread ("p2pcam-rig: cpu:" samples from /proc).
//
// It needs root (scripts/qemu-rig/deps.sh installs QEMU and the arm64
// cross toolchain, and fetches the Debian packages) and
// qemu-system-aarch64; without them it is skipped, except under CI (CI
// non-empty), where a missing QEMU is a failure. -short skips it. The
// downloads, the extracted kernel and the Go build are cached (see
// build-initramfs.sh), so a warm run takes 40-60 s.
//
//	go test -race ./rig/ -run . -v
package rig
