//go:build linux

package watchdog

import (
	"encoding/binary"
	"fmt"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fakeSys is a fake watchdog driver at /dev/watchdog with a 1 to maxSecs
// second timeout. It records the calls it gets.
type fakeSys struct {
	maxSecs  int32
	openErr  error
	writeErr error

	mu       sync.Mutex // guards the fields below
	open     bool
	timeout  int32
	calls    []string
	disarmed bool // closed after a 'V'
	expectV  bool // the last write was a 'V'
}

const fakeFD = 7

func (f *fakeSys) record(s string) { f.calls = append(f.calls, s) }

func (f *fakeSys) Open(path string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("open " + path)
	if f.openErr != nil {
		return -1, f.openErr
	}
	if path != "/dev/watchdog" {
		return -1, unix.ENOENT
	}
	if f.open {
		return -1, unix.EBUSY
	}
	f.open, f.timeout = true, 10
	return fakeFD, nil
}

func (f *fakeSys) Write(fd int, p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record(fmt.Sprintf("write %q", p))
	if f.writeErr != nil {
		return 0, f.writeErr
	}
	f.expectV = len(p) > 0 && p[len(p)-1] == 'V'
	return len(p), nil
}

// Ioctl decodes the request by its number and size, independently of the
// package's table.
func (f *fakeSys) Ioctl(fd int, req uint, arg unsafe.Pointer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fd != fakeFD || !f.open {
		return unix.EBADF
	}
	nr, typ := req&0xff, req>>8&0xff
	if typ != 'W' {
		return unix.ENOTTY
	}
	switch nr {
	case 0:
		f.record("ioctl WDIOC_GETSUPPORT")
		b := unsafe.Slice((*byte)(arg), 40)
		clear(b)
		copy(b[8:], "Fake Watchdog")
	case 5:
		f.record("ioctl WDIOC_KEEPALIVE")
	case 6:
		p := (*[4]byte)(arg)
		want := int32(binary.NativeEndian.Uint32(p[:]))
		f.record(fmt.Sprintf("ioctl WDIOC_SETTIMEOUT %d", want))
		if want < 1 {
			return unix.EINVAL
		}
		f.timeout = min(want, f.maxSecs)
		binary.NativeEndian.PutUint32(p[:], uint32(f.timeout))
	case 7:
		f.record("ioctl WDIOC_GETTIMEOUT")
		binary.NativeEndian.PutUint32((*[4]byte)(arg)[:], uint32(f.timeout))
	default:
		return unix.ENOTTY
	}
	return nil
}

func (f *fakeSys) Close(fd int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("close")
	if fd != fakeFD || !f.open {
		return unix.EBADF
	}
	f.open, f.disarmed = false, f.expectV
	return nil
}

func (f *fakeSys) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
