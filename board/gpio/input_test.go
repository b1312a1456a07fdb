//go:build linux

package gpio_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/board/gpio"
)

// runInput runs in on a goroutine and returns its edges and a stop
// function that waits for Run to return.
func runInput(t *testing.T, in *gpio.Input) (<-chan gpio.Edge, func()) {
	t.Helper()
	edges := make(chan gpio.Edge, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, func(e gpio.Edge) { edges <- e }) }()
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5s of its context's end")
		}
	})
	t.Cleanup(stop)
	return edges, stop
}

func nextEdge(t *testing.T, edges <-chan gpio.Edge) gpio.Edge {
	t.Helper()
	select {
	case e := <-edges:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no edge within 5s")
	}
	return gpio.Edge{}
}

func noEdge(t *testing.T, edges <-chan gpio.Edge, within time.Duration) {
	t.Helper()
	select {
	case e := <-edges:
		t.Fatalf("unexpected edge %+v", e)
	case <-time.After(within):
	}
}

// TestInputEdges: a press and a release of an active-low button (pulled
// up, shorted to ground when pressed) are two changes; a bounce within
// the debounce is none.
func TestInputEdges(t *testing.T) {
	k, soc, _ := newKernel()
	soc.Drive(17, true) // pulled up: not pressed
	const debounce = 30 * time.Millisecond
	in, err := gpio.OpenInputWith(k, "pinctrl-bcm2711", 17, true, debounce, "doorbell")
	if err != nil {
		t.Fatal(err)
	}
	if in.Active() {
		t.Fatal("a released button reads active")
	}
	if got := soc.Consumer(17); got != "doorbell" {
		t.Fatalf("consumer %q", got)
	}
	edges, stop := runInput(t, in)

	// A clean press: one change, after the debounce.
	pressed := time.Now()
	soc.Drive(17, false)
	e := nextEdge(t, edges)
	if !e.Active || e.Accepted.Sub(pressed) < debounce {
		t.Fatalf("press: %+v, accepted after %v; want active, after at least %v", e, e.Accepted.Sub(pressed), debounce)
	}
	// A bounce: released and pressed again within the debounce.
	soc.Drive(17, true)
	soc.Drive(17, false)
	noEdge(t, edges, 4*debounce)
	// The release.
	soc.Drive(17, true)
	if e := nextEdge(t, edges); e.Active {
		t.Fatalf("release: %+v, want inactive", e)
	}
	stop()
	if got := soc.Consumer(17); got != "" {
		t.Fatalf("line still held by %q after Run returned", got)
	}
	if n := k.OpenFDs(); n != 0 {
		t.Fatalf("%d descriptors open after Run returned", n)
	}
}

// TestInputNoDebounce reports every edge.
func TestInputNoDebounce(t *testing.T) {
	k, soc, _ := newKernel()
	in, err := gpio.OpenInputWith(k, "gpiochip0", 4, false, 0, "pir")
	if err != nil {
		t.Fatal(err)
	}
	edges, _ := runInput(t, in)
	for i, level := range []bool{true, false, true} {
		soc.Drive(4, level)
		if e := nextEdge(t, edges); e.Active != level {
			t.Fatalf("edge %d: %+v, want active=%v", i, e, level)
		}
	}
}

func TestInputBadDebounce(t *testing.T) {
	k, _, _ := newKernel()
	for _, d := range []time.Duration{-time.Millisecond, 2 * time.Second} {
		if _, err := gpio.OpenInputWith(k, "gpiochip0", 4, false, d, "x"); err == nil {
			t.Errorf("debounce %v accepted", d)
		}
	}
	if n := k.OpenFDs(); n != 0 {
		t.Fatalf("%d descriptors open", n)
	}
}
