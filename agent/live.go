package agent

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/stream"
)

// viewerBufferSize is each viewer's write buffer: big enough to hold a
// typical frame so that one frame is one write.
const viewerBufferSize = 32 << 10

// serveLive streams FLV of the asked quality until the viewer goes, the
// source fails, or ctx is done.
func (a *Agent) serveLive(ctx context.Context, log *slog.Logger, ch *channel, req protocol.Request, w Responder, sr *servedRequest) {
	q, _ := board.Nearest(req.Quality, ch.qualities) // New ensures qualities is not empty
	release, ok, why := a.acquireViewer(ch)
	if !ok && ch.num == 0 && a.relay != nil && a.redirectToRelay(ctx, log, q, sr.subject(), w) {
		return
	}
	if !ok {
		log.Info("refused viewer", "err", why)
		a.replyError(w, why)
		return
	}
	release = sync.OnceFunc(release)
	defer release()
	if err := ch.sourceReady(q); err != nil {
		log.Warn("refused viewer: the stream cannot capture", "stream", q, "err", err)
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "stream %s unavailable: %v", q, err))
		return
	}
	sub, err := ch.hubs[q].Subscribe()
	if err != nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "stream unavailable: %v", err))
		return
	}
	defer sub.Close()

	head := protocol.Head{ContentType: "video/x-flv"}
	if q != req.Quality {
		head.Quality = q
	}
	if err := w.WriteHead(protocol.StatusOK, head); err != nil {
		return
	}
	log = log.With("stream", q)
	log.Info("viewer joined", "asked", req.Quality, "viewers", a.viewers.count())
	start := a.cfg.Clock.Now()
	sr.started(q)
	bytes, reason := a.pump(ctx, sub, w, ch.encoders[q], ch.audio != nil, log, sr)
	release() // before saying so: whoever reads the log may take the place
	log.Info("viewer left", "reason", reason, "bytes", bytes,
		"dropped_frames", sub.Dropped(), "duration", a.cfg.Clock.Now().Sub(start).Round(time.Millisecond))
}

// countingWriter counts the bytes written through it, for itself and
// for the status command.
type countingWriter struct {
	w  Responder
	n  int64
	sr *servedRequest
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.sr.count(n)
	return n, err
}

// pump moves frames from sub to w as FLV. It drains whatever is queued
// before each flush, so a burst (the cached GOP) costs one flush. While
// the viewer is more than max_lag behind live (a frame older than that,
// beyond the capture pipeline's own latency, waits to be sent or in the
// transport), what comes is skipped with all that follows up to the next
// keyframe, and enc is told (a keyframe at once, a lower bit rate). The
// cached GOP the viewer starts with is never late, and the player runs
// through it fast (flv.MuxerConfig.BacklogUntil). It returns the bytes
// sent and why it stopped. hasAudio says whether the stream carries audio.
func (a *Agent) pump(ctx context.Context, sub *stream.Subscriber, w Responder, enc *encoderControl, hasAudio bool, log *slog.Logger, sr *servedRequest) (int64, error) {
	cw := &countingWriter{w: w, sr: sr}
	bw := bufio.NewWriterSize(cw, viewerBufferSize)
	backlog, _ := sub.CachedUntil() // 0 without a cache
	mux := flv.NewMuxer(bw, flv.MuxerConfig{HasVideo: true, HasAudio: hasAudio, BacklogUntil: backlog})
	guard := newLagGuard(a.cfg.Stream.MaxLag, a.epoch, backlog)
	for {
		waiting, _ := sub.Queued()
		f, err := sub.Next(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, stream.ErrClosed) {
				err = errors.New("stream ended")
			}
			_ = bw.Flush()
			_ = w.Flush()
			return cw.n, err
		}
		_ = w.SetWriteDeadline(a.cfg.Clock.Now().Add(a.cfg.LAN.WriteTimeout))
		if waiting == 0 {
			guard.observe(a.cfg.Clock.Now(), f)
		}
		for f != nil {
			received := cw.n - int64(w.Backlog())
			if now := a.cfg.Clock.Now(); guard.stale(now, f, received) {
				log.Debug("viewer behind live: skipping to the next keyframe", "behind", guard.behind(now, f, received), "pts", f.PTS)
				sub.Discard()
				sub.SkipToKeyframe()
				enc.viewerSkipped()
				a.metrics.skipped(w, "behind_live")
				break
			}
			if err := mux.WriteFrame(f); err != nil {
				return cw.n, err
			}
			guard.sentTo(f, cw.n+int64(bw.Buffered()))
			f, _ = sub.TryNext()
		}
		if err := bw.Flush(); err != nil {
			return cw.n, err
		}
		if err := w.Flush(); err != nil {
			return cw.n, err
		}
	}
}
