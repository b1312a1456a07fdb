package mqttclient

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		cap     time.Duration
	}{
		{0, 500 * time.Millisecond},
		{1, 500 * time.Millisecond},
		{2, 650 * time.Millisecond},
		{3, 845 * time.Millisecond},
		{8, 3137425850 * time.Nanosecond}, // 0.5 s * 1.3^7, truncated to the ns each step
		{30, backoffMax},
		{1000, backoffMax},
	} {
		if got := backoffCap(tc.attempt); got != tc.cap {
			t.Errorf("backoffCap(%d) = %v, want %v", tc.attempt, got, tc.cap)
		}
		for range 100 {
			if d := backoff(tc.attempt); d < backoffMin || d > tc.cap {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tc.attempt, d, backoffMin, tc.cap)
			}
		}
	}
}
