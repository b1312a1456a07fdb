package aac

import (
	"fmt"
	"math"
)

// EncoderConfig configures an Encoder. Zero fields take the defaults:
// 16 kHz, mono, 32 kbit/s.
type EncoderConfig struct {
	SampleRate int // Hz, one of the standard AAC rates from 8000 to 96000
	Channels   int // 1 or 2
	Bitrate    int // bit/s of raw AAC (without ADTS headers), all channels

	// BlockSwitching codes transients (claps, knocks, plosives) with
	// eight short windows, which confines their pre-echo to a few
	// milliseconds. It needs one frame of lookahead: the first Encode
	// appends nothing, and Flush must be called twice to get the last two
	// blocks (call it until it appends nothing). The decoded stream's
	// delay stays 1024 samples. It defaults to off (long blocks only).
	BlockSwitching bool
}

// Encoder encodes 16-bit PCM to AAC-LC raw_data_blocks.
//
// By default it codes long blocks only (ONLY_LONG_SEQUENCE with the sine
// window): transients are pre-echoed over one 2048-sample window. With
// EncoderConfig.BlockSwitching it codes transients with eight short
// windows (see blockSwitch). Quantization noise is shaped by a simple model
// (noise follows the band energy with a small exponent), global gain is
// chosen per frame by a rate loop against the bitrate with a bit
// reservoir, each band's codebook section by a shortest-path search, and
// stereo uses mid/side per band where it saves bits. The bandwidth is
// limited to about 0.22 Hz per bit/s per channel (7 kHz at 32 kbit/s
// mono). No TNS, PNS, intensity stereo or pulse data is used.
//
// Delay: the decoded stream lags the input by exactly 1024 samples (one
// frame of priming): the first frame decodes to silence and the (last)
// frame returned by Flush carries the last input frame.
//
// An Encoder is not safe for concurrent use.
type Encoder struct {
	cfg        Config
	bitrate    int
	tableIndex int
	swb        []uint16
	maxBands   int // bands within the bandwidth
	mdct       *mdct
	window     [2048]float64

	// in holds the last three input frames per channel, oldest first.
	// Long blocks only code the newest two; with block switching the
	// oldest two, the newest being the lookahead.
	in       [2][3 * 1024]float64
	frames   int // input frames since the stream started
	blocks   int // blocks appended since the stream started
	buf      [2048]float64
	coef     [2][1024]float64 // MDCT coefficients of the frame
	switcher *blockSwitch     // nil for long blocks only

	avgBits, maxBits, reservoir, maxReservoir int

	q quantState
	w bitWriter
}

// NewEncoder returns an encoder for cfg.
func NewEncoder(cfg EncoderConfig) (*Encoder, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 16000
	}
	if cfg.Channels == 0 {
		cfg.Channels = 1
	}
	if cfg.Bitrate == 0 {
		cfg.Bitrate = 32000 * cfg.Channels
	}
	idx := rateIndex(cfg.SampleRate)
	if idx < 0 {
		return nil, fmt.Errorf("%w: sample rate %d (use a standard AAC rate)", ErrUnsupported, cfg.SampleRate)
	}
	if cfg.Channels < 1 || cfg.Channels > 2 {
		return nil, fmt.Errorf("%w: %d channels (only mono and stereo)", ErrUnsupported, cfg.Channels)
	}
	// At most 6144 bits per channel per frame (the decoder buffer).
	maxRate := 6144 * cfg.Channels * cfg.SampleRate / 1024
	if cfg.Bitrate < 8000*cfg.Channels || cfg.Bitrate > maxRate {
		return nil, fmt.Errorf("%w: bitrate %d out of range %d to %d", ErrUnsupported, cfg.Bitrate, 8000*cfg.Channels, maxRate)
	}
	e := &Encoder{
		cfg:        Config{ObjectType: ObjectTypeLC, SampleRate: cfg.SampleRate, SampleRateIndex: idx, Channels: cfg.Channels},
		bitrate:    cfg.Bitrate,
		tableIndex: idx,
		swb:        swbLong[idx],
		mdct:       newMDCT(2048),
	}
	sine := longWin[shapeSine]
	for i := range 1024 {
		e.window[i] = sine[i]
		e.window[2047-i] = sine[i]
	}
	e.avgBits = cfg.Bitrate * 1024 / cfg.SampleRate
	e.maxBits = 6144 * cfg.Channels
	e.maxReservoir = max(e.maxBits-e.avgBits, 0)
	// Bandwidth: about 0.22 Hz per bit/s of each channel, within Nyquist.
	bw := min(max(0.22*float64(cfg.Bitrate/cfg.Channels), 3000), 20000, float64(cfg.SampleRate)/2)
	line := int(math.Ceil(bw / (float64(cfg.SampleRate) / 2) * 1024))
	e.maxBands = len(e.swb) - 1
	for b := range len(e.swb) - 1 {
		if int(e.swb[b]) >= line {
			e.maxBands = b
			break
		}
	}
	e.q.init(e)
	if cfg.BlockSwitching {
		e.switcher = newBlockSwitch(e, line)
	}
	return e, nil
}

// Config returns the AudioSpecificConfig of the stream.
func (e *Encoder) Config() Config { return e.cfg }

// Encode encodes exactly 1024 samples per channel of interleaved pcm and
// appends one raw_data_block to dst. The block carries the previous call's
// input (see Encoder for the delay).
func (e *Encoder) Encode(dst []byte, pcm []int16) ([]byte, error) {
	nch := e.cfg.Channels
	if len(pcm) != SamplesPerFrame*nch {
		return dst, fmt.Errorf("%w: %d samples, want %d", ErrFrameSize, len(pcm), SamplesPerFrame*nch)
	}
	for c := range nch {
		in := &e.in[c]
		copy(in[:2048], in[1024:])
		for i := range 1024 {
			in[2048+i] = float64(pcm[i*nch+c])
		}
	}
	e.frames++
	return e.step(dst), nil
}

// Flush appends the next block still held back and, after the last one,
// resets the encoder to start a new stream: one block for long blocks
// only, two with block switching. Once none is left it appends nothing.
func (e *Encoder) Flush(dst []byte) ([]byte, error) {
	if e.frames == 0 {
		return dst, nil
	}
	for c := range e.cfg.Channels {
		in := &e.in[c]
		copy(in[:2048], in[1024:])
		clear(in[2048:])
	}
	dst = e.step(dst)
	if e.blocks > e.frames {
		// Blocks 0 to frames are out: the last carries the last frame.
		e.in = [2][3 * 1024]float64{}
		e.frames, e.blocks, e.reservoir = 0, 0, 0
		if e.switcher != nil {
			e.switcher.reset()
		}
	}
	return dst, nil
}

// step codes the next block from e.in, whose newest frame has just
// arrived, and appends it to dst.
func (e *Encoder) step(dst []byte) []byte {
	if e.switcher != nil {
		return e.switcher.step(e, dst)
	}
	for c := range e.cfg.Channels {
		copy(e.buf[:], e.in[c][1024:])
		e.transform(c)
	}
	e.blocks++
	return e.encodeFrame(dst)
}

// transform windows e.buf and computes the MDCT of channel c.
func (e *Encoder) transform(c int) {
	for i := range e.buf {
		e.buf[i] *= e.window[i]
	}
	e.mdct.forward(e.coef[c][:], e.buf[:])
}
