package capture

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	b := Backoff{Min: 500 * time.Millisecond, Max: 4 * time.Second, Stable: 30 * time.Second}
	steps := []struct {
		ran, want time.Duration
	}{
		{time.Second, 500 * time.Millisecond}, // first restart: min
		{time.Second, time.Second},            // doubles
		{time.Second, 2 * time.Second},
		{time.Second, 4 * time.Second},             // max
		{time.Second, 4 * time.Second},             // stays at max
		{30 * time.Second, 500 * time.Millisecond}, // a stable run resets it
		{0, time.Second},
	}
	for i, s := range steps {
		if got := b.After(s.ran); got != s.want {
			t.Errorf("restart %d after a %v run: wait %v, want %v", i+1, s.ran, got, s.want)
		}
	}
}
