package agent

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/stream"
)

var (
	lagEpoch = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	// A Baseline SPS and PPS: the muxer only copies them.
	lagVideo = &media.VideoInfo{SPS: []byte{0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84},
		PPS: []byte{0x68, 0xce, 0x3c, 0x80}, Width: 640, Height: 360, FrameRate: 25, Profile: 66, Level: 30}
)

// lagFrame returns a video frame of size bytes captured at pts.
func lagFrame(pts time.Duration, key bool, size int) *media.Frame {
	nal := byte(0x41)
	if key {
		nal = 0x65
	}
	payload := make([]byte, size)
	payload[3], payload[4] = byte(size-4), nal
	payload[2] = byte((size - 4) >> 8)
	return &media.Frame{Kind: media.KindVideo, Codec: media.CodecH264, PTS: pts, Key: key, Payload: payload, Video: lagVideo}
}

func TestLagGuardStale(t *testing.T) {
	const ms = time.Millisecond
	// Sent: a 10 kB frame every 40 ms from 1 s to 3.96 s, each reaching the
	// guard latency after its capture; frame i ends at stream offset
	// (i+1)*10 kB. The next frame goes out at 4 s.
	cases := []struct {
		name     string
		max      time.Duration
		backlog  time.Duration // the cached frames the viewer joined with end here
		latency  time.Duration // the earlier frames' age when the pump got them
		pts      time.Duration // the next frame's capture time
		received time.Duration // the viewer has every frame captured before this
		want     bool
	}{
		{"fresh, all received", 500 * ms, 0, 0, 4000 * ms, 4000 * ms, false},
		{"450 ms old, all received", 500 * ms, 0, 0, 3550 * ms, 4000 * ms, false},
		{"600 ms old, all received", 500 * ms, 0, 0, 3400 * ms, 4000 * ms, true},
		{"fresh, waiting for 400 ms", 500 * ms, 0, 0, 4000 * ms, 3600 * ms, false},
		{"fresh, waiting for 600 ms", 500 * ms, 0, 0, 4000 * ms, 3400 * ms, true},
		{"fresh, nothing received", 500 * ms, 0, 0, 4000 * ms, 0, true},
		{"the cached GOP it joined with", 500 * ms, 4000 * ms, 0, 4000 * ms, 0, false},
		{"turned off", -1, 0, 0, 1000 * ms, 0, false},
		// A capture pipeline 700 ms slow: no viewer gets its frames sooner.
		{"slow pipeline, 700 ms old as ever", 500 * ms, 0, 700 * ms, 3300 * ms, 4000 * ms, false},
		{"slow pipeline, 600 ms slower still", 500 * ms, 0, 700 * ms, 2700 * ms, 4000 * ms, true},
		{"slow pipeline, waiting for 600 ms", 500 * ms, 0, 700 * ms, 3300 * ms, 2700 * ms, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newLagGuard(c.max, lagEpoch, c.backlog)
			var received, end int64
			for pts := time.Second; pts < 4*time.Second; pts += 40 * ms {
				f := lagFrame(pts, false, 10_000)
				g.observe(lagEpoch.Add(pts+c.latency), f)
				end += 10_000
				g.sentTo(f, end)
				if pts < c.received {
					received = end
				}
			}
			now, f := lagEpoch.Add(4*time.Second), lagFrame(c.pts, false, 10_000)
			if got := g.stale(now, f, received); got != c.want {
				t.Errorf("stale = %v, want %v (behind %v)", got, c.want, g.behind(now, f, received))
			}
		})
	}
}

// Audio and video have pipelines of their own: a microphone's frames come
// out 40 ms after capture, an encoder's first video frame 700 ms after;
// neither is lag (the rig's x264 first keyframe was skipped for this).
func TestLagGuardPipelinePerKind(t *testing.T) {
	const ms = time.Millisecond
	g := newLagGuard(DefaultMaxLag, lagEpoch, 0)
	audio := &media.Frame{Kind: media.KindAudio, PTS: 960 * ms}
	g.observe(lagEpoch.Add(1000*ms), audio)
	if g.stale(lagEpoch.Add(1000*ms), audio, 0) {
		t.Fatal("a fresh audio frame is stale")
	}
	g.sentTo(audio, 100)
	key := lagFrame(300*ms, true, 1000)
	g.observe(lagEpoch.Add(1000*ms), key)
	if g.stale(lagEpoch.Add(1000*ms), key, 100) {
		t.Errorf("the slow encoder's first keyframe is stale (behind %v)", g.behind(lagEpoch.Add(1000*ms), key, 100))
	}
	g.sentTo(key, 1100)
	// 600 ms later than the video pipeline's latency: stale.
	if late := lagFrame(400*ms, false, 1000); !g.stale(lagEpoch.Add(1700*ms), late, 1100) {
		t.Errorf("a video frame 600 ms over its pipeline's latency is not stale")
	}
}

