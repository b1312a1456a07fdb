package stream

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Defaults for the zero fields of a Config.
const (
	DefaultQueueFrames = 256
	DefaultQueueBytes  = 8 << 20
	DefaultIdleTimeout = 10 * time.Second
)

// Config tunes a Hub. Its zero value works.
type Config struct {
	// Name labels the hub in logs, e.g. "ch0/high".
	Name string
	// QueueFrames bounds each subscriber's queue. A subscriber whose
	// queue is full drops it and waits for the next keyframe. It defaults
	// to 256 (about 10 s of 25 fps video with audio) and must be at least
	// GOPFrames, so that a new subscriber's queue holds the cached GOP.
	QueueFrames int
	// QueueBytes bounds the payload bytes queued per subscriber. It
	// defaults to 8 MiB (16 s of a 4 Mbps stream).
	QueueBytes int
	// GOPFrames bounds the cached GOP. A GOP longer than this is not
	// cached, and new subscribers wait for the next keyframe. It defaults
	// to QueueFrames.
	GOPFrames int
	// IdleTimeout is how long the source keeps running after the last
	// subscriber left. It defaults to 10s.
	IdleTimeout time.Duration
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.QueueFrames == 0 {
		c.QueueFrames = DefaultQueueFrames
	}
	if c.QueueBytes == 0 {
		c.QueueBytes = DefaultQueueBytes
	}
	if c.GOPFrames == 0 {
		c.GOPFrames = c.QueueFrames
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	c.Clock = clock.Or(c.Clock)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	switch {
	case c.QueueFrames < 2:
		return c, fmt.Errorf("stream: QueueFrames %d: must be at least 2", c.QueueFrames)
	case c.QueueBytes < 1:
		return c, fmt.Errorf("stream: QueueBytes %d: must be positive", c.QueueBytes)
	case c.GOPFrames < 1 || c.GOPFrames > c.QueueFrames:
		return c, fmt.Errorf("stream: GOPFrames %d: must be between 1 and QueueFrames (%d)", c.GOPFrames, c.QueueFrames)
	case c.IdleTimeout < 0:
		return c, fmt.Errorf("stream: IdleTimeout %v: must not be negative", c.IdleTimeout)
	}
	return c, nil
}
