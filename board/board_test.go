package board

import (
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

func TestNearest(t *testing.T) {
	const (
		std   = media.QualityStandard
		high  = media.QualityHigh
		super = media.QualitySuper
	)
	tests := []struct {
		want media.Quality
		have []media.Quality
		got  media.Quality
		ok   bool
	}{
		{high, []media.Quality{std, high, super}, high, true},
		{super, []media.Quality{std, high}, high, true},
		{std, []media.Quality{super, high}, high, true},
		{high, []media.Quality{std, super}, std, true},
		{super, []media.Quality{std}, std, true},
		{high, nil, "", false},
	}
	for _, tt := range tests {
		got, ok := Nearest(tt.want, tt.have)
		if got != tt.got || ok != tt.ok {
			t.Errorf("Nearest(%s, %v) = %s, %v; want %s, %v", tt.want, tt.have, got, ok, tt.got, tt.ok)
		}
	}
}

func TestLookup(t *testing.T) {
	p, err := Lookup("sim")
	if err != nil || len(p.Streams) != 3 {
		t.Fatalf("Lookup(sim) = %+v, %v", p, err)
	}
	for _, name := range []string{"nope", Auto} {
		if _, err := Lookup(name); err == nil {
			t.Fatalf("Lookup(%q) succeeded", name)
		}
	}
}
