package mediatest

import (
	"math"
	"testing"
)

func TestToneSNR(t *testing.T) {
	x := make([]int16, 8000)
	for i := range x {
		x[i] = int16(8000*math.Sin(2*math.Pi*440*float64(i)/8000+0.3)) + int16(i%7-3)
	}
	if snr := ToneSNR(x, 8000, 440); snr < 40 {
		t.Errorf("a clean 440 Hz tone: SNR %.1f dB, want over 40", snr)
	}
	if snr := ToneSNR(x, 8000, 1000); snr > 0 {
		t.Errorf("the wrong frequency: SNR %.1f dB, want below 0", snr)
	}
}
