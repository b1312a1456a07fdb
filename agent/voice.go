package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"

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
func (a *Agent) serveVoice(ctx context.Context, log *slog.Logger, w Responder) {
	up, ok := w.(Uploader)
	if a.talk == nil || !ok {
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "this camera has no speaker"))
		return
	}
	st, err := a.talk.Serve(ctx, up.Upload(), func() {
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
}
