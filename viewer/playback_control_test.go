package viewer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
)

// Pause, resume, seek (by progress and by time) and progress on the
// session of a playback, over P2P: the position holds while paused and
// moves after, a seek moves it, and the stream stays one FLV whose
// timestamps only grow and which decodes.
func TestPlaybackControls(t *testing.T) {
	ctx, c, first := recordedSession(t, 90*time.Second, 3)
	if _, err := viewer.PlaybackPause(ctx, c); !errors.Is(err, viewer.ErrNotOK) {
		t.Errorf("pause with no playback: %v", err)
	}
	from := first.Start.Truncate(time.Second)
	body, err := viewer.Playback(ctx, c, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(body)
		got <- b
	}()
	waitState := func(what string, ok func(viewer.PlaybackState) bool) viewer.PlaybackState {
		t.Helper()
		return waitPlayback(ctx, t, c, what, ok)
	}
	// Progress counts from start_time, whole seconds: the first frame is
	// lead into it.
	lead := first.Start.Sub(from)
	waitState("playing", func(st viewer.PlaybackState) bool { return st.Progress > lead+time.Second })

	held, resumed := pauseHoldResume(ctx, t, c)
	t.Logf("first frame %v into start_time; paused at %v; resumed to %v", lead, held, resumed.Progress)

	if _, err := viewer.PlaybackSeekProgress(ctx, c, 0); err != nil {
		t.Fatal(err)
	}
	back := waitState("seek to progress 0", func(st viewer.PlaybackState) bool { return st.Progress < resumed.Progress-500*time.Millisecond })
	if back.Progress > lead+100*time.Millisecond {
		t.Errorf("seek to progress 0 went to %v", back.Progress)
	}
	target := from.Add(3 * time.Second)
	if _, err := viewer.PlaybackSeek(ctx, c, target); err != nil {
		t.Fatal(err)
	}
	// The keyframe at or before the target: segments of 2 s start with
	// one, so at most 2 s (and a frame) before.
	at := waitState("seek to a time", func(st viewer.PlaybackState) bool { return st.Progress > back.Progress+time.Second })
	if at.At.Before(target.Add(-3*time.Second)) || at.At.After(target.Add(time.Second)) || at.Progress > 4*time.Second {
		t.Errorf("seek to %v went to %v", target, at.At)
	}
	if _, err := viewer.PlaybackSeek(ctx, c, time.Unix(1000, 0)); !errors.Is(err, viewer.ErrNotOK) {
		t.Errorf("seek to 1970: %v", err)
	}
	waitState("playing after the seek", func(st viewer.PlaybackState) bool { return st.Progress > at.Progress+300*time.Millisecond })
	body.Close()
	flv := <-got
	path := mediatest.WriteTemp(t, "controlled.flv", flv)
	p := mediatest.FFprobe(t, path)
	p.CheckMonotonic(t)
	if vp := p.VideoPackets(); len(vp) < 50 || !vp[0].Keyframe() {
		t.Errorf("%d video packets", len(vp))
	}
	mediatest.CheckDecodes(t, path)
}

