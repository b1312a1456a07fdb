package viewer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
)

// NVRChannel is one camera of a device, as get_nvr_list lists it.
type NVRChannel struct {
	Name    string // DeviceName
	Channel int
	Online  bool
}

// LiveLine is the request line of a live FLV stream of quality q on
// channel ch: "ipc.flv?action=live&channel=1&quality=high".
func LiveLine(ch int, q media.Quality) string {
	return "ipc.flv?action=live&channel=" + strconv.Itoa(ch) + "&quality=" + string(q)
}

// Live asks for channel ch's live stream at quality q (the camera may
// serve the nearest it has) and returns the FLV body; close it to stop.
// A camera serving its maximum of viewers may send it to its relay,
// which Live follows (LiveResponse).
func Live(ctx context.Context, r Requester, ch int, q media.Quality) (io.ReadCloser, error) {
	resp, err := LiveResponse(ctx, r, ch, q, "")
	if err != nil {
		return nil, err
	}
	if resp.Status != protocol.StatusOK {
		defer resp.Body.Close()
		return nil, refusal(resp)
	}
	return resp.Body, nil
}

// NVRList asks the camera for its channels (get_nvr_list): channel 0, the
// camera itself, and an NVR's further cameras.
func NVRList(ctx context.Context, r Requester) ([]NVRChannel, error) {
	body, err := command(ctx, r, "get_nvr_list")
	if err != nil {
		return nil, err
	}
	return ParseNVRList(body)
}

// ParseNVRList decodes get_nvr_list's answer,
// [{"DeviceName":"cam","Channel":"1","Online":"1"}]. Channel is a number
// in 0 to protocol.MaxChannel; Online is "1" or "0".
func ParseNVRList(body []byte) ([]NVRChannel, error) {
	var reply []struct {
		DeviceName string `json:"DeviceName"`
		Channel    string `json:"Channel"`
		Online     string `json:"Online"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("viewer: bad get_nvr_list answer: %w", err)
	}
	out := make([]NVRChannel, 0, len(reply))
	for _, e := range reply {
		n, err := strconv.Atoi(e.Channel)
		if err != nil || n < 0 || n > protocol.MaxChannel {
			return nil, fmt.Errorf("viewer: get_nvr_list: %q: channel %q: want 0 to %d", e.DeviceName, e.Channel, protocol.MaxChannel)
		}
		if e.Online != "0" && e.Online != "1" {
			return nil, fmt.Errorf("viewer: get_nvr_list: %q: Online %q: want 0 or 1", e.DeviceName, e.Online)
		}
		out = append(out, NVRChannel{Name: e.DeviceName, Channel: n, Online: e.Online == "1"})
	}
	return out, nil
}
