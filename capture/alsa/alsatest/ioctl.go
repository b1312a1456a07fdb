//go:build linux

package alsatest

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/alsa"
)

// spec is what the uAPI headers declare of a request.
type spec struct {
	name        string
	size        int
	read, write bool
}

// specFor returns the declaration of request nr of type typ ('A' for
// PCM files, 'U' for control devices).
func specFor(pcm bool, typ byte, nr uint) (spec, bool) {
	if pcm && typ == 'A' {
		s, ok := pcmSpecs[nr]
		return s, ok
	}
	if !pcm && typ == 'U' {
		s, ok := ctlSpecs[nr]
		return s, ok
	}
	return spec{}, false
}

// pcmSpecs declares the SNDRV_PCM_IOCTL_* requests the fake serves.
var pcmSpecs = map[uint]spec{
	0x00: {"PVERSION", 4, true, false},
	0x01: {"INFO", sizePCMInfo, true, false},
	0x04: {"USER_PVERSION", 4, false, true},
	0x10: {"HW_REFINE", sizeHwParams, true, true},
	0x11: {"HW_PARAMS", sizeHwParams, true, true},
	0x12: {"HW_FREE", 0, false, false},
	0x13: {"SW_PARAMS", sizeSwParams, true, true},
	0x20: {"STATUS", sizeStatus, true, false},
	0x21: {"DELAY", ptr, true, false},
	0x40: {"PREPARE", 0, false, false},
	0x41: {"RESET", 0, false, false},
	0x42: {"START", 0, false, false},
	0x43: {"DROP", 0, false, false},
	0x44: {"DRAIN", 0, false, false},
	0x47: {"RESUME", 0, false, false},
	0x50: {"WRITEI_FRAMES", sizeXferi, false, true},
	0x51: {"READI_FRAMES", sizeXferi, true, false},
}

// ctlSpecs declares the SNDRV_CTL_IOCTL_* requests the fake serves.
var ctlSpecs = map[uint]spec{
	0x00: {"PVERSION", 4, true, false},
	0x01: {"CARD_INFO", sizeCardInfo, true, false},
	0x30: {"PCM_NEXT_DEVICE", 4, true, false},
	0x31: {"PCM_INFO", sizePCMInfo, true, true},
}

// ioctl serves the PCM request name with argument m.
func (d *Device) ioctl(name string, m mem) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.record(name)
	if d.gone {
		return unix.ENODEV
	}
	if err := d.takeFail(name); err != nil {
		return err
	}
	s := &d.s
	now := time.Now()
	switch name {
	case "PVERSION":
		m.put32(0, pcmVersion)
	case "USER_PVERSION":
		s.userVersion = m.i32(0)
	case "INFO":
		d.info(m)
	case "HW_REFINE":
		h, err := decodeHw(m)
		if err != nil {
			return err
		}
		old := h
		if err := s.caps.refine(&h); err != nil {
			return err
		}
		h.encode(m, old)
	case "HW_PARAMS":
		switch s.state {
		case stateOpen, stateSetup, statePrepared:
		default:
			return unix.EBADFD
		}
		h, err := decodeHw(m)
		if err != nil {
			return err
		}
		old := h
		if err := s.caps.refine(&h); err != nil {
			s.state = stateOpen
			return err
		}
		if err := s.caps.choose(&h); err != nil {
			s.state = stateOpen
			return err
		}
		s.setup(&h)
		h.encode(m, old)
	case "HW_FREE":
		if s.state != stateSetup && s.state != statePrepared {
			return unix.EBADFD
		}
		s.state = stateOpen
	case "SW_PARAMS":
		if s.state == stateOpen {
			return unix.EBADFD
		}
		availMin := m.ulong(swAvailMin)
		if availMin == 0 {
			return unix.EINVAL
		}
		silence, silenceThresh := m.ulong(swSilenceSize), m.ulong(swSilenceThresh)
		if silence < uint64(s.boundary) && (silence > silenceThresh || silenceThresh > uint64(s.buffer)) {
			return unix.EINVAL
		}
		s.availMin = int(min(availMin, 1<<30))
		s.startThreshold = int(min(m.ulong(swStartThreshold), 1<<30))
		s.stopThreshold = int64(min(m.ulong(swStopThreshold), 1<<62))
		m.putLong(swBoundary, s.boundary)
	case "STATUS":
		s.advance(now)
		s.status(m)
	case "DELAY":
		s.advance(now)
		switch s.state {
		case stateRunning, statePrepared, stateDraining:
		case stateXRun:
			return unix.EPIPE
		case stateSuspended:
			return unix.ESTRPIPE
		default:
			return unix.EBADFD
		}
		m.putLong(0, s.delay())
	case "PREPARE":
		return s.prepare()
	case "RESET":
		switch s.state {
		case statePrepared, stateRunning, statePaused, stateSuspended:
			s.advance(now)
			s.appl = s.hw
		default:
			return unix.EBADFD
		}
	case "START":
		if s.state != statePrepared {
			return unix.EBADFD
		}
		if s.dir == alsa.Playback && s.appl == s.hw {
			return unix.EPIPE
		}
		s.start(now)
	case "DROP":
		if s.state == stateOpen {
			return unix.EBADFD
		}
		s.advance(now)
		s.stop(stateSetup)
	case "DRAIN":
		return s.drain(now)
	case "RESUME":
		if s.state != stateSuspended {
			return unix.EBADFD
		}
		if !s.canResume {
			return unix.ENOSYS
		}
		s.state = s.suspended
		s.rebase(now)
	case "READI_FRAMES", "WRITEI_FRAMES":
		if (name == "READI_FRAMES") != (s.dir == alsa.Capture) {
			return unix.EINVAL
		}
		return s.xfer(m, now)
	default:
		return unix.ENOTTY
	}
	return nil
}

