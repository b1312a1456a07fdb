package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotWAV means the input is not a 16-bit PCM WAV file.
var ErrNotWAV = errors.New("pcm: not a 16-bit PCM WAV file")

// Format is a stream's rate and channel count.
type Format struct {
	Rate, Channels int
}

// WAVReader reads the samples of a 16-bit PCM WAV stream.
type WAVReader struct {
	Format
	r    io.Reader
	left int64 // bytes of sample data left; -1 when unknown (streamed WAV)
	buf  []byte
}

// NewWAVReader reads the header of a WAV stream.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotWAV, err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return nil, ErrNotWAV
	}
	w := &WAVReader{r: r}
	haveFmt := false
	for range 64 { // chunks before "data"
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotWAV, err)
		}
		size := int64(binary.LittleEndian.Uint32(hdr[4:]))
		switch string(hdr[0:4]) {
		case "fmt ":
			if size < 16 || size > 1024 {
				return nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrNotWAV, size)
			}
			f := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, f); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrNotWAV, err)
			}
			tag := binary.LittleEndian.Uint16(f[0:])
			w.Channels = int(binary.LittleEndian.Uint16(f[2:]))
			w.Rate = int(binary.LittleEndian.Uint32(f[4:]))
			bits := binary.LittleEndian.Uint16(f[14:])
			if (tag != 1 && tag != 0xfffe) || bits != 16 || w.Channels < 1 || w.Channels > 8 || w.Rate < 1000 || w.Rate > 384000 {
				return nil, fmt.Errorf("%w: format %d, %d bits, %d channels, %d Hz", ErrNotWAV, tag, bits, w.Channels, w.Rate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data before fmt", ErrNotWAV)
			}
			w.left = size
			if size == 0 || size == 0xffffffff {
				w.left = -1 // written by a stream that did not know its length
			}
			return w, nil
		default:
			if _, err := io.CopyN(io.Discard, r, size+size%2); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrNotWAV, err)
			}
		}
	}
	return nil, fmt.Errorf("%w: no data chunk", ErrNotWAV)
}

// Read reads up to len(p) samples (interleaved), returning io.EOF at the
// end.
func (w *WAVReader) Read(p []int16) (int, error) {
	want := int64(len(p) * 2)
	if w.left >= 0 {
		want = min(want, w.left)
	}
	if want == 0 {
		return 0, io.EOF
	}
	if int64(cap(w.buf)) < want {
		w.buf = make([]byte, want)
	}
	n, err := io.ReadAtLeast(w.r, w.buf[:want], 2)
	n -= n % 2
	for i := 0; i < n/2; i++ {
		p[i] = int16(binary.LittleEndian.Uint16(w.buf[2*i:]))
	}
	if w.left >= 0 {
		w.left -= int64(n)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	if n > 0 {
		return n / 2, nil
	}
	return 0, err
}

// AppendWAVHeader appends a WAV header for samples samples of f.
func AppendWAVHeader(dst []byte, f Format, samples int) []byte {
	data := uint32(samples * 2)
	le := binary.LittleEndian
	dst = append(dst, "RIFF"...)
	dst = le.AppendUint32(dst, 36+data)
	dst = append(dst, "WAVEfmt "...)
	dst = le.AppendUint32(dst, 16)
	dst = le.AppendUint16(dst, 1)
	dst = le.AppendUint16(dst, uint16(f.Channels))
	dst = le.AppendUint32(dst, uint32(f.Rate))
	dst = le.AppendUint32(dst, uint32(f.Rate*f.Channels*2))
	dst = le.AppendUint16(dst, uint16(f.Channels*2))
	dst = le.AppendUint16(dst, 16)
	dst = append(dst, "data"...)
	return le.AppendUint32(dst, data)
}

// AppendSamples appends samples as little-endian bytes.
func AppendSamples(dst []byte, s []int16) []byte {
	for _, v := range s {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
	}
	return dst
}
