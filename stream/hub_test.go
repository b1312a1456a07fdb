package stream

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// handSource is a source the test drives by hand: emit publishes a frame
// synchronously into the hub.
type handSource struct {
	mu      sync.Mutex
	emitFn  func(*media.Frame)
	started chan struct{} // receives a token per run
	stopped chan struct{} // receives a token per run that returned
	fail    chan error    // an error sent here makes Run return it
}

func newHandSource() *handSource {
	return &handSource{started: make(chan struct{}, 16), stopped: make(chan struct{}, 16), fail: make(chan error, 1)}
}

func (s *handSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	s.mu.Lock()
	s.emitFn = emit
	s.mu.Unlock()
	s.started <- struct{}{}
	defer func() { s.stopped <- struct{}{} }()
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.fail:
		return err
	}
}

func (s *handSource) emit(fs ...*media.Frame) {
	s.mu.Lock()
	emit := s.emitFn
	s.mu.Unlock()
	for _, f := range fs {
		emit(f)
	}
}

// frames builds a sequence from a pattern: K video keyframe, P video
// frame, A audio frame. PTS counts up from 0 in 40 ms steps.
func frames(pattern string) []*media.Frame {
	var out []*media.Frame
	for i, c := range pattern {
		f := &media.Frame{PTS: time.Duration(i) * 40 * time.Millisecond, Payload: make([]byte, 100)}
		switch c {
		case 'K':
			f.Kind, f.Codec, f.Key = media.KindVideo, media.CodecH264, true
		case 'P':
			f.Kind, f.Codec = media.KindVideo, media.CodecH264
		case 'A':
			f.Kind, f.Codec, f.Key = media.KindAudio, media.CodecAAC, true
		}
		out = append(out, f)
	}
	return out
}

// drain returns the pattern of every queued frame.
func drain(t *testing.T, s *Subscriber) string {
	t.Helper()
	var b []byte
	for {
		f, err := s.TryNext()
		if err != nil || f == nil {
			return string(b)
		}
		switch {
		case f.Kind == media.KindAudio:
			b = append(b, 'A')
		case f.Key:
			b = append(b, 'K')
		default:
			b = append(b, 'P')
		}
	}
}

func newTestHub(t *testing.T, cfg Config) (*Hub, *handSource) {
	t.Helper()
	src := newHandSource()
	h, err := New(src, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h, src
}

func TestSubscriberQueue(t *testing.T) {
	tests := []struct {
		name        string
		queueFrames int
		before      string // published before the subscriber joins
		after       string // published after it joins
		want        string // what the subscriber reads
		wantDropped uint64
		wantCached  bool // it starts with a cache, up to before's last frame
	}{
		{"joins mid-GOP and gets the cached GOP", 8, "KPPKP", "P", "KPP", 0, true},
		{"joins before any keyframe and waits for one", 8, "", "PPKP", "KP", 2, false},
		{"GOP cache carries audio", 8, "KAPA", "A", "KAPAA", 0, true},
		{"audio-only stream starts at once", 8, "AA", "A", "A", 0, false},
		{"overflow drops the queue and waits for a keyframe", 4, "", "KPPPPPKP", "KP", 6, false},
		{"overflow at a keyframe keeps the keyframe", 4, "", "KPPPKP", "KP", 4, false},
		{"too long a GOP is not cached", 4, "KPPPP", "PKP", "KP", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, src := newTestHub(t, Config{QueueFrames: tt.queueFrames})
			warm, err := h.Subscribe() // starts the source
			if err != nil {
				t.Fatal(err)
			}
			<-src.started
			src.emit(frames(tt.before)...)
			warm.Close()
			s, err := h.Subscribe()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			until, cached := s.CachedUntil()
			if cached != tt.wantCached || cached && until != time.Duration(len(tt.before)-1)*40*time.Millisecond {
				t.Errorf("CachedUntil = %v, %v; want a cache: %v, up to before's last frame", until, cached, tt.wantCached)
			}
			src.emit(frames(tt.after)...)
			if got := drain(t, s); got != tt.want {
				t.Errorf("subscriber read %q, want %q", got, tt.want)
			}
			if got := s.Dropped(); got != tt.wantDropped {
				t.Errorf("Dropped = %d, want %d", got, tt.wantDropped)
			}
			if got := s.Late(); got != 0 {
				t.Errorf("Late = %d, want 0: the transport skipped nothing", got)
			}
		})
	}
}

func TestSlowSubscriberDoesNotHoldUpOthers(t *testing.T) {
	h, src := newTestHub(t, Config{QueueFrames: 4})
	slow, _ := h.Subscribe()
	fast, _ := h.Subscribe()
	<-src.started
	var got string
	for _, f := range frames("KPPPPPPKPP") {
		src.emit(f)
		got += drain(t, fast)
	}
	if got != "KPPPPPPKPP" {
		t.Errorf("fast subscriber read %q", got)
	}
	if got := drain(t, slow); got != "KPP" {
		t.Errorf("slow subscriber read %q, want KPP", got)
	}
	if h.Stats().Dropped != slow.Dropped() || slow.Dropped() == 0 {
		t.Errorf("hub Dropped %d, slow subscriber Dropped %d", h.Stats().Dropped, slow.Dropped())
	}
}

