package agent

import (
	"log/slog"
	"strconv"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
)

// deviceStatus is one element of the get_device_st reply:
// [{"status":"0","appConnectNum":"2"}]. appConnectNum counts every app
// the camera serves (Agent.connections), not only live viewers.
type deviceStatus struct {
	Status        string `json:"status"`
	AppConnectNum string `json:"appConnectNum"`
	Reason        string `json:"reason,omitempty"` // why not 0, where the camera can tell
}

func (a *Agent) serveCommand(log *slog.Logger, ch *channel, req protocol.Request, w Responder) {
	switch req.Cmd {
	case "get_device_st":
		a.getDeviceStatus(ch, req, w)
	case "get_nvr_list":
		a.serveNVRList(w)
	case protocol.CmdStatus:
		a.serveStatus(w)
	case protocol.CmdOTAStatus:
		a.serveOTAStatus(w)
	case protocol.CmdOTAUpdate:
		a.serveOTAUpdate(log, req, w)
	case "get_record_index", "get_month_record", "get_file_list":
		a.serveRecordCommand(ch, req, w)
	default:
		log.Info("unsupported command", "cmd", req.Cmd)
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "command %q is not supported", req.Cmd))
	}
}

// getDeviceStatus answers whether a request of the given type would be
// accepted now on channel ch: type=live|voice|playback, with an optional
// quality. Voice is channel 0's (channelServes): on another channel it
// is 406; playback is 406 on a channel that records nothing.
func (a *Agent) getDeviceStatus(ch *channel, req protocol.Request, w Responder) {
	st, reason := protocol.StatusOK, ""
	switch typ := req.Params.Get("type"); typ {
	case "", "live":
		if q := req.Params.Get("quality"); q != "" {
			if _, err := media.ParseQuality(q); err != nil {
				a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "%v", err))
				return
			}
		}
		switch {
		case a.full(ch):
			st = protocol.StatusTooMany
			if a.relay != nil && ch.num == 0 { // a live request is sent to the relay (302)
				st, reason = protocol.StatusOK, "the camera serves its maximum of viewers: live plays from its relay"
			}
		case !ch.online(a.cfg.Clock.Now()):
			st, reason = protocol.StatusBusy, "the channel's camera is offline"
		}
	case "voice":
		switch {
		case ch.num != 0:
			st = protocol.StatusNotSupported
		case a.talk == nil:
			st = protocol.StatusNotSupported
		case a.talk.Busy():
			st = protocol.StatusBusy
		}
	case "playback":
		st, reason = a.playbackStatus(ch)
	default:
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "unknown type %q: want live, voice or playback", typ))
		return
	}
	a.replyJSON(w, protocol.StatusOK, []deviceStatus{{
		Status:        strconv.Itoa(int(st)),
		AppConnectNum: strconv.Itoa(a.connections()),
		Reason:        reason,
	}})
}
