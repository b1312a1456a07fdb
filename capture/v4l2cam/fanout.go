package v4l2cam

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// readerQueue is how many raw pictures wait for each encoder of a
// shared camera: enough to ride out an encode that takes a little longer
// than a frame period, few enough to keep latency and memory low.
const readerQueue = 2

// errCameraStopped means the shared camera a reader waits on stopped
// capturing; the camera says why.
var errCameraStopped = errors.New("capture: the camera stopped")

// maxFreeFrames bounds the pictures a fanout keeps for reuse.
const maxFreeFrames = 8

// rawFrame is one raw picture of a camera, copied out of the driver's
// buffer so that the camera gets the buffer back at once, with what is
// known of when it was taken. Readers share it: the last to release it
// gives it back for reuse.
type rawFrame struct {
	data      []byte        // the picture, laid out as the fanout's layout (or one MJPEG frame)
	ts        time.Duration // the buffer's timestamp
	monotonic bool          // ts is CLOCK_MONOTONIC time
	dequeued  time.Time     // when the camera's buffer was dequeued

	refs atomic.Int32
	fan  *fanout
}

// release drops one reader's hold on the frame.
func (f *rawFrame) release() {
	if f.refs.Add(-1) == 0 {
		f.fan.recycle(f)
	}
}

// fanout hands each raw picture of one camera to every reader: each
// reader (an encoder, on a goroutine of its own) has a bounded queue;
// when it is full the oldest picture in it is dropped and counted, so a
// slow encoder never holds up the camera or the other encoders. Raw
// pictures need no key frames: any may be dropped.
type fanout struct {
	mu      sync.Mutex // guards readers; held while publishing
	readers []*rawReader

	freeMu sync.Mutex // guards free; taken under mu too (by release)
	free   []*rawFrame
}

// rawReader is one reader's end of a fanout.
type rawReader struct {
	fan *fanout
	q   chan *rawFrame
	// onDrop is told of every picture this reader misses: dropped from
	// its full queue, or lost by the camera. It is called from the
	// camera's goroutine.
	onDrop  func(n int)
	dropped atomic.Uint64 // pictures dropped from the full queue
	missed  atomic.Uint64 // pictures the camera lost (sequence gaps, damaged buffers)
}

// add adds a reader with a queue of depth pictures (at least 1).
func (f *fanout) add(depth int, onDrop func(int)) *rawReader {
	r := &rawReader{fan: f, q: make(chan *rawFrame, max(depth, 1)), onDrop: onDrop}
	f.mu.Lock()
	f.readers = append(f.readers, r)
	f.mu.Unlock()
	return r
}

// remove takes r out and releases the pictures left in its queue.
func (f *fanout) remove(r *rawReader) {
	f.mu.Lock()
	for i, x := range f.readers {
		if x == r {
			f.readers = append(f.readers[:i], f.readers[i+1:]...)
			break
		}
	}
	f.mu.Unlock()
	for {
		select {
		case fr := <-r.q:
			fr.release()
		default:
			return
		}
	}
}

// count returns the number of readers.
func (f *fanout) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.readers)
}

// frame returns a picture to fill: a recycled one, or a new one. Its
// data has length n.
func (f *fanout) frame(n int) *rawFrame {
	f.freeMu.Lock()
	var fr *rawFrame
	if k := len(f.free); k > 0 {
		fr = f.free[k-1]
		f.free = f.free[:k-1]
	}
	f.freeMu.Unlock()
	if fr == nil {
		fr = &rawFrame{fan: f}
	}
	if cap(fr.data) < n {
		fr.data = make([]byte, n)
	}
	fr.data = fr.data[:n]
	return fr
}

func (f *fanout) recycle(fr *rawFrame) {
	f.freeMu.Lock()
	if len(f.free) < maxFreeFrames {
		f.free = append(f.free, fr)
	}
	f.freeMu.Unlock()
}

// publish hands fr to every reader and gives up the publisher's hold on
// it. It never waits.
func (f *fanout) publish(fr *rawFrame) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fr.refs.Store(int32(len(f.readers)) + 1) // the readers' holds, and ours
	for _, r := range f.readers {
		r.offer(fr)
	}
	fr.release()
}

// offer queues fr, dropping the oldest queued picture when the queue is
// full. Only publish calls it, so nothing else fills the queue meanwhile.
func (r *rawReader) offer(fr *rawFrame) {
	select {
	case r.q <- fr:
		return
	default:
	}
	select {
	case old := <-r.q:
		old.release()
		r.dropped.Add(1)
		if r.onDrop != nil {
			r.onDrop(1)
		}
	default: // the reader just took one: nothing is lost
	}
	r.q <- fr
}

// lost tells every reader that the camera lost n pictures.
func (f *fanout) lost(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.readers {
		r.missed.Add(uint64(n))
		if r.onDrop != nil {
			r.onDrop(n)
		}
	}
}

// next returns the next picture, waiting for one until ctx ends or done
// is closed. The caller releases the picture when done with it. An
// ended ctx wins over queued pictures: an encoder slower than its camera
// always finds one.
func (r *rawReader) next(ctx context.Context, done <-chan struct{}) (*rawFrame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case fr := <-r.q:
		return fr, nil
	default:
	}
	select {
	case fr := <-r.q:
		return fr, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-done:
		return nil, errCameraStopped
	}
}
