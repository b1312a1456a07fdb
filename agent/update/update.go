// Package update is the camera's side of OTA delivery: it hears of
// releases (announcements from the product's release topic, or an
// operator's ota_update command), downloads the bundle into a staging
// directory with package ota/fetch, verifies its signature and hashes
// with package ota, and hands the verified file to an Installer. It runs
// one update at a time, on one goroutine, and reports its progress as a
// protocol.OTAStatus.
package update

import "context"

// Installer installs a verified bundle: the A/B slot writer (package
// ota/slot) implements it. bundlePath is a complete bundle file whose
// signature, product, architecture, version floor and part hashes have
// been checked; Install may read it again, and must not return nil before
// the new version is in place for the next start.
type Installer interface {
	Install(ctx context.Context, bundlePath string) error
}
