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

func (a *Agent) serveCommand(log *slog.Logger, req protocol.Request, w Responder) {
	switch req.Cmd {
	case "get_device_st":
		a.getDeviceStatus(req, w)
	case protocol.CmdStatus:
		a.serveStatus(w)
	case protocol.CmdOTAStatus:
		a.serveOTAStatus(w)
	case protocol.CmdOTAUpdate:
		a.serveOTAUpdate(log, req, w)
	case "get_record_index", "get_month_record", "get_file_list":
		a.serveRecordCommand(req, w)
	default:
		log.Info("unsupported command", "cmd", req.Cmd)
		a.replyError(w, protocol.Errorf(protocol.StatusNotSupported, "command %q is not supported", req.Cmd))
	}
}

// getDeviceStatus answers whether a request of the given type would be
// accepted now: type=live|voice|playback, with an optional quality.
func (a *Agent) getDeviceStatus(req protocol.Request, w Responder) {
	st, reason := protocol.StatusOK, ""
	switch typ := req.Params.Get("type"); typ {
	case "", "live":
		if q := req.Params.Get("quality"); q != "" {
			if _, err := media.ParseQuality(q); err != nil {
				a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "%v", err))
				return
			}
		}
		if a.viewers.count() >= a.cfg.MaxViewers {
			st = protocol.StatusTooMany
		}
	case "voice":
		switch {
		case a.talk == nil:
			st = protocol.StatusNotSupported
		case a.talk.Busy():
			st = protocol.StatusBusy
		}
	case "playback":
		st, reason = a.playbackStatus()
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
