package link_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
)

// interceptorLoops counts the goroutines running in pion's interceptors
// (NACK, RTCP reports, TWCC, stats loops with their timers).
func interceptorLoops() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/pion/interceptor/pkg/") {
			n++
		}
	}
	return n
}

// A data-only session runs no interceptor: pion's defaults (taken when
// NewAPI gives it no registry) start NACK, report and TWCC loops for every
// peer connection, ticking whether or not it ever has a track.
func TestNewAPIDataOnlyRunsNoInterceptors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		media bool
		loops bool
	}{
		{"data", false, false},
		{"media", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := interceptorLoops()
			pc, err := link.NewAPI(link.Options{LoopbackOnly: true, Media: tc.media}).NewPeerConnection(webrtc.Configuration{})
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			if got := interceptorLoops() - before; (got > 0) != tc.loops {
				t.Errorf("%d interceptor goroutines with Media %v", got, tc.media)
			}
		})
	}
}
