//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// recover handles the error err of request req: an xrun (EPIPE) and a
// stream that stopped (EBADFD in the SETUP state) are prepared again, a
// suspended one (ESTRPIPE) is resumed; anything else is returned.
func (p *PCM) recover(req uint, err error) error {
	switch {
	case errors.Is(err, unix.EPIPE):
		p.xruns.Add(1)
		return p.prepare()
	case errors.Is(err, unix.ESTRPIPE):
		return p.resume()
	case errors.Is(err, unix.EBADFD):
		st, serr := p.status()
		if serr != nil {
			return serr
		}
		switch st.State {
		case int32(stateXRun):
			p.xruns.Add(1)
			return p.prepare()
		case int32(stateSuspended):
			return p.resume()
		case int32(stateSetup):
			return p.prepare()
		case int32(statePrepared), int32(stateRunning):
			return nil // changed meanwhile; try again
		case int32(stateDisconnected):
			return fmt.Errorf("%w: %s: stream disconnected", ErrGone, p.path)
		}
		return fmt.Errorf("%w: %s: %s in state %v", ErrBadState, p.path, ioctlNames[req], state(st.State))
	}
	return ioctlError(p.path, req, err)
}

// prepare makes the stream ready to start again (SNDRV_PCM_IOCTL_PREPARE).
func (p *PCM) prepare() error {
	p.started = false
	return p.ioctl(pcmIoctlPrepare, nil)
}

// resumeTries bounds how long a suspended stream is waited for.
const (
	resumeTries = 50
	resumeWait  = 100 * time.Millisecond
)

// resume brings a suspended stream back: SNDRV_PCM_IOCTL_RESUME while
// the device is still waking up (EAGAIN), or a prepare when the driver
// cannot resume.
func (p *PCM) resume() error {
	for range resumeTries {
		err := p.rawIoctl(pcmIoctlResume, nil)
		switch {
		case err == nil:
			return nil
		case isGone(err):
			return ioctlError(p.path, pcmIoctlResume, err)
		case !errors.Is(err, unix.EAGAIN):
			return p.prepare() // ENOSYS: the driver cannot resume
		}
		if err := p.sleep(resumeWait); err != nil {
			return err
		}
	}
	return p.prepare()
}

// status asks SNDRV_PCM_IOCTL_STATUS.
func (p *PCM) status() (pcmStatus, error) {
	var st pcmStatus
	err := p.ioctl(pcmIoctlStatus, unsafe.Pointer(&st))
	return st, err
}
