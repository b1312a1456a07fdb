package cloud

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/signal"

	"golang.org/x/crypto/bcrypt"
)

func TestAddUser(t *testing.T) {
	base, err := AddUser(nil, "acme/cam1", RoleDevice, "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user string
		role       Role
		password   string
		wantErr    error
	}{
		{"device", "acme/cam2", RoleDevice, "secret", nil},
		{"viewer", "alice", RoleViewer, "secret", nil},
		{"viewer with dots", "alice.phone-2_x", RoleViewer, "secret", nil},
		{"device without product", "cam2", RoleDevice, "secret", ErrInvalidUser},
		{"device with three parts", "acme/cam/2", RoleDevice, "secret", ErrInvalidUser},
		{"device with wildcard", "acme/+", RoleDevice, "secret", ErrInvalidUser},
		{"viewer with slash", "alice/phone", RoleViewer, "secret", ErrInvalidUser},
		{"viewer with wildcard", "#", RoleViewer, "secret", ErrInvalidUser},
		{"viewer too long", strings.Repeat("a", 65), RoleViewer, "secret", ErrInvalidUser},
		{"unknown role", "root", Role("admin"), "secret", ErrInvalidUser},
		{"empty password", "bob", RoleViewer, "", ErrInvalidUser},
		{"password over 72 bytes", "bob", RoleViewer, strings.Repeat("p", 73), ErrInvalidUser},
		{"duplicate", "acme/cam1", RoleDevice, "other", ErrUserExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AddUser(base, tt.user, tt.role, tt.password)
			if len(base) != 1 || base[0].Name != "acme/cam1" {
				t.Fatalf("AddUser modified its input: %+v", base)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "cloud: ") {
					t.Errorf("error %q lacks the cloud: prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("got %d users, want 2", len(got))
			}
			u := got[1]
			if u.Name != tt.user || u.Role != tt.role {
				t.Errorf("user = %+v", u)
			}
			if err := u.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if strings.Contains(u.PasswordHash, tt.password) {
				t.Errorf("hash %q contains the password", u.PasswordHash)
			}
			if cost, _ := bcrypt.Cost([]byte(u.PasswordHash)); cost != hashCost {
				t.Errorf("bcrypt cost %d, want %d", cost, hashCost)
			}
			if !u.CheckPassword(tt.password) {
				t.Error("CheckPassword(right password) = false")
			}
			if u.CheckPassword(tt.password + "x") {
				t.Error("CheckPassword(wrong password) = true")
			}
		})
	}
}

func TestUserValidate(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user User
		ok   bool
	}{
		{"device", User{"acme/cam1", RoleDevice, string(hash)}, true},
		{"viewer", User{"alice", RoleViewer, string(hash)}, true},
		{"plain text password", User{"alice", RoleViewer, "pw"}, false},
		{"empty hash", User{"alice", RoleViewer, ""}, false},
		{"device named like a viewer", User{"alice", RoleDevice, string(hash)}, false},
		{"viewer named like a device", User{"acme/cam1", RoleViewer, string(hash)}, false},
		{"no role", User{"alice", "", string(hash)}, false},
		{"empty name", User{"", RoleViewer, string(hash)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.user.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidUser) {
				t.Errorf("err = %v, want ErrInvalidUser", err)
			}
		})
	}
}

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		p := GeneratePassword()
		if len(p) != 26 {
			t.Fatalf("password %q has %d characters, want 26", p, len(p))
		}
		if strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("password %q is not plain base32", p)
		}
		if seen[p] {
			t.Fatalf("password %q repeated", p)
		}
		seen[p] = true
	}
}

// testUsers builds a users list of the given (name, role, password)s.
func testUsers(t testing.TB, accounts ...testAccount) []User {
	t.Helper()
	var users []User
	for _, a := range accounts {
		var err error
		if users, err = AddUser(users, a.name, a.role, a.password); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

// testAccount is an account with its plain password.
type testAccount struct {
	name     string
	role     Role
	password string
}

// clientID is the account's client id for a test session.
func (a testAccount) clientID() string {
	if a.role == RoleDevice {
		return a.name
	}
	return signal.ViewerClientID(a.name, "test")
}

func TestSaveLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "users.toml")
	users := testUsers(t,
		testAccount{"acme/cam1", RoleDevice, "pw1"},
		testAccount{"alice", RoleViewer, "pw2"},
	)
	if err := SaveDirectory(path, Directory{Users: users}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("users file mode %04o, want 0600", perm)
	}
	d, err := LoadDirectory(path)
	got := d.Users
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(users) {
		t.Fatalf("loaded %d users, want %d", len(got), len(users))
	}
	for i := range users {
		if got[i] != users[i] {
			t.Errorf("user %d = %+v, want %+v", i, got[i], users[i])
		}
	}
	// Saving again replaces the file and leaves no temporary behind.
	if err := SaveDirectory(path, Directory{Users: users[:1]}); err != nil {
		t.Fatal(err)
	}
	if d, err := LoadDirectory(path); err != nil || len(d.Users) != 1 {
		t.Fatalf("after second save: %d users, err %v", len(d.Users), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the users file", len(entries))
	}
}

func TestLoadDirectoryErrors(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string // "" means no file
		wantErr error
	}{
		{"missing file", "", fs.ErrNotExist},
		{"not toml", "[[user]\nname = ", ErrUsersFile},
		{"unknown key", "[[user]]\nname = \"alice\"\nrole = \"viewer\"\npassword_hash = \"" + string(hash) + "\"\nadmin = true\n", ErrUsersFile},
		{"plain password", "[[user]]\nname = \"alice\"\nrole = \"viewer\"\npassword_hash = \"hunter2\"\n", ErrInvalidUser},
		{"bad device name", "[[user]]\nname = \"cam1\"\nrole = \"device\"\npassword_hash = \"" + string(hash) + "\"\n", ErrInvalidUser},
		{"duplicate", strings.Repeat("[[user]]\nname = \"alice\"\nrole = \"viewer\"\npassword_hash = \""+string(hash)+"\"\n", 2), ErrUserExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.toml")
			if tt.content != "" {
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := LoadDirectory(path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "cloud: ") {
				t.Errorf("error %q lacks the cloud: prefix", err)
			}
		})
	}
}

func TestSaveDirectoryRefusesInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.toml")
	err := SaveDirectory(path, Directory{Users: []User{{Name: "alice", Role: RoleViewer, PasswordHash: "plain"}}})
	if !errors.Is(err, ErrInvalidUser) {
		t.Fatalf("err = %v, want ErrInvalidUser", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file written despite the error: %v", err)
	}
}
