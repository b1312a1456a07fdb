package agent

import (
	"crypto/ed25519"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/p2pcam/p2pcam/agent/update"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota/fetch"
)

// OTAConfig configures over-the-air updates (docs/ota.md, Delivery).
type OTAConfig struct {
	// TrustedKeys are the release public keys (base64 or PEM; p2pcam ota
	// keygen prints one) a bundle must be signed by. Empty turns updates
	// off: ota_update gets 406. These are not auth.trusted_keys: a
	// release key can reprogram the camera.
	TrustedKeys []string `toml:"trusted_keys"`
	// Dir is where bundles are downloaded and kept. It defaults to
	// "/var/lib/p2pcam/ota".
	Dir string `toml:"dir"`
	// MaxRate caps the download in bytes a second. It defaults to
	// 262144 (256 KiB/s, about 2 Mbit/s); -1 turns the cap off.
	MaxRate int64 `toml:"max_rate"`
	// Arch is the architecture whose p2pcamd a bundle must carry. It
	// defaults to this binary's (amd64, arm64, armv6, armv7, mips,
	// mipsle).
	Arch string `toml:"arch"`
}

func (o OTAConfig) withDefaults() OTAConfig {
	if o.Dir == "" {
		o.Dir = update.DefaultDir
	}
	if o.MaxRate == 0 {
		o.MaxRate = fetch.DefaultMaxRate
	}
	if o.Arch == "" {
		o.Arch = buildArch()
	}
	return o
}

func (o OTAConfig) validate() []error {
	var errs []error
	for i, k := range o.TrustedKeys {
		if _, err := auth.ParsePublicKey(k); err != nil {
			errs = append(errs, fmt.Errorf("ota.trusted_keys[%d]: %w", i, err))
		}
	}
	if o.MaxRate < -1 || (o.MaxRate > 0 && o.MaxRate < 4096) {
		errs = append(errs, fmt.Errorf("ota.max_rate = %d: want at least 4096 bytes a second, or -1 for no cap", o.MaxRate))
	}
	return errs
}

// trusted parses the release keys (validated already).
func (o OTAConfig) trusted() []ed25519.PublicKey {
	var keys []ed25519.PublicKey
	for _, k := range o.TrustedKeys {
		if pub, err := auth.ParsePublicKey(k); err == nil {
			keys = append(keys, pub)
		}
	}
	return keys
}

// buildArch names this binary's architecture as bundles do: GOARCH, with
// 32-bit ARM's level from the build's GOARM (armv7 when not recorded).
func buildArch() string {
	if runtime.GOARCH != "arm" {
		return runtime.GOARCH
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOARM" && len(s.Value) > 0 {
				return "armv" + s.Value[:1]
			}
		}
	}
	return "armv7"
}
