//go:build !linux

package watchdog

import "time"

// Device is an open hardware watchdog; off Linux there are none.
type Device struct{}

// Open fails with ErrUnsupported off Linux.
func Open(path string) (*Device, error) { return nil, ErrUnsupported }

// Identity fails with ErrUnsupported.
func (d *Device) Identity() (string, error) { return "", ErrUnsupported }

// SetTimeout fails with ErrUnsupported.
func (d *Device) SetTimeout(t time.Duration) (time.Duration, error) { return 0, ErrUnsupported }

// Timeout fails with ErrUnsupported.
func (d *Device) Timeout() (time.Duration, error) { return 0, ErrUnsupported }

// Keepalive fails with ErrUnsupported.
func (d *Device) Keepalive() error { return ErrUnsupported }

// Close does nothing.
func (d *Device) Close() error { return nil }
