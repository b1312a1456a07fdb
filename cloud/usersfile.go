package cloud

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/p2pcam/p2pcam/internal/atomicfile"
)

// Directory is what a users file holds: the accounts, and which viewer
// may watch which device. The layout:
//
//	[[user]]
//	name = "acme/cam1"
//	role = "device"
//	password_hash = "$2a$10$..."
//
//	[[share]]
//	device = "acme/cam1"
//	user = "alice"
//	perm = ["live", "voice", "command"]
type Directory struct {
	Users  []User  `toml:"user"`
	Shares []Share `toml:"share"`
}

// Validate checks every user (valid, names unique) and every share (see
// Share.validate).
func (d Directory) Validate() error {
	idx, err := userIndex(d.Users)
	if err != nil {
		return err
	}
	seen := make(map[[2]string]bool, len(d.Shares))
	for _, s := range d.Shares {
		if err := s.validate(idx); err != nil {
			return err
		}
		k := [2]string{s.Device, s.User}
		if seen[k] {
			return fmt.Errorf("%w: %s is shared with %s twice", ErrInvalidShare, s.Device, s.User)
		}
		seen[k] = true
	}
	return nil
}

// User returns the account called name.
func (d Directory) User(name string) (User, bool) {
	for _, u := range d.Users {
		if u.Name == name {
			return u, true
		}
	}
	return User{}, false
}

// LoadDirectory reads a users file written by SaveDirectory and validates
// it. A missing file wraps fs.ErrNotExist.
func LoadDirectory(path string) (Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Directory{}, fmt.Errorf("cloud: users file: %w", err)
	}
	var d Directory
	md, err := toml.Decode(string(data), &d)
	if err != nil {
		return Directory{}, fmt.Errorf("%w %s: %v", ErrUsersFile, path, err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return Directory{}, fmt.Errorf("%w %s: unknown key %q", ErrUsersFile, path, extra[0].String())
	}
	if err := d.Validate(); err != nil {
		return Directory{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return d, nil
}

// SaveDirectory writes d to path as TOML, replacing the file atomically
// with mode 0600: it holds password hashes. d is validated first.
func SaveDirectory(path string, d Directory) error {
	if err := d.Validate(); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# p2pcam dev cloud accounts (passwords are bcrypt hashes) and device shares.\n")
	if err := toml.NewEncoder(&buf).Encode(d); err != nil {
		return fmt.Errorf("cloud: encode users: %w", err)
	}
	// The directory sync is best effort here: the file is in place.
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil && !errors.Is(err, atomicfile.ErrDirSync) {
		return fmt.Errorf("cloud: write users file: %w", err)
	}
	return nil
}
