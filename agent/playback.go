package agent

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/record"
)

// downloadChunk is how much of a file one write of a download carries.
const downloadChunk = 64 << 10

// servePlayback plays recordings from start_time to end_time as FLV in
// real time, from the keyframe at or before start_time. A playback
// counts as a viewer.
func (a *Agent) servePlayback(ctx context.Context, log *slog.Logger, ch *channel, req protocol.Request, w Responder, sr *servedRequest) {
	if !a.recordingOn(ch, w) {
		return
	}
	from, to, err := protocol.TimeRange(req.Params)
	if err != nil {
		a.replyError(w, err)
		return
	}
	release, ok, why := a.acquireViewer(ch) // the channel's limit too
	if !ok {
		a.replyError(w, why)
		return
	}
	release = sync.OnceFunc(release)
	defer release()
	p, err := a.recorderFor(ch, from, to).Play(from, to)
	if err != nil {
		log.Info("refused playback", "from", from, "to", to, "err", err)
		a.replyError(w, recordError(err))
		return
	}
	defer func() { p.Close() }() // p changes on a seek
	// Steerable before the head goes out: a playback_* command sent as
	// soon as the head arrives finds it.
	ctl, unregister := a.playbacks.start(sr.viewer, ch, from, to)
	defer unregister()
	if err := w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "video/x-flv"}); err != nil {
		return
	}
	log.Info("playback started", "from", from, "to", to)
	sr.started(ch.recQuality)
	cw := &countingWriter{w: w, sr: sr}
	bw := bufio.NewWriterSize(cw, viewerBufferSize)
	mux := flv.NewMuxer(bw, flv.MuxerConfig{HasVideo: true, HasAudio: ch.audio != nil})
	var reason error
	// base is added to the player's PTS: after a seek the new player
	// starts at 0, and the stream's PTS must go on growing.
	var base, last time.Duration
	for {
		if reason = a.steerPlayback(ctx, ctl, &p, to, &base, last); reason != nil {
			break
		}
		f, err := p.Next(ctx)
		if err != nil {
			reason = err
			break
		}
		f.PTS += base
		last = max(last, f.PTS)
		if f.Kind == media.KindVideo { // audio may run a little behind
			ctl.sent(p.Position())
		}
		_ = w.SetWriteDeadline(a.cfg.Clock.Now().Add(a.cfg.LAN.WriteTimeout))
		if err := mux.WriteFrame(f); err != nil {
			reason = err
			break
		}
		if err := bw.Flush(); err != nil {
			reason = err
			break
		}
		if err := w.Flush(); err != nil {
			reason = err
			break
		}
	}
	_ = bw.Flush()
	_ = w.Flush()
	if errors.Is(reason, io.EOF) {
		reason = errors.New("end of the recordings asked for")
	}
	release()
	log.Info("playback ended", "reason", reason, "bytes", cw.n, "at", p.Position())
}

// seekGap is the PTS step put between the last frame before a seek and
// the first after it.
const seekGap = 40 * time.Millisecond

