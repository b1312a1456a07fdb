package cloud

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/p2pcam/p2pcam/auth"
)

func TestWithShare(t *testing.T) {
	base := Directory{Users: testUsers(t, accounts...)}
	tests := []struct {
		name   string
		device string
		user   string
		perms  auth.Permission
		ok     bool
	}{
		{"owner", "acme/cam1", "alice", auth.PermAll, true},
		{"guest live only", "acme/cam2", "bob", auth.PermLive, true},
		{"unknown device", "acme/cam9", "alice", auth.PermLive, false},
		{"viewer as device", "alice", "bob", auth.PermLive, false},
		{"device as viewer", "acme/cam1", "acme/cam2", auth.PermLive, false},
		{"unknown viewer", "acme/cam1", "mallory", auth.PermLive, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := base.WithShare(tt.device, tt.user, tt.perms)
			if (err == nil) != tt.ok {
				t.Fatalf("WithShare = %v, want ok=%v", err, tt.ok)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidShare) {
					t.Errorf("err = %v, want ErrInvalidShare", err)
				}
				return
			}
			got := d.SharedWith(tt.user)
			if len(got) != 1 || got[0].Device != tt.device {
				t.Fatalf("SharedWith(%s) = %+v", tt.user, got)
			}
			if p, err := got[0].Permissions(); err != nil || p != tt.perms {
				t.Errorf("permissions %v (%v), want %v", p, err, tt.perms)
			}
			if len(base.Shares) != 0 {
				t.Error("WithShare modified its receiver")
			}
		})
	}
}

func TestWithShareReplacesAndRemoves(t *testing.T) {
	d := Directory{Users: testUsers(t, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive)
	if err == nil {
		d, err = d.WithShare("acme/cam2", "alice", auth.PermLive)
	}
	if err == nil {
		d, err = d.WithShare("acme/cam1", "alice", auth.PermLive|auth.PermVoice)
	}
	if err != nil {
		t.Fatal(err)
	}
	got := d.SharedWith("alice")
	if len(got) != 2 || got[1].Device != "acme/cam1" || !slices.Equal(got[1].Perms, []string{"live", "voice"}) {
		t.Fatalf("after replacing: %+v", got)
	}
	if d, err = d.WithShare("acme/cam1", "alice", 0); err != nil {
		t.Fatal(err)
	}
	if got := d.SharedWith("alice"); len(got) != 1 || got[0].Device != "acme/cam2" {
		t.Fatalf("after removing: %+v", got)
	}
}

func TestDirectoryFileShares(t *testing.T) {
	d := Directory{Users: testUsers(t, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive|auth.PermCommand)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "users.toml")
	if err := SaveDirectory(path, d); err != nil {
		t.Fatal(err)
	}
	got, err := LoadDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got.Shares, d.Shares, func(a, b Share) bool {
		return a.Device == b.Device && a.User == b.User && slices.Equal(a.Perms, b.Perms)
	}) {
		t.Errorf("shares %+v, want %+v", got.Shares, d.Shares)
	}

	bad := []struct {
		name  string
		share Share
	}{
		{"unknown permission", Share{Device: "acme/cam1", User: "bob", Perms: []string{"root"}}},
		{"no permission", Share{Device: "acme/cam1", User: "bob"}},
		{"twice", d.Shares[0]},
		{"no such device", Share{Device: "acme/nope", User: "bob", Perms: []string{"live"}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			bd := Directory{Users: d.Users, Shares: append(slices.Clone(d.Shares), tt.share)}
			if err := SaveDirectory(path, bd); !errors.Is(err, ErrInvalidShare) {
				t.Errorf("SaveDirectory = %v, want ErrInvalidShare", err)
			}
		})
	}
}
