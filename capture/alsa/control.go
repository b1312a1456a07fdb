//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// control is an open control device, /dev/snd/controlC{card}: the
// package only asks it about the card and its PCM devices.
type control struct {
	sys  Sys
	path string
	fd   int
}

// openControl opens the control device at path read-only, which is all
// the information requests need.
func openControl(sys Sys, path string) (*control, error) {
	fd, err := sys.Open(path, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, openError(path, err)
	}
	c := &control{sys: sys, path: path, fd: fd}
	var v int32
	if err := c.ioctl(ctlIoctlPversion, unsafe.Pointer(&v)); err != nil {
		c.close()
		return nil, err
	}
	if protocolMajor(v) != protocolMajor(ctlVersion) {
		c.close()
		return nil, fmt.Errorf("%w: %s: control protocol %d.%d.%d", ErrUnsupported, path, v>>16, v>>8&0xff, v&0xff)
	}
	return c, nil
}

func (c *control) close() { _ = c.sys.Close(c.fd) }

func (c *control) ioctl(req uint, arg unsafe.Pointer) error {
	for {
		err := c.sys.Ioctl(c.fd, req, arg)
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EINTR) {
			return ioctlError(c.path, req, err)
		}
	}
}

// cardInfo asks SNDRV_CTL_IOCTL_CARD_INFO.
func (c *control) cardInfo() (Card, error) {
	var k ctlCardInfo
	if err := c.ioctl(ctlIoctlCardInfo, unsafe.Pointer(&k)); err != nil {
		return Card{}, err
	}
	return Card{
		Index:    int(k.Card),
		ID:       cString(k.ID[:]),
		Driver:   cString(k.Driver[:]),
		Name:     cString(k.Name[:]),
		LongName: cString(k.Longname[:]),
	}, nil
}

// devices lists the card's PCM devices with their streams, through
// SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE and SNDRV_CTL_IOCTL_PCM_INFO.
func (c *control) devices(card Card) ([]DeviceInfo, error) {
	var devs []DeviceInfo
	dev := int32(-1)
	for range 1024 {
		if err := c.ioctl(ctlIoctlPCMNextDevice, unsafe.Pointer(&dev)); err != nil {
			return devs, err
		}
		if dev < 0 {
			return devs, nil
		}
		d := DeviceInfo{Card: card, Device: int(dev)}
		for _, dir := range [...]Direction{Playback, Capture} {
			info := pcmInfo{Device: uint32(dev), Stream: stream(dir)}
			err := c.ioctl(ctlIoctlPCMInfo, unsafe.Pointer(&info))
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENXIO) {
				continue // no such stream
			}
			if err != nil {
				return devs, err
			}
			d.ID, d.Name = cString(info.ID[:]), cString(info.Name[:])
			n := max(int(info.SubdevicesCount), 1)
			if dir == Playback {
				d.Playback = n
			} else {
				d.Capture = n
			}
		}
		devs = append(devs, d)
	}
	return devs, fmt.Errorf("alsa: %s: PCM device list does not end", c.path)
}

// stream returns the SNDRV_PCM_STREAM_* value of dir.
func stream(dir Direction) int32 {
	if dir == Playback {
		return streamPlayback
	}
	return streamCapture
}
