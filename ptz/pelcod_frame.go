package ptz

import "fmt"

// A Pelco-D message (Pelco's "D protocol", the common RS-485 PTZ
// protocol) is 7 bytes: sync 0xFF, the head's address, command 1,
// command 2, data 1 (pan speed), data 2 (tilt speed), and a checksum,
// the sum of bytes 2 to 6 modulo 256.
const (
	PelcoDSize = 7
	pelcoDSync = 0xFF
	// MaxPelcoDSpeed is the fastest speed of a move; 0x3F ("turbo"
	// on some heads) is the largest the protocol defines.
	MaxPelcoDSpeed = 0x3F
)

// Command 2's bits for moves (command 1 is 0).
const (
	pelcoDRight = 0x02
	pelcoDLeft  = 0x04
	pelcoDUp    = 0x08
	pelcoDDown  = 0x10
)

// PelcoDFrame is one Pelco-D message.
type PelcoDFrame struct {
	Address      byte
	Cmd1, Cmd2   byte
	Data1, Data2 byte
}

// Marshal returns the message's 7 bytes with its checksum.
func (f PelcoDFrame) Marshal() [PelcoDSize]byte {
	b := [PelcoDSize]byte{pelcoDSync, f.Address, f.Cmd1, f.Cmd2, f.Data1, f.Data2}
	b[6] = f.Address + f.Cmd1 + f.Cmd2 + f.Data1 + f.Data2
	return b
}

// ParsePelcoD parses one 7-byte message, checking the sync byte and the
// checksum.
func ParsePelcoD(b []byte) (PelcoDFrame, error) {
	if len(b) != PelcoDSize {
		return PelcoDFrame{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadFrame, len(b), PelcoDSize)
	}
	if b[0] != pelcoDSync {
		return PelcoDFrame{}, fmt.Errorf("%w: sync byte %#02x, want 0xff", ErrBadFrame, b[0])
	}
	f := PelcoDFrame{Address: b[1], Cmd1: b[2], Cmd2: b[3], Data1: b[4], Data2: b[5]}
	if sum := f.Marshal()[6]; sum != b[6] {
		return PelcoDFrame{}, fmt.Errorf("%w: checksum %#02x, want %#02x", ErrBadFrame, b[6], sum)
	}
	return f, nil
}

// pelcoDMove is the message that moves the head at address: pan -1
// (left), 0 or 1 (right) and tilt -1 (down), 0 or 1 (up), at the speeds
// given; both 0 is the stop message.
func pelcoDMove(address byte, pan, tilt int, panSpeed, tiltSpeed byte) PelcoDFrame {
	f := PelcoDFrame{Address: address}
	switch pan {
	case 1:
		f.Cmd2 |= pelcoDRight
		f.Data1 = panSpeed
	case -1:
		f.Cmd2 |= pelcoDLeft
		f.Data1 = panSpeed
	}
	switch tilt {
	case 1:
		f.Cmd2 |= pelcoDUp
		f.Data2 = tiltSpeed
	case -1:
		f.Cmd2 |= pelcoDDown
		f.Data2 = tiltSpeed
	}
	return f
}
