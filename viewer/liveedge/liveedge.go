// Package liveedge keeps a viewer near the live edge of an FLV live
// stream. A reliable transport delivers everything, so after a stall (a
// lost packet that waits for a retransmission timeout) the frames held up
// arrive late in a burst; a player shows them late. The Reader passes the
// stream through tag by tag, and when a frame arrives more than MaxLag
// later than its timestamp says it should, it drops video and audio up to
// the next keyframe that is on time: the picture freezes, then goes on at
// live, instead of lagging.
package liveedge

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// DefaultMaxLag is how late a frame may arrive before the Reader skips to
// the next keyframe: above what a single SCTP retransmission timeout
// (500 ms) and the queue behind it cost, so one lost packet costs no
// pictures, and below the second within which a live viewer should stay.
const DefaultMaxLag = 800 * time.Millisecond

// DefaultSettle bounds how long, from the first frame, nothing is
// dropped until the second keyframe comes: a viewer starts with the
// camera's cached GOP, sent at once with its timestamps compressed so that
// players run through it, and on a slow link it arrives later than those
// timestamps say; the frames queued behind it catch up by themselves.
const DefaultSettle = 2 * time.Second

// baseWindow is how long the promptest frame counts as the measure of
// on time: lateness is measured against the least arrival-minus-timestamp
// of the last one to two windows, so that a camera clock slightly slower
// than the viewer's does not add up to lateness over hours.
const baseWindow = 30 * time.Second

// DefaultGiveUp is how long the Reader drops frames waiting for an
// on-time keyframe before it takes a late one and measures lateness from
// there: a stream that stays late (the camera's clock runs slow) still
// plays.
const DefaultGiveUp = 3 * time.Second

// Stats counts what the Reader did.
type Stats struct {
	Passed   int // tags passed on
	Dropped  int // media tags dropped
	Skips    int // times it skipped to a keyframe
	Rebases  int // times it gave up waiting and took a late keyframe
	WorstLag time.Duration
}

// Reader reads an FLV live stream and yields it with late frames dropped.
// Its output is a valid FLV stream: the header, script and codec
// configuration tags pass unchanged; whole media tags are dropped.
type Reader struct {
	// MaxLag is the lateness beyond which frames are dropped; 0 or less
	// passes every frame.
	MaxLag time.Duration
	// Settle bounds how long after the first frame nothing is dropped
	// until the second keyframe.
	Settle time.Duration
	// GiveUp bounds how long frames are dropped while waiting.
	GiveUp time.Duration
	// Now tells the time; tests replace it.
	Now func() time.Time

	dm       *flv.Demuxer
	buf      []byte // what the last step let through
	out      []byte // the part of buf not yet read
	started  bool
	err      error
	stats    Stats
	t0       time.Time // arrival of the first media tag
	base     window    // arrival-minus-timestamp: the least of late
	hasVideo bool
	keys     int // video keyframes seen
	skipping bool
	skipFrom time.Time
}

// NewReader returns a Reader of r with the default bounds.
func NewReader(r io.Reader) *Reader {
	return &Reader{MaxLag: DefaultMaxLag, Settle: DefaultSettle, GiveUp: DefaultGiveUp, Now: time.Now, dm: flv.NewDemuxer(r)}
}

// Stats returns the counts so far.
func (l *Reader) Stats() Stats { return l.stats }

// Read reads the filtered stream. Errors of the underlying stream pass
// through; malformed FLV is an error.
func (l *Reader) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.buf = l.buf[:0]
		l.err = l.next()
		l.out = l.buf
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
}

// next reads the header or the next tag and queues what passes.
func (l *Reader) next() error {
	if !l.started {
		h, err := l.dm.ReadHeader()
		if err != nil {
			return wrap(err)
		}
		l.started = true
		l.buf = h.AppendTo(l.buf)
		return nil
	}
	tag, err := l.dm.ReadTag()
	if err != nil {
		return wrap(err)
	}
	if l.pass(tag) {
		l.stats.Passed++
		l.buf = flv.AppendTag(l.buf, tag.Type, tag.Timestamp, tag.Data)
	}
	return nil
}

func wrap(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	return fmt.Errorf("liveedge: %w", err)
}

// kind sorts a tag for the policy.
type kind int

const (
	config   kind = iota // script data, codec configuration: always passes
	keyframe             // a video frame a decoder can start from
	frame                // any other media frame
)

func classify(tag flv.Tag) kind {
	switch tag.Type {
	case flv.TagTypeVideo:
		v, err := flv.ParseVideoData(tag.Data)
		switch {
		case err != nil:
			return frame
		case v.CodecID == flv.CodecIDAVC && v.AVCPacketType != flv.AVCPacketNALU:
			return config
		case v.FrameType == flv.FrameTypeKey:
			return keyframe
		}
		return frame
	case flv.TagTypeAudio:
		a, err := flv.ParseAudioData(tag.Data)
		if err == nil && a.SoundFormat == flv.SoundFormatAAC && a.AACPacketType == flv.AACPacketSequenceHeader {
			return config
		}
		return frame
	}
	return config
}

// pass decides one tag.
func (l *Reader) pass(tag flv.Tag) bool {
	k := classify(tag)
	if k == config {
		return true
	}
	video := tag.Type == flv.TagTypeVideo
	l.hasVideo = l.hasVideo || video
	if video && k == keyframe {
		l.keys++
	}
	now := l.Now()
	if l.t0.IsZero() {
		l.t0 = now
	}
	delay := now.Sub(l.t0) - time.Duration(tag.Timestamp)*time.Millisecond
	lag := delay - l.base.add(now, delay)
	settled := l.keys >= 2 || now.Sub(l.t0) >= l.Settle
	late := l.MaxLag > 0 && lag > l.MaxLag && settled

	switch {
	case l.skipping && video && k == keyframe && !late:
		l.skipping = false
	case l.skipping && video && k == keyframe && now.Sub(l.skipFrom) >= l.GiveUp:
		l.skipping = false
		l.stats.Rebases++
		l.base.reset(now, delay)
		lag = 0
	case l.skipping:
		l.stats.Dropped++
		return false
	case late && (video || !l.hasVideo):
		// A late video frame starts a skip; in an audio-only stream
		// every frame is its own starting point, so only it goes.
		l.stats.Dropped++
		if video {
			l.skipping, l.skipFrom = true, now
			l.stats.Skips++
		}
		return false
	}
	l.stats.WorstLag = max(l.stats.WorstLag, lag)
	return true
}

// window keeps the least of the values added over the last one to two
// spans of baseWindow.
type window struct {
	start      time.Time // of the current span
	cur, prev  time.Duration
	have, past bool // cur, prev are set
}

// add adds v at now and returns the least value of the window.
func (w *window) add(now time.Time, v time.Duration) time.Duration {
	switch {
	case !w.have:
		w.start, w.cur, w.have = now, v, true
	case now.Sub(w.start) >= baseWindow:
		w.prev, w.past = w.cur, true
		w.start, w.cur = now, v
	default:
		w.cur = min(w.cur, v)
	}
	if w.past {
		return min(w.cur, w.prev)
	}
	return w.cur
}

// reset makes v the least value from now on.
func (w *window) reset(now time.Time, v time.Duration) {
	*w = window{start: now, cur: v, have: true}
}
