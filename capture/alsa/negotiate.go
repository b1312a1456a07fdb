//go:build linux

package alsa

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// negotiate sets the hardware parameters nearest to want, as alsa-lib's
// snd_pcm_hw_params_set_*_near calls do, one parameter after the other
// in the order rate matters most: access and format (which must be
// supported), channels, rate, period size, buffer size. Each step asks
// the driver (SNDRV_PCM_IOCTL_HW_REFINE) what remains possible; the
// result is installed with SNDRV_PCM_IOCTL_HW_PARAMS.
func (p *PCM) negotiate(want Params) (Params, error) {
	var hw hwParams
	hw.openAll()
	if err := p.refine(&hw); err != nil {
		return Params{}, p.unsupported("any configuration", err)
	}
	hw.setMask(paramAccess, accessRWInterleaved)
	if err := p.refine(&hw); err != nil {
		return Params{}, p.unsupported("interleaved read/write access", err)
	}
	hw.setMask(paramFormat, formatS16)
	if err := p.refine(&hw); err != nil {
		return Params{}, p.unsupported("format "+formatName(formatS16), err)
	}
	if hw.maskHas(paramSubformat, subformatStd) {
		try := hw
		try.setMask(paramSubformat, subformatStd)
		if p.refine(&try) == nil {
			hw = try
		}
	}

	if _, err := p.setNear(&hw, paramChannels, orDefault(want.Channels, DefaultChannels)); err != nil {
		return Params{}, err
	}
	rate, err := p.setNear(&hw, paramRate, orDefault(want.Rate, DefaultRate))
	if err != nil {
		return Params{}, err
	}
	// Frame counts asked for are at the asked rate: at another rate they
	// mean the same time.
	scale := func(frames int) int {
		if frames == 0 || want.Rate == 0 || int(rate) == want.Rate {
			return frames
		}
		return max(1, int(int64(frames)*int64(rate)/int64(want.Rate)))
	}
	period := scale(want.PeriodFrames)
	if period == 0 {
		period = max(1, Params{Rate: int(rate)}.Frames(DefaultPeriod))
	}
	periodFrames, err := p.setNear(&hw, paramPeriodSize, period)
	if err != nil {
		return Params{}, err
	}
	buffer := scale(want.BufferFrames)
	if buffer == 0 {
		buffer = DefaultPeriods * int(periodFrames)
	}
	if _, err := p.setNear(&hw, paramBufferSize, buffer); err != nil {
		return Params{}, err
	}

	hw.Rmask = ^uint32(0)
	if err := p.ioctl(pcmIoctlHwParams, unsafe.Pointer(&hw)); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return Params{}, fmt.Errorf("%w: %w", ErrUnsupported, err)
		}
		return Params{}, err
	}
	got := Params{Format: S16, StartFrames: want.StartFrames}
	var ok [4]bool
	var v uint32
	v, ok[0] = hw.iv(paramChannels).single()
	got.Channels = int(v)
	v, ok[1] = hw.iv(paramRate).single()
	got.Rate = int(v)
	if !ok[1] && hw.RateDen != 0 {
		got.Rate, ok[1] = int(hw.RateNum/hw.RateDen), true
	}
	v, ok[2] = hw.iv(paramPeriodSize).single()
	got.PeriodFrames = int(v)
	v, ok[3] = hw.iv(paramBufferSize).single()
	got.BufferFrames = int(v)
	if ok != [4]bool{true, true, true, true} || got.Channels == 0 || got.Rate == 0 || got.PeriodFrames == 0 || got.BufferFrames == 0 {
		return Params{}, fmt.Errorf("%w: %s: SNDRV_PCM_IOCTL_HW_PARAMS left parameters open: %+v", ErrUnsupported, p.path, got)
	}
	if p.dir == Playback {
		if got.StartFrames == 0 || got.StartFrames > got.BufferFrames {
			got.StartFrames = got.BufferFrames
		}
	} else {
		got.StartFrames = 0
	}
	return got, nil
}

// refine asks the driver to narrow hw to what it supports.
func (p *PCM) refine(hw *hwParams) error {
	hw.Rmask = ^uint32(0)
	hw.Cmask = 0
	return p.ioctl(pcmIoctlHwRefine, unsafe.Pointer(hw))
}

// setNear restricts interval parameter param of hw to want if the
// device allows it, or else to the nearest value it allows (the larger
// one on a tie), and returns that value.
func (p *PCM) setNear(hw *hwParams, param int, want int) (uint32, error) {
	w := uint32(min(max(want, 1), 1<<30))
	try := *hw
	try.setRange(param, w, w)
	err := p.refine(&try)
	if err == nil {
		*hw = try
		return w, nil
	}
	if !errors.Is(err, unix.EINVAL) {
		return 0, err
	}
	// The smallest value above want and the largest below it.
	var cands []uint32
	above := *hw
	above.setRange(param, w, ^uint32(0))
	if p.refine(&above) == nil {
		if lo, _, ok := above.iv(param).bounds(); ok {
			cands = append(cands, lo)
		}
	}
	below := *hw
	below.setRange(param, 0, w)
	if p.refine(&below) == nil {
		if _, hi, ok := below.iv(param).bounds(); ok {
			if len(cands) == 1 && w-hi < cands[0]-w {
				cands = []uint32{hi, cands[0]}
			} else {
				cands = append(cands, hi)
			}
		}
	}
	for _, v := range cands {
		try := *hw
		try.setRange(param, v, v)
		if p.refine(&try) == nil {
			*hw = try
			return v, nil
		}
	}
	return 0, fmt.Errorf("%w: %s: no %s near %d", ErrUnsupported, p.path, paramName(param), want)
}

// setSwParams installs the software parameters: wake up a waiting
// Read or Write once a period is ready, stop on an overrun or underrun
// (the package recovers), start a capture at the first Read and a
// playback once StartFrames are queued.
func (p *PCM) setSwParams() error {
	start := 1
	if p.dir == Playback {
		start = p.params.StartFrames
	}
	sw := swParams{
		PeriodStep:     1,
		AvailMin:       cULong(p.params.PeriodFrames),
		XferAlign:      1,
		StartThreshold: cULong(start),
		StopThreshold:  cULong(p.params.BufferFrames),
		Proto:          pcmVersion,
	}
	return p.ioctl(pcmIoctlSwParams, unsafe.Pointer(&sw))
}

func (p *PCM) unsupported(what string, err error) error {
	if errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("%w: %s: the device has no %s", ErrUnsupported, p.path, what)
	}
	return err
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func formatName(f uint) string {
	if f == formatS16BE {
		return "S16_BE"
	}
	return "S16_LE"
}

func paramName(param int) string {
	switch param {
	case paramChannels:
		return "channel count"
	case paramRate:
		return "rate"
	case paramPeriodSize:
		return "period size"
	case paramBufferSize:
		return "buffer size"
	}
	return fmt.Sprintf("parameter %d", param)
}
