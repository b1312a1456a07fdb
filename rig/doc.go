// Package rig holds the QEMU arm64 rig test: p2pcamd on an emulated
// arm64 camera, booted from Debian's arm64 kernel and a small initramfs.
//
// The test (rig_test.go, audio_test.go) builds the rig with
// scripts/qemu-rig (build-initramfs.sh: kernel, busybox, modules, the
// rootfs/ overlay, the cross-built arm64 and armv7 p2pcamd, and the arm64
// x264 build with its shared libraries), then boots it twice with run.sh
// under qemu-system-aarch64 (full emulation, no KVM), one board after the
// other, and checks from the host:
//
// The sim board (built-in clips):
//   - LAN mode answers get_device_st through QEMU's port forward;
//   - 5 s of live HTTP-FLV at quality=high is H.264 640x360 that ffmpeg
//     decodes cleanly;
//   - the guest loaded vivid (a virtual V4L2 camera: /dev/video0) and
//     snd-aloop (two ALSA loopback cards);
//   - the armv7 build runs on the arm64 kernel (32-bit compat).
//
// The qemu-virt board (vivid's raw YUYV through V4L2, encoded by libx264
// in p2pcamd's x264 build):
//   - the x264 build runs (dynamic loader, libc, libx264 in the image);
//   - p2pcamd --list-devices shows vivid (formats, sizes, frame rates,
//     controls) and the loopback cards;
//   - two live fetches are H.264 at the size the camera was set to,
//     start on a keyframe, decode cleanly, the first carries x264's SEI,
//     their pictures differ (vivid's on-screen clock) and the frames
//     captured keep growing;
//   - it logs the capture path's figures, measured in the guest: per
//     frame encode time, dequeue-to-emit and buffer-timestamp-to-emit
//     delays (p2pcamd's debug lines), and the CPU of p2pcamd and of
//     vivid's kthread ("p2pcam-rig: cpu:" samples from /proc);
//   - talkback comes back in the live stream, through the real ALSA
//     driver: snd-aloop loops the speaker (hw:Loopback,0) to the
//     microphone (hw:Loopback,1). The host records the live stream,
//     POSTs voice?channel=0 with two tones (1 kHz for 400 ms, then
//     1.5 kHz for 300 ms; AAC-LC as apps send it), and measures them in
//     the live audio as ffmpeg decodes it: frequency, length, level and
//     SNR against what the codecs alone leave (computed on the host), the
//     digital silence around them, the camera's own account (all played,
//     nothing dropped); it logs the round-trip delay in live media time;
//   - the same round trip against the armv7 build, which the guest runs
//     beside the camera on port 8081 (the sim board's clips, sound on a
//     second loopback card): its ALSA ioctls go through the arm64
//     kernel's 32-bit compat layer; the talker sends G.711 mu-law.
//   - one camera, two streams: a standard fetch (vivid's pictures
//     scaled in p2pcamd, its own x264) while a high one runs is H.264
//     320x180 from x264, starts on a keyframe and decodes cleanly, high
//     stays at the camera's size, and the serial log shows vivid opened
//     once for both ("scale=320x180 camera_streams=2"; last, so its
//     second encoder disturbs none of the above).
//
// Updates (ota_test.go), the sim board with an ext4 image as its
// persistent /var/lib/p2pcam (a virtio disk, which survives killing QEMU):
//   - the rig's build is stamped 1.0.0; the test cross-builds a release
//     stamped 1.1.0 and signs three bundles (1.1.0; 1.2.0, which exits at
//     start; 1.3.0, whose stream never makes a frame); a stand-in for
//     delivery in the guest installs 1.1.0 and 1.3.0 with S60p2pcamd
//     install while the camera serves;
//   - QEMU is killed (a power cut) while 1.1.0 is written, after the
//     switch before its first start, during its first start on trial and
//     before its confirmation; after each boot the camera runs 1.0.0 or
//     1.1.0 and, where it gets that far, serves live video that decodes;
//     1.1.0 confirms itself on its third start;
//   - 1.3.0 rolls itself back at its 10 s trial timeout; 1.2.0 comes by
//     real delivery: the host serves it (the guest reaches it at
//     10.0.2.2), p2pcam ota update --url makes p2pcamd download, install
//     and restart into it, the launcher rolls it back on its fourth
//     start, and p2pcam ota status follows it from downloading to
//     rolled_back; after each, 1.1.0 serves again;
//   - a power cut during a download: the real p2pcamd stamped 1.4.0
//     (12 MB) comes by real delivery at the default 256 KiB/s cap, and
//     QEMU is killed once p2pcam ota update shows a quarter of it; after
//     the reboot 1.1.0 serves, the same request again resumes the
//     download from the partial file on the disk (the host server sees
//     Range and counts the bytes it sends), and 1.4.0 installs, confirms
//     itself and serves. The guest prints p2pcamd's VmHWM and VmRSS every
//     second ("p2pcam-rig: mem:"), for the peak memory of the download
//     and verification, and for a control: the same span of 1.4.0
//     serving with no download (a fresh p2pcamd's own growth).
//
// It logs the install time of the 12 MB binary, the start to
// confirmation, both rollback times, the resumed download's rate and
// bytes, and the memory figures.
//
// The emulated guest stalls now and then on a busy host, and its sound
// cards run on without it; a round trip that fails while the guest
// stalled (the live audio's timestamps or the speaker's underruns say
// so) is made again, up to three times.
//
// Recording (record_disk_test.go, first): the qemu-virt board with a
// record disk, an ext4 image the host makes with mkfs.ext4 (disk_test.go)
// attached as a virtio-blk disk that the guest mounts on
// /var/lib/p2pcam/records; p2pcamd --record-dir records vivid through
// x264 onto it in 5 s segments. Over LAN from the host:
// get_device_st&type=playback accepts, get_file_list lists a finished
// segment and get_record_index covers it, ipc.flv?action=playback from
// the second it starts in to 3 s later is H.264 at vivid's size (the
// capturing line's), starts on a keyframe at 0, ends within a second
// before end_time and decodes cleanly, and the segment downloaded with
// format=mp4 is H.264 at that size and passes ffmpeg -xerror. It adds a
// third boot, 25-45 s on a loaded 2-core host.
//
// It needs root (scripts/qemu-rig/deps.sh installs QEMU and the arm64
// cross toolchain, and fetches the Debian packages) and
// qemu-system-aarch64; without them it is skipped, except under CI (CI
// non-empty), where a missing QEMU is a failure. -short skips it. The
// downloads, the extracted kernel and the Go build are cached (see
// build-initramfs.sh), so a warm run takes 45-70 s.
//
//	go test -race ./rig/ -run . -v
package rig
