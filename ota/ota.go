// Package ota reads, writes, signs and verifies p2pcam update bundles: a
// JSON manifest (versions, compatibility, the size and SHA-256 of each
// part), one or more detached Ed25519 signatures over the manifest bytes,
// and the parts themselves (the p2pcamd binary per architecture, optionally
// a rootfs image), in one stream that is checked as it is read and never
// held in memory whole. The format is described in docs/ota.md.
//
// Delivery is not here; the A/B install and rollback are in ota/slot,
// whose installer gives Verify a Sink for the part it keeps and switches
// slots only when Verify has returned nil.
package ota
