package cloud

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/BurntSushi/toml"

	"github.com/p2pcam/p2pcam/internal/atomicfile"
)

// usersFile is the TOML layout of a users file:
//
//	[[user]]
//	name = "acme/cam1"
//	role = "device"
//	password_hash = "$2a$10$..."
type usersFile struct {
	User []User `toml:"user"`
}

// LoadUsers reads a users file written by SaveUsers. Every user must be
// valid and names unique. A missing file wraps fs.ErrNotExist.
func LoadUsers(path string) ([]User, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cloud: users file: %w", err)
	}
	var f usersFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrUsersFile, path, err)
	}
	if extra := md.Undecoded(); len(extra) > 0 {
		return nil, fmt.Errorf("%w %s: unknown key %q", ErrUsersFile, path, extra[0].String())
	}
	if _, err := userIndex(f.User); err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f.User, nil
}

// SaveUsers writes users to path as TOML, replacing the file atomically
// with mode 0600: it holds password hashes. Users are validated first.
func SaveUsers(path string, users []User) error {
	if _, err := userIndex(users); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# p2pcam dev cloud accounts; passwords are bcrypt hashes.\n")
	if err := toml.NewEncoder(&buf).Encode(usersFile{User: users}); err != nil {
		return fmt.Errorf("cloud: encode users: %w", err)
	}
	// The directory sync is best effort here: the file is in place.
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil && !errors.Is(err, atomicfile.ErrDirSync) {
		return fmt.Errorf("cloud: write users file: %w", err)
	}
	return nil
}
