package viewer_test

import (
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
	r, _ := startRecordingCamera(t, brokertest.AllowAll(t))
	c, err := r.dial(t, r.token(t, auth.PermPlayback))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	files := waitFiles(ctx, t, c, 3)

	if _, err := viewer.PlaybackPause(ctx, c); !errors.Is(err, viewer.ErrNotOK) {
		t.Errorf("pause with no playback: %v", err)
	}
	first, _ := record.ParseName(files[0])
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
	// waitState asks for the progress until ok says it is there.
	waitState := func(what string, ok func(viewer.PlaybackState) bool) viewer.PlaybackState {
		t.Helper()
		for {
			st, err := viewer.PlaybackProgress(ctx, c)
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
	// Progress counts from start_time, whole seconds: the first frame is
	// lead into it.
	lead := first.Start.Sub(from)
	waitState("playing", func(st viewer.PlaybackState) bool { return st.Progress > lead+time.Second })

	st, err := viewer.PlaybackPause(ctx, c)
	if err != nil || !st.Paused {
		t.Fatalf("pause: %+v %v", st, err)
	}
	held := waitState("paused", func(viewer.PlaybackState) bool { return true }).Progress
	// While paused the position holds (at most the frame in flight).
	for end := time.Now().Add(700 * time.Millisecond); time.Now().Before(end); {
		if st := waitState("paused", func(viewer.PlaybackState) bool { return true }); st.Progress > held+100*time.Millisecond || !st.Paused {
			t.Fatalf("paused at %v, now %+v", held, st)
		}
	}
	if st, err := viewer.PlaybackResume(ctx, c); err != nil || st.Paused {
		t.Fatalf("resume: %+v %v", st, err)
	}
	resumed := waitState("resumed", func(st viewer.PlaybackState) bool { return st.Progress > held+500*time.Millisecond })
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
	r, _ := startRecordingCamera(b, brokertest.AllowAll(b))
	c, err := r.dial(b, r.token(b, auth.PermPlayback))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	files := waitFiles(ctx, b, c, 3)
	first, _ := record.ParseName(files[0])
	from := first.Start.Truncate(time.Second)
	body, err := viewer.Playback(ctx, c, from, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	defer body.Close()
	keyframes := make(chan time.Time, 1024)
	go func() {
		dm := flv.NewDemuxer(body)
		if _, err := dm.ReadHeader(); err != nil {
			return
		}
		for {
			tag, err := dm.ReadTag()
			if err != nil {
				return
			}
			if vd, err := flv.ParseVideoData(tag.Data); tag.Type == flv.TagTypeVideo && err == nil && vd.AVCPacketType == flv.AVCPacketNALU && vd.FrameType == 1 {
				select {
				case keyframes <- time.Now():
				default:
				}
			}
		}
	}()
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
