//go:build linux

package watchdog

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Device is an open, armed hardware watchdog. Its methods are safe for
// concurrent use.
type Device struct {
	sys  Sys
	path string

	mu sync.Mutex // guards fd
	fd int        // -1 once closed
}

// Open opens and so arms the watchdog at path, usually /dev/watchdog.
// From then on it must be fed (Keepalive) within its timeout, or closed
// with Close, or the board reboots.
func Open(path string) (*Device, error) { return OpenWith(Kernel, path) }

// OpenWith is Open through sys.
func OpenWith(sys Sys, path string) (*Device, error) {
	fd, err := sys.Open(path)
	switch {
	case errors.Is(err, unix.EBUSY):
		return nil, fmt.Errorf("watchdog: open %s: %w; another program (a watchdog daemon, systemd's RuntimeWatchdogSec) holds it", path, err)
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return nil, fmt.Errorf("watchdog: open %s: %w; give the service user write access to it (a udev rule, or run as root)", path, err)
	case errors.Is(err, unix.ENOENT):
		return nil, fmt.Errorf("watchdog: open %s: %w; load the board's watchdog driver (e.g. bcm2835_wdt, i6300esb)", path, err)
	case err != nil:
		return nil, fmt.Errorf("watchdog: open %s: %w", path, err)
	}
	return &Device{sys: sys, path: path, fd: fd}, nil
}

// Identity returns the driver's name for the watchdog, e.g.
// "Broadcom BCM2835 Watchdog timer".
func (d *Device) Identity() (string, error) {
	var wi info
	if err := d.ioctl(wdiocGetSupport, unsafe.Pointer(&wi), "WDIOC_GETSUPPORT"); err != nil {
		return "", err
	}
	id := wi.Identity[:]
	for i, c := range id {
		if c == 0 {
			id = id[:i]
			break
		}
	}
	return string(id), nil
}

// SetTimeout asks for a timeout of t, in whole seconds, and returns the
// one the driver set: drivers round and clamp it (the BCM2835's is at
// most 15 s).
func (d *Device) SetTimeout(t time.Duration) (time.Duration, error) {
	secs := int32(max(1, (t+time.Second-1)/time.Second))
	if err := d.ioctl(wdiocSetTimeout, unsafe.Pointer(&secs), "WDIOC_SETTIMEOUT"); err != nil {
		return 0, err
	}
	return time.Duration(secs) * time.Second, nil
}

// Timeout returns the current timeout.
func (d *Device) Timeout() (time.Duration, error) {
	var secs int32
	if err := d.ioctl(wdiocGetTimeout, unsafe.Pointer(&secs), "WDIOC_GETTIMEOUT"); err != nil {
		return 0, err
	}
	return time.Duration(secs) * time.Second, nil
}

// Keepalive restarts the watchdog's countdown.
func (d *Device) Keepalive() error {
	var dummy int32
	return d.ioctl(wdiocKeepalive, unsafe.Pointer(&dummy), "WDIOC_KEEPALIVE")
}

func (d *Device) ioctl(req uint, arg unsafe.Pointer, what string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fd < 0 {
		return fmt.Errorf("%w: %s", ErrClosed, d.path)
	}
	if err := d.sys.Ioctl(d.fd, req, arg); err != nil {
		return fmt.Errorf("watchdog: %s: %s: %w", d.path, what, err)
	}
	return nil
}

// Close disarms the watchdog with the magic close: it writes 'V', then
// closes the device. A driver opened with nowayout keeps running anyway,
// and the board reboots after the timeout. Close is idempotent.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fd < 0 {
		return nil
	}
	_, werr := d.sys.Write(d.fd, []byte{magicClose})
	cerr := d.sys.Close(d.fd)
	d.fd = -1
	if werr != nil {
		return fmt.Errorf("watchdog: %s: magic close: %w; the watchdog stays armed", d.path, werr)
	}
	if cerr != nil {
		return fmt.Errorf("watchdog: %s: close: %w", d.path, cerr)
	}
	return nil
}
