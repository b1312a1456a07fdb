package auth

import (
	"errors"
	"testing"
)

func TestParsePermissions(t *testing.T) {
	tests := []struct {
		in      string
		want    Permission
		wantErr bool
	}{
		{in: "", want: 0},
		{in: "  ", want: 0},
		{in: "live", want: PermLive},
		{in: "live,voice", want: PermLive | PermVoice},
		{in: " voice , live ", want: PermLive | PermVoice},
		{in: "live,live", want: PermLive},
		{in: "live,playback,voice,command,download,update", want: PermAll},
		{in: "update", want: PermUpdate},
		{in: "admin", wantErr: true},
		{in: "Live", wantErr: true},
		{in: "live,,voice", wantErr: true},
		{in: "live,", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParsePermissions(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrUnknownPermission) {
				t.Errorf("ParsePermissions(%q) error = %v, want ErrUnknownPermission", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParsePermissions(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestPermissionString(t *testing.T) {
	tests := []struct {
		p    Permission
		want string
	}{
		{0, ""},
		{PermLive, "live"},
		{PermVoice | PermLive, "live,voice"},
		{PermAll, "live,playback,voice,command,download,update"},
		{PermDownload | 0x80, "download,0x80"},
		{0x40, "0x40"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Permission(%#x).String() = %q, want %q", uint8(tt.p), got, tt.want)
		}
	}
}

func TestPermissionStringRoundTrip(t *testing.T) {
	for p := Permission(0); p <= PermAll; p++ {
		got, err := ParsePermissions(p.String())
		if err != nil || got != p {
			t.Errorf("ParsePermissions(%q) = %v, %v; want %v", p.String(), got, err, p)
		}
	}
}

func TestPermissionHas(t *testing.T) {
	tests := []struct {
		p, need Permission
		want    bool
	}{
		{PermLive | PermVoice, PermLive, true},
		{PermLive | PermVoice, PermLive | PermVoice, true},
		{PermLive | PermVoice, PermLive | PermCommand, false},
		{PermLive, PermPlayback, false},
		{0, 0, true},
		{PermLive, 0, true},
		{0, PermLive, false},
		{PermAll, PermAll, true},
	}
	for _, tt := range tests {
		if got := tt.p.Has(tt.need); got != tt.want {
			t.Errorf("%v.Has(%v) = %v, want %v", tt.p, tt.need, got, tt.want)
		}
	}
}
