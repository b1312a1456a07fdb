package ota

import (
	"errors"
	"reflect"
	"testing"
)

// The manifest-level cases of the table, parsed alone.
func TestParseManifest(t *testing.T) {
	for _, tt := range bundleCases {
		if tt.manifest == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseManifest(tt.raw())
			want := tt.wantErr
			if want == nil || errors.Is(want, ErrWrongArch) || errors.Is(want, ErrWrongProduct) {
				want = nil // checks against the camera, not the manifest
			}
			if !errors.Is(err, want) || (want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, want)
			}
		})
	}
}

// FuzzManifest: ParseManifest never panics, and what it accepts marshals
// to bytes that parse back to the same manifest.
func FuzzManifest(f *testing.F) {
	for _, tt := range bundleCases {
		f.Add(tt.raw())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("marshal accepted manifest: %v", err)
		}
		m2, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("reparse: %v", err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip: %+v != %+v", m, m2)
		}
	})
}
