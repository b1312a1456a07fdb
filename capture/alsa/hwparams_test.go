//go:build linux

package alsa

import "testing"

func TestIntervalBounds(t *testing.T) {
	tests := []struct {
		name   string
		iv     interval
		lo, hi uint32
		ok     bool
		single bool
	}{
		{"closed", interval{Min: 8000, Max: 48000}, 8000, 48000, true, false},
		{"single", interval{Min: 2, Max: 2, Flags: ivInteger}, 2, 2, true, true},
		{"open min", interval{Min: 1, Max: 4, Flags: ivOpenMin}, 2, 4, true, false},
		{"open max", interval{Min: 1, Max: 4, Flags: ivOpenMax}, 1, 3, true, false},
		{"open both, one left", interval{Min: 1, Max: 3, Flags: ivOpenMin | ivOpenMax}, 2, 2, true, true},
		{"open both, none left", interval{Min: 1, Max: 2, Flags: ivOpenMin | ivOpenMax}, 0, 0, false, false},
		{"empty flag", interval{Min: 1, Max: 2, Flags: ivEmpty}, 0, 0, false, false},
		{"inverted", interval{Min: 5, Max: 4}, 0, 0, false, false},
		{"open at the top", interval{Min: ^uint32(0), Max: ^uint32(0), Flags: ivOpenMin}, 0, 0, false, false},
		{"open at zero", interval{Min: 0, Max: 0, Flags: ivOpenMax}, 0, 0, false, false},
	}
	for _, tc := range tests {
		lo, hi, ok := tc.iv.bounds()
		if ok != tc.ok || (ok && (lo != tc.lo || hi != tc.hi)) {
			t.Errorf("%s: bounds() = %d, %d, %v; want %d, %d, %v", tc.name, lo, hi, ok, tc.lo, tc.hi, tc.ok)
		}
		if _, single := tc.iv.single(); single != tc.single {
			t.Errorf("%s: single() = %v", tc.name, single)
		}
	}
}

func TestHwParamsHelpers(t *testing.T) {
	var h hwParams
	h.openAll()
	if h.Rmask != ^uint32(0) || !h.maskHas(paramFormat, 200) || h.iv(paramRate).Max != ^uint32(0) {
		t.Fatalf("openAll left %+v", h.Intervals[0])
	}
	h.setMask(paramFormat, formatS16LE)
	for v := range uint(256) {
		if h.maskHas(paramFormat, v) != (v == formatS16LE) {
			t.Errorf("after setMask(S16_LE), maskHas(%d) = %v", v, !(v == formatS16LE))
		}
	}
	h.setRange(paramRate, 16000, 16000)
	if v, ok := h.iv(paramRate).single(); !ok || v != 16000 || h.iv(paramRate).Flags != ivInteger {
		t.Errorf("setRange: %+v", *h.iv(paramRate))
	}
	if h.iv(paramRate) != &h.Intervals[3] || h.iv(paramTickTime) != &h.Intervals[11] {
		t.Error("iv indexes the wrong interval")
	}
	if state(3).String() != "RUNNING" || state(42).String() != "state(42)" {
		t.Error("state names")
	}
}
