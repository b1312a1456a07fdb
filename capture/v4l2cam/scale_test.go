package v4l2cam

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// scaleCases drive TestScaleFlat, TestScaleMatchesAreaMean, the seeds
// of FuzzScale and BenchmarkScale: every source format the camera gives
// into both formats encoders take, at integer and non-integer ratios.
var scaleCases = []scaleCase{
	{pixYUYV, pixYU12, 1280, 720, 640, 360, true}, // 2:1, the usual sub-stream
	{pixYUYV, pixNV12, 1280, 720, 640, 360, true},
	{pixYUYV, pixYU12, 1280, 720, 512, 288, true},  // 2.5:1
	{pixNV12, pixYU12, 1920, 1080, 640, 360, true}, // 3:1
	{pixYUYV, pixYU12, 640, 360, 320, 180, true},   // qemu-virt's sub-stream
	{pixUYVY, pixYU12, 64, 48, 48, 36, false},      // 4:3
	{pixYU12, pixNV12, 60, 40, 24, 16, false},      // 2.5:1
	{pixNV12, pixNV12, 12, 6, 4, 2, false},         // 3:1
	{pixYUYV, pixYU12, 8, 8, 8, 8, false},          // 1:1, 4:2:2 to 4:2:0
	{pixYU12, pixYU12, 40, 20, 10, 14, false},      // 4:1 across, 10:7 down
	{pixYUYV, pixNV12, 34, 18, 2, 2, false},        // down to the smallest
}

type scaleCase struct {
	src, dst       pixfmt
	sw, sh, dw, dh int
	bench          bool // a camera-sized case worth benchmarking
}

func (c scaleCase) String() string {
	return fmt.Sprintf("%v_%dx%d_to_%v_%dx%d", c.src, c.sw, c.sh, c.dst, c.dw, c.dh)
}

// testPicture is a raw picture in a buffer of its own, laid out with
// strides wider than its rows (padding filled with 0xee) or, for 4:2:0,
// its planes in separate memory planes.
type testPicture struct {
	l    layout
	bufs [][]byte
}

func newTestPicture(t testing.TB, pf pixfmt, w, h int, padded bool) testPicture {
	t.Helper()
	pad := 0
	if padded {
		pad = 16
	}
	var bpl, size []int
	switch pf {
	case pixYUYV, pixUYVY:
		bpl, size = []int{2*w + pad}, []int{(2*w + pad) * h}
	case pixNV12:
		bpl, size = []int{w + pad, w + pad}, []int{(w + pad) * h, (w + pad) * h / 2}
	case pixYU12:
		bpl = []int{w + pad, w/2 + pad, w/2 + pad}
		size = []int{(w + pad) * h, (w/2 + pad) * h / 2, (w/2 + pad) * h / 2}
	}
	if !padded { // one memory plane, planes packed
		bpl, size = []int{0}, []int{0}
	}
	l := mustLayout(t, pf, w, h, bpl, size)
	p := testPicture{l: l}
	if padded {
		for _, n := range size {
			p.bufs = append(p.bufs, fill(make([]byte, n), 0xee))
		}
	} else {
		last := l.planes[len(l.planes)-1]
		p.bufs = [][]byte{make([]byte, last.end())}
	}
	return p
}

func fill(b []byte, v byte) []byte {
	for i := range b {
		b[i] = v
	}
	return b
}

// set writes sample (x, y) of component i (0 Y, 1 Cb, 2 Cr).
func (p testPicture) set(i, x, y int, v byte) {
	c, _ := components(p.l.pf, p.l.w, p.l.h)
	p.l.row(p.bufs, c[i].p, y)[c[i].off+x*c[i].step] = v
}

// at reads sample (x, y) of component i.
func (p testPicture) at(i, x, y int) byte {
	c, _ := components(p.l.pf, p.l.w, p.l.h)
	return p.l.row(p.bufs, c[i].p, y)[c[i].off+x*c[i].step]
}

