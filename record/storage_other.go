//go:build !unix

package record

// freeSpace is unknown here: only the quota bounds the recordings.
func freeSpace(string) (int64, bool) { return 0, false }

// isMountPoint is unknown here: false.
func isMountPoint(string) bool { return false }
