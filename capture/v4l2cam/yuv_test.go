package v4l2cam

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"
)

// A 4x2 picture: Y = 10*row + col, Cb = 100 + col/2 (+ 2 on odd rows),
// Cr = 200 + col/2 (+ 2 on odd rows). I420 averages the 4:2:2 chroma of
// both rows: Cb 101, 102; Cr 201, 202.
var (
	wantY  = []byte{0, 1, 2, 3, 10, 11, 12, 13}
	wantCb = []byte{101, 102}
	wantCr = []byte{201, 202}
)

// yuyv4x2 is the picture as YUYV with 12 bytes per line (4 of padding).
func yuyv4x2() []byte {
	return []byte{
		0, 100, 1, 200, 2, 101, 3, 201, 0xee, 0xee, 0xee, 0xee,
		10, 102, 11, 202, 12, 103, 13, 203, 0xee, 0xee, 0xee, 0xee,
	}
}

func checkI420(t *testing.T, name string, img *image.YCbCr) {
	t.Helper()
	if !bytes.Equal(img.Y, wantY) || !bytes.Equal(img.Cb, wantCb) || !bytes.Equal(img.Cr, wantCr) {
		t.Errorf("%s: Y % d Cb % d Cr % d; want Y % d Cb % d Cr % d", name, img.Y, img.Cb, img.Cr, wantY, wantCb, wantCr)
	}
}

func mustLayout(t testing.TB, pf pixfmt, w, h int, bpl, size []int) layout {
	t.Helper()
	l, err := newLayout(pf, w, h, bpl, size)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestToI420(t *testing.T) {
	uyvy := yuyv4x2()
	for i := 0; i+1 < len(uyvy); i += 2 {
		uyvy[i], uyvy[i+1] = uyvy[i+1], uyvy[i]
	}
	tests := []struct {
		name string
		l    layout
		bufs [][]byte
	}{
		{"yuyv padded", mustLayout(t, pixYUYV, 4, 2, []int{12}, []int{24}), [][]byte{yuyv4x2()}},
		{"uyvy padded", mustLayout(t, pixUYVY, 4, 2, []int{12}, []int{24}), [][]byte{uyvy}},
		{"nv12", mustLayout(t, pixNV12, 4, 2, []int{4}, []int{12}),
			[][]byte{{0, 1, 2, 3, 10, 11, 12, 13, 101, 201, 102, 202}}},
		{"nv12 two planes", mustLayout(t, pixNV12, 4, 2, []int{4, 6}, []int{8, 6}),
			[][]byte{{0, 1, 2, 3, 10, 11, 12, 13}, {101, 201, 102, 202, 0xee, 0xee}}},
		{"yu12 padded", mustLayout(t, pixYU12, 4, 2, []int{8}, []int{24}),
			[][]byte{{0, 1, 2, 3, 0xee, 0xee, 0xee, 0xee, 10, 11, 12, 13, 0xee, 0xee, 0xee, 0xee,
				101, 102, 0xee, 0xee, 201, 202, 0xee, 0xee}}},
	}
	for _, tc := range tests {
		img := newI420(4, 2)
		if err := toI420(img, tc.l, tc.bufs); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		checkI420(t, tc.name, img)
	}

	short := mustLayout(t, pixYUYV, 4, 2, []int{12}, []int{24})
	if err := toI420(newI420(4, 2), short, [][]byte{yuyv4x2()[:19]}); !errors.Is(err, errShortBuffer) {
		t.Errorf("short buffer: %v", err)
	}
	if err := toI420(newI420(8, 2), short, [][]byte{yuyv4x2()}); err == nil {
		t.Error("size mismatch: no error")
	}
}

// TestFromI420 writes into an encoder's layouts: strides wider than the
// picture, and chroma after a height rounded up to 16 rows when the
// image size has room for it (as the Raspberry Pi's codec lays out).
func TestFromI420(t *testing.T) {
	src := newI420(4, 2)
	copy(src.Y, wantY)
	copy(src.Cb, wantCb)
	copy(src.Cr, wantCr)

	yu12 := mustLayout(t, pixYU12, 4, 2, []int{8}, []int{8 * 16 * 3 / 2})
	if yu12.planes[1].off != 8*16 || yu12.planes[2].off != 8*16+4*8 {
		t.Fatalf("yu12 chroma at %d and %d, want after 16 rows", yu12.planes[1].off, yu12.planes[2].off)
	}
	buf := make([]byte, 8*16*3/2)
	if err := fromI420(yu12, [][]byte{buf}, src); err != nil {
		t.Fatal(err)
	}
	back := newI420(4, 2)
	if err := toI420(back, yu12, [][]byte{buf}); err != nil {
		t.Fatal(err)
	}
	checkI420(t, "yu12 round trip", back)

	nv12 := mustLayout(t, pixNV12, 4, 2, []int{6}, []int{6 * 3})
	buf = make([]byte, 6*3)
	if err := fromI420(nv12, [][]byte{buf}, src); err != nil {
		t.Fatal(err)
	}
	if want := []byte{101, 201, 102, 202}; !bytes.Equal(buf[12:16], want) {
		t.Errorf("nv12 chroma % d, want % d", buf[12:16], want)
	}

	// Same format, different strides.
	dst := mustLayout(t, pixYUYV, 4, 2, []int{16}, []int{32})
	out := make([]byte, 32)
	srcL := mustLayout(t, pixYUYV, 4, 2, []int{12}, []int{24})
	if err := copyPicture(dst, [][]byte{out}, srcL, [][]byte{yuyv4x2()}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out[16:24], yuyv4x2()[12:20]) {
		t.Errorf("copied second row % d", out[16:24])
	}
}

func TestAlignedHeight(t *testing.T) {
	tests := []struct{ h, bpl, size, want int }{
		{360, 640, 640 * 360 * 3 / 2, 360},
		{360, 640, 640 * 368 * 3 / 2, 368},
		{368, 640, 640 * 368 * 3 / 2, 368},
		{480, 640, 640 * 480 * 3 / 2, 480},
	}
	for _, tc := range tests {
		if got := alignedHeight(tc.h, tc.bpl, tc.size, 3); got != tc.want {
			t.Errorf("alignedHeight(%d, %d, %d) = %d, want %d", tc.h, tc.bpl, tc.size, got, tc.want)
		}
	}
}

func TestJPEGToI420(t *testing.T) {
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio444} {
		src := image.NewYCbCr(image.Rect(0, 0, 32, 16), ratio)
		for i := range src.Y {
			src.Y[i] = 120
		}
		for i := range src.Cb {
			src.Cb[i], src.Cr[i] = 90, 160
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, src, &jpeg.Options{Quality: 95}); err != nil {
			t.Fatal(err)
		}
		dst := newI420(32, 16)
		if err := jpegToI420(dst, b.Bytes()); err != nil {
			t.Fatalf("%v: %v", ratio, err)
		}
		near := func(got, want byte) bool { return got+3 >= want && got <= want+3 }
		if !near(dst.Y[100], 120) || !near(dst.Cb[20], 90) || !near(dst.Cr[20], 160) {
			t.Errorf("%v: Y %d Cb %d Cr %d, want about 120 90 160", ratio, dst.Y[100], dst.Cb[20], dst.Cr[20])
		}
	}
	if err := jpegToI420(newI420(16, 16), []byte("not a jpeg")); err == nil {
		t.Error("garbage decoded")
	}
}

