package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/record"
)

// RecordConfig turns on continuous recording to local storage (package
// record; docs/recording.md).
type RecordConfig struct {
	// Dir is the storage directory: on a camera image
	// "/var/lib/p2pcam/records", the SD card's mount point (rootfs/README.md).
	// Empty (the default) turns recording off. p2pcamd --record-dir sets it.
	Dir string `toml:"dir"`
	// Quality is the stream recorded: standard, high or super (the
	// nearest the board has). It defaults to high.
	Quality string `toml:"quality"`
	// SegmentLength is the length of one file. It defaults to 1m; 2s to 10m.
	SegmentLength time.Duration `toml:"segment_length"`
	// QuotaMB bounds the recordings, in MiB; the oldest are deleted to
	// stay within it. 0 (the default) bounds them by MinFreeMB only.
	QuotaMB int64 `toml:"quota_mb"`
	// MaxAge deletes recordings older than this; 0 (the default) keeps
	// them until space is needed.
	MaxAge time.Duration `toml:"max_age"`
	// MinFreeMB is the free space, in MiB, kept on the card's file
	// system. It defaults to 64.
	MinFreeMB int64 `toml:"min_free_mb"`
	// Clips lists the event types that record event clips
	// ("motion", "input", "trigger", or a maker's trigger_event type),
	// in Dir/clips. Empty (the default) records none.
	Clips []string `toml:"clips"`
	// ClipsOnly turns continuous recording off: only clips are
	// recorded. It defaults to false (both, when Clips is set).
	ClipsOnly bool `toml:"clips_only"`
	// PreRoll is how much before an event a clip starts: at the
	// keyframe at or before the event minus PreRoll. It defaults to 5s,
	// at most 30s; a negative value ("-1s") means none: the clip starts
	// at the keyframe at or before the event (the stream's GOP cache).
	PreRoll time.Duration `toml:"pre_roll"`
	// PostRoll is how long a clip goes on after its events end. It
	// defaults to 5s; up to 5m.
	PostRoll time.Duration `toml:"post_roll"`
	// ClipQuotaMB bounds the clips, in MiB, apart from continuous
	// recording's QuotaMB; the oldest clips are deleted to stay within
	// it. 0 (the default) bounds them by MinFreeMB only.
	ClipQuotaMB int64 `toml:"clip_quota_mb"`
}

// withDefaults fills in RecordConfig's defaults.
func (c RecordConfig) withDefaults() RecordConfig {
	if c.Quality == "" {
		c.Quality = string(media.QualityHigh)
	}
	if c.SegmentLength == 0 {
		c.SegmentLength = record.DefaultSegmentLength
	}
	if c.MinFreeMB == 0 {
		c.MinFreeMB = record.DefaultMinFree >> 20
	}
	if c.PreRoll == 0 {
		c.PreRoll = record.DefaultPreRoll
	}
	if c.PostRoll == 0 {
		c.PostRoll = record.DefaultPostRoll
	}
	if len(c.Clips) == 0 {
		c.Clips = nil // "clips = []" is the default
	}
	return c
}

// validate checks what record.New does not.
func (c RecordConfig) validate() []error {
	var errs []error
	if _, err := media.ParseQuality(c.Quality); err != nil {
		errs = append(errs, fmt.Errorf("record.quality: %w", err))
	}
	if c.SegmentLength < record.MinSegmentLength || c.SegmentLength > record.MaxSegmentLength {
		errs = append(errs, fmt.Errorf("record.segment_length = %v: want %v to %v", c.SegmentLength, record.MinSegmentLength, record.MaxSegmentLength))
	}
	if c.QuotaMB < 0 || c.MaxAge < 0 || c.MinFreeMB < 0 || c.ClipQuotaMB < 0 {
		errs = append(errs, fmt.Errorf("record: quota_mb, clip_quota_mb, max_age and min_free_mb must not be negative"))
	}
	for _, t := range c.Clips {
		if !event.ValidType(t) {
			errs = append(errs, fmt.Errorf("record.clips: %q is not an event type (motion, input, trigger, or 1-%d of a-z, 0-9, '_', '-', '.')", t, event.MaxTypeLen))
		}
	}
	if c.ClipsOnly && len(c.Clips) == 0 {
		errs = append(errs, fmt.Errorf("record.clips_only is set but record.clips is empty: nothing would be recorded"))
	}
	if c.PreRoll > record.MaxPreRoll || c.PostRoll < 0 || c.PostRoll > record.MaxPostRoll {
		errs = append(errs, fmt.Errorf("record: pre_roll %v (at most %v) and post_roll %v (0 to %v)", c.PreRoll, record.MaxPreRoll, c.PostRoll, record.MaxPostRoll))
	}
	return errs
}

// newRecorder builds the continuous recorder of cfg.Record for channel
// num, whose streams are qualities, or nil when it is off, and the
// quality recorded.
func newRecorder(cfg Config, num int, qualities []media.Quality, onStorage func(record.StorageChange)) (*record.Recorder, media.Quality, error) {
	rc := cfg.Record
	if rc.Dir == "" {
		return nil, "", nil
	}
	q, _ := board.Nearest(media.Quality(rc.Quality), qualities)
	if rc.ClipsOnly {
		return nil, q, nil
	}
	logArgs := []any{"stream", q}
	if num != 0 {
		logArgs = append(logArgs, "channel", num)
	}
	rec, err := newStore(cfg, num, rc.Dir, rc.SegmentLength, rc.QuotaMB, onStorage, logArgs...)
	if err != nil {
		return nil, "", err
	}
	return rec, q, nil
}

// newStore opens a recorder of channel num with cfg.Record's retention
// in dir: continuous recording's, or the clips'. logArgs name it in its
// logs.
func newStore(cfg Config, num int, dir string, segment time.Duration, quotaMB int64, onStorage func(record.StorageChange), logArgs ...any) (*record.Recorder, error) {
	rec, err := record.New(record.Config{
		Dir:           dir,
		Channel:       num,
		SegmentLength: segment,
		Quota:         quotaMB << 20,
		MaxAge:        cfg.Record.MaxAge,
		MinFree:       cfg.Record.MinFreeMB << 20,
		Clock:         cfg.Clock,
		Logger:        cfg.Logger.With(logArgs...),
		OnStorage:     onStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	return rec, nil
}

// runRecorder records channel ch until ctx is done.
func (a *Agent) runRecorder(ctx context.Context, ch *channel) {
	log := a.log
	if ch.num != 0 {
		log = log.With("channel", ch.num)
	}
	log.Info("recording", "dir", a.cfg.Record.Dir, "stream", ch.recQuality,
		"segment_length", a.cfg.Record.SegmentLength, "quota_mb", a.cfg.Record.QuotaMB, "max_age", a.cfg.Record.MaxAge)
	if err := ch.rec.Run(ctx, ch.hubs[ch.recQuality]); err != nil {
		log.Error("recording ended", "err", err)
	}
}
