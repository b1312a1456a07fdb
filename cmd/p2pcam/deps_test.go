package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The viewer CLI as shipped (-tags nodemo) links no camera code: no
// capture, no agent, no board, no talkback or recorder.
func TestShippedCLILinksNoCamera(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "nodemo", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/p2pcam/p2pcam/"
	camera := []string{"agent", "capture", "board", "talkback", "record", "ptz", "usercmd", "stream"}
	for _, pkg := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(pkg, mod)
		if !ok {
			continue
		}
		for _, c := range camera {
			if rel == c || strings.HasPrefix(rel, c+"/") {
				t.Errorf("the shipped p2pcam links camera package %s", pkg)
			}
		}
	}
}