func TestLagGuardForgetsReceivedFrames(t *testing.T) {
	g := newLagGuard(DefaultMaxLag, lagEpoch, 0)
	for i := range 3 * maxTracked {
		g.sentTo(lagFrame(time.Duration(i)*time.Millisecond, false, 100), int64(i+1)*100)
	}
	if len(g.sent) != maxTracked {
		t.Fatalf("remembers %d frames, want at most %d", len(g.sent), maxTracked)
	}
	g.behind(lagEpoch, lagFrame(0, false, 100), 3*maxTracked*100)
	if len(g.sent) != 0 {
		t.Errorf("remembers %d frames after the viewer received them all", len(g.sent))
	}
}

// chanSource emits the frames sent on its channel.
type chanSource chan *media.Frame

// forcingSource is a chanSource whose encoder can be asked for keyframes.
type forcingSource struct {
	chanSource
	asked atomic.Int32
}

func (f *forcingSource) ForceKeyframe() error {
	f.asked.Add(1)
	return nil
}

func (c chanSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	for {
		select {
		case f := <-c:
			emit(f)
		case <-ctx.Done():
			return nil
		}
	}
}

// stuckResponder is a Responder whose transport the test can stop
// from delivering: what is written meanwhile stays in its backlog until
// it delivers again. The body goes to a pipe.
type stuckResponder struct {
	w       *io.PipeWriter
	written atomic.Int64
	stuckAt atomic.Int64 // bytes written when it stopped delivering; -1 while it delivers
	flushes chan struct{}
}

func (r *stuckResponder) stick(stuck bool) {
	if stuck {
		r.stuckAt.Store(r.written.Load())
	} else {
		r.stuckAt.Store(-1)
	}
}

func (r *stuckResponder) WriteHead(protocol.Status, protocol.Head) error { return nil }
func (r *stuckResponder) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	r.written.Add(int64(n))
	return n, err
}
func (r *stuckResponder) Backlog() int {
	if at := r.stuckAt.Load(); at >= 0 {
		return int(r.written.Load() - at)
	}
	return 0
}
func (r *stuckResponder) SetWriteDeadline(time.Time) error { return nil }
func (r *stuckResponder) Flush() error {
	select {
	case r.flushes <- struct{}{}:
	default:
	}
	return nil
}

// pumped is a live pump running on a hub's subscriber, into a
// stuckResponder whose FLV the test reads back.
type pumped struct {
	resp   *stuckResponder
	cancel context.CancelFunc
	done   chan struct{} // the pump returned
	read   chan struct{} // the reader is done
	mu     sync.Mutex
	tags   []videoTag // the picture tags read so far
}

type videoTag struct {
	ms  uint32
	key bool
}

