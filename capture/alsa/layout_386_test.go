//go:build linux

package alsa

import "unsafe"

// qemu-i386 cannot run Go 386 binaries (the runtime crashes under it),
// so for 386 the arch-dependent sizes of the pinned table are also
// checked when the tests compile: `GOARCH=386 go vet` fails on a
// mismatch, since indexing a one-element array with a non-zero (or
// negative) constant does not compile.
var _ = [1]struct{}{}[unsafe.Sizeof(hwParams{})-604]
var _ = [1]struct{}{}[unsafe.Sizeof(swParams{})-104]
var _ = [1]struct{}{}[unsafe.Sizeof(pcmStatus{})-108]
var _ = [1]struct{}{}[unsafe.Sizeof(xferi{})-12]
var _ = [1]struct{}{}[unsafe.Offsetof(pcmStatus{}.ApplPtr)-20]
var _ = [1]struct{}{}[unsafe.Offsetof(swParams{}.AvailMin)-12]
