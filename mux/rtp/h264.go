package rtp

import (
	"encoding/binary"
	"fmt"

	"github.com/p2pcam/p2pcam/codec/h264"
)

// DefaultMTU is the largest RTP payload a packetizer makes unless told
// otherwise: 1200 bytes, what browsers use, leaves room for the RTP
// header (12 bytes and extensions), SRTP's tag, UDP, IP, and a TURN
// channel header within a 1280-byte IPv6 minimum MTU.
const DefaultMTU = 1200

// RFC 6184 section 5.2 NAL unit types of aggregation and fragmentation
// packets.
const (
	typeSTAPA = 24
	typeFUA   = 28
)

// H264 packetizes H.264 access units (RFC 6184, packetization-mode=1).
// Parameter sets at the head of an access unit (SPS, PPS) go together in
// one STAP-A packet, every other NAL unit that fits goes alone (single
// NAL unit packet), and a larger one is cut into FU-A fragments. Access
// unit delimiters and filler data are left out. The zero value is ready
// to use with DefaultMTU. It is not safe for concurrent use.
type H264 struct {
	// MTU bounds each payload; it defaults to DefaultMTU. Values below
	// 64 are raised to 64.
	MTU int
	buf []byte
}

// Packetize calls emit with each RTP payload of au, an access unit in
// AVCC form (4-byte lengths), in order. last is true for the final
// packet of the access unit, the one whose RTP marker bit is set
// (RFC 6184 5.1). The payload is valid only during the call. It stops at
// emit's first error and returns it.
func (p *H264) Packetize(au []byte, emit func(payload []byte, last bool) error) error {
	mtu := p.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	mtu = max(mtu, 64)
	if cap(p.buf) < mtu {
		p.buf = make([]byte, 0, mtu)
	}
	// One NAL unit is held back, so that the last packet is known.
	var held []byte
	var heldLast bool
	flush := func(last bool) error {
		if held == nil {
			return nil
		}
		h := held
		held = nil
		return emit(h, last && heldLast)
	}
	stap := p.buf[:0]
	stapCount := 0
	var single []byte // the only NAL unit in stap so far
	emitStap := func() error {
		switch stapCount {
		case 0:
			return nil
		case 1:
			held, heldLast = single, true
		default:
			held, heldLast = stap, true
		}
		stap, stapCount, single = p.buf[:0], 0, nil
		return nil
	}
	for rest := au; len(rest) > 0; {
		if len(rest) < 4 {
			return fmt.Errorf("%w: %d trailing bytes", ErrBadAccessUnit, len(rest))
		}
		n := binary.BigEndian.Uint32(rest)
		if n == 0 || uint64(n) > uint64(len(rest)-4) {
			return fmt.Errorf("%w: NAL unit of %d bytes in %d", ErrBadAccessUnit, n, len(rest)-4)
		}
		nalu := rest[4 : 4+n]
		rest = rest[4+n:]
		typ := h264.TypeOf(nalu)
		if typ == h264.NALUTypeAUD || typ == h264.NALUTypeFiller {
			continue
		}
		isParam := typ == h264.NALUTypeSPS || typ == h264.NALUTypePPS
		if isParam && 1+stapLen(stap, stapCount, single)+2+len(nalu) <= mtu {
			if err := flush(false); err != nil {
				return err
			}
			if stapCount == 0 {
				single = nalu
			} else {
				if stapCount == 1 {
					stap = append(append(append(stap[:0], typeSTAPA|single[0]&0x60), byte(len(single)>>8), byte(len(single))), single...)
				}
				stap = append(append(stap, byte(len(nalu)>>8), byte(len(nalu))), nalu...)
				stap[0] = typeSTAPA | max(stap[0]&0x60, nalu[0]&0x60) // the highest NRI of the aggregated units
			}
			stapCount++
			continue
		}
		if err := emitStap(); err != nil {
			return err
		}
		if len(nalu) <= mtu {
			if err := flush(false); err != nil {
				return err
			}
			held, heldLast = nalu, true
			continue
		}
		if err := flush(false); err != nil {
			return err
		}
		if err := p.fragment(nalu, mtu, rest, emit); err != nil {
			return err
		}
	}
	if err := emitStap(); err != nil {
		return err
	}
	return flush(true)
}

// stapLen is the size of the STAP-A being built, less its type byte.
func stapLen(stap []byte, count int, single []byte) int {
	switch count {
	case 0:
		return 0
	case 1:
		return 2 + len(single)
	}
	return len(stap) - 1
}

// fragment emits nalu as FU-A packets (RFC 6184 5.8). The last fragment
// ends the access unit when nothing that is sent follows in rest.
func (p *H264) fragment(nalu []byte, mtu int, rest []byte, emit func([]byte, bool) error) error {
	indicator := nalu[0]&0xe0 | typeFUA
	typ := nalu[0] & 0x1f
	data := nalu[1:]
	start := byte(0x80)
	endsAU := !sendsMore(rest)
	for len(data) > 0 {
		take := min(len(data), mtu-2)
		hdr := start | typ
		last := take == len(data)
		if last {
			hdr |= 0x40
		}
		pkt := append(append(p.buf[:0], indicator, hdr), data[:take]...)
		if err := emit(pkt, last && endsAU); err != nil {
			return err
		}
		data, start = data[take:], 0
	}
	return nil
}

// sendsMore reports whether rest, the tail of an access unit, holds a
// NAL unit that is sent.
func sendsMore(rest []byte) bool {
	for len(rest) >= 4 {
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-4) || n == 0 {
			return true // malformed: Packetize reports it
		}
		if t := h264.TypeOf(rest[4 : 4+n]); t != h264.NALUTypeAUD && t != h264.NALUTypeFiller {
			return true
		}
		rest = rest[4+n:]
	}
	return len(rest) > 0
}
