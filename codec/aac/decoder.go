package aac

import (
	"fmt"
	"math"
	"slices"
)

// SamplesPerFrame is the number of samples per channel in one AAC-LC
// frame.
const SamplesPerFrame = 1024

// Syntactic element ids of raw_data_block (ISO/IEC 14496-3 table 4.85).
const (
	idSCE = iota
	idCPE
	idCCE
	idLFE
	idDSE
	idPCE
	idFIL
	idEND
)

// channel is the per-channel state of the decoder: the parsed elements of
// the current frame and the overlap carried to the next.
type channel struct {
	info       icsInfo
	globalGain int
	cb         [8][maxBands]uint8
	sf         [8][maxBands]int
	pulse      pulse
	hasPulse   bool
	tns        tnsData
	hasTNS     bool
	quant      [1024]int32
	spec       [1024]float64

	overlap   [1024]float64
	prevShape int
	out       [1024]float64
}

// Decoder decodes AAC-LC raw_data_blocks of one stream. It is not safe
// for concurrent use.
type Decoder struct {
	cfg        Config
	tableIndex int
	ch         [2]channel
	fb         *filterbank
	msUsed     [8][maxBands]bool
	seed       uint32
	stats      toolStats
	// ffmpegIS makes intensity stereo follow FFmpeg's decoder, which also
	// inverts intensity bands under ms_mask_present 2; the standard (and
	// the FDK decoder) inverts only per ms_used with ms_mask_present 1.
	// Tests set it to compare bit-exactly with FFmpeg.
	ffmpegIS bool
}

// NewDecoder returns a decoder for the stream described by cfg, which
// must be AAC-LC with one or two channels.
func NewDecoder(cfg Config) (*Decoder, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Decoder{cfg: cfg, tableIndex: cfg.tableIndex(), fb: newFilterbank(), seed: 1}, nil
}

// Config returns the configuration the decoder was created with.
func (d *Decoder) Config() Config { return d.cfg }

// Reset clears the overlap state, as at the start of a stream.
func (d *Decoder) Reset() {
	for i := range d.ch {
		d.ch[i].overlap = [1024]float64{}
		d.ch[i].prevShape = shapeSine
	}
}

// Decode decodes one raw_data_block (an ADTS payload, an MP4 sample or an
// RTP AU) and appends 1024 samples per channel, interleaved, to dst.
// Bytes after the END element, such as zero padding, are ignored. On
// error dst is returned unchanged and the decoder is reset, so the next
// frame decodes as if it started a stream.
func (d *Decoder) Decode(dst []int16, frame []byte) ([]int16, error) {
	n, err := d.decodeFrame(frame)
	if err != nil {
		d.Reset()
		return dst, err
	}
	nch := d.cfg.Channels
	start := len(dst)
	dst = slices.Grow(dst, SamplesPerFrame*nch)[:start+SamplesPerFrame*nch]
	out := dst[start:]
	for c := range nch {
		src := &d.ch[min(c, n-1)].out
		for i, v := range src {
			out[i*nch+c] = toInt16(v)
		}
	}
	return dst, nil
}

// toInt16 rounds and clips one sample.
func toInt16(v float64) int16 {
	v = math.Round(v)
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}

