package aac

import "encoding/binary"

// bitReader reads MSB-first bits. Reading past the end yields zero bits
// and is reported by overrun, so that parsers need no check per read.
type bitReader struct {
	b   []byte
	pos int // in bits
}

// peek32 returns the next 32 bits, left-aligned, zero past the end.
func (r *bitReader) peek32() uint32 {
	i := r.pos >> 3
	var v uint64
	if i+8 <= len(r.b) {
		v = binary.BigEndian.Uint64(r.b[i:])
	} else {
		for j := range 8 {
			v <<= 8
			if i+j < len(r.b) {
				v |= uint64(r.b[i+j])
			}
		}
	}
	return uint32(v << uint(r.pos&7) >> 32)
}

// read returns the next n bits, 0 <= n <= 32.
func (r *bitReader) read(n int) uint32 {
	if n == 0 {
		return 0
	}
	v := r.peek32() >> uint(32-n)
	r.pos += n
	return v
}

// bit returns the next bit as a bool.
func (r *bitReader) bit() bool { return r.read(1) != 0 }

// skip advances n bits.
func (r *bitReader) skip(n int) { r.pos += n }

// align advances to the next byte boundary.
func (r *bitReader) align() { r.pos = (r.pos + 7) &^ 7 }

// left returns the bits not yet read (negative after an overrun).
func (r *bitReader) left() int { return len(r.b)*8 - r.pos }

// overrun reports whether more bits were read than exist.
func (r *bitReader) overrun() bool { return r.pos > len(r.b)*8 }

// bitWriter appends MSB-first bits to a byte slice.
type bitWriter struct {
	b     []byte
	acc   uint64 // pending bits, right-aligned
	nacc  uint   // number of pending bits, < 8 between calls
	nbits int    // total bits written
}

// write appends the low n bits of v, n <= 32.
func (w *bitWriter) write(v uint32, n int) {
	if n == 0 {
		return
	}
	w.acc = w.acc<<uint(n) | uint64(v)&(1<<uint(n)-1)
	w.nacc += uint(n)
	w.nbits += n
	for w.nacc >= 8 {
		w.nacc -= 8
		w.b = append(w.b, byte(w.acc>>w.nacc))
	}
}

// align pads with zero bits to a byte boundary.
func (w *bitWriter) align() {
	if w.nacc > 0 {
		w.write(0, int(8-w.nacc))
	}
}

// bytes returns the written bytes; call after align.
func (w *bitWriter) bytes() []byte { return w.b }
