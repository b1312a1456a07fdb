package sim

import (
	"bytes"
	"testing"
	"time"
)

// The scene is still between visits with the head still, and changes
// while a visitor walks or the head moves.
func TestDrawScene(t *testing.T) {
	const w, h = 160, 90
	draw := func(pan, tilt int, at time.Duration) []byte {
		p := make([]byte, w*h)
		DrawScene(p, w, h, pan, tilt, at)
		return p
	}
	if !bytes.Equal(draw(0, 0, 0), draw(0, 0, time.Second)) {
		t.Error("the scene changes with nothing happening")
	}
	if !bytes.Equal(draw(0, 0, 0), draw(0, 0, VisitEvery)) {
		t.Error("the scene is not the same a visit cycle later")
	}
	if bytes.Equal(draw(0, 0, VisitStart+time.Second), draw(0, 0, VisitStart+2*time.Second)) {
		t.Error("the visitor does not move")
	}
	if bytes.Equal(draw(0, 0, 0), draw(-400, 0, 0)) || bytes.Equal(draw(0, 0, 0), draw(0, 300, 0)) {
		t.Error("the scene does not move with the head")
	}
}
