package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
)

// DefaultFrameRate is used for a stream whose SPS carries no timing info.
const DefaultFrameRate = 25

// maxLag is how far a paced source may fall behind its schedule (a slow
// consumer, a suspended process) before it skips ahead instead of
// emitting the backlog in a burst.
const maxLag = time.Second

// File loops an Annex-B H.264 stream in real time: frames are emitted at
// the stream's frame rate, and timestamps keep increasing across loops.
type File struct {
	name string
	path string // "" for an in-memory clip
	open func() (io.ReadCloser, error)
	env  Env
	// FrameRate is used when the SPS has no timing info. It defaults to
	// DefaultFrameRate.
	FrameRate float64
}

// NewFile returns a source that loops the Annex-B file at path.
func NewFile(path string, env Env) *File {
	return &File{name: path, path: path, env: env, open: func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("capture: open video file: %w", err)
		}
		return f, nil
	}}
}

// Check implements Checker: the file can be opened.
func (s *File) Check() error {
	if s.path == "" {
		return nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return fmt.Errorf("capture: video file: %w", err)
	}
	return f.Close()
}

// NewClip returns a source that loops an in-memory Annex-B stream.
func NewClip(name string, clip []byte, env Env) *File {
	return &File{name: name, env: env, open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(clip)), nil
	}}
}

// Run implements Source.
func (s *File) Run(ctx context.Context, emit func(*media.Frame)) error {
	env := s.env.WithDefaults()
	log := env.Logger.With("source", "file", "name", s.name)
	next := env.Clock.Now() // when the next frame is due
	var fr Framer
	var last time.Duration = -1
	for loop := 0; ; loop++ {
		r, err := s.open()
		if err != nil {
			return err
		}
		n, err := s.playOnce(ctx, env, r, &fr, &next, &last, emit)
		r.Close()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("capture: %s: %w", s.name, err)
		}
		if n == 0 {
			return fmt.Errorf("capture: %s: %w", s.name, ErrNoVideo)
		}
		if loop == 0 {
			log.Debug("looping clip", "frames", n, "skipped", fr.Skipped)
		}
	}
}

// playOnce paces the frames of one pass through r and returns how many it
// emitted.
func (s *File) playOnce(ctx context.Context, env Env, r io.Reader, fr *Framer, next *time.Time, last *time.Duration, emit func(*media.Frame)) (int, error) {
	nr := h264.NewNALUReader(r)
	n := 0
	send := func(f *media.Frame) error {
		if f == nil {
			return nil
		}
		if err := clock.SleepUntil(ctx, env.Clock, *next); err != nil {
			return err
		}
		if now := env.Clock.Now(); now.Sub(*next) > maxLag {
			*next = now
		}
		f.PTS = env.PTS(*next)
		if f.PTS <= *last {
			f.PTS = *last + time.Millisecond
		}
		*last = f.PTS
		*next = next.Add(frameDuration(f.Video, s.FrameRate))
		emit(f)
		n++
		return nil
	}
	for {
		nalu, err := nr.Next()
		if errors.Is(err, io.EOF) {
			f, ferr := fr.Flush()
			if ferr == nil {
				ferr = send(f)
			}
			return n, ignoreCanceled(ctx, ferr)
		}
		if errors.Is(err, h264.ErrNALUTooLarge) {
			env.Logger.Warn("skipping oversized NAL unit", "source", s.name, "err", err)
			continue
		}
		if err != nil {
			return n, err
		}
		f, err := fr.Push(nalu)
		if err != nil {
			env.Logger.Warn("skipping access unit", "source", s.name, "err", err)
			continue
		}
		if err := send(f); err != nil {
			return n, ignoreCanceled(ctx, err)
		}
	}
}

func ignoreCanceled(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func frameDuration(v *media.VideoInfo, fallback float64) time.Duration {
	rate := fallback
	if v != nil && v.FrameRate > 0 {
		rate = v.FrameRate
	}
	if rate <= 0 {
		rate = DefaultFrameRate
	}
	return time.Duration(float64(time.Second) / rate)
}
