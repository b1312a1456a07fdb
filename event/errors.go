package event

import "errors"

var (
	// ErrInvalid means an event is malformed: a bad type, channel or data.
	ErrInvalid = errors.New("event: invalid event")
	// ErrTooLarge means an event exceeds MaxSize.
	ErrTooLarge = errors.New("event: event too large")
	// ErrClosed is returned by Subscribe on a closed Bus.
	ErrClosed = errors.New("event: bus closed")
	// ErrTooMany means the Bus has MaxSubscribers already.
	ErrTooMany = errors.New("event: too many subscribers")
)
