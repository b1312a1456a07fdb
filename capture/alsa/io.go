//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// maxRecoveries bounds the recoveries in a row (overruns, suspends,
// restarts) that a transfer makes without moving a frame.
const maxRecoveries = 16

// Read fills buf with interleaved frames from a capture stream,
// blocking until it is full, and returns how many frames it read:
// len(buf)/Channels, as a trailing partial frame is left alone. The
// stream starts with the first Read. An overrun (the caller read too
// late, and the device dropped frames) is recovered from by restarting
// the stream and counted in XRuns; the frames lost leave a gap that
// Read does not report otherwise. On an error it returns the frames
// read before it, with ErrClosed, ErrGone, ErrTimeout or another error.
func (p *PCM) Read(buf []int16) (int, error) {
	if p.dir != Capture {
		return 0, fmt.Errorf("%w: %s: Read on a playback stream", ErrUnsupported, p.path)
	}
	return p.transfer(buf)
}

// Write queues the interleaved frames of buf on a playback stream,
// blocking while the device's buffer is full, and returns how many
// frames it queued: all of them unless it fails. buf must hold whole
// frames. Playing starts once Params().StartFrames are queued (or on
// Drain). An underrun (the caller wrote too late, and the device ran
// dry) is recovered from by restarting the stream and counted in XRuns.
func (p *PCM) Write(buf []int16) (int, error) {
	if p.dir != Playback {
		return 0, fmt.Errorf("%w: %s: Write on a capture stream", ErrUnsupported, p.path)
	}
	if len(buf)%p.params.Channels != 0 {
		return 0, fmt.Errorf("%w: %d samples for %d channels", ErrPartialFrame, len(buf), p.params.Channels)
	}
	return p.transfer(buf)
}

// transfer moves the whole frames of buf with READI_FRAMES or
// WRITEI_FRAMES, waiting for the device whenever it has no room or no
// frames (EAGAIN), and recovering from xruns and suspends.
func (p *PCM) transfer(buf []int16) (int, error) {
	end, err := p.begin()
	if err != nil {
		return 0, err
	}
	defer end()

	ch := p.params.Channels
	frames := len(buf) / ch
	req, events := pcmIoctlReadiFrames, int16(unix.POLLIN)
	if p.dir == Playback {
		req, events = pcmIoctlWriteiFrames, unix.POLLOUT
	}
	n, recoveries := 0, 0
	for n < frames {
		if p.closed.Load() {
			return n, p.closedError()
		}
		if recoveries > maxRecoveries {
			return n, fmt.Errorf("%w: %s: %d recoveries without progress", ErrBadState, p.path, recoveries)
		}
		if p.dir == Capture && !p.started {
			if err := p.rawIoctl(pcmIoctlStart, nil); err != nil {
				recoveries++
				if err := p.recover(pcmIoctlStart, err); err != nil {
					return n, err
				}
				continue
			}
			p.started = true
		}
		x := xferi{Buf: unsafe.Pointer(&buf[n*ch]), Frames: cULong(frames - n)}
		err := p.rawIoctl(req, unsafe.Pointer(&x))
		runtime.KeepAlive(buf)
		switch {
		case err == nil && x.Result > 0:
			n += int(x.Result)
			recoveries = 0
		case err == nil, errors.Is(err, unix.EAGAIN):
			if err := p.wait(events); err != nil {
				return n, err
			}
		default:
			recoveries++
			if err := p.recover(req, err); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
