package natlab_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// The relay handover across the lab's NATs: the camera (behind natc,
// max_viewers 1) serves one viewer over P2P; the next p2pcam view, behind
// natv, is sent to the nginx-rtmp relay in the public network, which the
// camera publishes to through its NAT, and plays from it: RTMP out
// through natv, on_play asking the dev cloud.
func TestRelayHandover(t *testing.T) {
	l := newLab(t, labOptions{camNAT: "cone", viewNAT: "cone", maxViewers: 1, relay: true})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// The first viewer takes the camera's one slot.
	first := startProc(t, "first view", nil, l.viewArgs("--duration", "40s", "-o", filepath.Join(t.TempDir(), "first.flv"))...)
	defer first.stop()
	if !l.cam.waitLog(`msg="viewer joined"`, 20*time.Second) {
		t.Fatal("the first viewer did not join within 20 s")
	}

	out := filepath.Join(t.TempDir(), "relay.flv")
	argv := l.viewArgs("--duration", "8s", "-o", out)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stderr syncbuf.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("p2pcam view: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "playing from its relay, rtmp://"+l.relay.RTMPAddr+"/live/") {
		t.Fatalf("the second viewer was not sent to the relay:\n%s", stderr.String())
	}
	if !l.cam.waitLog(`msg="relay push started"`, time.Second) {
		t.Error("the camera did not log its push")
	}
	_, _, after, ok := viewPath(stderr.String())
	if !ok {
		t.Fatalf("p2pcam view did not say it connected:\n%s", stderr.String())
	}
	// 8 s less connecting and the relay's redirect, connect and play (1 s).
	checkFLV(t, out, 8*time.Second-after-time.Second)
	t.Logf("viewer stderr:\n%s", stderr.String())
	select {
	case <-first.done:
		t.Errorf("the first viewer ended early: %v\n%s", first.err, first.log)
	default:
	}
}
