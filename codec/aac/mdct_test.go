package aac

import (
	"math"
	"math/rand/v2"
	"testing"
)

// directIMDCT is the O(N²) IMDCT of ISO/IEC 14496-3 4.6.11.3.1.
func directIMDCT(x []float64) []float64 {
	n := 2 * len(x)
	n0 := (float64(n)/2 + 1) / 2
	y := make([]float64, n)
	for i := range y {
		var s float64
		for k, v := range x {
			s += v * math.Cos(2*math.Pi/float64(n)*(float64(i)+n0)*(float64(k)+0.5))
		}
		y[i] = 2 / float64(n) * s
	}
	return y
}

// directMDCT is the O(N²) forward MDCT with the encoder's scale of 2.
func directMDCT(x []float64) []float64 {
	n := len(x)
	n0 := (float64(n)/2 + 1) / 2
	out := make([]float64, n/2)
	for k := range out {
		var s float64
		for i, v := range x {
			s += v * math.Cos(2*math.Pi/float64(n)*(float64(i)+n0)*(float64(k)+0.5))
		}
		out[k] = 2 * s
	}
	return out
}

func TestMDCTMatchesDirect(t *testing.T) {
	for _, n := range []int{256, 2048} {
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		x := make([]float64, n/2)
		for i := range x {
			x[i] = rng.Float64()*2000 - 1000
		}
		tr := newMDCT(n)
		got := make([]float64, n)
		tr.inverse(got, x)
		want := directIMDCT(x)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-9*1000 {
				t.Fatalf("IMDCT %d: y[%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
		in := make([]float64, n)
		for i := range in {
			in[i] = rng.Float64()*2 - 1
		}
		fw := make([]float64, n/2)
		tr.forward(fw, in)
		wantF := directMDCT(in)
		for i := range wantF {
			if math.Abs(fw[i]-wantF[i]) > 1e-9*float64(n) {
				t.Fatalf("MDCT %d: X[%d] = %v, want %v", n, i, fw[i], wantF[i])
			}
		}
	}
}

func TestWindows(t *testing.T) {
	tests := []struct {
		name string
		w    []float64
		n    int
	}{
		{"sine long", longWin[shapeSine], 1024},
		{"kbd long", longWin[shapeKBD], 1024},
		{"sine short", shortWin[shapeSine], 128},
		{"kbd short", shortWin[shapeKBD], 128},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.w) != tt.n {
				t.Fatalf("len %d, want %d", len(tt.w), tt.n)
			}
			for i, v := range tt.w {
				// Princen-Bradley: w[i]² + w[N/2-1-i]²... of rising and
				// falling halves at the same point sums to 1.
				fall := tt.w[tt.n-1-i]
				if d := v*v + fall*fall - 1; math.Abs(d) > 1e-12 {
					t.Fatalf("w[%d]² + w[N-1-%d]² - 1 = %g", i, i, d)
				}
				if i > 0 && v < tt.w[i-1] {
					t.Fatalf("not rising at %d", i)
				}
			}
		})
	}
	// Spot values of the sine window: sin(π/2048 · 0.5) and its middle.
	if got, want := longWin[shapeSine][0], math.Sin(math.Pi/2048*0.5); got != want {
		t.Errorf("sine[0] = %v, want %v", got, want)
	}
	// The KBD window (alpha 4) starts far lower than the sine window.
	if v := longWin[shapeKBD][0]; v > 1e-3 || v <= 0 {
		t.Errorf("kbd long[0] = %v, want tiny and positive", v)
	}
}