// benchPictures are 640x480 pictures of each raw format.
func benchPictures(tb testing.TB) []struct {
	name string
	l    layout
	bufs [][]byte
} {
	const w, h = 640, 480
	return []struct {
		name string
		l    layout
		bufs [][]byte
	}{
		{"yuyv", mustLayout(tb, pixYUYV, w, h, []int{2 * w}, []int{2 * w * h}), [][]byte{make([]byte, 2*w*h)}},
		{"nv12", mustLayout(tb, pixNV12, w, h, []int{w}, []int{w * h * 3 / 2}), [][]byte{make([]byte, w*h*3/2)}},
		{"yu12", mustLayout(tb, pixYU12, w, h, []int{w}, []int{w * h * 3 / 2}), [][]byte{make([]byte, w*h*3/2)}},
	}
}

// TestConversionsDoNotAllocate: the per-frame path of raw capture.
func TestConversionsDoNotAllocate(t *testing.T) {
	img := newI420(640, 480)
	for _, p := range benchPictures(t) {
		if n := testing.AllocsPerRun(5, func() {
			if err := toI420(img, p.l, p.bufs); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("toI420 from %s: %v allocations", p.name, n)
		}
		if p.l.pf == pixYUYV {
			continue
		}
		if n := testing.AllocsPerRun(5, func() {
			if err := fromI420(p.l, p.bufs, img); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("fromI420 to %s: %v allocations", p.name, n)
		}
	}
}

func BenchmarkToI420(b *testing.B) {
	img := newI420(640, 480)
	for _, p := range benchPictures(b) {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p.bufs[0])))
			for b.Loop() {
				if err := toI420(img, p.l, p.bufs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
