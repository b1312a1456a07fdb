package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// The OTA commands, p2pcam extensions in the inner_define family; both
// need the update permission (docs/ota.md, Delivery).
const (
	// CmdOTAUpdate starts an update: from the release announced on the
	// product's release topic, or from url=URL (with optional
	// sha256=HEX and size=N). Its answer is an OTAStatus.
	CmdOTAUpdate = "ota_update"
	// CmdOTAStatus answers with the update's OTAStatus.
	CmdOTAStatus = "ota_status"
)

// OTAStatusRequest is the request line of ota_status.
const OTAStatusRequest = "command?action=inner_define&channel=0&cmd=" + CmdOTAStatus

// otaCommands need the update permission.
var otaCommands = map[string]bool{CmdOTAUpdate: true, CmdOTAStatus: true}

// OTA states. An update goes idle -> downloading -> verifying ->
// downloaded (no installer configured: the bundle is verified and kept)
// or installing -> installed; the camera then restarts into the new
// version, which reports trial until its health checks confirm it
// (confirmed) or it is rolled back and the previous version, started
// again, reports rolled_back. Any step before the restart may end in
// failed.
const (
	OTAIdle        = "idle"
	OTADownloading = "downloading"
	OTAVerifying   = "verifying"
	OTADownloaded  = "downloaded"
	OTAInstalling  = "installing"
	OTAInstalled   = "installed"
	OTATrial       = "trial"
	OTAConfirmed   = "confirmed"
	OTARolledBack  = "rolled_back"
	OTAFailed      = "failed"
)

// OTAStatus is how an update is going: the answer of ota_status and
// ota_update, and the "ota" field of the device info.
type OTAStatus struct {
	State string `json:"state"`
	// Running is the camera's version.
	Running string `json:"running"`
	// Version and URL are of the release being fetched, when known.
	Version string `json:"version,omitempty"`
	URL     string `json:"url,omitempty"`
	// Bytes of Total are downloaded (Total 0 while not known); Percent
	// is their ratio, 0 to 100.
	Bytes   int64 `json:"bytes"`
	Total   int64 `json:"total"`
	Percent int   `json:"percent"`
	// Error says why the update failed (state failed) or was rolled
	// back (rolled_back).
	Error string `json:"error,omitempty"`
	// Note adds what the camera does next, such as that installation is
	// not configured.
	Note string `json:"note,omitempty"`
}

// Done reports whether the state is final: nothing more will happen
// until the next update.
func (s OTAStatus) Done() bool {
	switch s.State {
	case OTAIdle, OTADownloaded, OTAConfirmed, OTARolledBack, OTAFailed:
		return true
	}
	return false
}

// Failed reports whether the update ended badly: failed, or rolled
// back after its trial.
func (s OTAStatus) Failed() bool {
	return s.State == OTAFailed || s.State == OTARolledBack
}

// MaxOTAStatusSize bounds an OTAStatus a viewer reads: a real one is
// a few hundred bytes (the URL is at most 2 KiB).
const MaxOTAStatusSize = 8 << 10

// DecodeOTAStatus parses an OTAStatus from untrusted bytes: one JSON
// object, at most MaxOTAStatusSize, with a known state. Errors wrap
// ErrBadOTAStatus.
func DecodeOTAStatus(b []byte) (OTAStatus, error) {
	var s OTAStatus
	if len(b) > MaxOTAStatusSize {
		return s, fmt.Errorf("%w: ota status of %d bytes, over %d", ErrBadOTAStatus, len(b), MaxOTAStatusSize)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&s); err != nil {
		return s, fmt.Errorf("%w: ota status: %v", ErrBadOTAStatus, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return s, fmt.Errorf("%w: ota status: data after the object", ErrBadOTAStatus)
	}
	switch s.State {
	case OTAIdle, OTADownloading, OTAVerifying, OTADownloaded, OTAInstalling, OTAInstalled,
		OTATrial, OTAConfirmed, OTARolledBack, OTAFailed:
	default:
		return s, fmt.Errorf("%w: ota status: unknown state %q", ErrBadOTAStatus, s.State)
	}
	if s.Bytes < 0 || s.Total < 0 || s.Percent < 0 || s.Percent > 100 {
		return s, fmt.Errorf("%w: ota status: bytes %d, total %d, percent %d out of range", ErrBadOTAStatus, s.Bytes, s.Total, s.Percent)
	}
	return s, nil
}
