package talkback

import "errors"

// Errors a talk session ends with.
var (
	// ErrBusy means another viewer has the speaker.
	ErrBusy = errors.New("talkback: the speaker is taken by another viewer")
	// ErrIdle means the talker sent nothing for IdleTimeout.
	ErrIdle = errors.New("talkback: the talker went quiet")
	// ErrFormat means the stream is not audio we can play.
	ErrFormat = errors.New("talkback: unsupported audio")
)
