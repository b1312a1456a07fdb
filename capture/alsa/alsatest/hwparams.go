//go:build linux

package alsatest

import (
	"slices"

	"golang.org/x/sys/unix"
)

// SNDRV_PCM_* values the fake knows.
const (
	AccessMmapInterleaved = 0  // SNDRV_PCM_ACCESS_MMAP_INTERLEAVED
	AccessRWInterleaved   = 3  // SNDRV_PCM_ACCESS_RW_INTERLEAVED
	FormatU8              = 1  // SNDRV_PCM_FORMAT_U8
	FormatS16LE           = 2  // SNDRV_PCM_FORMAT_S16_LE
	FormatS16BE           = 3  // SNDRV_PCM_FORMAT_S16_BE
	FormatS32LE           = 10 // SNDRV_PCM_FORMAT_S32_LE
)

// Hardware parameter numbers (SNDRV_PCM_HW_PARAM_*).
const (
	pAccess      = 0
	pFormat      = 1
	pSubformat   = 2
	pSampleBits  = 8
	pFrameBits   = 9
	pChannels    = 10
	pRate        = 11
	pPeriodTime  = 12
	pPeriodSize  = 13
	pPeriodBytes = 14
	pPeriods     = 15
	pBufferTime  = 16
	pBufferSize  = 17
	pBufferBytes = 18
	pTickTime    = 19
	nIntervals   = 12
)

// integerParams are the interval parameters that only take integers.
var integerParams = []int{pSampleBits, pFrameBits, pChannels, pPeriodSize, pPeriodBytes, pPeriods, pBufferSize, pBufferBytes}

// formatBits is the sample width of each format the fake knows.
var formatBits = map[int]uint64{FormatU8: 8, FormatS16LE: 16, FormatS16BE: 16, FormatS32LE: 32}

// span is a closed range of integers.
type span struct {
	lo, hi uint64
}

func (s span) empty() bool    { return s.lo > s.hi }
func (s span) single() bool   { return s.lo == s.hi }
func (s span) has(v int) bool { return uint64(v) >= s.lo && uint64(v) <= s.hi }

// and intersects s with [lo, hi].
func (s span) and(lo, hi uint64) span { return span{max(s.lo, lo), min(s.hi, hi)} }

// hw is a decoded struct snd_pcm_hw_params.
type hw struct {
	masks [3][8]uint32
	iv    [nIntervals]span
}

const maxU32 = 1<<32 - 1

// mul multiplies, saturating instead of overflowing.
func mul(a, b uint64) uint64 {
	if a != 0 && b > (1<<62)/a {
		return 1 << 62
	}
	return a * b
}

func ceilDiv(a, b uint64) uint64 {
	if b == 0 {
		return 1 << 62
	}
	return (a + b - 1) / b
}

func floorDiv(a, b uint64) uint64 {
	if b == 0 {
		return 1 << 62
	}
	return a / b
}

// decodeHw reads the masks and intervals of m, turning open bounds into
// closed ones.
func decodeHw(m mem) (hw, error) {
	var h hw
	for i := range h.masks {
		for j := range h.masks[i] {
			h.masks[i][j] = m.u32(hwMasks + 32*i + 4*j)
		}
	}
	for i := range h.iv {
		off := hwIntervals + 12*i
		lo, hi, flags := uint64(m.u32(off)), uint64(m.u32(off+4)), m.u32(off+8)
		if flags&bitEmpty != 0 {
			return h, unix.EINVAL
		}
		if flags&bitOpenMin != 0 {
			lo++
		}
		if flags&bitOpenMax != 0 && hi > 0 {
			hi--
		}
		h.iv[i] = span{lo, hi}
	}
	return h, nil
}

// encode writes h back to m, marking in cmask what differs from old,
// and fills the fields HW_REFINE reports.
func (h *hw) encode(m mem, old hw) {
	var cmask uint32
	for i := range h.masks {
		for j := range h.masks[i] {
			m.put32(hwMasks+32*i+4*j, h.masks[i][j])
		}
		if h.masks[i] != old.masks[i] {
			cmask |= 1 << i
		}
	}
	for i := range h.iv {
		off := hwIntervals + 12*i
		s := h.iv[i]
		m.put32(off, uint32(min(s.lo, maxU32)))
		m.put32(off+4, uint32(min(s.hi, maxU32)))
		var flags uint32
		if slices.Contains(integerParams, i+pSampleBits) {
			flags |= bitInteger
		}
		m.put32(off+8, flags)
		if s != old.iv[i] {
			cmask |= 1 << (i + pSampleBits)
		}
	}
	m.put32(hwRmask, 0)
	m.put32(hwCmask, m.u32(hwCmask)|cmask)
	m.put32(hwInfo, 0x1|0x2|0x100|0x10000) // MMAP, MMAP_VALID, INTERLEAVED, BLOCK_TRANSFER
	if s := h.iv[pSampleBits-pSampleBits]; s.single() {
		m.put32(hwMsbits, uint32(s.lo))
	}
	if s := h.iv[pRate-pSampleBits]; s.single() {
		m.put32(hwRateNum, uint32(s.lo))
		m.put32(hwRateDen, 1)
	}
	m.putLong(hwFifoSize, 0)
}

func (h *hw) get(p int) span    { return h.iv[p-pSampleBits] }
func (h *hw) set(p int, s span) { h.iv[p-pSampleBits] = s }
func (h *hw) and(p int, lo, hi uint64) {
	h.set(p, h.get(p).and(lo, hi))
}

