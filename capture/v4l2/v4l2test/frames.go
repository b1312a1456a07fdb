//go:build linux

package v4l2test

import "bytes"

// Picture fills p with the generated raw picture number seq: every
// byte is seq+i, so that a test can tell frames and offsets apart.
func Picture(p []byte, seq uint32) {
	for i := range p {
		p[i] = byte(seq + uint32(i))
	}
}

// AccessUnit returns the made-up H.264 access unit number i, in
// Annex-B form: SPS, PPS and an IDR slice every 30 units, otherwise one
// non-IDR slice. The NAL headers are real; the payloads are not.
func AccessUnit(i int) []byte {
	var b bytes.Buffer
	if i%30 == 0 {
		b.Write([]byte{0, 0, 0, 1, 0x67, 0x42, 0xc0, 0x1f})
		b.Write([]byte{0, 0, 0, 1, 0x68, 0xce, 0x3c, 0x80})
		b.Write([]byte{0, 0, 0, 1, 0x65, 0x88, 0x84, byte(i)})
	} else {
		b.Write([]byte{0, 0, 0, 1, 0x41, 0x9a, byte(i >> 8), byte(i)})
	}
	return b.Bytes()
}

// hasIDR reports whether an Annex-B payload holds an IDR slice.
func hasIDR(p []byte) bool {
	for i := 0; i+3 < len(p); i++ {
		if p[i] == 0 && p[i+1] == 0 && p[i+2] == 1 && p[i+3]&0x1f == 5 {
			return true
		}
	}
	return false
}

// payload returns the next compressed payload. The caller holds mu.
func (d *Device) payload() []byte {
	if len(d.Frames) == 0 {
		return AccessUnit(d.served)
	}
	return d.Frames[d.served%len(d.Frames)]
}
