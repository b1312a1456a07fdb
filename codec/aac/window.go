package aac

import "math"

// Window shapes of ics_info's window_shape.
const (
	shapeSine = 0
	shapeKBD  = 1
)

// Window sequences of ics_info's window_sequence.
const (
	onlyLong   = 0
	longStart  = 1
	eightShort = 2
	longStop   = 3
)

// Rising window halves, by shape: long ones of 1024 samples (for a
// 2048-sample window) and short ones of 128. The falling half is the
// rising half reversed.
var (
	longWin  [2][]float64
	shortWin [2][]float64
)

func init() {
	longWin = [2][]float64{sineWindow(2048), kbdWindow(2048, 4)}
	shortWin = [2][]float64{sineWindow(256), kbdWindow(256, 6)}
}

// sineWindow returns the first half of the sine window of length n
// (ISO/IEC 14496-3 4.6.11.3.2).
func sineWindow(n int) []float64 {
	w := make([]float64, n/2)
	for i := range w {
		w[i] = math.Sin(math.Pi / float64(n) * (float64(i) + 0.5))
	}
	return w
}

// kbdWindow returns the first half of the Kaiser-Bessel-derived window of
// length n with parameter alpha (ISO/IEC 14496-3 4.6.11.3.2).
func kbdWindow(n int, alpha float64) []float64 {
	half := n / 2
	kernel := make([]float64, half+1)
	for j := range kernel {
		x := float64(4*j)/float64(n) - 1 // (j - n/4) / (n/4)
		kernel[j] = besselI0(math.Pi * alpha * math.Sqrt(1-x*x))
	}
	var total float64
	for _, k := range kernel {
		total += k
	}
	w := make([]float64, half)
	var sum float64
	for i := range w {
		sum += kernel[i]
		w[i] = math.Sqrt(sum / total)
	}
	return w
}

// besselI0 is the zeroth-order modified Bessel function of the first
// kind, by its power series.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
