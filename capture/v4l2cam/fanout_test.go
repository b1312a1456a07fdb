package v4l2cam

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// publishN publishes n pictures whose first byte is first, first+1, ...,
// failing the test if publishing waits on a reader.
func publishN(t *testing.T, f *fanout, first, n int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			fr := f.frame(16)
			fr.data[0] = byte(first + i)
			f.publish(fr)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("publish waits on a reader")
	}
}

// take reads what is queued for r, releasing each picture, and returns
// their first bytes.
func take(r *rawReader) []byte {
	var got []byte
	for {
		select {
		case fr := <-r.q:
			got = append(got, fr.data[0])
			fr.release()
		default:
			return got
		}
	}
}

// TestFanout: every reader gets every picture while it keeps up; a
// reader that does not keeps the newest pictures, the older ones are
// dropped and counted, and neither the camera nor the other reader
// waits for it.
func TestFanout(t *testing.T) {
	tests := []struct {
		name      string
		depth     int
		publish   int
		wantSlow  []byte // what the reader that never read finds queued
		wantDrops int
	}{
		{"within the queue", 2, 2, []byte{0, 1}, 0},
		{"one too many", 2, 3, []byte{1, 2}, 1},
		{"far behind", 2, 10, []byte{8, 9}, 8},
		{"queue of one", 1, 5, []byte{4}, 4},
		{"depth 0 means 1", 0, 3, []byte{2}, 2},
	}
	for _, tc := range tests {
		var f fanout
		var drops atomic.Int64
		slow := f.add(tc.depth, func(n int) { drops.Add(int64(n)) })
		fast := f.add(tc.publish, nil)
		publishN(t, &f, 0, tc.publish)
		if got := take(fast); len(got) != tc.publish {
			t.Errorf("%s: the reader that kept up got %v", tc.name, got)
		}
		if got := take(slow); string(got) != string(tc.wantSlow) {
			t.Errorf("%s: the slow reader got %v, want %v", tc.name, got, tc.wantSlow)
		}
		if drops.Load() != int64(tc.wantDrops) || slow.dropped.Load() != uint64(tc.wantDrops) || fast.dropped.Load() != 0 {
			t.Errorf("%s: drops counted %d (reader %d, fast reader %d), want %d", tc.name, drops.Load(), slow.dropped.Load(), fast.dropped.Load(), tc.wantDrops)
		}
	}
}

// TestFanoutRecycles: a picture goes back for reuse once every reader
// released it, not before; a reader that leaves releases what it had
// queued; in the steady state nothing is allocated.
func TestFanoutRecycles(t *testing.T) {
	var f fanout
	a := f.add(2, nil)
	b := f.add(2, nil)
	fr := f.frame(16)
	f.publish(fr)
	x := <-a.q
	x.release()
	if got := f.frame(16); got == fr {
		t.Fatal("a picture was reused while a reader still held it")
	}
	f.remove(b) // releases the copy b had queued
	if got := f.frame(16); got != fr {
		t.Error("a picture every reader released was not reused")
	}
	if f.count() != 1 {
		t.Errorf("%d readers after remove, want 1", f.count())
	}
	publishN(t, &f, 0, 1)
	if got := take(b); len(got) != 0 {
		t.Errorf("a removed reader got %v", got)
	}
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() {
		fr := f.frame(16)
		f.publish(fr)
		got, err := a.next(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		got.release()
	}); n != 0 {
		t.Errorf("%v allocations a picture", n)
	}
}

// TestFanoutLost: pictures the camera lost count for every reader.
func TestFanoutLost(t *testing.T) {
	var f fanout
	var drops atomic.Int64
	a := f.add(2, func(n int) { drops.Add(int64(n)) })
	b := f.add(2, func(n int) { drops.Add(int64(n)) })
	f.lost(3)
	if a.missed.Load() != 3 || b.missed.Load() != 3 || drops.Load() != 6 {
		t.Errorf("missed %d and %d, drops told %d; want 3, 3 and 6", a.missed.Load(), b.missed.Load(), drops.Load())
	}
}

// TestReaderNext: next waits for a picture, and gives up when its
// context ends or the camera stops.
func TestReaderNext(t *testing.T) {
	var f fanout
	r := f.add(1, nil)
	go func() {
		fr := f.frame(16)
		fr.data[0] = 7
		f.publish(fr)
	}()
	fr, err := r.next(context.Background(), nil)
	if err != nil || fr.data[0] != 7 {
		t.Fatalf("next = %v, %v", fr, err)
	}
	fr.release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	publishN(t, &f, 8, 1) // a picture waiting does not keep it going
	if _, err := r.next(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("next after cancel: %v", err)
	}
	take(r)
	done := make(chan struct{})
	close(done)
	if _, err := r.next(context.Background(), done); !errors.Is(err, errCameraStopped) {
		t.Errorf("next after the camera stopped: %v", err)
	}
}
