package ioc

import (
	"errors"
	"syscall"
	"testing"
)

func TestErrorsRequest(t *testing.T) {
	errGone := errors.New("dev: device is gone")
	e := Errors{Prefix: "dev", Gone: errGone, Names: map[uint]string{7: "DEV_QUERY"}}
	tests := []struct {
		name   string
		req    uint
		errno  error
		want   string
		isGone bool
	}{
		{"named request", 7, syscall.EINVAL, "dev: /dev/x: DEV_QUERY: invalid argument", false},
		{"unnamed request", 0xc0105600, syscall.EBUSY, "dev: /dev/x: ioctl 0xc0105600: device or resource busy", false},
		{"device gone", 7, syscall.ENODEV, "dev: device is gone: /dev/x: DEV_QUERY: no such device", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := e.Request("/dev/x", tc.req, tc.errno)
			if err.Error() != tc.want {
				t.Errorf("got %q, want %q", err, tc.want)
			}
			if !errors.Is(err, tc.errno) {
				t.Errorf("%v does not match its errno", err)
			}
			if errors.Is(err, errGone) != tc.isGone || IsGone(err) != tc.isGone {
				t.Errorf("gone = %v, want %v", errors.Is(err, errGone), tc.isGone)
			}
		})
	}
}