// BenchmarkSeekFirstFrame measures a seek on a paused playback over P2P
// on loopback: from sending playback_seek (then playback_resume) to the
// first video keyframe of the new position, a different second each
// time.
//
//	go test -run XXX -bench SeekFirstFrame -benchtime 20x ./viewer/
func BenchmarkSeekFirstFrame(b *testing.B) {
	ctx, c, first := recordedSession(b, 5*time.Minute, 3)
	from := first.Start.Truncate(time.Second)
	body, err := viewer.Playback(ctx, c, from, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer body.Close()
	keyframes := make(chan time.Time, 1024)
	go readTags(body, func(tag flv.Tag) {
		if vd, err := flv.ParseVideoData(tag.Data); tag.Type == flv.TagTypeVideo && err == nil && vd.AVCPacketType == flv.AVCPacketNALU && vd.FrameType == 1 {
			select {
			case keyframes <- time.Now():
			default:
			}
		}
	})
	lead := first.Start.Sub(from)
	var worst time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if _, err := viewer.PlaybackPause(ctx, c); err != nil {
			b.Fatal(err)
		}
		if _, err := viewer.PlaybackProgress(ctx, c); err != nil { // a round trip for frames in flight
			b.Fatal(err)
		}
		for len(keyframes) > 0 {
			<-keyframes
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := viewer.PlaybackSeekProgress(ctx, c, lead+time.Duration(i%4)*time.Second+500*time.Millisecond); err != nil {
			b.Fatal(err)
		}
		if _, err := viewer.PlaybackResume(ctx, c); err != nil {
			b.Fatal(err)
		}
		select {
		case t := <-keyframes:
			worst = max(worst, t.Sub(t0))
		case <-ctx.Done():
			b.Fatal("no keyframe after the seek")
		}
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// recordedSession starts a camera recording 2 s segments, opens a P2P
// session with the playback permission, and waits for n finished
// segments; it returns a context bounded by timeout, the session and
// the first segment's name.
func recordedSession(t testing.TB, timeout time.Duration, n int) (context.Context, *viewer.Conn, record.Name) {
	t.Helper()
	r, _ := startRecordingCamera(t, brokertest.AllowAll(t))
	c, err := r.dial(t, r.token(t, auth.PermPlayback))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	files := waitFiles(ctx, t, c, n)
	first, err := record.ParseName(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return ctx, c, first
}

// waitPlayback asks r for its playback's progress until ok accepts it,
// and returns it; ctx bounds the wait.
func waitPlayback(ctx context.Context, t testing.TB, r viewer.Requester, what string, ok func(viewer.PlaybackState) bool) viewer.PlaybackState {
	t.Helper()
	for {
		st, err := viewer.PlaybackProgress(ctx, r)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still %+v", what, st)
		case <-time.After(50 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
}

// pauseHoldResume pauses r's playback, checks that its position holds
// for 0.7 s (at most the frame in flight), resumes it and waits for it
// to move on; it returns where it was held and where it got to.
func pauseHoldResume(ctx context.Context, t testing.TB, r viewer.Requester) (held time.Duration, resumed viewer.PlaybackState) {
	t.Helper()
	if st, err := viewer.PlaybackPause(ctx, r); err != nil || !st.Paused {
		t.Fatalf("pause: %+v %v", st, err)
	}
	anyState := func(viewer.PlaybackState) bool { return true }
	held = waitPlayback(ctx, t, r, "paused", anyState).Progress
	for end := time.Now().Add(700 * time.Millisecond); time.Now().Before(end); {
		if st := waitPlayback(ctx, t, r, "paused", anyState); st.Progress > held+100*time.Millisecond || !st.Paused {
			t.Fatalf("paused at %v, now %+v", held, st)
		}
	}
	if st, err := viewer.PlaybackResume(ctx, r); err != nil || st.Paused {
		t.Fatalf("resume: %+v %v", st, err)
	}
	resumed = waitPlayback(ctx, t, r, "resumed", func(st viewer.PlaybackState) bool { return st.Progress > held+500*time.Millisecond })
	return held, resumed
}

// readTags calls fn with each FLV tag read from r, until an error or
// the end.
func readTags(r io.Reader, fn func(flv.Tag)) {
	dm := flv.NewDemuxer(r)
	if _, err := dm.ReadHeader(); err != nil {
		return
	}
	for {
		tag, err := dm.ReadTag()
		if err != nil {
			return
		}
		fn(tag)
	}
}

// playbackTag is one tag of a playback as the test received it.
type playbackTag struct {
	at    time.Time // when it arrived
	video bool
	key   bool // a video keyframe (or sequence header)
}

// Speed on the session of a playback, over P2P: at 4 the position
// advances about four times wall time and only video keyframes come;
// back at 1 it advances at wall time and every frame flows, audio too;
// other speeds are refused; the FLV's timestamps only grow and it
// decodes.
func TestPlaybackSpeed(t *testing.T) {
	ctx, c, first := recordedSession(t, 120*time.Second, 8) // 16 s: 4x for 2.4 s eats 10
	if _, err := viewer.PlaybackSpeed(ctx, c, 2); !errors.Is(err, viewer.ErrNotOK) {
		t.Errorf("speed with no playback: %v", err)
	}
	from := first.Start.Truncate(time.Second)
	body, err := viewer.Playback(ctx, c, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	tags := make(chan playbackTag, 4096)
	go func() {
		defer close(tags)
		readTags(io.TeeReader(body, &raw), func(tag flv.Tag) {
			pt := playbackTag{at: time.Now(), video: tag.Type == flv.TagTypeVideo}
			if vd, err := flv.ParseVideoData(tag.Data); pt.video && err == nil {
				pt.key = vd.FrameType == 1
			}
			tags <- pt
		})
	}()
	progress := func() viewer.PlaybackState {
		t.Helper()
		st, err := viewer.PlaybackProgress(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// play lets the playback run for d: a span measured, not a wait
	// for a condition.
	play := func(d time.Duration) {
		t.Helper()
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(d):
		}
	}
	// rate lets a frame paced at the old speed (a keyframe at 4x is
	// 1/4 GOP of wall time) go out, then plays for wall and returns how
	// far the position went per second of it.
	const settle = 400 * time.Millisecond
	rate := func(wall time.Duration) float64 {
		t.Helper()
		play(settle)
		st0, t0 := progress(), time.Now()
		play(wall)
		st1, t1 := progress(), time.Now()
		return float64(st1.Progress-st0.Progress) / float64(t1.Sub(t0))
	}
	for _, bad := range []float64{3, 16, 0.25, 0} {
		if _, err := viewer.PlaybackSpeed(ctx, c, bad); !errors.Is(err, viewer.ErrNotOK) {
			t.Errorf("speed %v: %v, want a refusal", bad, err)
		}
	}
	st, err := viewer.PlaybackSpeed(ctx, c, 4)
	if err != nil || st.Speed != 4 {
		t.Fatalf("speed 4: %+v %v", st, err)
	}
	fastStart := time.Now().Add(settle)
	fast := rate(2 * time.Second)
	fastEnd := time.Now()
	if st, err = viewer.PlaybackSpeed(ctx, c, 1); err != nil || st.Speed != 1 {
		t.Fatalf("speed 1: %+v %v", st, err)
	}
	slowStart := time.Now().Add(settle)
	slow := rate(1500 * time.Millisecond)
	if got := progress().Speed; got != 1 {
		t.Errorf("progress says speed %v", got)
	}
	body.Close()
	var fastTags, fastNonKey, slowVideo, slowNonKey, slowAudio int
	for tg := range tags {
		switch {
		case tg.at.After(fastStart) && tg.at.Before(fastEnd):
			fastTags++
			if !tg.video || !tg.key {
				fastNonKey++
			}
		case tg.at.After(slowStart):
			if !tg.video {
				slowAudio++
			} else if slowVideo++; !tg.key {
				slowNonKey++
			}
		}
	}
	t.Logf("speed 4: %.2fx, %d tags, %d not keyframes; speed 1: %.2fx, %d video (%d not key), %d audio",
		fast, fastTags, fastNonKey, slow, slowVideo, slowNonKey, slowAudio)
	// Progress moves by keyframes at 4x (a GOP at a time): a wide band.
	if fast < 2.5 || fast > 6 {
		t.Errorf("at speed 4 the position moved %.2f s per second", fast)
	}
	if slow < 0.6 || slow > 1.4 {
		t.Errorf("at speed 1 the position moved %.2f s per second", slow)
	}
	if fastTags < 2 || fastNonKey != 0 {
		t.Errorf("at speed 4: %d tags, %d not video keyframes", fastTags, fastNonKey)
	}
	if slowNonKey < 10 || slowAudio < 10 {
		t.Errorf("at speed 1: %d video frames not key, %d audio", slowNonKey, slowAudio)
	}
	path := mediatest.WriteTemp(t, "speed.flv", raw.Bytes())
	p := mediatest.FFprobe(t, path)
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
}
