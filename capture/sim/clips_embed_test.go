//go:build !nosimclips

package sim

import (
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

// The default build has the clips built in and ignores P2PCAM_SIM_DIR.
func TestEmbedded(t *testing.T) {
	if !Embedded {
		t.Fatal("Embedded is false in a default build")
	}
	t.Setenv(DirEnv, t.TempDir())
	if c, err := Clip(media.QualityHigh); err != nil || len(c) == 0 {
		t.Errorf("Clip(high) = %d bytes, %v", len(c), err)
	}
}
