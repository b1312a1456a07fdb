package aac

import (
	"math"
	"testing"
)

// detectorInput is a frame generator for the detector: sample i of frame
// f (counted from the stream's start).
type detectorInput func(f, i int) float64

func TestTransientDetector(t *testing.T) {
	noise := func(seed uint32) func() float64 {
		return func() float64 {
			seed = seed*1664525 + 1013904223
			return float64(int32(seed)) / (1 << 31)
		}
	}
	n := noise(1)
	// click returns a decaying noise burst starting at sample at of the
	// stream.
	click := func(at int, amp float64) detectorInput {
		nz := noise(3)
		return func(f, i int) float64 {
			k := f*1024 + i - at
			if k < 0 {
				return 0
			}
			return amp * nz() * math.Exp(-float64(k)/80)
		}
	}
	tests := []struct {
		name string
		in   detectorInput
		// want is the detector's answer for each of six frames: the
		// region of frame k is samples 576..1023 of frame k-1 and 0..575
		// of frame k. A signal that starts at full level in frame 0 is
		// an attack against the silence before the stream (the encoder
		// cannot code block 0 short, and block 0 decodes to silence).
		want [6]bool
	}{
		{"silence", func(f, i int) float64 { return 0 }, [6]bool{}},
		{"tone", func(f, i int) float64 { return 10000 * math.Sin(2*math.Pi*440*float64(f*1024+i)/16000) }, [6]bool{true, false, false, false, false, false}},
		{"high tone", func(f, i int) float64 { return 10000 * math.Sin(2*math.Pi*6000*float64(f*1024+i)/16000) }, [6]bool{true, false, false, false, false, false}},
		{"steady noise", func(f, i int) float64 { return 3000 * n() }, [6]bool{true, false, false, false, false, false}},
		{"slow swell", func(f, i int) float64 {
			k := float64(f*1024 + i)
			return 3000 * n() * k / 6144 // +6 dB over the last half
		}, [6]bool{true, false, false, false, false, false}},
		{"click early in frame 3", click(3*1024+100, 20000), [6]bool{false, false, false, true, false, false}},
		{"click late in frame 3", click(3*1024+700, 20000), [6]bool{false, false, false, false, true, false}},
		{"click at the region edge", click(3*1024+576, 20000), [6]bool{false, false, false, false, true, false}},
		{"too quiet click", click(3*1024+100, 30), [6]bool{}},
		{"click over a tone", func(f, i int) float64 {
			return 2000*math.Sin(2*math.Pi*300*float64(f*1024+i)/16000) + click(2*1024+300, 15000)(f, i)
		}, [6]bool{true, false, true, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d transientDetector
			x := make([]float64, 1024)
			var got [6]bool
			for f := range got {
				for i := range x {
					x[i] = tt.in(f, i)
				}
				got[f] = d.push(x)
			}
			if got != tt.want {
				t.Errorf("attacks %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextSequence(t *testing.T) {
	tests := []struct {
		prev               int
		attack, nextAttack bool
		want               int
	}{
		{onlyLong, false, false, onlyLong},
		{onlyLong, false, true, longStart},
		{onlyLong, true, false, onlyLong}, // missed: no lookahead at the start
		{onlyLong, true, true, longStart},
		{longStart, true, false, eightShort},
		{longStart, false, false, eightShort}, // LONG_START is always followed by short windows
		{longStart, true, true, eightShort},
		{eightShort, true, false, eightShort},
		{eightShort, false, true, eightShort}, // cannot stop and start again at once
		{eightShort, true, true, eightShort},
		{eightShort, false, false, longStop},
		{longStop, false, false, onlyLong},
		{longStop, false, true, longStart},
	}
	for _, tt := range tests {
		if got := nextSequence(tt.prev, tt.attack, tt.nextAttack); got != tt.want {
			t.Errorf("nextSequence(%d, %v, %v) = %d, want %d", tt.prev, tt.attack, tt.nextAttack, got, tt.want)
		}
	}
}

// TestSequenceWalk runs the state machine over attack patterns, as the
// encoder does with its lookahead, and checks every attack block is
// short and every transition is one the standard allows.
func TestSequenceWalk(t *testing.T) {
	allowed := map[[2]int]bool{
		{onlyLong, onlyLong}: true, {onlyLong, longStart}: true,
		{longStart, eightShort}:  true,
		{eightShort, eightShort}: true, {eightShort, longStop}: true,
		{longStop, onlyLong}: true, {longStop, longStart}: true,
	}
	tests := []struct {
		attacks string // 'x' marks a block whose region holds an attack
		want    string // L, S (start), 8, E (stop)
	}{
		{"....", "LLLL"},
		{"..x...", "LS8ELL"},
		{"..xx...", "LS88ELL"},
		{"..x.x...", "LS888ELL"},
		{"..x..x...", "LS8ES8ELL"},
		{".x", "S8"},
	}
	letter := map[int]byte{onlyLong: 'L', longStart: 'S', eightShort: '8', longStop: 'E'}
	for _, tt := range tests {
		seq, prev := onlyLong, onlyLong
		got := make([]byte, len(tt.attacks))
		for j := range tt.attacks {
			next := j+1 < len(tt.attacks) && tt.attacks[j+1] == 'x'
			seq = nextSequence(prev, tt.attacks[j] == 'x', next)
			if !allowed[[2]int{prev, seq}] {
				t.Errorf("%s: block %d: %d after %d", tt.attacks, j, seq, prev)
			}
			got[j] = letter[seq]
			prev = seq
		}
		if string(got) != tt.want {
			t.Errorf("attacks %s: sequences %s, want %s", tt.attacks, got, tt.want)
		}
	}
}

func TestGroupWindows(t *testing.T) {
	tests := []struct {
		name   string
		energy [8]float64
		want   []int
	}{
		{"silence", [8]float64{}, []int{8}},
		{"steady", [8]float64{1e9, 1.2e9, 0.9e9, 1e9, 1.1e9, 1e9, 1e9, 1e9}, []int{8}},
		{"attack in window 3", [8]float64{0, 0, 0, 1e10, 5e9, 3e9, 2e9, 1e9}, []int{3, 5}},
		{"attack then silence", [8]float64{0, 0, 1e10, 1e9, 1e8, 0, 0, 0}, []int{2, 2, 1, 3}},
		{"two attacks", [8]float64{0, 1e9, 1e8, 1e8, 1e10, 1e10, 0, 0}, []int{1, 3, 2, 2}},
		{"quiet noise", [8]float64{1e3, 1e5, 2e5, 1e4, 1e5, 1e3, 0, 5e5}, []int{8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var glen [8]int
			n := groupWindows(&tt.energy, &glen)
			got := glen[:n]
			if len(got) != len(tt.want) {
				t.Fatalf("groups %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("groups %v, want %v", got, tt.want)
				}
			}
		})
	}
}
