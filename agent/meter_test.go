package agent

import (
	"math"
	"testing"
	"time"
)

func TestMeter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	type add struct {
		at time.Duration
		n  int64
	}
	tests := []struct {
		name  string
		adds  []add
		read  time.Duration
		want  float64
		total int64
	}{
		{"nothing", nil, time.Second, 0, 0},
		{"one add, read at once", []add{{0, 100}}, 0, 0, 100},
		{"partial window", []add{{0, 100}, {time.Second, 100}}, time.Second, 100, 200},
		{"the first count marks the start", []add{{0, 100}, {40 * time.Millisecond, 1}}, 40 * time.Millisecond, 25, 101},
		{"a complete window", []add{{0, 1000}, {time.Second, 1000}, {2 * time.Second, 1000}}, 2500 * time.Millisecond, 1000, 3000},
		{"steady 25 per second", func() []add {
			var a []add
			for i := range 250 {
				a = append(a, add{time.Duration(i) * 40 * time.Millisecond, 1})
			}
			return a
		}(), 9960 * time.Millisecond, 25, 250},
		{"stopped long ago falls towards 0", []add{{0, 1000}, {2 * time.Second, 1000}, {2 * time.Second, 0}}, 12 * time.Second, 0, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m meter
			for _, a := range tt.adds {
				m.add(a.n, at(a.at))
			}
			if got := m.perSecond(at(tt.read)); math.Abs(got-tt.want) > 0.5 {
				t.Errorf("perSecond = %v, want %v", got, tt.want)
			}
			if m.count() != tt.total {
				t.Errorf("count = %d, want %d", m.count(), tt.total)
			}
		})
	}
}
