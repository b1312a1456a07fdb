//go:build linux

package ioctltest

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// pollRecheck bounds how long Poll waits before it looks at the fake
// devices again.
const pollRecheck = 5 * time.Millisecond

// Revents answers poll(2) for one fake descriptor fd: the events of
// events that are ready (unix.POLLNVAL for a descriptor that is not
// open) and, if none is, how long until one may be (-1: not known).
type Revents func(fd int, events int16) (rev int16, wait time.Duration)

// Poll implements poll(2), timeout in milliseconds (-1: forever), for a
// fake kernel. Descriptors from FDBase up are answered by revents; the
// others (the eventfd that wakes the code under test) are polled for
// real, for as long as the fake ones have nothing to report. It looks at
// the fake ones again every few milliseconds, since a test may make a
// device vanish or resume while Poll waits.
func Poll(fds []unix.PollFd, timeout int, revents Revents) (int, error) {
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	for {
		n, soon := 0, time.Duration(-1)
		var others []int
		fake := false
		for i := range fds {
			fds[i].Revents = 0
			fd := int(fds[i].Fd)
			if fd < FDBase {
				others = append(others, i)
				continue
			}
			fake = true
			rev, wait := revents(fd, fds[i].Events)
			fds[i].Revents = rev
			if rev != 0 {
				n++
			} else if wait >= 0 && (soon < 0 || wait < soon) {
				soon = wait
			}
		}
		block := time.Duration(-1)
		if !deadline.IsZero() {
			block = max(time.Until(deadline), 0)
		}
		if n > 0 {
			block = 0
		}
		if soon >= 0 && (block < 0 || soon < block) {
			block = soon
		}
		if fake && (block < 0 || block > pollRecheck) {
			block = pollRecheck
		}
		m, err := pollReal(fds, others, block)
		if err != nil {
			return n, err
		}
		n += m
		if n > 0 || (!deadline.IsZero() && !time.Now().Before(deadline)) {
			return n, nil
		}
	}
}

// pollReal polls the real descriptors fds[i] for i in idx for up to
// block (-1: without limit).
func pollReal(fds []unix.PollFd, idx []int, block time.Duration) (int, error) {
	if len(idx) == 0 {
		if block < 0 || block > pollRecheck {
			block = pollRecheck
		}
		time.Sleep(block)
		return 0, nil
	}
	ms := -1
	if block >= 0 {
		ms = int((block + time.Millisecond - 1) / time.Millisecond)
	}
	sub := make([]unix.PollFd, len(idx))
	for j, i := range idx {
		sub[j] = fds[i]
	}
	n, err := unix.Poll(sub, ms)
	if errors.Is(err, unix.EINTR) {
		return 0, nil
	}
	for j, i := range idx {
		fds[i].Revents = sub[j].Revents
	}
	return n, err
}