// decodeFrame parses the frame's elements and synthesizes each decoded
// channel into its out buffer, returning the number of channels decoded.
func (d *Decoder) decodeFrame(frame []byte) (int, error) {
	r := &bitReader{b: frame}
	nch := 0
	for {
		if r.left() < 3 {
			return 0, fmt.Errorf("%w: no END element", ErrTruncated)
		}
		id := int(r.read(3))
		if id == idEND {
			break
		}
		var err error
		switch id {
		case idSCE:
			if nch+1 > d.cfg.Channels {
				return 0, fmt.Errorf("%w: more channels than the configuration's %d", ErrMalformed, d.cfg.Channels)
			}
			r.skip(4) // element_instance_tag
			err = d.decodeSCE(r, &d.ch[nch])
			nch++
		case idCPE:
			if nch+2 > d.cfg.Channels {
				return 0, fmt.Errorf("%w: channel pair in a %d-channel stream", ErrMalformed, d.cfg.Channels)
			}
			r.skip(4)
			err = d.decodeCPE(r)
			nch += 2
		case idCCE, idLFE:
			return 0, fmt.Errorf("%w: element type %d", ErrUnsupported, id)
		case idDSE:
			r.skip(4)
			align := r.bit()
			n := int(r.read(8))
			if n == 255 {
				n += int(r.read(8))
			}
			if align {
				r.align()
			}
			r.skip(8 * n)
		case idPCE:
			_, err = readPCE(r)
		case idFIL:
			n := int(r.read(4))
			if n == 15 {
				n += int(r.read(8)) - 1
			}
			r.skip(8 * n)
		}
		if err != nil {
			return 0, err
		}
		if r.overrun() {
			return 0, ErrTruncated
		}
	}
	if nch == 0 {
		return 0, fmt.Errorf("%w: frame without audio channels", ErrMalformed)
	}
	d.count(nch)
	for c := range nch {
		d.fb.synthesize(&d.ch[c], d.ch[c].out[:])
	}
	return nch, nil
}

// decodeSCE decodes a single_channel_element into ch's spectrum.
func (d *Decoder) decodeSCE(r *bitReader, ch *channel) error {
	if err := d.readICS(r, ch, false, false); err != nil {
		return err
	}
	dequantize(ch)
	d.applyNoise(ch, nil, nil)
	if ch.hasTNS {
		applyTNS(ch)
	}
	return nil
}

// decodeCPE decodes a channel_pair_element into both channels' spectra.
func (d *Decoder) decodeCPE(r *bitReader) error {
	l, rt := &d.ch[0], &d.ch[1]
	common := r.bit()
	msPresent := 0
	d.msUsed = [8][maxBands]bool{}
	if common {
		if err := readICSInfo(r, &l.info, d.tableIndex); err != nil {
			return err
		}
		rt.info = l.info
		msPresent = int(r.read(2))
		switch msPresent {
		case 1:
			for g := range l.info.numGroups {
				for b := range l.info.maxSFB {
					d.msUsed[g][b] = r.bit()
				}
			}
		case 2:
			for g := range l.info.numGroups {
				for b := range l.info.maxSFB {
					d.msUsed[g][b] = true
				}
			}
		case 3:
			return fmt.Errorf("%w: reserved ms_mask_present 3", ErrMalformed)
		}
	}
	if err := d.readICS(r, l, common, false); err != nil {
		return err
	}
	if err := d.readICS(r, rt, common, common); err != nil {
		return err
	}
	dequantize(l)
	dequantize(rt)
	d.applyNoise(l, nil, nil)
	if common {
		d.applyNoise(rt, l, &d.msUsed)
		applyMS(l, rt, &d.msUsed)
		isInvert := msPresent == 1 || (d.ffmpegIS && msPresent == 2)
		applyIntensity(l, rt, &d.msUsed, isInvert)
	} else {
		d.applyNoise(rt, nil, nil)
	}
	if l.hasTNS {
		applyTNS(l)
	}
	if rt.hasTNS {
		applyTNS(rt)
	}
	return nil
}

// readICS parses an individual_channel_stream (4.4.2.7).
func (d *Decoder) readICS(r *bitReader, ch *channel, commonWindow, rightOfPair bool) error {
	ch.globalGain = int(r.read(8))
	if !commonWindow {
		if err := readICSInfo(r, &ch.info, d.tableIndex); err != nil {
			return err
		}
	}
	if err := readSectionData(r, ch); err != nil {
		return err
	}
	if err := readScalefactors(r, ch, rightOfPair); err != nil {
		return err
	}
	ch.hasPulse = r.bit()
	if ch.hasPulse {
		if err := readPulse(r, &ch.pulse, &ch.info); err != nil {
			return err
		}
	}
	ch.hasTNS = r.bit()
	if ch.hasTNS {
		if err := readTNS(r, &ch.tns, &ch.info); err != nil {
			return err
		}
	}
	if r.bit() {
		return fmt.Errorf("%w: gain control (AAC SSR) in an LC stream", ErrUnsupported)
	}
	if err := readSpectral(r, ch); err != nil {
		return err
	}
	if ch.hasPulse {
		return applyPulse(ch)
	}
	return nil
}
