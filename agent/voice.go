package agent

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/talkback"
)

// Uploader is a Responder whose viewer also sends: the POST body in LAN
// mode, the data channel over P2P.
type Uploader interface {
	Upload() io.Reader
}

// newTalkback returns talkback for the configured speaker, or nil when
// talkback is off.
func newTalkback(cfg Config, boardName string) *talkback.Talkback {
	_, spk := soundDevices(cfg.Audio, boardName)
	if spk == "off" {
		return nil
	}
	return talkback.New(talkback.Config{
		OpenSpeaker: func() (talkback.Speaker, error) { return talkback.OpenSpeaker(spk) },
		Logger:      cfg.Logger,
	})
}

// serveVoice plays what the viewer sends through the speaker.
func (a *Agent) serveVoice(ctx context.Context, log *slog.Logger, w Responder, sr *servedRequest) {
	up, ok := w.(Uploader)
	if a.talk == nil || !ok {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "this camera has no speaker"))
		return
	}
	started := false
	st, err := a.talk.Serve(ctx, countingReader{up.Upload(), sr}, func() {
		started = true
		sr.started("")
		if w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "application/json"}) == nil {
			_ = w.Flush()
		}
		log.Info("talkback started")
	})
	switch {
	case errors.Is(err, talkback.ErrBusy):
		log.Info("refused talker: the speaker is taken")
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "another viewer is talking"))
		return
	case errors.Is(err, talkback.ErrFormat):
		log.Info("talkback ended: bad audio", "err", err)
	case err != nil:
		log.Info("talkback ended", "err", err)
	}
	log.Info("talkback done", "played", st.Played, "dropped", st.Dropped, "bad_frames", st.BadFrames, "underruns", st.Underruns, "first_sound", st.FirstSound)
	a.finishTalk(w, started, st, err)
}

// finishTalk answers a talk that ended: an error if it never started
// (the speaker would not open), else its summary.
func (a *Agent) finishTalk(w Responder, started bool, st talkback.Stats, err error) {
	if !started {
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "talkback could not start: %v", err))
		return
	}
	a.metrics.talk(st)
	writeTalkSummary(w, st, err)
}

// talkSummary is the body of a voice answer, written when the talk ends:
// how much was heard and how much dropped (audio that came later than the
// latency bound: a talker must send in real time).
type talkSummary struct {
	PlayedMS  int64  `json:"played_ms"`
	DroppedMS int64  `json:"dropped_ms"`
	BadFrames int    `json:"bad_frames"`
	Underruns int    `json:"underruns"`
	Error     string `json:"error,omitempty"` // why the talk ended, if not because the talker stopped
}

// writeTalkSummary ends a voice answer with its talkSummary.
func writeTalkSummary(w Responder, st talkback.Stats, err error) {
	sum := talkSummary{PlayedMS: st.Played.Milliseconds(), DroppedMS: st.Dropped.Milliseconds(), BadFrames: st.BadFrames, Underruns: st.Underruns}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) {
		sum.Error = err.Error()
	}
	b, _ := json.Marshal(sum)
	_, _ = w.Write(append(b, '\n'))
	_ = w.Flush()
}

// countingReader counts a talker's bytes for the status command.
type countingReader struct {
	r  io.Reader
	sr *servedRequest
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sr.count(n)
	return n, err
}

// serveTrackVoice plays the viewer's audio track through the speaker
// while the request's channel is open: the request holds the one
// talker's slot, the audio comes as RTP on the session's audio track.
func (a *Agent) serveTrackVoice(ctx context.Context, log *slog.Logger, w Responder, sr *servedRequest) {
	tracks := tracksOf(w)
	if tracks == nil || !tracks.HasAudio() {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported,
			"this session has no audio track: offer a sendrecv m=audio section to talk with transport=track"))
		return
	}
	if a.talk == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "this camera has no speaker"))
		return
	}
	audio := &rtpAudio{sr: sr}
	stop := func() {}
	defer func() { stop() }()
	started := false
	st, err := a.talk.ServeFrames(ctx, audio, func() {
		started = true
		sr.started("")
		// The speaker is ours: from now on the track's audio is.
		audio.packets, stop = tracks.Listen()
		if w.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "application/json"}) == nil {
			_ = w.Flush()
		}
		log.Info("talkback started", "transport", "track")
	})
	switch {
	case errors.Is(err, talkback.ErrBusy):
		log.Info("refused talker: the speaker is taken")
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "another viewer is talking"))
		return
	case err != nil:
		log.Info("talkback ended", "err", err)
	}
	log.Info("talkback done", "transport", "track", "played", st.Played, "dropped", st.Dropped, "underruns", st.Underruns, "first_sound", st.FirstSound)
	a.finishTalk(w, started, st, err)
}

// rtpAudio reads the viewer's microphone packets for talkback: packets
// that come after a later one are dropped (too late to play), and a gap
// in the timestamps becomes silence.
type rtpAudio struct {
	packets <-chan link.AudioPacket
	sr      *servedRequest // counts what comes
	started bool
	seq     uint16
	nextTS  uint32 // timestamp the next packet should have
}

func (r *rtpAudio) ReadFrame(ctx context.Context) (media.Codec, []byte, int, error) {
	for {
		var p link.AudioPacket
		select {
		case p = <-r.packets:
		case <-ctx.Done():
			return 0, nil, 0, io.EOF
		}
		gap := 0
		if r.started {
			if int16(p.Seq-r.seq) <= 0 {
				continue // late or repeated
			}
			if d := int32(p.TS - r.nextTS); d > 0 {
				gap = int(d)
			}
		}
		r.started, r.seq, r.nextTS = true, p.Seq, p.TS+uint32(len(p.Payload))
		r.sr.count(len(p.Payload))
		return p.Codec, p.Payload, gap, nil
	}
}
