package cloud

import (
	"crypto/ed25519"
	"net/http"

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
// the play URL's token (?token=...) is the token service's, unexpired,
// for the device the stream name names (relay.ParseStreamName), with
// the live permission, and the device is still shared with the token's
// subject with live.
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
	pub := a.c.IssuerPublicKey()
	if pub == nil {
		a.refusePlay(w, r, name, "this cloud has no token issuer key")
		return
	}
	v := auth.Verifier{Keys: []ed25519.PublicKey{pub}, Device: device}
	claims, err := v.Verify(r.PostForm.Get("token"), auth.PermLive)
	if err != nil {
		a.refusePlay(w, r, name, err.Error())
		return
	}
	shared := false
	for _, s := range a.c.Directory().SharedWith(claims.Subject) {
		if p, err := s.Permissions(); err == nil && s.Device == device && p.Has(auth.PermLive) {
			shared = true
		}
	}
	if !shared {
		a.refusePlay(w, r, name, "no longer shared with "+claims.Subject)
		return
	}
	a.c.log.Info("cloud: relay play", "stream", name, "user", claims.Subject, "addr", r.PostForm.Get("addr"))
	w.WriteHeader(http.StatusOK)
}

func (a *api) refusePlay(w http.ResponseWriter, r *http.Request, stream, why string) {
	a.c.log.Warn("cloud: relay play refused", "stream", stream, "addr", r.PostForm.Get("addr"), "reason", why)
	http.Error(w, "refused: "+why, http.StatusForbidden)
}
