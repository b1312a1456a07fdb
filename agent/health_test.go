package agent

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

func TestHealthy(t *testing.T) {
	type step struct {
		advance time.Duration
		frames  bool // a video frame arrived meanwhile
		want    bool
	}
	tests := []struct {
		name      string
		subscribe bool
		failed    bool
		steps     []step
	}{
		{"frames flow", true, false, []step{{0, false, true}, {40 * time.Second, true, true}, {40 * time.Second, true, true}, {40 * time.Second, true, true}}},
		{"stuck with a viewer", true, false, []step{{0, false, true}, {30 * time.Second, false, true}, {31 * time.Second, false, false}}},
		{"recovers when frames come again", true, false, []step{{0, false, true}, {61 * time.Second, false, false}, {5 * time.Second, true, true}}},
		{"no viewers: idle, not stuck", false, false, []step{{0, false, true}, {120 * time.Second, false, true}}},
		{"Run failed", false, true, []step{{0, false, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(1e9, 0))
			a, err := New(Config{
				// A source that runs and makes nothing; the test
				// counts its frames by hand.
				Streams: map[string]string{"standard": "", "super": "", "high": "exec:sleep 600"},
				LAN:     LANConfig{Listen: "off"},
				Clock:   clk,
				Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			defer a.closeHubs()
			if tt.subscribe {
				sub, err := a.hubs[media.QualityHigh].Subscribe()
				if err != nil {
					t.Fatal(err)
				}
				defer sub.Close()
			}
			a.health.failed.Store(tt.failed)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				if s.frames {
					a.health.video[media.QualityHigh].Add(1)
				}
				if got := a.Healthy(); got != s.want {
					t.Fatalf("step %d: Healthy() = %v, want %v", i, got, s.want)
				}
			}
		})
	}
}

// frames is a source that emits the given kinds and returns.
type frames []media.Kind

func (f frames) Run(ctx context.Context, emit func(*media.Frame)) error {
	for _, k := range f {
		emit(&media.Frame{Kind: k})
	}
	return nil
}

func TestCountVideoIgnoresAudio(t *testing.T) {
	var h health
	src := h.watch(media.QualityHigh, frames{media.KindVideo, media.KindAudio, media.KindAudio, media.KindVideo})
	emitted := 0
	if err := src.Run(context.Background(), func(*media.Frame) { emitted++ }); err != nil {
		t.Fatal(err)
	}
	if n := h.video[media.QualityHigh].Load(); n != 2 || emitted != 4 {
		t.Errorf("counted %d video frames of %d, want 2 of 4", n, emitted)
	}
}
