package agent

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/stream"
)

// TrackContentType is the content type of the head that accepts an
// ipc.track request: the body is not on the channel but on the tracks.
const TrackContentType = "application/x-p2pcam-track"

// TrackResponder is a Responder whose session may have WebRTC media
// tracks: a P2P data channel.
type TrackResponder interface {
	// Tracks returns the session's tracks, nil when it has none.
	Tracks() *link.Tracks
}

// tracksOf returns the media tracks of w's session, or nil.
func tracksOf(w Responder) *link.Tracks {
	if tr, ok := w.(TrackResponder); ok {
		return tr.Tracks()
	}
	return nil
}

// backlogSqueeze is how much closer together the cached GOP a track
// feed starts with is stamped: the viewer decodes through it at once and
// shows live pictures, instead of playing it out a GOP behind live (the
// same as flv.MuxerConfig.BacklogUntil, which squeezes by 8).
const backlogSqueeze = 16

// trackTime stamps the frames of a track feed. Live frames keep their
// time on the agent's time base, so timestamps run on across feeds and
// qualities; the backlog a feed starts with is squeezed into the time
// between the latest frame sent and the newest cached one.
type trackTime struct {
	last time.Duration // latest stamp written, by any feed
	sent bool
	// The backlog of the current subscription: frames up to until.
	until  time.Duration
	cached bool
	p0     time.Duration // time of the backlog's first frame
	lo, hi time.Duration // the backlog is stamped in (lo, hi]
	begun  bool
}

// restart starts a subscription whose cached frames end at until.
func (c *trackTime) restart(until time.Duration, cached bool) {
	c.until, c.cached, c.begun = until, cached, false
}

// stamp returns the time to send a video frame of time pts with.
func (c *trackTime) stamp(pts time.Duration) time.Duration {
	out := pts
	if c.cached && pts <= c.until {
		if !c.begun {
			c.p0, c.begun = pts, true
			c.lo = c.until - (c.until-pts)/backlogSqueeze
			if c.sent && c.lo < c.last {
				c.lo = c.last
			}
			c.hi = max(c.until, c.lo+time.Millisecond)
		}
		if span := c.until - c.p0; span > 0 {
			out = c.lo + time.Duration(float64(c.hi-c.lo)*float64(pts-c.p0+1)/float64(span+1))
		} else {
			out = c.until // a lone keyframe: the guard below keeps it after the last
		}
	}
	if c.sent && out <= c.last {
		out = c.last + 100*time.Microsecond // strictly increasing: a repeated timestamp joins frames
	}
	c.last, c.sent = out, true
	return out
}

// What a viewer's keyframe request (PLI, FIR) gets.
const (
	keyframeNone   = iota // nothing: one was asked for or resent within keyframeInterval
	keyframeAsked         // the encoder was asked for one
	keyframeResend        // the feed sends the cached GOP again
)

// keyframeRequests answers one track feed's keyframe requests: the
// encoder is asked through the stream's rate-limited asker; a source
// that cannot make a keyframe (encoder nil) has the feed resend its
// cached GOP, at most once per keyframeInterval.
type keyframeRequests struct {
	encoder    *keyframeAsker // nil: the source cannot make keyframes
	clock      clock.Clock
	lastResend time.Time
}

func (k *keyframeRequests) request() int {
	if k.encoder != nil {
		if k.encoder.ask() {
			return keyframeAsked
		}
		return keyframeNone
	}
	now := clock.Or(k.clock).Now()
	if !k.lastResend.IsZero() && now.Sub(k.lastResend) < keyframeInterval {
		return keyframeNone
	}
	k.lastResend = now
	return keyframeResend
}

