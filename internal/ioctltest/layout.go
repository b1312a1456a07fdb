package ioctltest

import (
	"runtime"
	"testing"
)

// Archs are the GOARCH values the packages pin layouts for: the columns
// of their tables. Ground truth comes from each package's
// testdata/layout.c (or ioc.c), built with gcc and Debian's cross
// compilers and run under qemu-user.
var Archs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

// NArch is the number of columns.
const NArch = len(Archs)

// Same returns a row with v in every column.
func Same[T any](v T) [NArch]T { return [NArch]T{v, v, v, v, v} }

// Pin is one pinned value: Got is what the Go code computes (a size, an
// offset or a request number), Want what the C compiler gave, per
// column of Archs.
type Pin[T uintptr | uint] struct {
	Name string
	Got  T
	Want [NArch]T
}

// Column returns the column of the running GOARCH in Archs, and skips t
// if it has none.
func Column(t testing.TB) int {
	t.Helper()
	for i, a := range Archs {
		if a == runtime.GOARCH {
			return i
		}
	}
	t.Skipf("no pinned layout for GOARCH=%s", runtime.GOARCH)
	return -1
}

// Check reports every pin whose Got differs from its Want on the running
// GOARCH (skipping t if there is no column for it). format reads the
// name, the value got, the GOARCH and the value wanted, in that order.
func Check[T uintptr | uint](t testing.TB, pins []Pin[T], format string) {
	t.Helper()
	col := Column(t)
	for _, p := range pins {
		if p.Got != p.Want[col] {
			t.Errorf(format, p.Name, p.Got, runtime.GOARCH, p.Want[col])
		}
	}
}

// CheckNames reports a request whose name in names is not the one it is
// pinned under, and a names table that holds more or fewer requests
// than are pinned.
func CheckNames(t testing.TB, pins []Pin[uint], names map[uint]string) {
	t.Helper()
	for _, p := range pins {
		if names[p.Got] != p.Name {
			t.Errorf("%s is named %q", p.Name, names[p.Got])
		}
	}
	if len(names) != len(pins) {
		t.Errorf("%d requests are named but %d pinned", len(names), len(pins))
	}
}

// Rule is a size or offset as the C layout rules alone (pointer size and
// alignment) say it must be on every GOARCH.
type Rule struct {
	Name      string
	Got, Want uintptr
}

// CheckRules reports every rule broken.
func CheckRules(t testing.TB, rules []Rule) {
	t.Helper()
	for _, r := range rules {
		if r.Got != r.Want {
			t.Errorf("%s = %d, want %d", r.Name, r.Got, r.Want)
		}
	}
}

// Align rounds n up to a multiple of a, a power of two.
func Align(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }
