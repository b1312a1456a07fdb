//go:build linux

package v4l2

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// pollSlice bounds one poll when the Device has no wake-up eventfd, so
// that Close and a cancelled context are still noticed.
const pollSlice = 100 * time.Millisecond

// Wait blocks until a buffer of queue t can be dequeued (or, for an
// output queue, one is done with), ctx ends, the Device is closed, or
// timeout passes; timeout <= 0 means no limit. It returns ctx's error,
// or an error matching ErrClosed, ErrTimeout, ErrGone (poll reported a
// hang-up) or ErrStreamError (poll reported an error on the queue).
func (d *Device) Wait(ctx context.Context, t BufType, timeout time.Duration) error {
	// A context that ends wakes the poll through the eventfd. The token
	// it adds is taken back below, once the callback is known to have
	// run, so that it cannot wake later waits.
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			d.kick(1)
			close(fired)
		})
		defer func() {
			if !stop() {
				<-fired
				d.unkick()
			}
		}()
	}
	return d.poll(ctx, t, timeout)
}

func (d *Device) poll(ctx context.Context, t BufType, timeout time.Duration) error {
	done, err := d.use()
	if err != nil {
		return err
	}
	defer done()
	events := int16(unix.POLLIN)
	if t.IsOutput() {
		events = unix.POLLOUT
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.closed.Load() {
			return fmt.Errorf("%w: %s", ErrClosed, d.path)
		}
		ms := -1
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return fmt.Errorf("%w: %s after %v", ErrTimeout, d.path, timeout)
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		fds := []unix.PollFd{{Fd: int32(d.fd), Events: events}}
		if d.wake >= 0 {
			fds = append(fds, unix.PollFd{Fd: int32(d.wake), Events: unix.POLLIN})
		} else if ms < 0 || ms > int(pollSlice/time.Millisecond) {
			ms = int(pollSlice / time.Millisecond)
		}
		n, err := d.sys.Poll(fds, ms)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("v4l2: %s: poll: %w", d.path, err)
		}
		if n == 0 {
			continue
		}
		rev := fds[0].Revents
		switch {
		case rev&unix.POLLNVAL != 0:
			return fmt.Errorf("%w: %s: poll: descriptor not open", ErrClosed, d.path)
		case rev&unix.POLLHUP != 0:
			return fmt.Errorf("%w: %s: poll: hang-up", ErrGone, d.path)
		case rev&events != 0:
			return nil
		case rev&unix.POLLERR != 0:
			return fmt.Errorf("%w: %s", ErrStreamError, d.path)
		}
		// Only the eventfd is ready: the Device is closing, ctx ended,
		// or another waiter's context ended and its token is still
		// there. The checks at the top tell; in the last case the
		// token's owner takes it back at once, so yield meanwhile.
		if !d.closed.Load() && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}
}

// Next waits for and dequeues the next buffer of queue t: Wait and
// Dequeue in a loop. timeout bounds the wait for each buffer (<= 0: no
// limit); a camera that stops delivering frames yields ErrTimeout. It
// returns the errors of both.
func (d *Device) Next(ctx context.Context, t BufType, timeout time.Duration) (Buffer, error) {
	for {
		b, err := d.Dequeue(t)
		if !errors.Is(err, ErrNotReady) {
			return b, err
		}
		werr := d.Wait(ctx, t, timeout)
		if werr == nil {
			continue
		}
		if !errors.Is(werr, ErrStreamError) {
			return Buffer{}, werr
		}
		// poll said error: DQBUF tells what it is (ENODEV, EIO, EPIPE),
		// or there is a buffer after all.
		b, err = d.Dequeue(t)
		if errors.Is(err, ErrNotReady) {
			return Buffer{}, werr
		}
		return b, err
	}
}
