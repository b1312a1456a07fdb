package scale

import (
	"context"
	"flag"
	"testing"
	"time"
)

var (
	benchCameras = flag.Int("cameras", 5000, "BenchmarkFleet: simulated cameras")
	benchViewers = flag.Int("viewers", 200, "BenchmarkFleet: simulated viewers")
)

// TestFleet runs the load test at CI size: 300 cameras and 30 viewers on
// one mosquitto. Sessions are set up with no failure; the broker is
// killed and restarted, every camera comes back, and every viewer sets up
// a session again.
func TestFleet(t *testing.T) {
	sz := size{cameras: 300, viewers: 30, sessionsFor: 2 * time.Second, connectParallel: 50}
	r, f := run(t, sz)
	t.Logf("%+v", r)
	if r.sessions == 0 || r.failed > 0 {
		t.Fatalf("sessions: %d set up, %d without an answer", r.sessions, r.failed)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Viewers reconnect on their own, within the backoff's few seconds;
	// a session sent before a viewer's inbox is subscribed again gets
	// no answer, so each tries until one works.
	for i, v := range f.viewers {
		var err error
		for ctx.Err() == nil {
			sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
			err = v.session(sctx, f.cameras[(i*7)%len(f.cameras)].id)
			scancel()
			if err == nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("%s: no session after the broker restart: %v", v.name, err)
		}
	}
}

// BenchmarkFleet runs the load test at full size (-args -cameras N
// -viewers M) and reports the broker's memory per camera, its CPU quiet
// and busy, session set-ups per second, and the time for every camera to
// be back after a broker restart.
func BenchmarkFleet(b *testing.B) {
	sz := size{cameras: *benchCameras, viewers: *benchViewers, sessionsFor: 10 * time.Second, connectParallel: 200}
	for range b.N {
		r, _ := run(b, sz)
		b.ReportMetric(r.connect.Seconds(), "connect-s")
		b.ReportMetric(float64(r.connectedRSSKB-r.idleRSSKB)/float64(sz.cameras+sz.viewers), "broker-KB/client")
		b.ReportMetric(r.idleCPU*100, "broker-idle-%core")
		b.ReportMetric(float64(r.sessions)/sz.sessionsFor.Seconds(), "sessions/s")
		b.ReportMetric(float64(r.failed), "failed")
		b.ReportMetric(float64(r.sessionP50.Microseconds())/1000, "setup-p50-ms")
		b.ReportMetric(float64(r.sessionP99.Microseconds())/1000, "setup-p99-ms")
		b.ReportMetric(r.sessionCPU*100, "broker-busy-%core")
		b.ReportMetric(r.restart.Seconds(), "restart-s")
	}
}
