package ota

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestVerify(t *testing.T) {
	for _, tt := range bundleCases {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][]byte{}
			cfg := tt.cfg()
			cfg.Sink = func(p Part) (io.Writer, error) {
				var b bytes.Buffer
				got[p.Name+"/"+p.Arch] = nil
				return writerFunc(func(d []byte) (int, error) {
					b.Write(d)
					got[p.Name+"/"+p.Arch] = b.Bytes()
					return len(d), nil
				}), nil
			}
			m, err := Verify(bytes.NewReader(tt.bytes()), cfg)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if m != nil {
					t.Errorf("a manifest with the error")
				}
				return
			}
			if m.Version != "1.2.0" {
				t.Errorf("version %q", m.Version)
			}
			for _, p := range testParts {
				if string(got[p.name+"/"+p.arch]) != p.data {
					t.Errorf("sink got %d bytes of %s/%s, want %d", len(got[p.name+"/"+p.arch]), p.name, p.arch, len(p.data))
				}
			}
		})
	}
}

// A sink's error stops verification and is returned.
func TestVerifySinkError(t *testing.T) {
	errFull := errors.New("disk full")
	cfg := goodConfig()
	cfg.Sink = func(Part) (io.Writer, error) { return nil, errFull }
	if _, err := Verify(bytes.NewReader(bundleCase{}.bytes()), cfg); !errors.Is(err, errFull) {
		t.Fatalf("err = %v, want %v", err, errFull)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// FuzzBundle feeds arbitrary bytes to Verify: it must never panic, and
// whatever it accepts must be signed by the release key and re-sign to
// a bundle that verifies again.
func FuzzBundle(f *testing.F) {
	for _, tt := range bundleCases {
		f.Add(tt.bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg := goodConfig()
		m, err := Verify(bytes.NewReader(b), cfg)
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid manifest: %v", err)
		}
		var out bytes.Buffer
		if _, err := Sign(&out, bytes.NewReader(b), releaseKey); err != nil {
			t.Fatalf("re-sign: %v", err)
		}
		if _, err := Verify(&out, cfg); err != nil {
			t.Fatalf("re-signed bundle: %v", err)
		}
	})
}
