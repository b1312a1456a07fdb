package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/capturetest"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// clip is the sim board's standard clip: 100 frames, an IDR every 25,
// SPS/PPS before each IDR. (Read from disk: capture/sim imports capture.)
func clip(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("sim/clips/standard.h264")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withoutRepeatedParams drops every SPS and PPS but the first of each, as
// encoders that send them only once do.
func withoutRepeatedParams(t testing.TB, annexB []byte) []byte {
	nalus, err := h264.SplitAnnexB(annexB)
	if err != nil {
		t.Fatal(err)
	}
	var kept [][]byte
	seen := map[h264.NALUType]bool{}
	for _, n := range nalus {
		typ := h264.TypeOf(n)
		if typ == h264.NALUTypeSPS || typ == h264.NALUTypePPS {
			if seen[typ] {
				continue
			}
			seen[typ] = true
		}
		kept = append(kept, n)
	}
	return h264.AppendAnnexB(nil, kept)
}

// frameAll runs a stream through NALUReader and Framer.
func frameAll(t testing.TB, stream []byte) []*media.Frame {
	t.Helper()
	nr := h264.NewNALUReader(bytes.NewReader(stream))
	var fr Framer
	var out []*media.Frame
	for {
		n, err := nr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, h264.ErrNALUTooLarge) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if f, err := fr.Push(n); err == nil && f != nil {
			out = append(out, f)
		}
	}
	if f, err := fr.Flush(); err == nil && f != nil {
		out = append(out, f)
	}
	return out
}

func TestFramer(t *testing.T) {
	garbage := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1000)
	c := clip(t)
	tests := []struct {
		name       string
		stream     []byte
		wantFrames int
	}{
		{"sim clip", c, 100},
		{"SPS/PPS only at the start", withoutRepeatedParams(t, c), 100},
		{"garbage before the stream", append(append([]byte{}, garbage...), c...), 100},
		{"starts mid-GOP: waits for the IDR", c[len(c)/8:], 75},
		{"only garbage", garbage, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frames := frameAll(t, tt.stream)
			if len(frames) != tt.wantFrames {
				t.Fatalf("%d frames, want %d", len(frames), tt.wantFrames)
			}
			for i, f := range frames {
				if (i%25 == 0) != f.Key {
					t.Errorf("frame %d: Key = %v", i, f.Key)
				}
				if f.Video == nil || f.Video.Width != 320 || f.Video.Height != 180 || f.Video.FrameRate != 25 {
					t.Fatalf("frame %d: video info %+v", i, f.Video)
				}
				nalus, err := h264.SplitAVCC(f.Payload)
				if err != nil {
					t.Fatalf("frame %d: payload is not AVCC: %v", i, err)
				}
				if f.Key && !capturetest.HasParams(nalus) {
					t.Errorf("keyframe %d lacks SPS/PPS", i)
				}
			}
			if len(frames) > 1 && frames[0].Video != frames[len(frames)-1].Video {
				t.Error("unchanged parameters gave a new VideoInfo pointer")
			}
		})
	}
}

func TestFileLoopsInRealTime(t *testing.T) {
	clk := clock.NewFake(time.Unix(1000, 0))
	env := Env{Clock: clk, Epoch: time.Unix(999, 0), Logger: slog.New(slog.DiscardHandler)}
	src := NewClip("test", clip(t), env)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c := capturetest.NewCollector()
	go func() { done <- src.Run(ctx, c.Emit) }()

	const frames = 130 // more than one loop of 100
	for i := range frames {
		if i > 0 {
			clk.WaitPending(1) // the source sleeps until frame i is due
			clk.Advance(40 * time.Millisecond)
		}
		<-c.Got
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	for i, f := range c.Frames()[:frames] {
		want := time.Second + time.Duration(i)*40*time.Millisecond
		if f.PTS != want {
			t.Fatalf("frame %d: PTS %v, want %v (1 s after the epoch, 25 fps, continuing across loops)", i, f.PTS, want)
		}
		if f.Key != (i%25 == 0) {
			t.Fatalf("frame %d: Key = %v", i, f.Key)
		}
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.h264")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte{0, 0, 1, 0x65, 0xff}, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	env := Env{Logger: slog.New(slog.DiscardHandler)}
	tests := []struct {
		path string
		want error
	}{
		{filepath.Join(dir, "missing.h264"), os.ErrNotExist},
		{garbage, ErrNoVideo},
	}
	for _, tt := range tests {
		err := NewFile(tt.path, env).Run(context.Background(), func(*media.Frame) {})
		if !errors.Is(err, tt.want) {
			t.Errorf("Run(%s) = %v, want %v", filepath.Base(tt.path), err, tt.want)
		}
	}
}

func TestExecRestartsItsCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clip.h264")
	if err := os.WriteFile(path, clip(t), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&logMu, &logs}, nil))
	src := &Exec{
		Command:    "cat " + path + "; echo bye >&2; exit 7",
		Env:        Env{Logger: logger},
		MinBackoff: time.Millisecond,
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c := capturetest.NewCollector()
	go func() { done <- src.Run(ctx, c.Emit) }()
	// Three runs of 99 frames each (the last access unit of a run is
	// dropped: a dying command may have cut it short).
	for range 3 * 99 {
		<-c.Got
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	var last time.Duration = -1
	for i, f := range c.Frames() {
		if f.PTS <= last {
			t.Fatalf("frame %d: PTS %v after %v", i, f.PTS, last)
		}
		last = f.PTS
	}
	logMu.Lock()
	defer logMu.Unlock()
	for _, want := range []string{"line=bye", "exit status 7", "restarting"} {
		if !bytes.Contains(logs.Bytes(), []byte(want)) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestOpen(t *testing.T) {
	var opened string
	fake := Kind{Name: "fake", Form: "fake:ARG", Open: func(arg string, env Env) (Source, error) {
		opened = arg
		return NewFile(arg, env), nil
	}}
	tests := []struct {
		spec string
		ok   bool
	}{
		{"file:/tmp/x.h264", true},
		{"exec:rpicam-vid -o -", true},
		{"fake:a:b", true},
		{"file:", false},
		{"fake:", false},
		{"rtsp://camera", false},
		{"nothing", false},
	}
	for _, tt := range tests {
		_, err := Open(tt.spec, Env{}, fake)
		if (err == nil) != tt.ok {
			t.Errorf("Open(%q) = %v, want ok=%v", tt.spec, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadSpec) {
			t.Errorf("Open(%q) error %v is not ErrBadSpec", tt.spec, err)
		}
	}
	if opened != "a:b" {
		t.Errorf("the fake kind opened %q, want a:b", opened)
	}
	_, err := Open("rtsp://camera", Env{}, fake)
	if want := "want file:PATH, exec:COMMAND or fake:ARG"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open error %v does not say %q", err, want)
	}
}
