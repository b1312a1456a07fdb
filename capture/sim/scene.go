package sim

import "time"

// The sim scene's schedule: a visitor crosses the picture for
// VisitLength, VisitStart into every VisitEvery.
const (
	VisitEvery  = 30 * time.Second
	VisitStart  = 2 * time.Second
	VisitLength = 4 * time.Second
	// sceneSquare is the background's checker square, in pixels at the
	// head's centre position; the head's steps shift it.
	sceneSquare = 16
)

// DrawScene draws the sim board's scene into dst, a w x h luma plane:
// what its motion detector looks at, since the sim board's video is
// encoded clips with no raw pictures. The background is a checkerboard
// that shifts as the simulated pan-tilt head moves (pan, tilt in motor
// steps: 8 steps a pixel), and a bright visitor walks across it at
// VisitStart of every VisitEvery of t (the time since the camera
// started). It is deterministic: the same arguments draw the same
// picture.
func DrawScene(dst []byte, w, h, pan, tilt int, t time.Duration) {
	ox, oy := pan/8, -tilt/8
	for y := range h {
		row := dst[y*w : y*w+w]
		cy := floorDiv(y+oy, sceneSquare)
		for x := range row {
			if (floorDiv(x+ox, sceneSquare)+cy)%2 == 0 {
				row[x] = 70
			} else {
				row[x] = 110
			}
		}
	}
	in := t % VisitEvery
	if in < VisitStart || in >= VisitStart+VisitLength {
		return
	}
	// The visitor: a quarter of the height tall, walking left to right.
	vw, vh := max(w/16, 1), max(h/4, 1)
	vx := int(int64(w+vw)*int64(in-VisitStart)/int64(VisitLength)) - vw
	vy := h / 2
	for y := vy; y < min(vy+vh, h); y++ {
		for x := max(vx, 0); x < min(vx+vw, w); x++ {
			dst[y*w+x] = 230
		}
	}
}

// floorDiv is a / b rounded down.
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
