package agent

import (
	"slices"
	"testing"
)

func TestViewerLimitReportsChanges(t *testing.T) {
	var counts []int
	v := viewerLimit{max: 2, onChange: func(n int) { counts = append(counts, n) }}
	r1, _ := v.acquire()
	r2, _ := v.acquire()
	if _, ok := v.acquire(); ok {
		t.Fatal("a third viewer got a slot of two")
	}
	r1()
	r1() // a second release is a no-op
	r2()
	if want := []int{1, 2, 1, 0}; !slices.Equal(counts, want) {
		t.Errorf("reported %v, want %v", counts, want)
	}
}
