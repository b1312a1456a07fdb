//go:build linux

package alsatest

import (
	"math"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// Stream states (SNDRV_PCM_STATE_*).
type pstate int

const (
	stateOpen pstate = iota
	stateSetup
	statePrepared
	stateRunning
	stateXRun
	stateDraining
	statePaused
	stateSuspended
	stateDisconnected
)

var stateNames = [...]string{"OPEN", "SETUP", "PREPARED", "RUNNING", "XRUN", "DRAINING", "PAUSED", "SUSPENDED", "DISCONNECTED"}

// pcmVersion is the protocol the fake speaks (SNDRV_PCM_VERSION 2.0.15).
const pcmVersion = 2<<16 | 15

// stream is the runtime of a Device: its setup, its positions and its
// clock. Its methods run with the Device's mutex held.
type stream struct {
	dir       alsa.Direction
	caps      Caps
	speed     float64
	source    []int16
	loop      bool
	canResume bool

	state     pstate
	suspended pstate // the state a suspend interrupted

	rate, channels, period, buffer int
	availMin, startThreshold       int
	stopThreshold                  int64
	boundary                       int64
	userVersion                    int32

	// hw and appl count frames since the last prepare. While running,
	// hw is base plus the whole periods the clock ran since t0.
	hw, appl int64
	t0       time.Time
	base     int64
	stalled  bool
	// srcOff is the frame of Source that hw 0 captures.
	srcOff int64

	written []int16
}

func (s *stream) running() bool { return s.state == stateRunning || s.state == stateDraining }

// rebase restarts the clock at now from the current hw position.
func (s *stream) rebase(now time.Time) {
	s.t0, s.base = now, s.hw
}

// clockFrames returns how many whole periods' frames the clock ran
// since t0.
func (s *stream) clockFrames(now time.Time) int64 {
	if s.stalled || s.rate == 0 {
		return 0
	}
	f := int64(now.Sub(s.t0).Seconds() * float64(s.rate) * s.speed)
	return f / int64(s.period) * int64(s.period)
}

// advance moves hw to now, and detects an overrun, an underrun or the
// end of a drain, as snd_pcm_update_hw_ptr does.
func (s *stream) advance(now time.Time) {
	if !s.running() {
		return
	}
	target := s.base + s.clockFrames(now)
	if s.dir == alsa.Capture {
		s.hw = target
		if s.hw-s.appl >= s.stopThreshold {
			s.stop(stateXRun)
		}
		return
	}
	switch {
	case s.state == stateDraining && target >= s.appl:
		s.hw = s.appl
		s.stop(stateSetup)
	case int64(s.buffer)-(s.appl-target) >= s.stopThreshold:
		s.hw = min(target, s.appl)
		s.stop(stateXRun)
	default:
		s.hw = target
	}
}

// nextPeriod returns how long until the clock completes its next
// period, or -1 if it is not running.
func (s *stream) nextPeriod(now time.Time) time.Duration {
	if !s.running() || s.stalled || s.rate == 0 {
		return -1
	}
	done := s.clockFrames(now) + int64(s.period)
	at := s.t0.Add(time.Duration(float64(done) / (float64(s.rate) * s.speed) * float64(time.Second)))
	return max(at.Sub(now)+100*time.Microsecond, 0)
}

func (s *stream) stop(st pstate) { s.state = st }

func (s *stream) start(now time.Time) {
	s.state = stateRunning
	s.rebase(now)
}

// avail returns the frames a transfer could move now.
func (s *stream) avail() int64 {
	if s.dir == alsa.Capture {
		return s.hw - s.appl
	}
	return int64(s.buffer) - (s.appl - s.hw)
}

// delay returns the frames between the application and the hardware.
func (s *stream) delay() int64 {
	if s.dir == alsa.Capture {
		return s.hw - s.appl
	}
	return s.appl - s.hw
}

// accessible checks the state for a transfer, as pcm_accessible_state
// does.
func (s *stream) accessible() error {
	switch s.state {
	case statePrepared, stateRunning, statePaused:
		return nil
	case stateXRun:
		return unix.EPIPE
	case stateSuspended:
		return unix.ESTRPIPE
	}
	return unix.EBADFD
}

// sample returns channel c of source frame f.
func (s *stream) sample(f int64, c int) int16 {
	n := int64(len(s.source) / s.channels)
	if f >= n {
		if !s.loop || n == 0 {
			return 0
		}
		f %= n
	}
	return s.source[f*int64(s.channels)+int64(c)]
}

// xfer serves READI_FRAMES and WRITEI_FRAMES on a non-blocking file.
func (s *stream) xfer(m mem, now time.Time) error {
	frames := int64(m.ulong(xferFrames))
	if frames < 0 || frames > 1<<30 {
		return unix.EINVAL
	}
	if err := s.accessible(); err != nil {
		return err
	}
	var data []int16
	if frames > 0 {
		p := m.pointer(xferBuf)
		if p == nil {
			return unix.EFAULT
		}
		data = unsafe.Slice((*int16)(p), frames*int64(s.channels))
	}
	if s.dir == alsa.Capture && s.state == statePrepared && frames >= int64(s.startThreshold) {
		s.start(now)
	}
	s.advance(now)
	if err := s.accessible(); err != nil {
		return err
	}
	n := min(s.avail(), frames)
	if n <= 0 {
		if frames == 0 {
			m.putLong(0, 0)
			return nil
		}
		return unix.EAGAIN
	}
	ch := s.channels
	if s.dir == alsa.Capture {
		for i := range n {
			for c := range ch {
				data[int(i)*ch+c] = s.sample(s.srcOff+s.appl+i, c)
			}
		}
		s.appl += n
	} else {
		s.written = append(s.written, data[:int(n)*ch]...)
		s.appl += n
		if s.state == statePrepared && s.appl-s.hw >= int64(s.startThreshold) {
			s.start(now)
		}
	}
	m.putLong(0, n)
	return nil
}

// status serves SNDRV_PCM_IOCTL_STATUS.
func (s *stream) status(m mem) {
	clear(m)
	m.put32(stState, uint32(s.state))
	if s.boundary > 0 {
		m.putLong(stApplPtr, s.appl%s.boundary)
		m.putLong(stHwPtr, s.hw%s.boundary)
	}
	if s.state >= statePrepared {
		m.putLong(stDelay, s.delay())
		m.putLong(stAvail, max(s.avail(), 0))
		m.putLong(stAvailMax, max(s.avail(), 0))
	}
	m.put32(stSuspendedState, uint32(s.suspended))
}

// setup installs the hardware parameters HW_PARAMS chose, with the
// kernel's default software parameters.
func (s *stream) setup(h *hw) {
	s.channels = int(h.get(pChannels).lo)
	s.rate = int(h.get(pRate).lo)
	s.period = int(h.get(pPeriodSize).lo)
	s.buffer = int(h.get(pBufferSize).lo)
	s.availMin = s.period
	s.startThreshold = 1
	s.stopThreshold = int64(s.buffer)
	longMax := uint64(math.MaxInt32)
	if ptr == 8 {
		longMax = math.MaxInt64
	}
	b := uint64(s.buffer)
	for b*2 <= longMax-uint64(s.buffer) {
		b *= 2
	}
	s.boundary = int64(b)
	s.hw, s.appl, s.srcOff = 0, 0, 0
	s.state = stateSetup
}

// prepare serves SNDRV_PCM_IOCTL_PREPARE.
func (s *stream) prepare() error {
	switch s.state {
	case stateOpen, stateDisconnected:
		return unix.EBADFD
	}
	s.srcOff += s.hw
	s.hw, s.appl = 0, 0
	s.state = statePrepared
	return nil
}

// drain serves SNDRV_PCM_IOCTL_DRAIN on a non-blocking file: it starts
// draining and answers EAGAIN, as the kernel does.
func (s *stream) drain(now time.Time) error {
	switch s.state {
	case stateOpen, stateDisconnected:
		return unix.EBADFD
	}
	s.advance(now)
	if s.dir == alsa.Capture {
		s.stop(stateSetup)
		return unix.EAGAIN
	}
	switch s.state {
	case statePrepared:
		if s.appl > s.hw {
			s.start(now)
			s.state = stateDraining
		} else {
			s.stop(stateSetup)
		}
	case stateRunning:
		s.state = stateDraining
	case stateXRun, stateSuspended:
		s.stop(stateSetup)
	}
	return unix.EAGAIN
}

// revents says what poll reports for events now, and if nothing, how
// long until something may change (-1: not by itself).
func (s *stream) revents(events int16, now time.Time) (int16, time.Duration) {
	s.advance(now)
	ready := int16(unix.POLLIN)
	if s.dir == alsa.Playback {
		ready = unix.POLLOUT
	}
	switch s.state {
	case stateRunning:
		if s.avail() >= int64(s.availMin) {
			return ready & events, 0
		}
		return 0, s.nextPeriod(now)
	case statePrepared:
		if s.dir == alsa.Playback && s.avail() >= int64(s.availMin) {
			return ready & events, 0
		}
		return 0, -1
	case stateDraining:
		return 0, s.nextPeriod(now)
	}
	return ready&events | unix.POLLERR, 0
}
