package sim

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
)

// The clips of either build (embedded, or read from $P2PCAM_SIM_DIR with
// -tags nosimclips) are the files in clips/.
func TestClip(t *testing.T) {
	t.Setenv(DirEnv, "clips") // read by nosimclips builds only
	for _, q := range []media.Quality{media.QualitySuper, media.QualityHigh, media.QualityStandard} {
		got, err := Clip(q)
		if err != nil {
			t.Fatalf("Clip(%s): %v", q, err)
		}
		want, err := os.ReadFile(filepath.Join("clips", string(q)+".h264"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Clip(%s): %d bytes, not the %d of clips/%s.h264", q, len(got), len(want), q)
		}
		if !bytes.HasPrefix(got, []byte{0, 0, 0, 1}) {
			t.Errorf("Clip(%s) is not Annex-B", q)
		}
	}
	if _, err := Clip("ultra"); err == nil {
		t.Error("Clip(ultra): no error")
	}
}

// A sim source plays its clip: the first frame is a keyframe of the
// quality's size.
func TestNew(t *testing.T) {
	t.Setenv(DirEnv, "clips")
	src, err := New(media.QualityStandard, capture.Env{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var first *media.Frame
	err = src.Run(ctx, func(f *media.Frame) {
		if first == nil {
			first = f
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if first == nil {
		t.Fatal("no frame within 5s")
	}
	if !first.Key || first.Video == nil || first.Video.Width != 320 || first.Video.Height != 180 {
		t.Errorf("first frame: key %v, video %+v; want a 320x180 keyframe", first.Key, first.Video)
	}
	if _, err := New("ultra", capture.Env{}); err == nil {
		t.Error("New(ultra): no error")
	}
}
