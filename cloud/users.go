package cloud

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/p2pcam/p2pcam/signal"
)

// Role says what an account is: a camera or a person's viewer.
type Role string

// The roles. They decide which topics an account may use (see Allowed).
const (
	// RoleDevice is a camera, named "PRODUCT/DEVICE".
	RoleDevice Role = "device"
	// RoleViewer is a viewer, named by its user name; its sessions connect
	// as signal.ViewerClientID(name, suffix).
	RoleViewer Role = "viewer"
	// RoleRelease is a release publisher, named like a viewer: it may
	// only write products' release topics (signal.ReleaseTopic). The dev
	// cloud publishes them itself; a release account is for a release
	// pipeline publishing to mosquitto.
	RoleRelease Role = "release"
)

// hashCost is the bcrypt cost of new password hashes; tests lower it.
var hashCost = bcrypt.DefaultCost

// User is one broker account. The name is the MQTT user name; a device
// connects with it as its client id, a viewer with one of its session ids.
type User struct {
	Name         string `toml:"name"`
	Role         Role   `toml:"role"`
	PasswordHash string `toml:"password_hash"` // bcrypt
}

// Validate checks the name against the role (signal.ParseDeviceID for a
// device, signal.ValidClientID for a viewer) and that the hash is bcrypt.
func (u User) Validate() error {
	if err := validName(u.Name, u.Role); err != nil {
		return err
	}
	if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
		return fmt.Errorf("%w: %q: password hash is not bcrypt: %v", ErrInvalidUser, u.Name, err)
	}
	return nil
}

// CheckPassword reports whether password matches the user's hash. It
// costs a bcrypt comparison, by design slow.
func (u User) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// validName checks name against what role requires.
func validName(name string, role Role) error {
	switch role {
	case RoleDevice:
		if _, err := signal.ParseDeviceID(name); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidUser, err)
		}
	case RoleViewer, RoleRelease:
		if !signal.ValidClientID(name) {
			return fmt.Errorf("%w: viewer %q: want 1 to 64 letters, digits, '-', '_' or '.'", ErrInvalidUser, name)
		}
	default:
		return fmt.Errorf("%w: %q: unknown role %q (want %q, %q or %q)", ErrInvalidUser, name, role, RoleDevice, RoleViewer, RoleRelease)
	}
	return nil
}

// AddUser returns users with a new account appended, its password hashed
// with bcrypt. It refuses an invalid name or role, an empty password or
// one over bcrypt's 72 bytes, and a name already in users (ErrUserExists).
// The users slice itself is not modified.
func AddUser(users []User, name string, role Role, password string) ([]User, error) {
	if err := validName(name, role); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, fmt.Errorf("%w: %q: empty password", ErrInvalidUser, name)
	}
	for _, u := range users {
		if u.Name == name {
			return nil, fmt.Errorf("%w: %q", ErrUserExists, name)
		}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), hashCost)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidUser, name, err)
	}
	out := make([]User, len(users), len(users)+1)
	copy(out, users)
	return append(out, User{Name: name, Role: role, PasswordHash: string(hash)}), nil
}

// GeneratePassword returns a random password of 26 base32 characters
// (128 bits), safe to pass on a command line such as mosquitto_passwd -b.
func GeneratePassword() string { return rand.Text() }

// userIndex checks users (each valid, names unique) and indexes them by
// name.
func userIndex(users []User) (map[string]User, error) {
	idx := make(map[string]User, len(users))
	for _, u := range users {
		if err := u.Validate(); err != nil {
			return nil, err
		}
		if _, dup := idx[u.Name]; dup {
			return nil, fmt.Errorf("%w: %q", ErrUserExists, u.Name)
		}
		idx[u.Name] = u
	}
	return idx, nil
}
