package x264

import (
	"errors"
	"image"
	"testing"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		cfg Config
		ok  bool
	}{
		{Config{Width: 640, Height: 360}, true},
		{Config{Width: 641, Height: 360}, false},
		{Config{Width: 0, Height: 360}, false},
		{Config{Width: 640, Height: 360, Bitrate: 10}, false},
	}
	for _, tc := range tests {
		c, err := tc.cfg.withDefaults()
		if (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.cfg, err)
		}
		if err == nil && (c.Bitrate != 1_000_000 || c.KeyframeInterval != 60) {
			t.Errorf("defaults: %+v", c)
		}
	}
}

func TestNotBuilt(t *testing.T) {
	if Built {
		t.Skip("built with x264")
	}
	enc, err := New(Config{Width: 64, Height: 64})
	if !errors.Is(err, ErrNotBuilt) || enc != nil {
		t.Fatalf("New = %v, %v; want ErrNotBuilt", enc, err)
	}
	var e *Encoder
	if _, err := e.Encode(image.NewYCbCr(image.Rect(0, 0, 64, 64), image.YCbCrSubsampleRatio420), false); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("Encode = %v", err)
	}
	const want = "this p2pcamd was built without x264: use the -tags x264 build (scripts/cross-build.sh --x264)"
	if ErrNotBuilt.Error() != want {
		t.Errorf("ErrNotBuilt says %q", ErrNotBuilt)
	}
}
