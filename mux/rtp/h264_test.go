package rtp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/pion/rtp/codecs"

	"github.com/p2pcam/p2pcam/codec/h264"
)

// nal makes a NAL unit of type typ (NRI 3) and size n.
func nal(typ byte, n int) []byte {
	b := make([]byte, n)
	b[0] = 0x60 | typ
	for i := 1; i < n; i++ {
		b[i] = byte(i*7 + int(typ))
	}
	return b
}

// packet describes one expected payload: its NAL unit type (24 STAP-A,
// 28 FU-A), the FU-A start/end bits, and the marker.
type packet struct {
	typ        byte
	start, end bool
	marker     bool
}

var packetizeTests = []struct {
	name  string
	mtu   int
	nalus [][]byte
	want  []packet
}{
	{"idr with parameter sets", 1200, [][]byte{nal(7, 12), nal(8, 4), nal(5, 3000)}, []packet{
		{typ: typeSTAPA}, {typ: typeFUA, start: true}, {typ: typeFUA}, {typ: typeFUA, end: true, marker: true}}},
	{"small p slice", 1200, [][]byte{nal(1, 800)}, []packet{{typ: 1, marker: true}}},
	{"p slice exactly one packet", 1200, [][]byte{nal(1, 1200)}, []packet{{typ: 1, marker: true}}},
	{"p slice one byte over", 1200, [][]byte{nal(1, 1201)}, []packet{{typ: typeFUA, start: true}, {typ: typeFUA, end: true, marker: true}}},
	{"aud and filler left out", 1200, [][]byte{nal(9, 2), nal(1, 100), nal(12, 50)}, []packet{{typ: 1, marker: true}}},
	{"two slices", 1200, [][]byte{nal(6, 20), nal(1, 900), nal(1, 900)}, []packet{{typ: 6}, {typ: 1}, {typ: 1, marker: true}}},
	{"lone sps is a single packet", 1200, [][]byte{nal(7, 12), nal(1, 100)}, []packet{{typ: 7}, {typ: 1, marker: true}}},
	{"parameter sets too big to aggregate", 100, [][]byte{nal(7, 60), nal(8, 60), nal(5, 90)}, []packet{{typ: 7}, {typ: 8}, {typ: 5, marker: true}}},
	{"parameter sets last", 1200, [][]byte{nal(5, 100), nal(7, 12), nal(8, 4)}, []packet{{typ: 5}, {typ: typeSTAPA, marker: true}}},
}

func TestH264Packetize(t *testing.T) {
	for _, tt := range packetizeTests {
		t.Run(tt.name, func(t *testing.T) {
			p := &H264{MTU: tt.mtu}
			var got []packet
			var depack codecs.H264Packet
			var annexB []byte
			err := p.Packetize(h264.AppendAVCC(nil, tt.nalus), func(b []byte, last bool) error {
				if len(b) > tt.mtu {
					t.Errorf("payload of %d bytes, MTU %d", len(b), tt.mtu)
				}
				pk := packet{typ: b[0] & 0x1f, marker: last}
				if pk.typ == typeFUA {
					pk.start, pk.end = b[1]&0x80 != 0, b[1]&0x40 != 0
				}
				got = append(got, pk)
				out, err := depack.Unmarshal(b)
				if err != nil {
					t.Fatalf("pion cannot depacketize %x...: %v", b[:2], err)
				}
				annexB = append(annexB, out...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("packets %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("packet %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			var sent [][]byte
			for _, n := range tt.nalus {
				if typ := h264.TypeOf(n); typ != h264.NALUTypeAUD && typ != h264.NALUTypeFiller {
					sent = append(sent, n)
				}
			}
			if want := h264.AppendAnnexB(nil, sent); !bytes.Equal(annexB, want) {
				t.Errorf("depacketized %d bytes differ from the %d sent", len(annexB), len(want))
			}
		})
	}
}

func TestH264PacketizeMalformed(t *testing.T) {
	for _, au := range [][]byte{{0, 0, 0, 9, 1}, {0, 0, 0, 0}, {0, 0}, {0, 0, 0, 1, 0x65, 0}} {
		err := new(H264).Packetize(au, func([]byte, bool) error { return nil })
		if !errors.Is(err, ErrBadAccessUnit) {
			t.Errorf("Packetize(%x) = %v, want ErrBadAccessUnit", au, err)
		}
	}
}

func FuzzH264Packetize(f *testing.F) {
	for _, tt := range packetizeTests {
		f.Add(h264.AppendAVCC(nil, tt.nalus), tt.mtu)
	}
	f.Fuzz(func(t *testing.T, au []byte, mtu int) {
		mtu = 64 + abs(mtu)%2000
		p := &H264{MTU: mtu}
		markers := 0
		_ = p.Packetize(au, func(b []byte, last bool) error {
			if len(b) > mtu || len(b) == 0 {
				t.Fatalf("payload of %d bytes, MTU %d", len(b), mtu)
			}
			if last {
				markers++
			}
			return nil
		})
		if markers > 1 {
			t.Fatalf("%d packets marked last", markers)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func BenchmarkH264Packetize(b *testing.B) {
	au := h264.AppendAVCC(nil, packetizeTests[0].nalus)
	p := new(H264)
	b.SetBytes(int64(len(au)))
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Packetize(au, func([]byte, bool) error { return nil })
	}
}

func TestTimestamp(t *testing.T) {
	for _, tt := range []struct {
		pts    time.Duration
		rate   uint32
		offset uint32
		want   uint32
	}{
		{0, VideoClockRate, 1000, 1000},
		{40 * time.Millisecond, VideoClockRate, 0, 3600},
		{40*time.Millisecond + 999*time.Microsecond, VideoClockRate, 0, 3689},
		{-time.Millisecond, VideoClockRate, 90, 0},
		{64 * time.Millisecond, G711ClockRate, 5, 517},
		{13 * time.Hour, VideoClockRate, 0, uint32(uint64(13*3600*1000*90) % (1 << 32))},
		{time.Second, VideoClockRate, 0xffffffff - 10, 90000 - 11},
	} {
		if got := Timestamp(tt.pts, tt.rate, tt.offset); got != tt.want {
			t.Errorf("Timestamp(%v, %d, %d) = %d, want %d", tt.pts, tt.rate, tt.offset, got, tt.want)
		}
	}
}
