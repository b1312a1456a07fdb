package link_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// impairedPair connects two peer connections across a pion vnet router
// that delays every packet by delay (one way) and drops a share loss of
// them at random, and serves the answerer's data channels with handle.
func impairedPair(b *testing.B, delay time.Duration, loss float64, rto time.Duration, handle func(*link.Responder)) *webrtc.PeerConnection {
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelDisabled
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", MinDelay: delay, LoggerFactory: logs})
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	wan.AddChunkFilter(func(vnet.Chunk) bool {
		mu.Lock()
		defer mu.Unlock()
		return rng.Float64() >= loss
	})
	peer := func(ip string) *webrtc.PeerConnection {
		pc, err := link.NewAPI(link.Options{Net: vnetHost(b, wan, ip), SCTPRTOMax: rto}).NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			b.Fatal(err)
		}
		return pc
	}
	offerer, answerer := peer("10.0.0.1"), peer("10.0.0.2")
	if err := wan.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = offerer.Close()
		_ = answerer.Close()
		_ = wan.Stop()
	})
	connect(b, offerer, answerer, handle)
	return offerer
}

// BenchmarkImpairedLiveStream sends a paced 2 Mbps stream (a 10 kB frame
// every 40 ms) for 8 s through one data channel over a path with a round
// trip time and random loss each way, and reports how late frames arrive
// (the send time travels in each frame) and the rate that got through.
// It compares SCTP retransmission timeout caps: the default, and 150 ms,
// which costs a short path less delay per loss but collapses a path whose
// round trip exceeds it.
//
//	go test -run X -bench ImpairedLiveStream -benchtime 1x ./link/
func BenchmarkImpairedLiveStream(b *testing.B) {
	for _, rtt := range []time.Duration{2 * time.Millisecond, 100 * time.Millisecond, 300 * time.Millisecond} {
		for _, loss := range []float64{0, 0.1} {
			for _, rto := range []time.Duration{link.SCTPRTOMax, 150 * time.Millisecond} {
				name := fmt.Sprintf("rtt%v/loss%.0fpct/rtomax%v", rtt, 100*loss, rto)
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						lags, mbps := playPaced(b, rtt/2, loss, rto, 8*time.Second)
						slices.Sort(lags)
						p := func(q float64) float64 {
							return float64(lags[int(q*float64(len(lags)-1))]) / 1e6
						}
						b.ReportMetric(p(0.5), "p50-lag-ms")
						b.ReportMetric(p(0.99), "p99-lag-ms")
						b.ReportMetric(p(1), "max-lag-ms")
						b.ReportMetric(mbps, "Mbps")
					}
				})
			}
		}
	}
}

// playPaced streams frames for d and returns each frame's lag (arrival
// minus send time, less the one-way delay) and the rate received.
func playPaced(b *testing.B, oneWay time.Duration, loss float64, rto, d time.Duration) ([]time.Duration, float64) {
	const frameSize, interval = 10_000, 40 * time.Millisecond
	epoch := time.Now()
	pc := impairedPair(b, oneWay, loss, rto, func(r *link.Responder) {
		if err := r.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "application/octet-stream"}); err != nil {
			return
		}
		frame := make([]byte, frameSize)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for end := time.Now().Add(d); time.Now().Before(end); <-tick.C {
			binary.BigEndian.PutUint64(frame, uint64(time.Since(epoch)))
			if _, err := r.Write(frame); err != nil {
				return
			}
			if err := r.Flush(); err != nil {
				return
			}
		}
		_ = r.Close()
	})
	ctx, cancel := context.WithTimeout(context.Background(), d+30*time.Second)
	defer cancel()
	body := openBody(ctx, b, pc, "ipc.flv?action=live&channel=0&quality=high")
	var lags []time.Duration
	frame := make([]byte, frameSize)
	start := time.Now()
	for {
		if _, err := io.ReadFull(body, frame); err != nil {
			break
		}
		sent := time.Duration(binary.BigEndian.Uint64(frame))
		lags = append(lags, time.Since(epoch)-sent-oneWay)
	}
	if len(lags) == 0 {
		b.Fatal("no frame arrived")
	}
	return lags, float64(len(lags)*frameSize*8) / time.Since(start).Seconds() / 1e6
}
