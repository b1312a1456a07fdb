package syncbuf

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestWaitFor(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		parts []string
		want  string
		found bool
	}{
		{"one part", []string{"a=1", "b=2"}, []string{"b="}, "b=2", true},
		{"all parts on one line", []string{"x y", "x z"}, []string{"x", "z"}, "x z", true},
		{"parts on different lines", []string{"x", "z"}, []string{"x", "z"}, "", false},
		{"nothing written", nil, []string{"x"}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			go func() {
				for _, l := range tc.lines {
					fmt.Fprintln(&b, l)
				}
			}()
			got, found := b.WaitFor(200*time.Millisecond, tc.parts...)
			if got != tc.want || found != tc.found {
				t.Errorf("WaitFor(%q) = %q, %v; want %q, %v", tc.parts, got, found, tc.want, tc.found)
			}
		})
	}
}

func TestConcurrentWriters(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				fmt.Fprintf(&b, "w%d-%d\n", i, j)
			}
		}()
	}
	if _, ok := b.WaitFor(5*time.Second, "w7-99"); !ok {
		t.Fatal("the last line of writer 7 never arrived")
	}
	wg.Wait()
	if n := len(b.String()); n < 8*100*len("w0-0\n") {
		t.Errorf("buffer holds %d bytes, fewer than written", n)
	}
}