// size returns the size of component i.
func (p testPicture) size(i int) (int, int) {
	c, _ := components(p.l.pf, p.l.w, p.l.h)
	return c[i].w, c[i].h
}

// scaleTest makes a source and a destination picture for a case.
func scaleTest(t testing.TB, src, dst pixfmt, sw, sh, dw, dh int) (*scaler, testPicture, testPicture) {
	t.Helper()
	s := newTestPicture(t, src, sw, sh, true)
	d := newTestPicture(t, dst, dw, dh, false)
	sc, err := newScaler(s.l, d.l)
	if err != nil {
		t.Fatal(err)
	}
	return sc, s, d
}

// TestScaleFlat: a flat picture stays exactly flat at every ratio, and
// the scaler writes nothing outside the picture.
func TestScaleFlat(t *testing.T) {
	for _, tc := range scaleCases {
		sc, s, d := scaleTest(t, tc.src, tc.dst, tc.sw, tc.sh, tc.dw, tc.dh)
		values := [3]byte{235, 16, 240}
		for i, v := range values {
			w, h := s.size(i)
			for y := range h {
				for x := range w {
					s.set(i, x, y, v)
				}
			}
		}
		if err := sc.scale(d.bufs, s.bufs); err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		for i, v := range values {
			w, h := d.size(i)
			for y := range h {
				for x := range w {
					if got := d.at(i, x, y); got != v {
						t.Fatalf("%v: component %d (%d,%d) = %d, want %d", tc, i, x, y, got, v)
					}
				}
			}
		}
	}
}

// areaMean is the exact area average of component i of p over the
// source rectangle that output sample (ox, oy) of a dw x dh component
// covers, in float64: the reference the scaler's fixed point must meet.
func areaMean(p testPicture, i, ox, oy, dw, dh int) float64 {
	sw, sh := p.size(i)
	rx, ry := float64(sw)/float64(dw), float64(sh)/float64(dh)
	x0, x1 := float64(ox)*rx, float64(ox+1)*rx
	y0, y1 := float64(oy)*ry, float64(oy+1)*ry
	var sum float64
	for y := int(y0); float64(y) < y1 && y < sh; y++ {
		wy := math.Min(float64(y+1), y1) - math.Max(float64(y), y0)
		for x := int(x0); float64(x) < x1 && x < sw; x++ {
			wx := math.Min(float64(x+1), x1) - math.Max(float64(x), x0)
			sum += wx * wy * float64(p.at(i, x, y))
		}
	}
	return sum / (rx * ry)
}

// TestScaleMatchesAreaMean: on random pictures every output sample is
// the exact area mean, rounded (the fixed point may miss a tie by a little).
func TestScaleMatchesAreaMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range scaleCases {
		if tc.bench && testing.Short() {
			continue
		}
		sc, s, d := scaleTest(t, tc.src, tc.dst, tc.sw, tc.sh, tc.dw, tc.dh)
		for i := range 3 {
			w, h := s.size(i)
			for y := range h {
				for x := range w {
					s.set(i, x, y, byte(rng.UintN(256)))
				}
			}
		}
		if err := sc.scale(d.bufs, s.bufs); err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		worst := 0.0
		for i := range 3 {
			w, h := d.size(i)
			for y := range h {
				for x := range w {
					want := areaMean(s, i, x, y, w, h)
					diff := math.Abs(float64(d.at(i, x, y)) - want)
					worst = math.Max(worst, diff)
					if diff > 0.6 {
						t.Fatalf("%v: component %d (%d,%d) = %d, want %.3f", tc, i, x, y, d.at(i, x, y), want)
					}
				}
			}
		}
		t.Logf("%v: worst error %.3f", tc, worst)
	}
}

