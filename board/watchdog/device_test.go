//go:build linux

package watchdog

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestDevice(t *testing.T) {
	tests := []struct {
		name      string
		sys       *fakeSys
		path      string
		timeout   time.Duration
		wantSet   time.Duration
		openErr   string
		closeErr  string
		disarmed  bool
		wantCalls []string
	}{
		{
			name: "set, feed, magic close", sys: &fakeSys{maxSecs: 15}, path: "/dev/watchdog",
			timeout: 15 * time.Second, wantSet: 15 * time.Second, disarmed: true,
			wantCalls: []string{"open /dev/watchdog", "ioctl WDIOC_GETSUPPORT", "ioctl WDIOC_SETTIMEOUT 15",
				"ioctl WDIOC_GETTIMEOUT", "ioctl WDIOC_KEEPALIVE", `write "V"`, "close"},
		},
		{
			name: "the driver clamps the timeout", sys: &fakeSys{maxSecs: 15}, path: "/dev/watchdog",
			timeout: 60 * time.Second, wantSet: 15 * time.Second, disarmed: true,
			wantCalls: []string{"open /dev/watchdog", "ioctl WDIOC_GETSUPPORT", "ioctl WDIOC_SETTIMEOUT 60",
				"ioctl WDIOC_GETTIMEOUT", "ioctl WDIOC_KEEPALIVE", `write "V"`, "close"},
		},
		{
			name: "part seconds round up", sys: &fakeSys{maxSecs: 15}, path: "/dev/watchdog",
			timeout: 1500 * time.Millisecond, wantSet: 2 * time.Second, disarmed: true,
			wantCalls: []string{"open /dev/watchdog", "ioctl WDIOC_GETSUPPORT", "ioctl WDIOC_SETTIMEOUT 2",
				"ioctl WDIOC_GETTIMEOUT", "ioctl WDIOC_KEEPALIVE", `write "V"`, "close"},
		},
		{
			name: "failed magic write leaves it armed", sys: &fakeSys{maxSecs: 15, writeErr: unix.EIO}, path: "/dev/watchdog",
			timeout: 15 * time.Second, wantSet: 15 * time.Second, closeErr: "stays armed", disarmed: false,
			wantCalls: []string{"open /dev/watchdog", "ioctl WDIOC_GETSUPPORT", "ioctl WDIOC_SETTIMEOUT 15",
				"ioctl WDIOC_GETTIMEOUT", "ioctl WDIOC_KEEPALIVE", `write "V"`, "close"},
		},
		{name: "missing", sys: &fakeSys{}, path: "/dev/watchdog1", openErr: "load the board's watchdog driver"},
		{name: "busy", sys: &fakeSys{openErr: unix.EBUSY}, path: "/dev/watchdog", openErr: "another program"},
		{name: "no permission", sys: &fakeSys{openErr: unix.EACCES}, path: "/dev/watchdog", openErr: "write access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := OpenWith(tt.sys, tt.path)
			if tt.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.openErr) {
					t.Fatalf("Open error = %v, want one containing %q", err, tt.openErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id, err := d.Identity(); err != nil || id != "Fake Watchdog" {
				t.Errorf("Identity() = %q, %v", id, err)
			}
			got, err := d.SetTimeout(tt.timeout)
			if err != nil || got != tt.wantSet {
				t.Errorf("SetTimeout(%v) = %v, %v; want %v", tt.timeout, got, err, tt.wantSet)
			}
			if got, err := d.Timeout(); err != nil || got != tt.wantSet {
				t.Errorf("Timeout() = %v, %v; want %v", got, err, tt.wantSet)
			}
			if err := d.Keepalive(); err != nil {
				t.Error(err)
			}
			err = d.Close()
			if tt.closeErr == "" && err != nil || tt.closeErr != "" && (err == nil || !strings.Contains(err.Error(), tt.closeErr)) {
				t.Errorf("Close() = %v, want error containing %q", err, tt.closeErr)
			}
			if tt.sys.disarmed != tt.disarmed {
				t.Errorf("disarmed = %v, want %v", tt.sys.disarmed, tt.disarmed)
			}
			if err := d.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if err := d.Keepalive(); !errors.Is(err, ErrClosed) {
				t.Errorf("Keepalive after Close: %v, want ErrClosed", err)
			}
			if calls := tt.sys.Calls(); !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("calls\n%q\nwant\n%q", calls, tt.wantCalls)
			}
		})
	}
}