// maskAnd keeps the bits of mask p that are in vals.
func (h *hw) maskAnd(p int, vals []int) {
	var keep [8]uint32
	for _, v := range vals {
		if h.masks[p][v/32]&(1<<(v%32)) != 0 {
			keep[v/32] |= 1 << (v % 32)
		}
	}
	h.masks[p] = keep
}

func (h *hw) maskValues(p int) []int {
	var vals []int
	for v := range 256 {
		if h.masks[p][v/32]&(1<<(v%32)) != 0 {
			vals = append(vals, v)
		}
	}
	return vals
}

// refine narrows h to what caps allow, applying the relations between
// the parameters until nothing changes, as snd_pcm_hw_refine does. It
// fails with EINVAL when nothing is left.
func (c *Caps) refine(h *hw) error {
	h.maskAnd(pAccess, c.Access)
	h.maskAnd(pFormat, c.Formats)
	h.maskAnd(pSubformat, []int{0})
	for i := range h.masks {
		if h.masks[i] == [8]uint32{} {
			return unix.EINVAL
		}
	}
	var bmin, bmax uint64 = 1 << 62, 0
	for _, f := range h.maskValues(pFormat) {
		b := formatBits[f]
		bmin, bmax = min(bmin, b), max(bmax, b)
	}
	h.and(pSampleBits, bmin, bmax)
	h.and(pChannels, uint64(c.MinChannels), uint64(c.MaxChannels))
	r := h.get(pRate)
	var rates []uint64
	for _, v := range c.Rates {
		if r.has(v) {
			rates = append(rates, uint64(v))
		}
	}
	if len(rates) == 0 {
		return unix.EINVAL
	}
	h.set(pRate, span{slices.Min(rates), slices.Max(rates)})
	h.and(pPeriodSize, uint64(c.MinPeriod), uint64(c.MaxPeriod))
	h.and(pPeriods, uint64(c.MinPeriods), uint64(c.MaxPeriods))
	h.and(pBufferSize, 1, uint64(c.MaxBuffer))
	step := uint64(max(c.PeriodStep, 1))
	for range 32 {
		before := h.iv
		ps := h.get(pPeriodSize)
		h.set(pPeriodSize, span{ceilDiv(ps.lo, step) * step, ps.hi / step * step})

		sb, ch, fb := h.get(pSampleBits), h.get(pChannels), h.get(pFrameBits)
		h.and(pFrameBits, mul(sb.lo, ch.lo), mul(sb.hi, ch.hi))
		fb = h.get(pFrameBits)
		h.and(pChannels, ceilDiv(fb.lo, sb.hi), floorDiv(fb.hi, sb.lo))

		ps, n, bs := h.get(pPeriodSize), h.get(pPeriods), h.get(pBufferSize)
		h.and(pBufferSize, mul(ps.lo, n.lo), mul(ps.hi, n.hi))
		bs = h.get(pBufferSize)
		h.and(pPeriods, ceilDiv(bs.lo, ps.hi), floorDiv(bs.hi, ps.lo))
		n = h.get(pPeriods)
		h.and(pPeriodSize, ceilDiv(bs.lo, n.hi), floorDiv(bs.hi, n.lo))

		fb = h.get(pFrameBits)
		c.relateBytes(h, pPeriodSize, pPeriodBytes, fb)
		c.relateBytes(h, pBufferSize, pBufferBytes, fb)
		c.relateTime(h, pPeriodSize, pPeriodTime)
		c.relateTime(h, pBufferSize, pBufferTime)

		for _, s := range h.iv {
			if s.empty() {
				return unix.EINVAL
			}
		}
		if h.iv == before {
			return nil
		}
	}
	return nil
}

// relateBytes ties a size in frames to the same size in bytes.
func (c *Caps) relateBytes(h *hw, frames, bytes int, fb span) {
	f := h.get(frames)
	h.and(bytes, mul(f.lo, fb.lo)/8, ceilDiv(mul(f.hi, fb.hi), 8))
	b := h.get(bytes)
	h.and(frames, ceilDiv(mul(b.lo, 8), fb.hi), floorDiv(mul(b.hi, 8), fb.lo))
}

// relateTime ties a size in frames to the same duration in
// microseconds at the rates left.
func (c *Caps) relateTime(h *hw, frames, us int) {
	f, r := h.get(frames), h.get(pRate)
	h.and(us, floorDiv(mul(f.lo, 1e6), r.hi), ceilDiv(mul(f.hi, 1e6), r.lo))
	t := h.get(us)
	h.and(frames, floorDiv(mul(t.lo, r.lo), 1e6), ceilDiv(mul(t.hi, r.hi), 1e6))
}

// choose settles every parameter left open after refine, as
// snd_pcm_hw_params_choose does: the first access and format, the
// fewest channels, the lowest rate, the smallest period, the largest
// buffer.
func (c *Caps) choose(h *hw) error {
	for _, p := range []int{pAccess, pFormat, pSubformat} {
		vals := h.maskValues(p)
		pick := vals[0]
		if p == pAccess && slices.Contains(vals, AccessRWInterleaved) {
			pick = AccessRWInterleaved
		}
		h.maskAnd(p, []int{pick})
	}
	for _, p := range []int{pChannels, pRate, pPeriodSize, pBufferSize} {
		s := h.get(p)
		v := s.lo
		if p == pBufferSize {
			v = s.hi
		}
		h.set(p, span{v, v})
		if err := c.refine(h); err != nil {
			return err
		}
	}
	return nil
}