// TestScaleKnownValues: gradients whose area means are worked out by hand.
func TestScaleKnownValues(t *testing.T) {
	tests := []struct {
		name   string
		sw, dw int
		row    func(x int) byte // luma of source column x, the same on every row
		want   []byte           // luma of the output columns
	}{
		// 2:1: pairs average, halves rounding up.
		{"2:1", 8, 4, func(x int) byte { return byte(10 * x) }, []byte{5, 25, 45, 65}},
		// 3:2: output 0 covers column 0 and half of 1: (0 + 0.5*30)/1.5 = 10;
		// output 1 covers half of 1 and column 2: (0.5*30 + 60)/1.5 = 50.
		{"3:2", 6, 4, func(x int) byte { return byte(30 * x) }, []byte{10, 50, 100, 140}},
		// 4:1: a step inside the box averages to its middle.
		{"4:1", 8, 2, func(x int) byte { return map[bool]byte{true: 200, false: 100}[x%4 >= 2] }, []byte{150, 150}},
		// 5:2: output 0 covers 0, 1 and half of 2: (10+20+15)/2.5 = 18.
		{"5:2", 10, 4, func(x int) byte { return byte(10 * (x + 1)) }, []byte{18, 42, 68, 92}},
	}
	for _, tc := range tests {
		// Two rows become one: the rows are equal, so only the columns
		// matter.
		sc, s, d := scaleTest(t, pixYU12, pixYU12, tc.sw, 4, tc.dw, 2)
		for y := range 4 {
			for x := range tc.sw {
				s.set(0, x, y, tc.row(x))
			}
		}
		if err := sc.scale(d.bufs, s.bufs); err != nil {
			t.Fatal(err)
		}
		for y := range 2 {
			for x, want := range tc.want {
				if got := d.at(0, x, y); got != want {
					t.Errorf("%s: output (%d,%d) = %d, want %d", tc.name, x, y, got, want)
				}
			}
		}
	}
	// 4:2:2 to 4:2:0 at 1:1: chroma of each pair of rows averages.
	sc, s, d := scaleTest(t, pixYUYV, pixNV12, 4, 2, 4, 2)
	for x := range 2 {
		s.set(1, x, 0, 100)
		s.set(1, x, 1, 103)
		s.set(2, x, 0, 7)
		s.set(2, x, 1, 8)
	}
	if err := sc.scale(d.bufs, s.bufs); err != nil {
		t.Fatal(err)
	}
	if cb, cr := d.at(1, 1, 0), d.at(2, 1, 0); cb != 102 || cr != 8 {
		t.Errorf("4:2:2 chroma averaged to Cb %d Cr %d, want 102 (101.5 rounded up) and 8 (7.5 rounded up)", cb, cr)
	}
}

func TestScaleRejects(t *testing.T) {
	tests := []struct {
		name     string
		src, dst layout
		want     string
	}{
		{"odd output width", i420Layout(64, 48), i420Layout(31, 24), "even"},
		{"odd output height", i420Layout(64, 48), i420Layout(32, 23), "even"},
		{"odd input", i420Layout(63, 48), i420Layout(32, 24), "even"},
		{"larger", i420Layout(64, 48), i420Layout(66, 48), "only shrinks"},
		{"empty", i420Layout(64, 48), i420Layout(0, 0), "empty"},
		{"mjpeg in", layout{pf: pixMJPEG, w: 64, h: 48}, i420Layout(32, 24), "cannot read mjpeg"},
		{"yuyv out", i420Layout(64, 48), mustLayout(t, pixYUYV, 32, 24, []int{0}, []int{0}), "yu12 or nv12 only"},
		{"short rows", layout{pf: pixYU12, w: 64, h: 48, planes: []planeLoc{{0, 0, 64, 60, 48}, {1, 0, 32, 32, 24}, {2, 0, 32, 32, 24}}},
			i420Layout(32, 24), "too short"},
		{"missing plane", layout{pf: pixYU12, w: 64, h: 48, planes: []planeLoc{{0, 0, 64, 64, 48}}}, i420Layout(32, 24), "too short"},
	}
	for _, tc := range tests {
		_, err := newScaler(tc.src, tc.dst)
		if !errors.Is(err, errScale) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an errScale mentioning %q", tc.name, err, tc.want)
		}
	}
	sc, s, d := scaleTest(t, pixYUYV, pixYU12, 16, 8, 8, 4)
	if err := sc.scale(d.bufs, [][]byte{s.bufs[0][:10]}); !errors.Is(err, errShortBuffer) {
		t.Errorf("short source: %v", err)
	}
	if err := sc.scale([][]byte{d.bufs[0][:10]}, s.bufs); !errors.Is(err, errShortBuffer) {
		t.Errorf("short destination: %v", err)
	}
}