func startPump(t *testing.T, clk *clock.Fake, src *forcingSource, sub *stream.Subscriber) *pumped {
	t.Helper()
	a := &Agent{epoch: lagEpoch, cfg: Config{Clock: clk, Stream: StreamConfig{MaxLag: DefaultMaxLag}, LAN: LANConfig{WriteTimeout: time.Minute}}}
	pr, pw := io.Pipe()
	p := &pumped{resp: &stuckResponder{w: pw, flushes: make(chan struct{}, 1)}, done: make(chan struct{}), read: make(chan struct{})}
	p.resp.stick(false)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		defer close(p.done)
		a.pump(ctx, sub, p.resp, newEncoderControl(src, clk, slog.Default()), false, slog.Default(), nil)
		pw.Close()
	}()
	go func() {
		defer close(p.read)
		dm := flv.NewDemuxer(pr)
		if _, err := dm.ReadHeader(); err != nil {
			return
		}
		for {
			tag, err := dm.ReadTag()
			if err != nil {
				return
			}
			if tag.Type == flv.TagTypeVideo && len(tag.Data) > 1 && tag.Data[1] == 1 { // AVC NALUs
				p.mu.Lock()
				p.tags = append(p.tags, videoTag{tag.Timestamp, tag.Data[0]>>4 == flv.FrameTypeKey})
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// stop waits for n tags, stops the pump and returns what was read.
func (p *pumped) stop(t *testing.T, n int) []videoTag {
	t.Helper()
	waitUntil(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return len(p.tags) >= n })
	p.cancel()
	<-p.done
	<-p.read
	return p.tags
}

// flushed waits for the pump to flush what it took.
func (p *pumped) flushed(t *testing.T, frame int) {
	t.Helper()
	select {
	case <-p.resp.flushes:
	case <-time.After(5 * time.Second):
		t.Fatalf("frame %d: the pump did not flush", frame)
	}
}

func newLagHub(t *testing.T) (*clock.Fake, *forcingSource, *stream.Hub) {
	t.Helper()
	clk := clock.NewFake(lagEpoch)
	src := &forcingSource{chanSource: make(chanSource)}
	hub, err := stream.New(src, stream.Config{Clock: clk, QueueFrames: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close)
	return clk, src, hub
}

// TestPumpSkipsWhenTransportFallsBehind drives the live pump with a
// transport that stops draining: the viewer skips the frames it would see
// late, the encoder is asked for a keyframe, the viewer resumes at a
// keyframe once the transport drains, and the skipped frames are counted.
func TestPumpSkipsWhenTransportFallsBehind(t *testing.T) {
	clk, src, hub := newLagHub(t)
	sub, err := hub.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	p := startPump(t, clk, src, sub)

	// Frames of 10 kB at 25 fps, a keyframe each second (25 frames):
	// 0-24 flow; from frame 25 to 60 the transport delivers nothing, so
	// once frame 25 has waited 500 ms (at frame 38) the viewer skips, the
	// keyframe at 50 is skipped too (frame 25 still waits), and the one
	// at 75 finds everything delivered.
	var sent []int
	for i := range 100 {
		switch i {
		case 25:
			p.resp.stick(true)
		case 60:
			p.resp.stick(false)
		}
		pts := time.Duration(i) * 40 * time.Millisecond
		clk.Advance(lagEpoch.Add(pts).Sub(clk.Now()))
		src.chanSource <- lagFrame(pts, i%25 == 0, 10_000)
		if i < 38 || i >= 75 {
			sent = append(sent, i)
		}
		if i <= 38 || i == 50 || i >= 75 { // the pump takes it, then flushes
			p.flushed(t, i)
			continue
		}
		waitUntil(t, func() bool { return hub.Stats().Published == uint64(i+1) })
	}
	tags := p.stop(t, len(sent))

	var got []int
	for _, tag := range tags {
		got = append(got, int(tag.ms)/40)
	}
	if !slices.Equal(got, sent) {
		t.Errorf("frames the viewer got: %v\nwant %v", got, sent)
	}
	if d, l := sub.Dropped(), sub.Late(); d != 37 || l != 37 {
		t.Errorf("dropped %d frames, %d of them late; want 37, all late (none lost to a full queue)", d, l)
	}
	if n := src.asked.Load(); n != 1 {
		t.Errorf("asked the encoder for %d keyframes, want 1 (the second skip comes within %v)", n, keyframeInterval)
	}
	if len(tags) > 38 && !tags[38].key {
		t.Errorf("first frame after the skip is not a keyframe")
	}
}

// A viewer who joins mid-GOP gets the cached frames at once, their
// timestamps 8 times closer together, so that its player is at live when
// the next frame comes; and a capture pipeline that takes 700 ms (more
// than max_lag) from capture to the pump is not taken for lag.
func TestPumpRunsThroughTheCacheAndToleratesASlowPipeline(t *testing.T) {
	const latency = 700 * time.Millisecond
	clk, src, hub := newLagHub(t)
	warm, err := hub.Subscribe() // starts the source, fills the cache
	if err != nil {
		t.Fatal(err)
	}
	frame := func(i int) {
		pts := time.Duration(i) * 40 * time.Millisecond
		clk.Advance(lagEpoch.Add(pts + latency).Sub(clk.Now()))
		src.chanSource <- lagFrame(pts, i%25 == 0, 10_000)
	}
	for i := range 10 {
		frame(i)
	}
	waitUntil(t, func() bool { return hub.Stats().Published == 10 })
	sub, err := hub.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	warm.Close()
	p := startPump(t, clk, src, sub)
	p.flushed(t, 9)
	for i := 10; i < 60; i++ {
		frame(i)
		p.flushed(t, i)
	}
	tags := p.stop(t, 60)
	var want []videoTag
	for i := range 60 {
		ms := 5 * i // the cache: 40 ms / 8
		if i > 9 {
			ms = 45 + 40*(i-9)
		}
		want = append(want, videoTag{uint32(ms), i%25 == 0})
	}
	if !slices.Equal(tags, want) {
		t.Errorf("tags %v\nwant %v", tags, want)
	}
	if d := sub.Dropped(); d != 0 {
		t.Errorf("dropped %d frames of a slow pipeline", d)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestKeyframeAskerSpacesRequests(t *testing.T) {
	clk := clock.NewFake(lagEpoch)
	src := &forcingSource{chanSource: make(chanSource)}
	k := newKeyframeAsker(src, clk)
	steps := []struct {
		after time.Duration
		want  bool
	}{
		{0, true},
		{time.Second, false},
		{keyframeInterval - time.Second - time.Millisecond, false},
		{time.Millisecond, true},
		{keyframeInterval, true},
	}
	for i, s := range steps {
		clk.Advance(s.after)
		if got := k.ask(); got != s.want {
			t.Errorf("step %d (+%v): asked = %v, want %v", i, s.after, got, s.want)
		}
	}
	if n := src.asked.Load(); n != 3 {
		t.Errorf("encoder asked %d times, want 3", n)
	}
	if k := newKeyframeAsker(make(chanSource), clk); k != nil || k.ask() {
		t.Errorf("a source without an encoder to ask got an asker")
	}
}

// rateSource is a source whose encoder bit rate the test watches.
type rateSource struct {
	chanSource
	mu   sync.Mutex
	bps  int
	sets []int
}

func (r *rateSource) SetBitrate(bps int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bps = bps
	r.sets = append(r.sets, bps)
	return nil
}

func (r *rateSource) Bitrate() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bps
}

func TestRateControlStepsDownAndRecovers(t *testing.T) {
	clk := clock.NewFake(lagEpoch)
	src := &rateSource{bps: 1_000_000}
	r := newRateControl(src, clk, slog.Default())
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	// A viewer skips every 2 s until 16 s, then keeps up until a last skip.
	steps := []struct {
		at   time.Duration
		skip bool
		want int
	}{
		{0, true, 700_000},      // down at once
		{sec(2), true, 700_000}, // within the hold: no lower
		{sec(4), true, 490_000}, // a hold after the last step
		{sec(6), true, 490_000},
		{sec(8), true, 343_000},
		{sec(10), true, 343_000},
		{sec(12), true, 250_000}, // the floor, 25 %
		{sec(14), true, 250_000},
		{sec(16), true, 250_000},    // stays there
		{sec(18.9), false, 250_000}, // not quiet for a hold yet
		{sec(19.1), false, 287_500}, // quiet 3 s: up 15 %
		{sec(22.1), false, 330_625}, // and again
		{sec(23), true, 250_000},    // a skip: down again (floor)
		{sec(25.9), false, 250_000}, // the climb waits a quiet hold
		{sec(26.1), false, 287_500},
	}
	for _, s := range steps {
		clk.Advance(lagEpoch.Add(s.at).Sub(clk.Now()))
		if s.skip {
			r.skipped()
		}
		if got := r.current(); got != s.want {
			t.Fatalf("at %v: rate %d, want %d", s.at, got, s.want)
		}
	}
	// Quiet long enough, it climbs back to what was configured and stops.
	for range 20 {
		clk.Advance(rateHold)
	}
	if got := r.current(); got != 1_000_000 {
		t.Errorf("after a long quiet: rate %d, want 1000000", got)
	}
	if clk.Pending() != 0 {
		t.Errorf("%d timers still pending at the configured rate", clk.Pending())
	}
	if src.Bitrate() != 1_000_000 {
		t.Errorf("the encoder was left at %d", src.Bitrate())
	}
}

// After stop, no recovery step runs, even one whose timer was firing.
func TestRateControlStops(t *testing.T) {
	clk := clock.NewFake(lagEpoch)
	src := &rateSource{bps: 1_000_000}
	r := newRateControl(src, clk, slog.Default())
	r.skipped()
	stale := r.gen
	r.stop()
	r.recover(stale) // a timer that fired just before stop
	for range 5 {
		clk.Advance(rateHold)
	}
	if got := src.Bitrate(); got != 700_000 {
		t.Errorf("encoder at %d after stop, want it left at 700000", got)
	}
	if clk.Pending() != 0 {
		t.Errorf("%d timers pending after stop", clk.Pending())
	}
}

func TestRateControlNeedsAnEncoderRate(t *testing.T) {
	clk := clock.NewFake(lagEpoch)
	cases := []struct {
		name string
		src  capture.Source
	}{
		{"no bit rate control", make(chanSource)},
		{"encoder's own rate", &rateSource{}},
	}
	for _, c := range cases {
		if r := newRateControl(c.src, clk, slog.Default()); r != nil {
			t.Errorf("%s: got a controller", c.name)
		}
	}
}
