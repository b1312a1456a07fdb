package agent

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/agent/update"
	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/ota/fetch"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
)

// newUpdater builds the OTA updater, or nil when ota.trusted_keys is
// empty (updates off).
func (a *Agent) newUpdater() *update.Updater {
	c := a.cfg.OTA
	if len(c.TrustedKeys) == 0 {
		return nil
	}
	id, _ := signal.ParseDeviceID(a.cfg.Device) // validated by withDefaults
	return update.New(update.Config{
		Dir:       c.Dir,
		Trusted:   c.trusted(),
		Current:   a.cfg.Version,
		Product:   id.Product,
		Board:     a.board.Name,
		Arch:      c.Arch,
		Fetch:     fetch.Config{MaxRate: c.MaxRate},
		Installer: a.cfg.Installer,
		Initial:   a.cfg.OTAInitial,
		OnStatus:  a.otaChanged,
		Logger:    a.log,
	})
}

// otaChanged publishes an update's status in the device info, in P2P
// mode, then tells Config.OnOTA.
func (a *Agent) otaChanged(st protocol.OTAStatus) {
	a.otaMu.Lock()
	if srv := a.p2pSessions.Load(); srv != nil {
		srv.SetOTA(context.Background(), &st)
	}
	a.otaMu.Unlock()
	if a.cfg.OnOTA != nil {
		a.cfg.OnOTA(st)
	}
}

// startP2POTA makes srv the P2P server whose device info carries the
// update status, starting with the status now: one set before P2P mode
// was up is not lost.
func (a *Agent) startP2POTA(srv *p2p.Server) {
	a.otaMu.Lock()
	defer a.otaMu.Unlock()
	a.p2pSessions.Store(srv)
	if a.updater == nil {
		return
	}
	if st := a.updater.Status(); st.State != protocol.OTAIdle {
		srv.SetOTA(context.Background(), &st)
	}
}

// ReportOTA sets the update status from outside an update (the trial
// of an installed update and its outcome, docs/ota.md) and publishes
// it. It returns update.ErrBusy while an update runs, and an error when
// updates are off.
func (a *Agent) ReportOTA(st protocol.OTAStatus) error {
	if a.updater == nil {
		return errOTAOff
	}
	return a.updater.Report(st)
}

// onRelease takes the bytes of a release announcement from the broker.
func (a *Agent) onRelease(b []byte) {
	if len(b) == 0 {
		return // the retained announcement was cleared
	}
	ann, err := ota.ParseAnnouncement(b)
	if err != nil {
		a.log.Warn("ignored malformed release announcement", "topic", signal.ReleaseTopic(a.cfgProduct()), "err", err)
		return
	}
	a.updater.Announce(ann)
}

func (a *Agent) cfgProduct() string {
	id, _ := signal.ParseDeviceID(a.cfg.Device)
	return id.Product
}

// serveOTAStatus answers ota_status.
func (a *Agent) serveOTAStatus(w Responder) {
	if a.updater == nil {
		a.replyError(w, errOTAOff)
		return
	}
	a.replyJSON(w, protocol.StatusOK, a.updater.Status())
}

var errOTAOff = protocol.Errorf(protocol.StatusNotSupported, "updates are off on this camera: set ota.trusted_keys in its config")

// serveOTAUpdate answers ota_update[&url=URL[&sha256=HEX][&size=N]]:
// it starts an update of the announced release, or of the bundle at URL,
// and answers with the status.
func (a *Agent) serveOTAUpdate(log *slog.Logger, req protocol.Request, w Responder) {
	if a.updater == nil {
		a.replyError(w, errOTAOff)
		return
	}
	var ann *ota.Announcement
	if u := req.Params.Get("url"); u != "" {
		ann = &ota.Announcement{URL: u, SHA256: req.Params.Get("sha256")}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || len(u) > ota.MaxURLLen {
			a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "url %q: want an http:// or https:// URL of a bundle", u))
			return
		}
		if ann.SHA256 != "" && !ota.ValidSHA256(ann.SHA256) {
			a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "sha256 %q: want 64 lower-case hex digits", ann.SHA256))
			return
		}
		if s := req.Params.Get("size"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 || n > ota.MaxBundleSize {
				a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "size %q: want 1 to %d bytes", s, int64(ota.MaxBundleSize)))
				return
			}
			ann.Size = n
		}
	}
	st, err := a.updater.Start(ann)
	switch {
	case errors.Is(err, update.ErrBusy):
		a.replyError(w, protocol.Errorf(protocol.StatusBusy, "an update is already running: %s %d%%", st.State, st.Percent))
		return
	case err != nil:
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "%v", err))
		return
	}
	log.Info("update started by an operator", "url", st.URL, "version", st.Version)
	a.replyJSON(w, protocol.StatusOK, st)
}
