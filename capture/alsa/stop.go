//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Delay returns how many frames of a playback stream are still to be
// heard (written but not yet played, including the hardware's own
// latency), or how many frames of a capture stream are ready to be read.
// A stream that is not running (stopped, underrun) has no delay.
func (p *PCM) Delay() (int, error) {
	done, err := p.use()
	if err != nil {
		return 0, err
	}
	defer done()
	var d cLong
	err = p.rawIoctl(pcmIoctlDelay, unsafe.Pointer(&d))
	switch {
	case err == nil:
		return max(int(d), 0), nil
	case errors.Is(err, unix.EPIPE), errors.Is(err, unix.ESTRPIPE), errors.Is(err, unix.EBADFD):
		return 0, nil
	}
	return 0, ioctlError(p.path, pcmIoctlDelay, err)
}

// Drop stops the stream at once, discarding the frames queued for
// playback or captured but not read, and prepares it again: a capture
// restarts with the next Read, a playback once enough is written.
func (p *PCM) Drop() error {
	end, err := p.begin()
	if err != nil {
		return err
	}
	defer end()
	if err := p.rawIoctl(pcmIoctlDrop, nil); err != nil && !errors.Is(err, unix.EBADFD) {
		return ioctlError(p.path, pcmIoctlDrop, err)
	}
	return p.prepare()
}

// Drain waits until every frame queued on a playback stream has been
// played (starting the stream if it had not started), then prepares it
// again. On a capture stream it is Drop. Close from another goroutine
// ends the wait with ErrClosed.
func (p *PCM) Drain() error {
	if p.dir == Capture {
		return p.Drop()
	}
	end, err := p.begin()
	if err != nil {
		return err
	}
	defer end()
	for tries := 0; ; tries++ {
		err := p.rawIoctl(pcmIoctlDrain, nil)
		if err == nil || errors.Is(err, unix.EAGAIN) {
			// Non-blocking, the kernel only starts draining.
			break
		}
		if tries > maxRecoveries {
			return ioctlError(p.path, pcmIoctlDrain, err)
		}
		if err := p.recover(pcmIoctlDrain, err); err != nil {
			return err
		}
	}
	if err := p.waitDrained(); err != nil {
		return err
	}
	return p.prepare()
}

// waitDrained polls the stream's state until it stops draining.
func (p *PCM) waitDrained() error {
	step := min(max(p.params.Duration(p.params.PeriodFrames), 5*time.Millisecond), 100*time.Millisecond)
	deadline := time.Now().Add(p.timeout + p.params.Duration(p.params.BufferFrames))
	for {
		st, err := p.status()
		if err != nil {
			return err
		}
		switch state(st.State) {
		case stateDraining, stateRunning:
		case stateDisconnected:
			return fmt.Errorf("%w: %s: stream disconnected", ErrGone, p.path)
		default:
			return nil // SETUP when done; XRUN and others: nothing left to play
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s: draining did not end", ErrTimeout, p.path)
		}
		if err := p.sleep(step); err != nil {
			return err
		}
	}
}
