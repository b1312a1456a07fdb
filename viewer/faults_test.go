package viewer_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/pion/transport/v5/vnet"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/protocol"
)

// A viewer that vanishes without a word (its network goes dark) is
// detected, and everything it held is freed, within 5 s.
func TestVanishedViewerIsFreed(t *testing.T) {
	w := newNATWorld(t, nats[0].typ, nats[0].typ)
	served := make(chan struct{})
	freed := make(chan time.Time, 1)
	c := dialAcrossNATs(t, w, func(ctx context.Context, v protocol.Viewer, line string, rw p2p.Responder) {
		_ = rw.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "text/plain"})
		_ = rw.Flush()
		close(served)
		<-ctx.Done()
		freed <- time.Now()
	})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Request(ctx, "ipc.flv?action=live&channel=0"); err != nil {
		t.Fatal(err)
	}
	<-served
	dark := time.Now()
	w.wan.AddChunkFilter(func(vnet.Chunk) bool { return false })
	select {
	case at := <-freed:
		took := at.Sub(dark)
		t.Logf("camera freed the vanished viewer's stream after %v", took.Round(time.Millisecond))
		if took > 5*time.Second {
			t.Errorf("took %v, want at most 5s", took)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("the camera still serves a viewer that vanished 8 s ago")
	}
}

// Connecting and disconnecting 200 times leaks no goroutines and no file
// descriptors, on the camera or the viewer side.
func TestConnectCyclesLeakNothing(t *testing.T) {
	const cycles = 200
	if testing.Short() {
		t.Skip("200 sessions: not in -short")
	}
	r := startCamera(t)
	tok := r.token(t, auth.PermCommand)
	cycle := func() {
		c, err := r.dial(t, tok)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=live")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cancel()
		c.Close()
	}
	for range 5 { // warm up: pools, timers, the broker's client state
		cycle()
	}
	settle()
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	start := time.Now()
	for range cycles {
		cycle()
	}
	t.Logf("%d cycles in %v", cycles, time.Since(start).Round(time.Millisecond))
	var g, f int
	for range 50 { // sessions close asynchronously
		settle()
		g, f = runtime.NumGoroutine(), openFDs(t)
		if g <= goroutines+5 && f <= fds+2 {
			return
		}
	}
	t.Errorf("after %d cycles: goroutines %d -> %d, fds %d -> %d", cycles, goroutines, g, fds, f)
}

func settle() {
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	return len(ents)
}
