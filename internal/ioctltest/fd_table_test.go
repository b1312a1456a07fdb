package ioctltest

import "testing"

func TestFDTable(t *testing.T) {
	var f FDTable[string]
	a, b := f.Add("a"), f.Add("b")
	if a != FDBase || b != FDBase+1 {
		t.Fatalf("descriptors %d, %d; want %d, %d", a, b, FDBase, FDBase+1)
	}
	if v, ok := f.Get(a); !ok || v != "a" {
		t.Errorf("Get(%d) = %q, %v", a, v, ok)
	}
	if v, ok := f.Remove(a); !ok || v != "a" {
		t.Errorf("Remove(%d) = %q, %v", a, v, ok)
	}
	if _, ok := f.Get(a); ok {
		t.Errorf("Get(%d) after Remove: still open", a)
	}
	if _, ok := f.Remove(a); ok {
		t.Errorf("second Remove(%d) found it", a)
	}
	if c := f.Add("c"); c != FDBase+2 {
		t.Errorf("descriptor %d reused; want %d", c, FDBase+2)
	}
}
