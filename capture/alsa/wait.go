//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// wait polls the device for events (POLLIN for capture, POLLOUT for
// playback) together with the wake-up eventfd. It returns nil when the
// device is ready or reports an error condition (the next transfer
// tells which), ErrClosed when the PCM is closed, and ErrTimeout when
// nothing happened for p.timeout.
func (p *PCM) wait(events int16) error {
	deadline := time.Now().Add(p.timeout)
	for {
		if p.closed.Load() {
			return p.closedError()
		}
		left := time.Until(deadline)
		if left <= 0 {
			return fmt.Errorf("%w: %s: no frames moved for %v", ErrTimeout, p.path, p.timeout)
		}
		fds := []unix.PollFd{{Fd: int32(p.fd), Events: events}}
		if p.wake >= 0 {
			fds = append(fds, unix.PollFd{Fd: int32(p.wake), Events: unix.POLLIN})
		} else {
			left = min(left, pollSlice)
		}
		n, err := p.sys.Poll(fds, int((left+time.Millisecond-1)/time.Millisecond))
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return fmt.Errorf("alsa: %s: poll: %w", p.path, err)
		}
		if p.closed.Load() {
			return p.closedError()
		}
		if rev := fds[0].Revents; n > 0 && rev != 0 {
			if rev&events == 0 {
				// Only an error condition: the transfer that follows
				// tells which. Should it not, do not spin.
				return p.sleep(time.Millisecond)
			}
			return nil
		}
	}
}

// sleep waits for d, or until the PCM is closed.
func (p *PCM) sleep(d time.Duration) error {
	if p.wake < 0 {
		time.Sleep(min(d, pollSlice))
	} else {
		fds := []unix.PollFd{{Fd: int32(p.wake), Events: unix.POLLIN}}
		_, err := p.sys.Poll(fds, int((d+time.Millisecond-1)/time.Millisecond))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("alsa: %s: poll: %w", p.path, err)
		}
	}
	if p.closed.Load() {
		return p.closedError()
	}
	return nil
}
