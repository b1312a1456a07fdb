package record

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/stream"
)

// pushSource is a stream.Source fed by hand: Run emits what is sent on
// frames.
type pushSource struct{ frames chan *media.Frame }

func (s pushSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	for {
		select {
		case f := <-s.frames:
			emit(f)
		case <-ctx.Done():
			return nil
		}
	}
}

// heapInUse returns the heap's in-use bytes after a full collection.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// BenchmarkRecorderMemory measures the memory a recorder holds while it
// records a 2 Mbit/s stream (BenchmarkRecord2Mbps's) from a stream hub,
// as p2pcamd runs it: the heap in use with the hub and a live viewer
// running, then again after the recorder has recorded b.N frames
// through the hub beside the viewer. One op is one frame through the
// hub. It reports both, their difference (what the recorder holds: its
// write buffer, muxer, hub subscription and index), and the bounds that
// make it: the write buffer and the hub subscriber's queue.
//
//	go test -run XXX -bench RecorderMemory -benchtime 3000x ./record/
func BenchmarkRecorderMemory(b *testing.B) {
	src := testFrames(b, media.QualitySuper, 10*time.Second)
	for _, f := range src {
		if f.Kind == media.KindVideo {
			f.Payload = append(f.Payload, f.Payload...)
		}
	}
	push := pushSource{frames: make(chan *media.Frame)}
	hub, err := stream.New(push, stream.Config{IdleTimeout: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer hub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// A live viewer that takes every frame: the hub runs without the
	// recorder too.
	viewer, err := hub.Subscribe()
	if err != nil {
		b.Fatal(err)
	}
	var seen atomic.Int64 // frames the viewer took
	viewed := make(chan struct{})
	go func() {
		defer close(viewed)
		for {
			if _, err := viewer.Next(ctx); err != nil {
				return
			}
			seen.Add(1)
		}
	}()
	// Both keep up with a real-time stream: their queues stay short.
	// Here frames come faster than real time, so every GOP the sender
	// waits for them to take what was sent (bounded in time).
	var r *Recorder
	var first int // frames sent before the recorder started
	caughtUp := func(n int) {
		for deadline := time.Now().Add(30 * time.Second); ; {
			got := int(seen.Load())
			if r != nil {
				st := r.Stats()
				got = min(got, first+int(st.Frames+st.Dropped))
			}
			if got >= n {
				return
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d frames taken in 30 s", got, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	i := 0
	send := func(n int) {
		for range n {
			f := *src[i%len(src)]
			f.PTS += time.Duration(i/len(src)) * 10 * time.Second
			push.frames <- &f
			i++
			if i%25 == 0 {
				caughtUp(i)
			}
		}
	}
	send(len(src)) // the hub's GOP cache at its steady state
	caughtUp(i)
	without := heapInUse()

	r, _ = newTestRecorder(b, b.TempDir(), Config{SegmentLength: time.Minute, Quota: 256 << 20})
	recorded := make(chan error, 1)
	go func() { recorded <- r.Run(ctx, hub) }()
	for hub.Stats().Subscribers < 2 {
		runtime.Gosched()
	}
	first = i
	b.ResetTimer()
	for b.Loop() {
		send(1)
	}
	b.StopTimer()
	caughtUp(i)
	with := heapInUse()
	runtime.KeepAlive(src) // the stream's frames are not the recorder's
	st := r.Stats()
	cancel()
	if err := <-recorded; err != nil {
		b.Fatal(err)
	}
	<-viewed
	if st.Frames == 0 {
		b.Fatal("nothing recorded")
	}
	if d := hub.Stats().Dropped; d > 0 {
		b.Fatalf("the hub dropped %d frames for slow subscribers", d)
	}
	b.ReportMetric(float64(without)/(1<<10), "heap-KiB-without")
	b.ReportMetric(float64(with)/(1<<10), "heap-KiB-with")
	b.ReportMetric((float64(with)-float64(without))/(1<<10), "recorder-KiB")
	b.ReportMetric(float64(r.cfg.BufferSize)/(1<<10), "buffer-KiB")
	b.ReportMetric(stream.DefaultQueueFrames, "queue-frames")
	b.ReportMetric(stream.DefaultQueueBytes/(1<<10), "queue-KiB-max")
}
