package mediatest

import "math"

// ToneSNR fits a sine of freq (any phase) to the samples x at rate and
// returns the tone's power over what is left, in dB: how cleanly x is
// that tone.
func ToneSNR(x []int16, rate int, freq float64) float64 {
	var ss, sc, cc, xs, xc float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * freq * float64(i) / float64(rate))
		ss, cc, sc = ss+s*s, cc+c*c, sc+s*c
		xs, xc = xs+float64(v)*s, xc+float64(v)*c
	}
	det := ss*cc - sc*sc
	a, b := (xs*cc-xc*sc)/det, (xc*ss-xs*sc)/det
	var sig, noise float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * freq * float64(i) / float64(rate))
		fit := a*s + b*c
		sig += fit * fit
		noise += (float64(v) - fit) * (float64(v) - fit)
	}
	return 10 * math.Log10(sig/noise)
}
