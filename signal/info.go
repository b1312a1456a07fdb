package signal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
)

// InfoVersion is the version of DeviceInfo this package writes.
const InfoVersion = 1

// DeviceInfo is the device's retained P2P info, the X-P2P sys_p2p_info
// property. The device publishes it when it connects, and its MQTT last
// will replaces it with Online false when it drops off.
type DeviceInfo struct {
	Version int  `json:"v"`
	Online  bool `json:"online"`
	// Boot changes every time the device starts, so a viewer can tell a
	// restarted device (whose sessions are gone) from a reconnected one.
	Boot string `json:"boot"`
	// PublicKey is the device's Ed25519 key (auth.MarshalPublicKey); it
	// signs every answer.
	PublicKey string `json:"pubkey"`
	// Since is when the device came online, Unix seconds.
	Since int64 `json:"since"`
	// Agent names the software, e.g. "p2pcamd/1.2.0".
	Agent string `json:"agent,omitempty"`
	// OTA is the progress of an over-the-air update, when one has run
	// since the device started.
	OTA *protocol.OTAStatus `json:"ota,omitempty"`
}

// Encode returns the wire form of i.
func (i DeviceInfo) Encode() []byte {
	b, _ := json.Marshal(i) // cannot fail: plain fields
	return b
}

// DecodeDeviceInfo parses device info from untrusted bytes.
func DecodeDeviceInfo(b []byte) (DeviceInfo, error) {
	var i DeviceInfo
	if len(b) > MaxMessageSize {
		return i, fmt.Errorf("%w: device info of %d bytes", ErrMalformed, len(b))
	}
	if err := json.Unmarshal(b, &i); err != nil {
		return i, fmt.Errorf("%w: device info: %v", ErrMalformed, err)
	}
	if i.Version != InfoVersion {
		return i, fmt.Errorf("%w: device info version %d (this viewer knows %d)", ErrMalformed, i.Version, InfoVersion)
	}
	if i.Boot == "" || i.PublicKey == "" {
		return i, fmt.Errorf("%w: device info without boot id or public key", ErrMalformed)
	}
	return i, nil
}

// SinceTime returns Since as a time.
func (i DeviceInfo) SinceTime() time.Time { return time.Unix(i.Since, 0) }
