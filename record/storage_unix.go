//go:build unix

package record

import (
	"path/filepath"

	"golang.org/x/sys/unix"
)

// freeSpace returns the bytes an unprivileged writer may still use on
// the file system holding dir.
func freeSpace(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// isMountPoint reports whether dir is the root of a file system: its
// device differs from its parent's.
func isMountPoint(dir string) bool {
	var d, p unix.Stat_t
	if unix.Stat(dir, &d) != nil || unix.Stat(filepath.Join(dir, ".."), &p) != nil {
		return false
	}
	return d.Dev != p.Dev
}
