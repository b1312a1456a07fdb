//go:build linux

package ptz

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// bauds are the serial speeds OpenSerial sets; Pelco-D heads take 2400
// (the usual default), 4800 or 9600.
var bauds = map[int]uint32{
	1200: unix.B1200, 2400: unix.B2400, 4800: unix.B4800, 9600: unix.B9600,
	19200: unix.B19200, 38400: unix.B38400, 57600: unix.B57600, 115200: unix.B115200,
}

// OpenSerial opens a serial port (an RS-485 adapter: /dev/ttyUSB0,
// /dev/ttyAMA0) for writing raw bytes at baud, 8 data bits, no parity,
// one stop bit, no flow control: what Pelco-D heads speak.
func OpenSerial(path string, baud int) (*os.File, error) {
	speed, ok := bauds[baud]
	if !ok {
		return nil, fmt.Errorf("ptz: serial %s: baud %d: want 1200, 2400, 4800, 9600, 19200, 38400, 57600 or 115200", path, baud)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		if os.IsPermission(err) {
			return nil, fmt.Errorf("ptz: open serial %s: %w; add the service user to group 'dialout'", path, err)
		}
		return nil, fmt.Errorf("ptz: open serial %s: %w", path, err)
	}
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ptz: serial %s: not a terminal device: %w", path, err)
	}
	// cfmakeraw, then 8N1 at speed without flow control.
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON | unix.IXOFF
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CSTOPB | unix.CRTSCTS | unix.CBAUD
	t.Cflag |= unix.CS8 | unix.CREAD | unix.CLOCAL | speed
	t.Ispeed, t.Ospeed = speed, speed
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, t); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ptz: serial %s: set %d 8N1: %w", path, baud, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}
