package cloud

import (
	"fmt"
	"net/http"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/relay"
)

// RelayOnPlayPath is where nginx-rtmp's on_play callback posts
// (docs/relay.md): on_play http://CLOUD/relay/on_play;
const RelayOnPlayPath = "/relay/on_play"

// maxOnPlayBody bounds an on_play callback's form: nginx-rtmp sends a
// dozen short fields and the play URL's query (a token is under 1 KiB).
const maxOnPlayBody = 8 << 10

// relayOnPlay answers nginx-rtmp's on_play callback: 200 lets the viewer
// play, anything else makes nginx close the connection. It plays when
// the play URL's query holds a ticket (relay.Ticket) for the stream,
// unexpired, signed with the relay secret of the device the stream name
// names (relay.DeviceSecret of Config.RelaySecret), and, when the ticket
// names a viewer, the device is still shared with that viewer with live.
// The camera mints a ticket only for a viewer whose token it has checked
// (live permission, this device): nginx-rtmp keeps 255 bytes of a play's
// name and query, too few for the token itself.
func (a *api) relayOnPlay(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "on_play posts a form", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxOnPlayBody)
	if err := r.ParseForm(); err != nil {
		a.refusePlay(w, r, "", "bad form: "+err.Error())
		return
	}
	name := r.PostForm.Get("name")
	device, _, err := relay.ParseStreamName(name)
	if err != nil {
		a.refusePlay(w, r, name, err.Error())
		return
	}
	if a.c.relaySecret == nil {
		a.refusePlay(w, r, name, "this cloud has no relay secret")
		return
	}
	t, err := relay.CheckTicket(relay.DeviceSecret(a.c.relaySecret, device), name, r.PostForm, time.Now())
	if err != nil {
		a.refusePlay(w, r, name, err.Error())
		return
	}
	if t.Subject != "" && !a.sharesLive(device, t.Subject) {
		a.refusePlay(w, r, name, fmt.Sprintf("%s is no longer shared with %s", device, t.Subject))
		return
	}
	a.c.log.Info("cloud: relay play", "stream", name, "user", t.Subject, "addr", r.PostForm.Get("addr"))
	w.WriteHeader(http.StatusOK)
}

// sharesLive reports whether device is shared with user with live.
func (a *api) sharesLive(device, user string) bool {
	for _, s := range a.c.Directory().SharedWith(user) {
		if p, err := s.Permissions(); err == nil && s.Device == device && p.Has(auth.PermLive) {
			return true
		}
	}
	return false
}

func (a *api) refusePlay(w http.ResponseWriter, r *http.Request, stream, why string) {
	a.c.log.Warn("cloud: relay play refused", "stream", stream, "addr", r.PostForm.Get("addr"), "reason", why)
	http.Error(w, "refused: "+why, http.StatusForbidden)
}