func TestSkipToKeyframe(t *testing.T) {
	h, src := newTestHub(t, Config{})
	s, _ := h.Subscribe()
	<-src.started
	src.emit(frames("KPP")...)
	s.SkipToKeyframe()
	src.emit(frames("PKP")...)
	if got := drain(t, s); got != "KP" {
		t.Errorf("read %q after SkipToKeyframe, want KP", got)
	}
	if s.Dropped() != 4 || s.Late() != 4 {
		t.Errorf("Dropped = %d, Late = %d; want 4 and 4", s.Dropped(), s.Late())
	}
	// A frame the transport took and then chose not to send is late too;
	// an overflow is not.
	src.emit(frames("P")...)
	if f, _ := s.TryNext(); f != nil {
		s.Discard()
	}
	src.emit(frames(strings.Repeat("P", DefaultQueueFrames+10))...) // overflows the queue
	st := h.Stats()
	if s.Late() != 5 || s.Dropped() <= 5 || st.Late != 5 || st.Dropped != s.Dropped() {
		t.Errorf("after a discard and an overflow: Dropped %d, Late %d, hub %+v; want Late 5 and more dropped", s.Dropped(), s.Late(), st)
	}
	s.Close()
	if st := h.Stats(); st.Late != 5 {
		t.Errorf("hub Late %d after the subscriber left, want 5", st.Late)
	}
}

func TestSourceStartsWithFirstViewerAndStopsWhenIdle(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	h, src := newTestHub(t, Config{IdleTimeout: 5 * time.Second, Clock: clk})
	if h.Stats().Running {
		t.Fatal("source running before any subscriber")
	}
	a, _ := h.Subscribe()
	<-src.started
	a.Close()
	clk.Advance(4 * time.Second)
	b, _ := h.Subscribe() // back within the idle timeout: the source keeps running
	clk.Advance(10 * time.Second)
	if !h.Stats().Running {
		t.Fatal("source stopped while a subscriber is attached")
	}
	b.Close()
	clk.Advance(5 * time.Second)
	<-src.stopped
	if st := h.Stats(); st.Running || st.GOPFrames != 0 {
		t.Fatalf("after idle timeout: %+v, want stopped with an empty GOP cache", st)
	}
	c, _ := h.Subscribe()
	defer c.Close()
	<-src.started // started again
}

func TestSourceFailureEndsSubscribersAndRestarts(t *testing.T) {
	h, src := newTestHub(t, Config{})
	s, _ := h.Subscribe()
	<-src.started
	src.emit(frames("KP")...)
	src.fail <- errors.New("camera unplugged")
	<-src.stopped
	ctx := context.Background()
	for range 2 { // queued frames are still delivered
		if _, err := s.Next(ctx); err != nil {
			t.Fatalf("queued frame: %v", err)
		}
	}
	if _, err := s.Next(ctx); !errors.Is(err, ErrSourceFailed) {
		t.Fatalf("Next after failure = %v, want ErrSourceFailed", err)
	}
	s.Close()
	s2, _ := h.Subscribe()
	defer s2.Close()
	<-src.started
}

func TestCloseEndsSubscribers(t *testing.T) {
	src := newHandSource()
	h, _ := New(src, Config{})
	s, _ := h.Subscribe()
	<-src.started
	h.Close()
	<-src.stopped
	if _, err := s.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after hub Close = %v, want ErrClosed", err)
	}
	if _, err := h.Subscribe(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close = %v, want ErrClosed", err)
	}
}

func TestNextWaitsForFrameOrContext(t *testing.T) {
	h, src := newTestHub(t, Config{})
	s, _ := h.Subscribe()
	defer s.Close()
	<-src.started
	got := make(chan *media.Frame)
	go func() {
		f, _ := s.Next(context.Background())
		got <- f
	}()
	want := frames("K")[0]
	src.emit(want)
	if f := <-got; f != want {
		t.Fatalf("Next returned %p, want %p", f, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Next with a cancelled context = %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"queue of one", Config{QueueFrames: 1}, false},
		{"GOP larger than queue", Config{QueueFrames: 10, GOPFrames: 11}, false},
		{"negative idle", Config{IdleTimeout: -1}, false},
		{"negative bytes", Config{QueueBytes: -1}, false},
	}
	for _, tt := range tests {
		_, err := New(newHandSource(), tt.cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: New error = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// A hub remembers the parameters of the latest video it carried, for
// callers that must name the stream's profile before they subscribe.
func TestHubVideoInfo(t *testing.T) {
	src := newHandSource()
	h, err := New(src, Config{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.VideoInfo() != nil {
		t.Fatal("VideoInfo before any frame")
	}
	sub, err := h.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	<-src.started
	info := &media.VideoInfo{Width: 320, Height: 180}
	src.emit(&media.Frame{Kind: media.KindVideo, Key: true, Video: info})
	if _, err := sub.Next(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.VideoInfo() != info {
		t.Errorf("VideoInfo = %+v, want %+v", h.VideoInfo(), info)
	}
}