// steerPlayback applies the playback_* commands before the next frame:
// it waits while paused (holding the player back by the pause), sets
// the player's speed, and on a seek replaces *p with a player from the new time, its PTS going on
// from last. It returns why the playback must end, or nil.
func (a *Agent) steerPlayback(ctx context.Context, ctl *playbackControl, p **record.Player, to time.Time, base *time.Duration, last time.Duration) error {
	for {
		seek, speed, paused := ctl.next()
		if !seek.IsZero() {
			np, err := a.recorderFor(ctl.ch, seek, to).Play(seek, to)
			if err != nil {
				return err
			}
			(*p).Close()
			*p, *base = np, last+seekGap
		}
		(*p).SetSpeed(speed)
		if !paused {
			return nil
		}
		t0 := a.cfg.Clock.Now()
		select {
		case <-ctl.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
		(*p).Delay(a.cfg.Clock.Now().Sub(t0))
	}
}

// serveDownload sends a recording's file from offset: a download broken
// off is resumed by asking again from the bytes already received.
func (a *Agent) serveDownload(ctx context.Context, log *slog.Logger, ch *channel, req protocol.Request, w Responder, sr *servedRequest) {
	if !a.recordingOn(ch, w) {
		return
	}
	name, offset, err := protocol.Download(req.Params)
	if err != nil {
		a.replyError(w, err)
		return
	}
	format, err := protocol.DownloadFormat(req.Params)
	if err != nil {
		a.replyError(w, err)
		return
	}
	f, seg, err := a.openRecording(ch, name)
	if err != nil {
		log.Info("refused download", "file_name", name, "err", err)
		a.replyError(w, recordError(err))
		return
	}
	defer f.Close()
	sr.started("")
	if format == "mp4" {
		a.serveMP4(ctx, log, w, sr, f, seg, offset)
		return
	}
	if offset > seg.Size {
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "offset %d is past the end of %s (%d bytes)", offset, name, seg.Size))
		return
	}
	if err := w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "video/x-flv"}); err != nil {
		return
	}
	r := io.NewSectionReader(f, offset, seg.Size-offset)
	buf := make([]byte, downloadChunk)
	var sent int64
	for ctx.Err() == nil {
		n, err := r.Read(buf)
		if n > 0 {
			_ = w.SetWriteDeadline(a.cfg.Clock.Now().Add(a.cfg.LAN.WriteTimeout))
			if _, werr := w.Write(buf[:n]); werr != nil {
				err = werr
			} else if werr := w.Flush(); werr != nil {
				err = werr
			}
			sent += int64(n)
			sr.count(n)
		}
		if err != nil {
			if err != io.EOF {
				log.Info("download ended early", "file_name", name, "offset", offset, "sent", sent, "err", err)
			}
			break
		}
	}
	log.Info("download", "file_name", name, "offset", offset, "bytes", sent, "size", seg.Size)
}

// serveMP4 sends the segment remuxed to MP4, from offset: the remux
// gives the same bytes each time, so a download resumes like the FLV's.
func (a *Agent) serveMP4(ctx context.Context, log *slog.Logger, w Responder, sr *servedRequest, f io.ReaderAt, seg record.Segment, offset int64) {
	if err := w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "video/mp4"}); err != nil {
		return
	}
	sw := &skipWriter{ctx: ctx, w: w, sr: sr, skip: offset, deadline: func() {
		_ = w.SetWriteDeadline(a.cfg.Clock.Now().Add(a.cfg.LAN.WriteTimeout))
	}}
	bw := bufio.NewWriterSize(sw, downloadChunk)
	err := record.WriteMP4(bw, f, seg.Size)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = w.Flush()
	}
	log.Info("download", "file_name", seg.File(), "format", "mp4", "offset", offset, "bytes", sw.sent, "err", err)
}

// skipWriter drops the first skip bytes written to it and sends the rest,
// flushing each write.
type skipWriter struct {
	ctx      context.Context
	w        Responder
	sr       *servedRequest
	skip     int64
	sent     int64
	deadline func()
}

func (s *skipWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	n := len(p)
	if s.skip >= int64(n) {
		s.skip -= int64(n)
		return n, nil
	}
	p, s.skip = p[s.skip:], 0
	s.deadline()
	if _, err := s.w.Write(p); err != nil {
		return 0, err
	}
	s.sent += int64(len(p))
	s.sr.count(len(p))
	return n, s.w.Flush()
}

// recordError maps a record error to the answer's status.
func recordError(err error) error {
	switch {
	case errors.Is(err, record.ErrBadName):
		return protocol.Errorf(protocol.StatusBadRequest, "%v", err)
	case errors.Is(err, record.ErrNotFound):
		return protocol.Errorf(protocol.StatusBadRequest, "%v", err)
	}
	return protocol.Errorf(protocol.StatusBusy, "recordings unavailable: %v", err)
}
