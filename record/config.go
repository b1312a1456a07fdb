package record

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/internal/clock"
)

// Bounds and defaults of Config.
const (
	DefaultSegmentLength = time.Minute
	MinSegmentLength     = 2 * time.Second
	MaxSegmentLength     = 10 * time.Minute
	// DefaultBufferSize batches writes: at 2 Mbit/s, 256 KiB is about one
	// write a second, which is what an SD card's wear wants.
	DefaultBufferSize    = 256 << 10
	DefaultFlushInterval = time.Second
	DefaultRetryInterval = 5 * time.Second
	// DefaultMinFree is the free space retention keeps on the storage's
	// file system, so that recording never fills it.
	DefaultMinFree = 64 << 20
)

// defaultTrustedAfter is when the wall clock is believed: a camera
// without a battery-backed clock boots in 1970 (or at its build date)
// until NTP sets it.
var defaultTrustedAfter = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Config configures a Recorder. Its zero value needs only Dir.
type Config struct {
	// Dir is the storage directory (the SD card's mount, or a folder on
	// it). It is made if missing. Required.
	Dir string
	// Channel is the channel recorded, which segment names carry.
	Channel int
	// SegmentLength is how long a segment runs before the next starts
	// at the next keyframe. It defaults to a minute; 2s to 10m.
	SegmentLength time.Duration
	// Quota bounds the bytes the recordings take; the oldest are deleted
	// to stay within it. 0 means no quota beyond MinFree.
	Quota int64
	// MaxAge deletes recordings older than this. 0 keeps them until
	// space is needed.
	MaxAge time.Duration
	// MinFree is the free space kept on the file system. It defaults to
	// DefaultMinFree; negative turns the check off.
	MinFree int64
	// BufferSize is the write buffer: frames reach the file in batches
	// of this size or every FlushInterval. It defaults to 256 KiB.
	BufferSize int
	// FlushInterval bounds how long frames wait in the buffer, and so
	// how much a crash loses. It defaults to 1s.
	FlushInterval time.Duration
	// RetryInterval is how often a recorder whose storage failed tries
	// again. It defaults to 5s.
	RetryInterval time.Duration
	// TrustedAfter is the earliest wall-clock time believed. Segments
	// started before the clock reaches it are renamed with the right
	// time once it does. It defaults to 2024-01-01.
	TrustedAfter time.Time
	// Location is the time zone of month masks. It defaults to
	// time.Local.
	Location *time.Location
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnStorage, when set, hears of the storage's changes: it filled
	// up, failed (removed, read-only) or came back. It is called on the
	// recorder's goroutines, with no lock held; it must return at once.
	OnStorage func(StorageChange)
}

func (c Config) withDefaults() (Config, error) {
	if c.SegmentLength == 0 {
		c.SegmentLength = DefaultSegmentLength
	}
	if c.MinFree == 0 {
		c.MinFree = DefaultMinFree
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = DefaultRetryInterval
	}
	if c.TrustedAfter.IsZero() {
		c.TrustedAfter = defaultTrustedAfter
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	c.Clock = clock.Or(c.Clock)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("record: dir is required"))
	}
	if c.Channel < 0 || c.Channel > maxChannel {
		errs = append(errs, fmt.Errorf("record: channel %d: want 0 to %d", c.Channel, maxChannel))
	}
	if c.SegmentLength < MinSegmentLength || c.SegmentLength > MaxSegmentLength {
		errs = append(errs, fmt.Errorf("record: segment length %v: want %v to %v", c.SegmentLength, MinSegmentLength, MaxSegmentLength))
	}
	if c.Quota < 0 {
		errs = append(errs, fmt.Errorf("record: quota %d: must not be negative", c.Quota))
	} else if c.Quota > 0 && c.Quota < 4*int64(c.BufferSize) {
		errs = append(errs, fmt.Errorf("record: quota %d bytes is less than four write buffers (%d bytes)", c.Quota, 4*c.BufferSize))
	}
	if c.MaxAge < 0 || c.BufferSize < 4096 || c.FlushInterval < 0 || c.RetryInterval < 0 {
		errs = append(errs, errors.New("record: max age, flush and retry intervals must not be negative, and the buffer at least 4096 bytes"))
	}
	return c, errors.Join(errs...)
}
