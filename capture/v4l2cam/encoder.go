//go:build linux

package v4l2cam

import (
	"context"
	"log/slog"
	"time"
)

// rawEncoder turns raw camera pictures into H.264.
type rawEncoder interface {
	encoderControl
	// encode takes one picture of the shared camera; the caller
	// releases it after.
	encode(ctx context.Context, fr *rawFrame) error
}

// encoderOptions is what a rawEncoder is made with (newM2MEncoder,
// newSoftEncoder): where its pictures come from, what it makes of them.
type encoderOptions struct {
	// cam is the shared camera the pictures come from: its pixel format
	// and frame rate.
	cam camera
	// src is the layout of the pictures the encoder is given: the
	// shared camera's copies (rawCamera.copy).
	src layout
	// width and height are the size encoded: src's, or smaller to scale.
	width, height int
	// spec gives the GOP and, for an M2M encoder, the profile.
	spec Spec
	// bitrate is the target to start with, in bits per second.
	bitrate int
	// buffers is the number of buffers an M2M encoder asks of each of its
	// queues. x264 ignores it.
	buffers int
	// timeout is how long an M2M encoder may keep every raw buffer
	// before encoding is taken for stalled. x264 ignores it.
	timeout time.Duration
	// log is the stream's logger.
	log *slog.Logger
}
