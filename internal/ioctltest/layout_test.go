package ioctltest

import (
	"runtime"
	"testing"
)

func TestColumn(t *testing.T) {
	col := Column(t)
	if Archs[col] != runtime.GOARCH {
		t.Errorf("Column = %d (%s) on %s", col, Archs[col], runtime.GOARCH)
	}
}

func TestAlign(t *testing.T) {
	for _, tc := range []struct{ n, a, want uintptr }{{0, 8, 0}, {1, 8, 8}, {8, 8, 8}, {12, 4, 12}, {13, 4, 16}} {
		if got := Align(tc.n, tc.a); got != tc.want {
			t.Errorf("Align(%d, %d) = %d, want %d", tc.n, tc.a, got, tc.want)
		}
	}
}

// TestCheckReports runs the checks on tables that are wrong on purpose,
// on a recording testing.TB.
func TestCheckReports(t *testing.T) {
	Column(t) // skip where there is no column
	r := &recorder{TB: t}
	Check(r, []Pin[uint]{{Name: "X", Got: 1, Want: Same[uint](2)}}, "%s = %d on %s, want %d")
	CheckNames(r, []Pin[uint]{{Name: "X", Got: 1}}, map[uint]string{1: "Y", 2: "Z"})
	CheckRules(r, []Rule{{Name: "r", Got: 1, Want: 2}, {Name: "ok", Got: 3, Want: 3}})
	if r.errors != 4 {
		t.Errorf("%d errors reported, want 4", r.errors)
	}
}

type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Errorf(string, ...any) { r.errors++ }
