//go:build linux

package v4l2

import "unsafe"

// qemu-i386 cannot run Go 386 binaries (the runtime crashes under it),
// so for 386 the arch-dependent sizes of the pinned table are also
// checked when the tests compile: `GOARCH=386 go vet` fails on a
// mismatch, since indexing a one-element array with a non-zero (or
// negative) constant does not compile.
var _ = [1]struct{}{}[unsafe.Sizeof(format{})-204]
var _ = [1]struct{}{}[unsafe.Sizeof(plane{})-60]
var _ = [1]struct{}{}[unsafe.Sizeof(buffer{})-68]
var _ = [1]struct{}{}[unsafe.Sizeof(extControls{})-24]
var _ = [1]struct{}{}[unsafe.Offsetof(buffer{}.M)-52]
var _ = [1]struct{}{}[unsafe.Offsetof(buffer{}.Timestamp)-20]
