package viewer_test

import (
	"context"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
)

// BenchmarkEventLatencyGPIO measures a GPIO edge to the event at a
// connected P2P viewer: the fake kernel's edge, the input's reader, the
// bus, the camera's event stream, SCTP over loopback, the SDK's decoder.
// No debounce: a debounce adds its own period (20 ms by default). One
// op is one edge; ns/op is the mean latency, and p50/p99 are reported.
//
//	go test -run X -bench EventLatencyGPIO -benchtime 200x ./viewer/
func BenchmarkEventLatencyGPIO(b *testing.B) {
	chip, open := fakeInputs()
	r := startCameraConfig(b, brokertest.AllowAll(b), func(c *agent.Config) {
		c.Events.Inputs = []agent.InputConfig{{Name: "pir", Chip: "pinctrl-test", Line: 4, Debounce: time.Nanosecond}}
		c.OpenInput = open
	})
	c, err := r.dial(b, r.token(b, auth.PermLive))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs, err := c.Events(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer evs.Close()
	lat := make([]time.Duration, 0, b.N)
	level := false
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		level = !level
		start := time.Now()
		chip.Drive(4, level)
		select {
		case e, ok := <-evs.C:
			if !ok {
				b.Fatalf("event stream ended: %v", evs.Err())
			}
			if e.Type != "input" {
				b.Fatalf("event %+v", e)
			}
		case <-time.After(10 * time.Second):
			b.Fatalf("edge %d: no event within 10s", i)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

// reportPercentiles reports the p50 and p99 of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sorted := append([]time.Duration(nil), lat...)
	for i := range sorted { // insertion sort: small n
		for j := i; j > 0 && sorted[j] < sorted[j-1]; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	at := func(p float64) float64 {
		return float64(sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]) / 1e6
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
