package auth

import (
	"fmt"
	"strings"
)

// Permission is a set of things a viewer may do, one bit each.
type Permission uint8

// The permissions a token can grant.
const (
	// PermLive allows watching live video.
	PermLive Permission = 1 << iota
	// PermPlayback allows watching recordings.
	PermPlayback
	// PermVoice allows talking through the camera's speaker.
	PermVoice
	// PermCommand allows sending commands (PTZ, settings, ...).
	PermCommand
	// PermDownload allows downloading recordings.
	PermDownload
	// PermUpdate allows starting an over-the-air update (ota_update)
	// and reading its progress (ota_status).
	PermUpdate

	// PermAll is every permission above.
	PermAll = PermLive | PermPlayback | PermVoice | PermCommand | PermDownload | PermUpdate
)

// permNames lists the permissions in bit order with their wire names.
var permNames = [...]struct {
	p    Permission
	name string
}{
	{PermLive, "live"},
	{PermPlayback, "playback"},
	{PermVoice, "voice"},
	{PermCommand, "command"},
	{PermDownload, "download"},
	{PermUpdate, "update"},
}

// permByName returns the permission called name, or 0.
func permByName(name string) Permission {
	for _, pn := range permNames {
		if pn.name == name {
			return pn.p
		}
	}
	return 0
}

// ParsePermissions parses a comma-separated list such as "live,voice".
// Spaces around names are ignored; an empty string is the empty set.
// An unknown or empty name is an error wrapping ErrUnknownPermission.
func ParsePermissions(s string) (Permission, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	var p Permission
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		bit := permByName(name)
		if bit == 0 {
			return 0, fmt.Errorf("%w: %q", ErrUnknownPermission, name)
		}
		p |= bit
	}
	return p, nil
}

// String returns the set as a comma-separated list in a fixed order, such
// as "live,voice"; bits without a name appear in hex.
func (p Permission) String() string {
	var b strings.Builder
	for _, pn := range p.Names() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pn)
	}
	if extra := p &^ PermAll; extra != 0 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%#x", uint8(extra))
	}
	return b.String()
}

// names returns the names of the known permissions in p, in bit order.
// Names returns the names of the permissions in p, in a fixed order.
func (p Permission) Names() []string {
	var out []string
	for _, pn := range permNames {
		if p&pn.p != 0 {
			out = append(out, pn.name)
		}
	}
	return out
}

// Has reports whether p includes every permission in need; every set has
// the empty set.
func (p Permission) Has(need Permission) bool {
	return p&need == need
}
