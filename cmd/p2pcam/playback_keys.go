package main

import (
	"bytes"
	"time"
)

// playbackSeekStep is how far an arrow key seeks.
const playbackSeekStep = 10 * time.Second

// keySpeeds are the speeds of keys 1 to 5.
var keySpeeds = [...]float64{0.5, 1, 2, 4, 8}

// keyAction is what one key asks of a playback.
type keyAction struct {
	kind  keyKind
	seek  time.Duration // keySeek: how far, back when negative
	speed float64       // keySpeed
}

type keyKind int

const (
	keyPause keyKind = iota + 1 // pause, or resume when paused
	keySeek
	keySpeed
	keyQuit
)

// parseKeys reads the control keys in b, as a terminal in raw mode
// sends them: space, the arrows (ESC [ C and ESC [ D, or ESC O C/D in
// application mode), 1-5, q and Ctrl-C. Other bytes are ignored. It
// returns the actions and what is left of an escape sequence cut at
// the end of b, to be read again with the next bytes (at most 2 bytes).
func parseKeys(b []byte) (acts []keyAction, rest []byte) {
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == ' ':
			acts = append(acts, keyAction{kind: keyPause})
		case c >= '1' && c <= '5':
			acts = append(acts, keyAction{kind: keySpeed, speed: keySpeeds[c-'1']})
		case c == 'q' || c == 'Q' || c == 0x03:
			acts = append(acts, keyAction{kind: keyQuit})
		case c == 0x1b:
			if len(b) < 3 {
				if len(b) == 1 || b[1] == '[' || b[1] == 'O' {
					return acts, bytes.Clone(b)
				}
				break
			}
			if b[1] == '[' || b[1] == 'O' {
				switch b[2] {
				case 'C':
					acts = append(acts, keyAction{kind: keySeek, seek: playbackSeekStep})
				case 'D':
					acts = append(acts, keyAction{kind: keySeek, seek: -playbackSeekStep})
				}
				b = b[3:]
				continue
			}
		}
		b = b[1:]
	}
	return acts, nil
}
