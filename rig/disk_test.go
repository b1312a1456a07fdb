package rig_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// recordDiskSize is the record disk's size: room for a minute of
// recording above p2pcamd's default min_free_mb (64 MiB). The image is
// sparse: the host writes only what mkfs.ext4 and the guest write.
const recordDiskSize = 160 << 20

// recordDiskSerial names the record disk to the guest: /init mounts the
// virtio disk with this serial on /var/lib/p2pcam/records
// (scripts/qemu-rig/guest/init).
const recordDiskSerial = "p2pcam-records"

// recordDisk makes an empty ext4 image in the test's temp dir with the
// host's mkfs.ext4 (e2fsprogs: scripts/qemu-rig/deps.sh installs it) and
// returns the QEMU arguments that attach it as a virtio-blk disk with
// the serial recordDiskSerial, and the image's path.
func recordDisk(t *testing.T) (qemu []string, img string) {
	t.Helper()
	mkfs, err := exec.LookPath("mkfs.ext4")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mkfs.ext4 not found under CI: scripts/qemu-rig/deps.sh installs e2fsprogs")
		}
		t.Skip("mkfs.ext4 not found: run scripts/qemu-rig/deps.sh (e2fsprogs)")
	}
	img = filepath.Join(t.TempDir(), "records.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, recordDiskSize); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, "-q", "-F", "-L", "records", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4 %s: %v\n%s", img, err, out)
	}
	return []string{
		"-drive", "file=" + img + ",format=raw,if=none,id=records",
		"-device", "virtio-blk-pci,drive=records,serial=" + recordDiskSerial,
	}, img
}
