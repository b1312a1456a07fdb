//go:build x264

package x264

import "testing"

// TestBuiltWithTag: a -tags x264 test run without cgo (CGO_ENABLED=0, no
// C compiler) builds the stub and leaves the encoder's tests out, which
// would pass unnoticed; this fails it instead.
func TestBuiltWithTag(t *testing.T) {
	if !Built {
		t.Fatal("built with -tags x264 but without cgo: the encoder and its tests are left out; set CGO_ENABLED=1 and install gcc and libx264-dev (scripts/test-deps.sh)")
	}
}