// info fills a struct snd_pcm_info for the device; d.mu is held.
func (d *Device) info(m mem) {
	clear(m)
	m.put32(infoDevice, uint32(d.Number))
	m.put32(infoSubdevice, 0)
	m.put32(infoStream, streamOf(d.Dir))
	m.put32(infoCard, uint32(d.card))
	m.putStr(infoID, 64, d.ID)
	m.putStr(infoName, 80, d.Name)
	m.putStr(infoSubname, 32, "subdevice #0")
	m.put32(infoSubdevicesCount, 1)
	if !d.open {
		m.put32(infoSubdevicesAvail, 1)
	}
}

func streamOf(dir alsa.Direction) uint32 {
	if dir == alsa.Playback {
		return 0
	}
	return 1
}

// revents answers poll for the device.
func (d *Device) revents(events int16) (int16, time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.gone {
		return unix.POLLERR | unix.POLLNVAL, 0
	}
	return d.s.revents(events, time.Now())
}

// control serves the control-device request name of card c.
func (k *Kernel) control(c *card, name string, m mem) error {
	k.mu.Lock()
	gone := c.gone
	k.mu.Unlock()
	if gone {
		return unix.ENODEV
	}
	switch name {
	case "PVERSION":
		m.put32(0, 2<<16|8)
	case "CARD_INFO":
		clear(m)
		m.put32(cardCard, uint32(c.info.Index))
		m.putStr(cardID, 16, c.info.ID)
		m.putStr(cardDriver, 16, c.info.Driver)
		m.putStr(cardName, 32, c.info.Name)
		m.putStr(cardLongname, 80, c.info.LongName)
		m.putStr(cardMixername, 80, c.info.Name)
		m.putStr(cardComponents, 128, "")
	case "PCM_NEXT_DEVICE":
		after := m.i32(0)
		next := int32(-1)
		for _, d := range c.devs {
			if n := int32(d.Number); n > after && (next < 0 || n < next) {
				next = n
			}
		}
		m.put32(0, uint32(next))
	case "PCM_INFO":
		dev, sub, st := int(m.u32(infoDevice)), m.u32(infoSubdevice), m.u32(infoStream)
		if st > 1 {
			return unix.EINVAL
		}
		found := false
		for _, d := range c.devs {
			if d.Number != dev {
				continue
			}
			found = true
			if streamOf(d.Dir) != st {
				continue
			}
			if sub != 0 {
				return unix.ENXIO
			}
			d.mu.Lock()
			d.info(m)
			d.mu.Unlock()
			return nil
		}
		if !found {
			return unix.ENXIO
		}
		return unix.ENOENT
	default:
		return unix.ENOTTY
	}
	return nil
}
