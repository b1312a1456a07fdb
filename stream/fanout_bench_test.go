package stream

import (
	"bufio"
	"context"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// The fan-out benchmarks model a 4 Mbps, 25 fps stream (20 kB frames,
// a keyframe a second) sent to 32 viewers, each through its own FLV
// muxer and write buffer as the agent's viewers are.
const (
	fanoutViewers   = 32
	fanoutFrameSize = 4_000_000 / 8 / 25
	fanoutGOP       = 25
)

var fanoutInfo = &media.VideoInfo{
	SPS:   []byte{0x67, 0x42, 0xc0, 0x1f, 0xd9, 0x00, 0x50, 0x05, 0xbb, 0x01, 0x10},
	PPS:   []byte{0x68, 0xce, 0x3c, 0x80},
	Width: 1280, Height: 720, FrameRate: 25, Profile: 66, Level: 31,
}

// fanoutFrames returns n frames of one GOP pattern, PTS i*40ms.
func fanoutFrames(n int) []*media.Frame {
	payload := make([]byte, fanoutFrameSize)
	l := len(payload) - 4
	payload[0], payload[1], payload[2], payload[3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
	frames := make([]*media.Frame, n)
	for i := range frames {
		frames[i] = &media.Frame{
			Kind: media.KindVideo, Codec: media.CodecH264, Key: i%fanoutGOP == 0,
			PTS: time.Duration(i) * 40 * time.Millisecond, Payload: payload, Video: fanoutInfo,
		}
	}
	return frames
}

// fanout runs a hub with viewers that mux every frame they get and call
// written with the frame's index once it has left their write buffer.
type fanout struct {
	hub  *Hub
	src  *handSource
	subs []*Subscriber
	wg   sync.WaitGroup
}

func startFanout(tb testing.TB, viewers int, written func(viewer, index int)) *fanout {
	tb.Helper()
	src := newHandSource()
	hub, err := New(src, Config{IdleTimeout: time.Hour})
	if err != nil {
		tb.Fatal(err)
	}
	fo := &fanout{hub: hub, src: src}
	for v := range viewers {
		sub, err := hub.Subscribe()
		if err != nil {
			tb.Fatal(err)
		}
		fo.subs = append(fo.subs, sub)
		fo.wg.Add(1)
		go func() {
			defer fo.wg.Done()
			bw := bufio.NewWriterSize(io.Discard, 32<<10)
			mux := flv.NewMuxer(bw, flv.MuxerConfig{HasVideo: true})
			batch := make([]int, 0, 256)
			for {
				f, err := sub.Next(context.Background())
				if err != nil {
					return
				}
				batch = batch[:0]
				for f != nil {
					if err := mux.WriteFrame(f); err != nil {
						panic(err)
					}
					batch = append(batch, int(f.PTS/(40*time.Millisecond)))
					f, _ = sub.TryNext()
				}
				if err := bw.Flush(); err != nil {
					panic(err)
				}
				for _, i := range batch {
					written(v, i)
				}
			}
		}()
	}
	<-src.started
	return fo
}

func (fo *fanout) stop() {
	for _, s := range fo.subs {
		s.Close()
	}
	fo.wg.Wait()
	fo.hub.Close()
}

// BenchmarkFanout measures the cost of getting one frame to all 32
// viewers: publish, queue, mux and write. Each op publishes one frame and
// waits until every viewer has written it.
func BenchmarkFanout(b *testing.B) {
	frames := fanoutFrames(4096)
	var pending atomic.Int32
	done := make(chan struct{}, 1)
	fo := startFanout(b, fanoutViewers, func(int, int) {
		if pending.Add(-1) == 0 {
			done <- struct{}{}
		}
	})
	defer fo.stop()
	publish := func(i int) {
		pending.Store(fanoutViewers)
		fo.src.emit(frames[i%len(frames)])
		<-done
	}
	for i := range fanoutGOP * 4 { // warm up buffers and sequence headers
		publish(i)
	}
	b.SetBytes(fanoutFrameSize * fanoutViewers)
	b.ReportAllocs()
	i := fanoutGOP * 4
	for b.Loop() {
		publish(i)
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/fanoutViewers, "ns/viewer-frame")
}

// BenchmarkFanoutLive plays the stream in real time for 4 s (100 frames)
// and reports the p50/p99 latency from publish to written, and the CPU
// each viewer costs as a percentage of one core.
func BenchmarkFanoutLive(b *testing.B) {
	const n = 100
	frames := fanoutFrames(n)
	var mu sync.Mutex
	published := make([]time.Time, n)
	lat := make([]time.Duration, 0, n*fanoutViewers)
	for b.Loop() {
		lat = lat[:0]
		fo := startFanout(b, fanoutViewers, func(_ int, i int) {
			now := time.Now()
			mu.Lock()
			lat = append(lat, now.Sub(published[i]))
			mu.Unlock()
		})
		cpu0, wall0 := cpuTime(b), time.Now()
		next := time.Now()
		for i, f := range frames {
			time.Sleep(time.Until(next))
			mu.Lock()
			published[i] = time.Now()
			mu.Unlock()
			fo.src.emit(f)
			next = next.Add(40 * time.Millisecond)
		}
		time.Sleep(40 * time.Millisecond)
		cpu, wall := cpuTime(b)-cpu0, time.Since(wall0)
		fo.stop()
		mu.Lock()
		if len(lat) != n*fanoutViewers {
			b.Fatalf("%d frames written, want %d", len(lat), n*fanoutViewers)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
		b.ReportMetric(100*cpu.Seconds()/wall.Seconds()/fanoutViewers, "cpu%/viewer")
		mu.Unlock()
	}
}

// cpuTime returns the process's user+system CPU time.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
