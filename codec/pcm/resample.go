package pcm

// Resampler converts interleaved S16 PCM between rates and channel counts
// by linear interpolation: plenty for speech through a camera's speaker,
// not for music. It keeps its phase across calls, so a stream converts
// without clicks. Channels are mixed to mono, then copied to every output
// channel.
type Resampler struct {
	inRate, outRate int
	inCh, outCh     int
	pos             float64 // position of the next output sample, in input frames, relative to the current block
	last            []int16 // the last input frame of the previous block
	mono            []int16
}

// NewResampler returns a resampler from inRate Hz and inCh channels to
// outRate and outCh.
func NewResampler(inRate, inCh, outRate, outCh int) *Resampler {
	return &Resampler{inRate: inRate, outRate: outRate, inCh: inCh, outCh: outCh}
}

// Converts reports whether r converts from inRate and inCh.
func (r *Resampler) Converts(inRate, inCh int) bool { return r.inRate == inRate && r.inCh == inCh }

// Convert appends the converted frames of in to dst.
func (r *Resampler) Convert(dst, in []int16) []int16 {
	// Down to mono first: the speaker gets the mix either way.
	r.mono = r.mono[:0]
	for i := 0; i+r.inCh <= len(in); i += r.inCh {
		sum := 0
		for c := range r.inCh {
			sum += int(in[i+c])
		}
		r.mono = append(r.mono, int16(sum/r.inCh))
	}
	frames := r.mono
	if len(frames) == 0 {
		return dst
	}
	step := float64(r.inRate) / float64(r.outRate)
	prev := frames[0]
	if len(r.last) > 0 {
		prev = r.last[0]
	}
	// pos counts from -1 (the previous block's last frame) to len-1.
	for ; r.pos < float64(len(frames)-1)+1e-9; r.pos += step {
		i := int(r.pos + 1) // index into [prev, frames...]
		frac := r.pos + 1 - float64(i)
		a := prev
		if i > 0 {
			a = frames[i-1]
		}
		b := frames[min(i, len(frames)-1)]
		v := int16(float64(a) + (float64(b)-float64(a))*frac)
		for range r.outCh {
			dst = append(dst, v)
		}
	}
	r.pos -= float64(len(frames))
	r.last = append(r.last[:0], frames[len(frames)-1])
	return dst
}
