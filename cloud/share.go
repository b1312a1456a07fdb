package cloud

import (
	"fmt"
	"slices"

	"github.com/p2pcam/p2pcam/auth"
)

// Share lets a viewer account watch a device: the token service issues
// that viewer tokens for the device with these permissions, and no
// others. The device's owner is simply a share with every permission.
type Share struct {
	Device string   `toml:"device"` // "PRODUCT/DEVICE", a device account
	User   string   `toml:"user"`   // a viewer account
	Perms  []string `toml:"perm"`   // auth permission names: live, voice, ...
}

// Permissions parses the share's permission names.
func (s Share) Permissions() (auth.Permission, error) {
	var p auth.Permission
	for _, name := range s.Perms {
		bit, err := auth.ParsePermissions(name)
		if err != nil {
			return 0, fmt.Errorf("%w: %s for %s: %v", ErrInvalidShare, s.Device, s.User, err)
		}
		p |= bit
	}
	if p == 0 {
		return 0, fmt.Errorf("%w: %s for %s: no permissions", ErrInvalidShare, s.Device, s.User)
	}
	return p, nil
}

// validate checks that the share names a device account and a viewer
// account of users, with known permissions.
func (s Share) validate(users map[string]User) error {
	if u, ok := users[s.Device]; !ok || u.Role != RoleDevice {
		return fmt.Errorf("%w: no device account %q (add it with p2pcam cloud adduser %s --role device)", ErrInvalidShare, s.Device, s.Device)
	}
	if u, ok := users[s.User]; !ok || u.Role != RoleViewer {
		return fmt.Errorf("%w: no viewer account %q (add it with p2pcam cloud adduser %s)", ErrInvalidShare, s.User, s.User)
	}
	_, err := s.Permissions()
	return err
}

// WithShare returns d with device shared with user at perms, replacing an
// earlier share of the same pair; perms 0 removes the share. d itself is
// not modified.
func (d Directory) WithShare(device, user string, perms auth.Permission) (Directory, error) {
	out := Directory{Users: d.Users}
	for _, s := range d.Shares {
		if s.Device != device || s.User != user {
			out.Shares = append(out.Shares, s)
		}
	}
	if perms != 0 {
		out.Shares = append(out.Shares, Share{Device: device, User: user, Perms: perms.Names()})
	}
	if err := out.Validate(); err != nil {
		return Directory{}, err
	}
	return out, nil
}

// SharedWith returns the shares of user's, in file order.
func (d Directory) SharedWith(user string) []Share {
	var out []Share
	for _, s := range d.Shares {
		if s.User == user {
			out = append(out, s)
		}
	}
	return slices.Clip(out)
}

// sharedDevices returns the devices shared with each user.
func sharedDevices(shares []Share) map[string][]string {
	out := map[string][]string{}
	for _, s := range shares {
		out[s.User] = append(out[s.User], s.Device)
	}
	return out
}