// TestScaleDoesNotAllocate: scaling runs per frame.
func TestScaleDoesNotAllocate(t *testing.T) {
	for _, tc := range scaleCases[:4] {
		sc, s, d := scaleTest(t, tc.src, tc.dst, tc.sw, tc.sh, tc.dw, tc.dh)
		if n := testing.AllocsPerRun(3, func() {
			if err := sc.scale(d.bufs, s.bufs); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations a picture", tc, n)
		}
	}
}

// BenchmarkScale: ns a picture and MB/s of source read, on camera-sized
// pictures.
func BenchmarkScale(b *testing.B) {
	for _, tc := range scaleCases {
		if !tc.bench {
			continue
		}
		b.Run(tc.String(), func(b *testing.B) {
			sc, s, d := scaleTest(b, tc.src, tc.dst, tc.sw, tc.sh, tc.dw, tc.dh)
			n := 0
			for _, buf := range s.bufs {
				n += len(buf)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := sc.scale(d.bufs, s.bufs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzScale: any sizes, strides and buffer lengths give a scaler or an
// error, and scaling with it writes the picture or fails; never a panic
// (the size and stride arithmetic of newLayout, newAxis and scale).
func FuzzScale(f *testing.F) {
	formats := []pixfmt{pixYUYV, pixUYVY, pixNV12, pixYU12, pixMJPEG}
	index := func(pf pixfmt) uint8 {
		for i, p := range formats {
			if p == pf {
				return uint8(i)
			}
		}
		return 0
	}
	for _, tc := range scaleCases {
		if !tc.bench {
			f.Add(index(tc.src), index(tc.dst), uint16(tc.sw), uint16(tc.sh), uint16(tc.dw), uint16(tc.dh), uint16(0), uint32(0))
		}
	}
	f.Add(uint8(0), uint8(3), uint16(64), uint16(48), uint16(30), uint16(16), uint16(200), uint32(3000))
	f.Fuzz(func(t *testing.T, sf, df uint8, sw, sh, dw, dh, bpl uint16, size uint32) {
		const limit = 300 // keep each run short
		if sw > limit || sh > limit || dw > limit || dh > limit || bpl > 4*limit || size > 1<<20 {
			return
		}
		spf, dpf := formats[int(sf)%len(formats)], formats[int(df)%len(formats)]
		src, err := newLayout(spf, int(sw), int(sh), []int{int(bpl)}, []int{int(size)})
		if err != nil {
			return
		}
		dst, err := newLayout(dpf, int(dw), int(dh), []int{0}, []int{0})
		if err != nil {
			return
		}
		sc, err := newScaler(src, dst)
		if err != nil {
			if !errors.Is(err, errScale) {
				t.Fatalf("newScaler: %v is not errScale", err)
			}
			return
		}
		sbuf := make([]byte, size)
		dbuf := make([]byte, dst.planes[len(dst.planes)-1].end())
		if err := sc.scale([][]byte{dbuf}, [][]byte{sbuf}); err != nil && !errors.Is(err, errShortBuffer) {
			t.Fatalf("scale: %v", err)
		}
	})
}