// serveTrack feeds the session's media tracks with the asked quality,
// starting at once with the cached keyframe, until the viewer closes
// the request's channel, a later ipc.track request takes over, or ctx
// is done.
func (a *Agent) serveTrack(ctx context.Context, log *slog.Logger, ch *channel, req protocol.Request, w Responder, sr *servedRequest) {
	tracks := tracksOf(w)
	if tracks == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported,
			"this session has no media tracks: offer m=video and m=audio sections (recvonly) to use ipc.track, or use ipc.flv"))
		return
	}
	ctx, done := tracks.Claim(ctx) // the previous feed stops first: its viewer slot is free
	defer done()
	q, _ := board.Nearest(req.Quality, ch.qualities)
	release, ok, why := a.acquireViewer(ch)
	if !ok && ch.num == 0 && a.relay != nil && a.redirectToRelay(ctx, log, q, sr.subject(), w) {
		return // the same 302 as ipc.flv's: a browser plays the relay's HLS
	}
	if !ok {
		log.Info("refused viewer", "err", why)
		a.replyError(w, why)
		return
	}
	defer release()
	if err := ch.sourceReady(q); err != nil {
		log.Warn("refused track viewer: the stream cannot capture", "stream", q, "err", err)
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "stream %s unavailable: %v", q, err))
		return
	}
	hub := ch.hubs[q]
	sub, err := hub.Subscribe()
	if err != nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "stream unavailable: %v", err))
		return
	}
	defer func() { sub.Close() }()
	head := protocol.Head{ContentType: TrackContentType, Quality: q}
	if v := hub.VideoInfo(); v != nil {
		head.Width, head.Height = v.Width, v.Height
	}
	if err := w.WriteHead(protocol.StatusOK, head); err != nil {
		return
	}
	_ = w.Flush()
	log = log.With("stream", q)
	log.Info("track viewer joined", "asked", req.Quality, "viewers", a.viewers.count())
	start := a.cfg.Clock.Now()
	sr.started(q)

	// The feed's helpers end with it, whyever it ends.
	ctx, stopFeed := context.WithCancel(ctx)
	audioDone := make(chan struct{})
	defer func() {
		stopFeed()
		<-audioDone
	}()
	if tracks.HasAudio() && ch.pcma != nil {
		go func() {
			defer close(audioDone)
			a.feedAudio(ctx, ch.pcma, tracks, sr)
		}()
	} else {
		close(audioDone)
	}

	// Keyframe requests (PLI, FIR): the encoder is asked, within its
	// rate limit; a source that cannot make one gets the viewer the
	// cached GOP again, as at the start.
	var resend atomic.Bool
	keys := &keyframeRequests{clock: a.cfg.Clock}
	if enc := ch.encoders[q]; enc != nil {
		keys.encoder = enc.keys
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-tracks.KeyframeRequests():
			}
			switch keys.request() {
			case keyframeAsked:
				log.Debug("viewer lost pictures: asked the encoder for a keyframe")
			case keyframeResend:
				resend.Store(true)
				log.Debug("viewer lost pictures: resending the cached keyframe")
			}
		}
	}()

	var tt trackTime
	tt.last, tt.sent = tracks.LastVideo()
	tt.restart(sub.CachedUntil())
	frames, resent := 0, 0
	reason := errors.New("viewer closed the request")
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, stream.ErrClosed) {
				reason = err
			}
			break
		}
		if resend.Swap(false) {
			sub.Close()
			if sub, err = hub.Subscribe(); err != nil {
				reason = err
				break
			}
			tt.restart(sub.CachedUntil())
			resent++
			continue
		}
		if f.Kind != media.KindVideo || !tracks.HasVideo() {
			continue // the tracks' audio is the PCMA hub's
		}
		if err := tracks.WriteVideo(f.Payload, tt.stamp(f.PTS)); err != nil {
			reason = err
			break
		}
		sr.count(len(f.Payload))
		frames++
	}
	release()
	log.Info("track viewer left", "reason", reason, "frames", frames, "keyframes_resent", resent,
		"dropped_frames", sub.Dropped(), "duration", a.cfg.Clock.Now().Sub(start).Round(time.Millisecond))
}

// feedAudio sends the microphone, as PCMA from pcma, on the audio track until ctx
// is done.
func (a *Agent) feedAudio(ctx context.Context, pcma *stream.Hub, tracks *link.Tracks, sr *servedRequest) {
	sub, err := pcma.Subscribe()
	if err != nil {
		return
	}
	defer sub.Close()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			return
		}
		if f.Codec != media.CodecG711A {
			continue
		}
		if err := tracks.WriteAudio(f.Payload, f.PTS); err != nil {
			return
		}
		sr.count(len(f.Payload))
	}
}
