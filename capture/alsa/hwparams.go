//go:build linux

package alsa

import "unsafe"

// Hardware parameters (SNDRV_PCM_HW_PARAM_*): three masks, then twelve
// intervals numbered from paramFirstInterval.
const (
	paramAccess    = 0
	paramFormat    = 1
	paramSubformat = 2

	paramSampleBits  = 8
	paramFrameBits   = 9
	paramChannels    = 10
	paramRate        = 11
	paramPeriodTime  = 12
	paramPeriodSize  = 13
	paramPeriodBytes = 14
	paramPeriods     = 15
	paramBufferTime  = 16
	paramBufferSize  = 17
	paramBufferBytes = 18
	paramTickTime    = 19

	paramFirstMask     = paramAccess
	paramLastMask      = paramSubformat
	paramFirstInterval = paramSampleBits
	paramLastInterval  = paramTickTime
)

// Mask values the package asks for.
const (
	accessRWInterleaved = 3 // SNDRV_PCM_ACCESS_RW_INTERLEAVED
	formatS16LE         = 2 // SNDRV_PCM_FORMAT_S16_LE
	formatS16BE         = 3 // SNDRV_PCM_FORMAT_S16_BE
	subformatStd        = 0 // SNDRV_PCM_SUBFORMAT_STD
)

// bigEndian is the byte order of the running machine.
var bigEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 0
}()

// formatS16 is the native-endian signed 16-bit format, which is what
// an []int16 holds.
var formatS16 = func() uint {
	if bigEndian {
		return formatS16BE
	}
	return formatS16LE
}()

// The bit-fields of struct snd_interval (openmin:1, openmax:1,
// integer:1, empty:1) in its third word. C compilers allocate
// bit-fields from the least significant bit on little-endian ports and
// from the most significant one on big-endian ports.
var ivOpenMin, ivOpenMax, ivInteger, ivEmpty = func() (uint32, uint32, uint32, uint32) {
	if bigEndian {
		return 1 << 31, 1 << 30, 1 << 29, 1 << 28
	}
	return 1 << 0, 1 << 1, 1 << 2, 1 << 3
}()

// openAll opens every parameter up, as snd_pcm_hw_params_any does: all mask
// bits set, every interval [0, UINT_MAX], all parameters requested.
func (h *hwParams) openAll() {
	*h = hwParams{}
	for i := range h.Masks {
		for j := range h.Masks[i].Bits {
			h.Masks[i].Bits[j] = ^uint32(0)
		}
	}
	for i := range h.Intervals {
		h.Intervals[i] = interval{Min: 0, Max: ^uint32(0)}
	}
	h.Rmask = ^uint32(0)
	h.Info = ^uint32(0)
}

// setMask restricts mask parameter p to the single value v.
func (h *hwParams) setMask(p int, v uint) {
	m := &h.Masks[p-paramFirstMask]
	m.Bits = [8]uint32{}
	m.Bits[v/32] = 1 << (v % 32)
}

// maskHas reports whether mask parameter p allows v.
func (h *hwParams) maskHas(p int, v uint) bool {
	return h.Masks[p-paramFirstMask].Bits[v/32]&(1<<(v%32)) != 0
}

// iv returns interval parameter p.
func (h *hwParams) iv(p int) *interval { return &h.Intervals[p-paramFirstInterval] }

// setRange restricts interval parameter p to the integers in [lo, hi].
func (h *hwParams) setRange(p int, lo, hi uint32) {
	*h.iv(p) = interval{Min: lo, Max: hi, Flags: ivInteger}
}

// bounds returns the smallest and largest integers in the interval,
// with ok false if there are none.
func (iv interval) bounds() (lo, hi uint32, ok bool) {
	if iv.Flags&ivEmpty != 0 {
		return 0, 0, false
	}
	lo, hi = iv.Min, iv.Max
	if iv.Flags&ivOpenMin != 0 {
		if lo == ^uint32(0) {
			return 0, 0, false
		}
		lo++
	}
	if iv.Flags&ivOpenMax != 0 {
		if hi == 0 {
			return 0, 0, false
		}
		hi--
	}
	return lo, hi, lo <= hi
}

// single returns the interval's value if it holds exactly one integer.
func (iv interval) single() (uint32, bool) {
	lo, hi, ok := iv.bounds()
	return lo, ok && lo == hi
}
