package aac

import (
	"math"
	"math/bits"
)

// fft is an in-place radix-2 complex FFT of a fixed power-of-two size.
type fft struct {
	n       int
	rev     []int32
	twiddle []complex128 // exp(-2πik/n), k < n/2
}

func newFFT(n int) *fft {
	f := &fft{n: n, rev: make([]int32, n), twiddle: make([]complex128, n/2)}
	shift := 32 - bits.TrailingZeros(uint(n))
	for i := range f.rev {
		f.rev[i] = int32(bits.Reverse32(uint32(i)) >> uint(shift))
	}
	for k := range f.twiddle {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		f.twiddle[k] = complex(c, s)
	}
	return f
}

// transform computes the forward DFT of x in place.
func (f *fft) transform(x []complex128) {
	x = x[:f.n]
	for i, j := range f.rev {
		if int(j) > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= f.n; size <<= 1 {
		half, step := size/2, f.n/size
		for start := 0; start < f.n; start += size {
			for k := range half {
				t := f.twiddle[k*step] * x[start+k+half]
				x[start+k+half] = x[start+k] - t
				x[start+k] += t
			}
		}
	}
}

// mdct computes the MDCT and IMDCT of one window length n (2048 or 256)
// through a DCT-IV of n/2 points, itself one complex FFT of n/4 points.
type mdct struct {
	n    int
	fft  *fft
	pre  []complex128 // exp(-iπk/M), M = n/2
	post []complex128 // exp(-iπ(p+1/4)/M)
	buf  []complex128
	u    []float64
}

func newMDCT(n int) *mdct {
	m := n / 2
	t := &mdct{n: n, fft: newFFT(m / 2), pre: make([]complex128, m/2), post: make([]complex128, m/2), buf: make([]complex128, m/2), u: make([]float64, m)}
	for k := range t.pre {
		s, c := math.Sincos(-math.Pi * float64(k) / float64(m))
		t.pre[k] = complex(c, s)
		s, c = math.Sincos(-math.Pi * (float64(k) + 0.25) / float64(m))
		t.post[k] = complex(c, s)
	}
	return t
}

// dct4 computes u[m] = Σ x[k] cos(π/M (m+½)(k+½)) for M = len(x).
func (t *mdct) dct4(u, x []float64) {
	m := t.n / 2
	c := t.buf
	for k := range c {
		c[k] = complex(x[2*k], x[m-1-2*k]) * t.pre[k]
	}
	t.fft.transform(c)
	for p, v := range c {
		v *= t.post[p]
		u[2*p] = real(v)
		u[m-1-2*p] = -imag(v)
	}
}

// inverse computes y[n] = 2/N Σ X[k] cos(2π/N (n+n0)(k+½)), the IMDCT of
// ISO/IEC 14496-3 4.6.11.3.1, writing N = 2·len(x) samples to y.
func (t *mdct) inverse(y, x []float64) {
	m := t.n / 2
	u := t.u
	t.dct4(u, x)
	scale := 2 / float64(t.n)
	h := m / 2
	for i := range h {
		y[i] = u[i+h] * scale
	}
	for i := h; i < 3*h; i++ {
		y[i] = -u[3*h-1-i] * scale
	}
	for i := 3 * h; i < 2*m; i++ {
		y[i] = -u[i-3*h] * scale
	}
}

// forward computes X[k] = 2 Σ x[n] cos(2π/N (n+n0)(k+½)) for the N =
// len(x) windowed samples, writing N/2 coefficients to out.
func (t *mdct) forward(out, x []float64) {
	m := t.n / 2
	h := m / 2
	w := t.u
	for i := range h {
		w[i+h] = x[i]
	}
	for i := range h {
		w[i] = 0
	}
	for i := h; i < 3*h; i++ {
		w[3*h-1-i] -= x[i]
	}
	for i := 3 * h; i < 2*m; i++ {
		w[i-3*h] -= x[i]
	}
	// The folded sequence overlaps itself only in the ways summed above;
	// scale by 2 and transform.
	for i := range w {
		w[i] *= 2
	}
	t.dct4(out, w)
}
