package ota

import (
	"errors"
	"testing"
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in   string
		want Version
		ok   bool
	}{
		{"1.2.3", Version{1, 2, 3}, true},
		{"0.0.0", Version{}, true},
		{"10.20.300", Version{10, 20, 300}, true},
		{"999999999.0.1", Version{999999999, 0, 1}, true},
		{"1000000000.0.0", Version{}, false},
		{"v1.2.3", Version{}, false},
		{"1.2", Version{}, false},
		{"1.2.3.4", Version{}, false},
		{"1.02.3", Version{}, false},
		{"1.2.3-rc1", Version{}, false},
		{"1.-2.3", Version{}, false},
		{"1..3", Version{}, false},
		{"", Version{}, false},
		{" 1.2.3", Version{}, false},
	}
	for _, tt := range tests {
		got, err := ParseVersion(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseVersion(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadVersion) {
			t.Errorf("ParseVersion(%q): %v is not ErrBadVersion", tt.in, err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"1.2.3", "1.2.4", -1},
		{"1.10.0", "1.9.9", 1},
		{"2.0.0", "1.99.99", 1},
		{"0.0.1", "0.1.0", -1},
	}
	for _, tt := range tests {
		a, _ := ParseVersion(tt.a)
		b, _ := ParseVersion(tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%s vs %s = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
