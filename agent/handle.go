package agent

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/p2pcam/p2pcam/protocol"
)

// Handle serves one request line, such as
// "ipc.flv?action=live&channel=0&quality=high", on w. It returns when the
// request is answered, the stream ends, or ctx is done. The transport
// has authenticated v (see Agent.authenticate); Handle checks that v may
// make the request.
func (a *Agent) Handle(ctx context.Context, v protocol.Viewer, line string, w Responder) {
	a.handlers.Add(1)
	defer a.handlers.Done()
	log := a.log.With("viewer", v.Addr)
	if v.Subject != "" {
		log = log.With("subject", v.Subject)
	}
	req, err := protocol.Parse(line)
	if err != nil {
		log.Info("rejected request", "err", err)
		a.replyError(w, err)
		return
	}
	a.metrics.request(w, req.Kind)
	need := req.Permission()
	if req.Kind == protocol.KindCommand {
		need = a.commandNeed(req) // a custom command may need less or more
	}
	if !v.Perms.Has(need) {
		log.Info("refused request: not permitted", "request", req.Kind, "need", need, "has", v.Perms)
		a.replyError(w, protocol.Errorf(protocol.StatusForbidden, "your token does not allow %s requests (this one needs: %s)", req.Kind, need))
		return
	}
	ch := a.lookupChannel(req.Channel)
	if ch == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest,
			"channel %d does not exist: this camera serves channels %s", req.Channel, a.channelNumbers()))
		return
	}
	if err := channelServes(ch, req); err != nil {
		a.replyError(w, err)
		return
	}
	var sr *servedRequest // listed by the status command while it streams
	switch req.Kind {
	case protocol.KindLive, protocol.KindTrack, protocol.KindVoice, protocol.KindPlayback, protocol.KindDownload:
		sr = a.served.add(v, w, line, req.Kind, a.cfg.Clock.Now, a.metrics.bytesCounter(w, req.Kind))
		defer a.served.remove(sr)
	}
	switch req.Kind {
	case protocol.KindLive:
		a.serveLive(ctx, log.With("channel", ch.num), ch, req, w, sr)
	case protocol.KindCommand:
		if isPlaybackControl(req.Cmd) {
			a.servePlaybackControl(v, ch, req, w)
			break
		}
		if !a.serveCustom(ctx, log, v, req, w) {
			a.serveCommand(log, ch, req, w)
		}
	case protocol.KindTrack:
		a.serveTrack(ctx, log.With("channel", ch.num), ch, req, w, sr)
	case protocol.KindPlayback:
		a.servePlayback(ctx, log.With("channel", ch.num), ch, req, w, sr)
	case protocol.KindDownload:
		a.serveDownload(ctx, log.With("channel", ch.num), ch, req, w, sr)
	case protocol.KindVoice:
		if req.Transport == protocol.TransportTrack {
			a.serveTrackVoice(ctx, log, w, sr)
			return
		}
		a.serveVoice(ctx, log, w, sr)
	default:
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported,
			"%s requests are not supported by this camera yet", req.Kind))
	}
}

// errorBody is the JSON body of a refused request.
type errorBody struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// replyError answers with the status of err, a *protocol.Error, or 404.
func (a *Agent) replyError(w Responder, err error) {
	var rerr *protocol.Error
	if !errors.As(err, &rerr) {
		rerr = &protocol.Error{Status: protocol.StatusBadRequest, Msg: err.Error()}
	}
	a.metrics.refusal(rerr.Status)
	a.replyJSON(w, rerr.Status, errorBody{Status: strconv.Itoa(int(rerr.Status)), Error: rerr.Msg})
}

func (a *Agent) replyJSON(w Responder, st protocol.Status, v any) {
	a.replyHeadJSON(w, st, protocol.Head{ContentType: "application/json"}, v)
}

// replyHeadJSON answers with head and v as JSON.
func (a *Agent) replyHeadJSON(w Responder, st protocol.Status, head protocol.Head, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		a.log.Error("encode reply", "err", err)
		return
	}
	body = append(body, '\n')
	if w.WriteHead(st, head) != nil {
		return
	}
	if _, err := w.Write(body); err == nil {
		_ = w.Flush()
	}
}

// channelServes returns nil when channel ch serves req. Channels 1 and
// up (an NVR's further cameras) serve live streams, their recordings
// and the commands that concern them; talkback, PTZ, event clips and
// custom commands are channel 0's.
func channelServes(ch *channel, req protocol.Request) error {
	if ch.num == 0 {
		return nil
	}
	switch req.Kind {
	case protocol.KindLive, protocol.KindTrack, protocol.KindPlayback, protocol.KindDownload:
		return nil
	case protocol.KindCommand:
		switch req.Cmd {
		case "get_device_st", "get_nvr_list", protocol.CmdStatus, "get_record_index", "get_month_record", "get_file_list":
			return nil
		}
		if isPlaybackControl(req.Cmd) {
			return nil
		}
		return protocol.Errorf(protocol.StatusNotSupported,
			"command %q is not supported on channel %d: an NVR channel serves live streams, its recordings, get_device_st and get_nvr_list; ask channel 0", req.Cmd, ch.num)
	}
	return protocol.Errorf(protocol.StatusNotSupported,
		"%s requests are not supported on channel %d: an NVR channel serves live streams and its recordings; talkback is channel 0's", req.Kind, ch.num)
}
