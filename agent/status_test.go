package agent

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/stream"
)

// The stream state follows the hub and the source's latest video frame.
func TestStreamState(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		name      string
		st        stream.Stats
		lastVideo time.Duration // before now; 0: never
		want      string
	}{
		{"no viewers", stream.Stats{}, 0, protocol.StreamIdle},
		{"no viewers, stopped after video", stream.Stats{}, time.Minute, protocol.StreamIdle},
		{"starting", stream.Stats{Subscribers: 1, Running: true}, 0, protocol.StreamWaiting},
		{"video flows", stream.Stats{Subscribers: 1, Running: true}, 40 * time.Millisecond, protocol.StreamRunning},
		{"video stopped", stream.Stats{Subscribers: 1, Running: true}, videoStall, protocol.StreamWaiting},
		{"source restarting", stream.Stats{Subscribers: 2}, time.Second, protocol.StreamWaiting},
	}
	for _, tt := range tests {
		m := &streamMeter{}
		if tt.lastVideo > 0 {
			m.last.Store(now.Add(-tt.lastVideo).UnixNano())
		}
		if got := streamState(tt.st, m, now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// newBenchAgent is an agent on the sim board that does not run.
func newBenchAgent(b *testing.B) *Agent {
	a, err := New(Config{LAN: LANConfig{Listen: "off"}, Clock: clock.Real{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.closeHubs)
	return a
}

// The cost a frame pays for the status: the source's meter and a
// viewer's byte count.
func BenchmarkMeterPerFrame(b *testing.B) {
	var m streamMeter
	sr := &servedRequest{clock: time.Now}
	now := time.Now()
	b.ReportAllocs()
	for i := range b.N {
		t := now.Add(time.Duration(i) * 40 * time.Millisecond)
		m.frames.add(1, t)
		m.bytes.add(4000, t)
		sr.count(4000)
	}
}

// A status report with 32 viewers (the most a camera serves), encoded.
func BenchmarkReport32Viewers(b *testing.B) {
	a := newBenchAgent(b)
	for i := range 32 {
		sr := a.served.add(protocol.Viewer{Addr: fmt.Sprintf("10.0.0.%d:5000", i)}, &httpResponder{}, "ipc.flv?action=live&channel=0&quality=high", protocol.KindLive, time.Now, nil)
		sr.started(media.Quality("high"))
		sr.count(1 << 20)
	}
	b.ReportAllocs()
	var size int
	for range b.N {
		body, err := json.Marshal(a.Report())
		if err != nil {
			b.Fatal(err)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size), "bytes/report")
}

// An encoder whose rate the camera sets shows its target in the status
// and the metrics, and follows it down when a viewer falls behind.
func TestEncoderTarget(t *testing.T) {
	a, err := New(Config{LAN: LANConfig{Listen: "off"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.closeHubs()
	clk := clock.NewFake(time.Unix(1e9, 0))
	a.encoders["high"] = newEncoderControl(&rateSource{bps: 2_000_000}, clk, slog.New(slog.NewTextHandler(io.Discard, nil)))
	a.metrics = newMetrics(a) // as New does, with the encoder in place
	check := func(want int) {
		t.Helper()
		if got := a.streamReport("high", clk.Now()).TargetBPS; got != want {
			t.Errorf("status target %d, want %d", got, want)
		}
		var out strings.Builder
		a.metrics.write(&out)
		if line := fmt.Sprintf(`p2pcam_encoder_target_bps{quality="high"} %d`+"\n", want); !strings.Contains(out.String(), line) {
			t.Errorf("metrics lack %q", line)
		}
		if strings.Contains(out.String(), `p2pcam_encoder_target_bps{quality="standard"}`) {
			t.Errorf("a stream whose rate the camera does not set has a target")
		}
	}
	check(2_000_000)
	a.encoders["high"].viewerSkipped()
	check(1_400_000)
}
