package motion

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// picture is a w x h luma plane of a flat grey with a square of side s
// and level v at x, y (s 0: none), and noise of at most ±noise.
func picture(w, h, x, y, s int, v uint8, noise int, rng *rand.Rand) []byte {
	p := make([]byte, w*h)
	for i := range p {
		n := 0
		if noise > 0 {
			n = rng.IntN(2*noise+1) - noise
		}
		p[i] = uint8(100 + n)
	}
	for yy := y; yy < y+s && yy < h; yy++ {
		for xx := x; xx < x+s && xx < w; xx++ {
			p[yy*w+xx] = v
		}
	}
	return p
}

// frame is one step of a case: a picture at a time, and what Feed says.
type frame struct {
	at    time.Duration
	x, s  int // the square's left edge and side; s 0: none
	noise int
	want  State
}

var cases = []struct {
	name   string
	frames []frame
}{
	{"still", []frame{{0, 0, 0, 0, None}, {200 * time.Millisecond, 0, 0, 0, None}, {400 * time.Millisecond, 0, 0, 0, None}}},
	{"noise is not motion", []frame{{0, 0, 0, 10, None}, {200 * time.Millisecond, 0, 0, 10, None}, {400 * time.Millisecond, 0, 0, 10, None}}},
	{"a visitor comes, stays, goes", []frame{
		{0, 0, 0, 4, None},
		{200 * time.Millisecond, 100, 80, 4, Started}, // appears
		{400 * time.Millisecond, 140, 80, 4, None},    // moves on: still moving
		{600 * time.Millisecond, 140, 80, 4, None},    // stands still
		{3 * time.Second, 140, 80, 4, None},           // within the hold-off
		{6 * time.Second, 140, 80, 4, Ended},          // 5s without motion
	}},
	{"a long motion is one event", []frame{
		{0, 0, 0, 0, None},
		{200 * time.Millisecond, 100, 80, 0, Started},
		{2 * time.Second, 200, 80, 0, None},
		{4 * time.Second, 100, 80, 0, None},
		{8 * time.Second, 300, 80, 0, None},
		{12 * time.Second, 100, 80, 0, None},
		{16 * time.Second, 100, 80, 0, None},
		{17 * time.Second, 100, 80, 0, Ended},
		{17200 * time.Millisecond, 400, 80, 0, Started}, // a new one
	}},
	{"a small thing is not motion", []frame{{0, 0, 0, 0, None}, {200 * time.Millisecond, 100, 12, 0, None}, {400 * time.Millisecond, 200, 12, 0, None}}},
}

func TestDetector(t *testing.T) {
	const w, h = 640, 360
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			d, err := New(Config{})
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			t0 := time.Unix(1000, 0)
			for i, f := range tt.frames {
				r, err := d.Feed(picture(w, h, f.x, 100, f.s, 250, f.noise, rng), w, h, w, t0.Add(f.at))
				if err != nil {
					t.Fatal(err)
				}
				if r.State != f.want {
					t.Fatalf("frame %d at %v: %+v, want state %d", i, f.at, r, f.want)
				}
			}
		})
	}
}

func TestDetectorBadInput(t *testing.T) {
	for _, c := range []Config{{GridW: -1}, {GridH: MaxGrid + 1}, {Threshold: 256}, {Area: 1.5}, {HoldOff: -1}} {
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v): %v, want ErrConfig", c, err)
		}
	}
	d, _ := New(Config{})
	for _, p := range []struct{ n, w, h, stride int }{{100, 10, 10, 10}, {640*360 - 1, 640, 360, 640}, {640 * 360, 640, 360, 600}} {
		if _, err := d.Feed(make([]byte, p.n), p.w, p.h, p.stride, time.Now()); !errors.Is(err, ErrPicture) {
			t.Errorf("Feed(%d bytes, %dx%d/%d): %v, want ErrPicture", p.n, p.w, p.h, p.stride, err)
		}
	}
	// A change of size starts over: no motion from comparing two sizes.
	if r, _ := d.Feed(make([]byte, 320*180), 320, 180, 320, time.Now()); r.State != None {
		t.Errorf("first picture: %+v", r)
	}
	if r, _ := d.Feed(picture(640, 360, 0, 0, 0, 0, 0, nil), 640, 360, 640, time.Now()); r.State != None {
		t.Errorf("a new size: %+v", r)
	}
}

// FuzzFeed: any bytes and sizes give a result or ErrPicture, never a
// panic.
func FuzzFeed(f *testing.F) {
	f.Add(make([]byte, 64*36), 64, 36, 64)
	f.Add(make([]byte, 100), 10, 10, 10)
	f.Add([]byte{1, 2, 3}, 32, 18, 40)
	f.Fuzz(func(t *testing.T, b []byte, w, h, stride int) {
		if w > 4096 || h > 4096 || stride > 8192 {
			return
		}
		d, _ := New(Config{})
		for range 2 {
			if _, err := d.Feed(b, w, h, stride, time.Now()); err != nil && !errors.Is(err, ErrPicture) {
				t.Fatal(err)
			}
		}
	})
}

// BenchmarkFeed is the detector's cost per picture at the sizes of a
// sub-stream.
//
//	go test -run X -bench Feed ./motion/
func BenchmarkFeed(b *testing.B) {
	for _, s := range []struct {
		name string
		w, h int
	}{{"320x180", 320, 180}, {"640x360", 640, 360}, {"1280x720", 1280, 720}} {
		b.Run(s.name, func(b *testing.B) {
			d, _ := New(Config{})
			rng := rand.New(rand.NewPCG(1, 2))
			pics := [][]byte{picture(s.w, s.h, 0, 0, 0, 0, 4, rng), picture(s.w, s.h, s.w/4, s.h/4, s.h/3, 250, 4, rng)}
			t0 := time.Unix(0, 0)
			b.SetBytes(int64(s.w * s.h))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := d.Feed(pics[i%2], s.w, s.h, s.w, t0.Add(time.Duration(i)*200*time.Millisecond)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
