package record

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
)

// segmentBytes records d of the sim board into one segment and returns
// its bytes.
func segmentBytes(t testing.TB, d time.Duration) []byte {
	t.Helper()
	dir := t.TempDir()
	r, clk := newTestRecorder(t, dir, Config{SegmentLength: MaxSegmentLength})
	record(t, r, clk, testFrames(t, media.QualityStandard, d))
	r.Close()
	segs := r.Query(t0, t0.Add(time.Hour))
	if len(segs) != 1 {
		t.Fatalf("%d segments", len(segs))
	}
	b, err := os.ReadFile(filepath.Join(dir, segs[0].File()))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// scanCases are damaged forms of a recorded segment, by what is done to
// it, and what ScanSegment must make of them.
func scanCases(whole []byte) []struct {
	name    string
	b       []byte
	err     bool  // an error, not a scan
	size    int64 // Scan.Size; -1: less than the whole but more than the header
	damaged bool
} {
	half := len(whole) / 2
	// A tag header's size field, in the middle: structural damage.
	sc, _ := ScanSegment(bytes.NewReader(whole), int64(len(whole)))
	flipped := bytes.Clone(whole)
	flipped[sc.Keyframes[len(sc.Keyframes)/2].Offset+1] ^= 0x7f
	return []struct {
		name    string
		b       []byte
		err     bool
		size    int64
		damaged bool
	}{
		{"whole", whole, false, int64(len(whole)), false},
		{"cut in half", whole[:half], false, -1, true},
		{"cut by one byte", whole[:len(whole)-1], false, -1, true},
		{"garbage tail", append(bytes.Clone(whole), "garbage after the last tag"...), false, int64(len(whole)), true},
		{"flipped byte", flipped, false, -1, true},
		{"header only", whole[:fileHeaderSize], false, fileHeaderSize, false},
		{"short header", whole[:5], true, 0, false},
		{"not flv", []byte("this is not an FLV file, not at all"), true, 0, false},
		{"empty", nil, true, 0, false},
	}
}

func TestScanSegment(t *testing.T) {
	whole := segmentBytes(t, 5*time.Second)
	for _, c := range scanCases(whole) {
		t.Run(c.name, func(t *testing.T) {
			sc, err := ScanSegment(bytes.NewReader(c.b), int64(len(c.b)))
			if c.err {
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("err %v, want ErrDamaged", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.size >= 0 && sc.Size != c.size || c.size < 0 && (sc.Size <= fileHeaderSize || sc.Size >= int64(len(whole))) {
				t.Errorf("size %d of %d", sc.Size, len(c.b))
			}
			if (sc.Damaged != "") != c.damaged {
				t.Errorf("damaged %q, want %v", sc.Damaged, c.damaged)
			}
			// What the scan keeps reads back to the end without error.
			checkReadsToEnd(t, c.b[:sc.Size])
		})
	}
	sc, _ := ScanSegment(bytes.NewReader(whole), int64(len(whole)))
	if len(sc.Keyframes) != 5 || sc.Keyframes[0].Time != 0 || sc.Duration < 4900*time.Millisecond {
		t.Errorf("keyframes %+v, duration %v: want 5 a second apart over 5s", sc.Keyframes, sc.Duration)
	}
	for _, c := range []struct {
		at   time.Duration
		want time.Duration
	}{{0, 0}, {999 * time.Millisecond, 0}, {time.Second, time.Second}, {2500 * time.Millisecond, 2 * time.Second}, {time.Hour, 4 * time.Second}} {
		if k, _ := sc.KeyframeAt(c.at); k.Time != c.want {
			t.Errorf("KeyframeAt(%v) = %v, want %v", c.at, k.Time, c.want)
		}
	}
}

// checkReadsToEnd demuxes b to its end.
func checkReadsToEnd(t *testing.T, b []byte) {
	t.Helper()
	if len(b) == 0 {
		return
	}
	d := flv.NewDemuxer(bytes.NewReader(b))
	if _, err := d.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	for {
		_, err := d.ReadTag()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("the kept part does not demux: %v", err)
		}
	}
}

// FuzzSegment feeds damaged segments to ScanSegment, the Reader and
// WriteMP4: no panic, the scan's size within the input, and the errors
// wrap ErrDamaged.
func FuzzSegment(f *testing.F) {
	for _, c := range scanCases(segmentBytes(f, 1200*time.Millisecond)) {
		f.Add(c.b, int64(0))
		f.Add(c.b, int64(1500))
	}
	f.Fuzz(func(t *testing.T, b []byte, from int64) {
		sc, err := ScanSegment(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("scan error %v does not wrap ErrDamaged", err)
			}
			return
		}
		if sc.Size > int64(len(b)) || sc.Size < fileHeaderSize {
			t.Fatalf("scan size %d of %d bytes", sc.Size, len(b))
		}
		if err := WriteMP4(io.Discard, bytes.NewReader(b), int64(len(b))); err != nil && !errors.Is(err, ErrDamaged) {
			t.Fatalf("mp4: %v does not wrap ErrDamaged", err)
		}
		r, err := NewReader(bytes.NewReader(b), int64(len(b)), time.Duration(from)*time.Millisecond)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("reader error %v does not wrap ErrDamaged", err)
			}
			return
		}
		for range 10000 {
			if _, err := r.Next(); err != nil {
				if err != io.EOF && !errors.Is(err, ErrDamaged) {
					t.Fatalf("next: %v", err)
				}
				return
			}
		}
	})
}
