//go:build linux

package alsa

import "unsafe"

// Mirrors of the sound/asound.h structs the package passes to the
// kernel. Field order, types and padding follow the C declarations; Go
// lays them out as the C compiler does on every Linux port, which
// layout_test.go checks per GOARCH.
//
// C long and unsigned long (snd_pcm_sframes_t, snd_pcm_uframes_t, the
// fields of struct timespec) have the size of a pointer on every Linux
// port, as Go's int and uint do.

// cLong mirrors C long; cULong mirrors C unsigned long.
type (
	cLong  = int
	cULong = uint
)

// Protocol versions, as SNDRV_PROTOCOL_VERSION(major, minor, micro)
// builds them: those of the uAPI the mirrors follow (Linux 6.1).
const (
	pcmVersion = 2<<16 | 0<<8 | 15 // SNDRV_PCM_VERSION 2.0.15
	ctlVersion = 2<<16 | 0<<8 | 8  // SNDRV_CTL_VERSION 2.0.8
)

// protocolMajor is the major number of a protocol version.
func protocolMajor(v int32) int32 { return v >> 16 & 0xffff }

// Stream directions (SNDRV_PCM_STREAM_*).
const (
	streamPlayback = 0
	streamCapture  = 1
)

// pcmInfo mirrors struct snd_pcm_info (SNDRV_PCM_IOCTL_INFO and
// SNDRV_CTL_IOCTL_PCM_INFO).
type pcmInfo struct {
	Device          uint32
	Subdevice       uint32
	Stream          int32
	Card            int32
	ID              [64]byte
	Name            [80]byte
	Subname         [32]byte
	DevClass        int32
	DevSubclass     int32
	SubdevicesCount uint32
	SubdevicesAvail uint32
	Sync            [16]byte // union snd_pcm_sync_id
	Reserved        [64]byte
}

// interval mirrors struct snd_interval. Flags holds the bit-fields
// openmin, openmax, integer and empty (see ivOpenMin and friends).
type interval struct {
	Min, Max uint32
	Flags    uint32
}

// mask mirrors struct snd_mask: SNDRV_MASK_MAX (256) bits.
type mask struct {
	Bits [8]uint32
}

// hwParams mirrors struct snd_pcm_hw_params: 608 bytes on 64-bit ports,
// 604 on 32-bit ones (fifo_size is an unsigned long).
type hwParams struct {
	Flags     uint32
	Masks     [paramLastMask - paramFirstMask + 1]mask
	Mres      [5]mask
	Intervals [paramLastInterval - paramFirstInterval + 1]interval
	Ires      [9]interval
	Rmask     uint32
	Cmask     uint32
	Info      uint32
	Msbits    uint32
	RateNum   uint32
	RateDen   uint32
	FifoSize  cULong
	Reserved  [64]byte
}

// swParams mirrors struct snd_pcm_sw_params.
type swParams struct {
	TstampMode       int32
	PeriodStep       uint32
	SleepMin         uint32
	AvailMin         cULong
	XferAlign        cULong
	StartThreshold   cULong
	StopThreshold    cULong
	SilenceThreshold cULong
	SilenceSize      cULong
	Boundary         cULong
	Proto            uint32
	TstampType       uint32
	Reserved         [56]byte
}

// timespec mirrors the legacy struct timespec of two C longs, which
// is what time_t is on 64-bit ports and without _TIME_BITS=64 on 32-bit
// ones.
type timespec struct {
	Sec, Nsec cLong
}

// pcmStatus mirrors struct snd_pcm_status (SNDRV_PCM_IOCTL_STATUS) with
// the legacy timespec: 152 bytes on 64-bit ports, where pad1 is the
// implicit 4 bytes before trigger_tstamp, and 108 on 32-bit ones, where
// pad1 is empty. Every kernel serves that request number (the time64
// variant, 128 bytes on 32-bit ports, is a different number that only
// kernels from 5.6 on know).
type pcmStatus struct {
	State               int32
	TriggerTstamp       timespec
	Tstamp              timespec
	ApplPtr             cULong
	HwPtr               cULong
	Delay               cLong
	Avail               cULong
	AvailMax            cULong
	Overrange           cULong
	SuspendedState      int32
	AudioTstampData     uint32
	AudioTstamp         timespec
	DriverTstamp        timespec
	AudioTstampAccuracy uint32
	Reserved            [52 - 2*unsafe.Sizeof(timespec{})]byte
}

// xferi mirrors struct snd_xferi (SNDRV_PCM_IOCTL_READI_FRAMES and
// WRITEI_FRAMES): a C long, a pointer and an unsigned long, so 24 bytes
// on 64-bit ports and 12 on 32-bit ones.
type xferi struct {
	Result cLong
	Buf    unsafe.Pointer
	Frames cULong
}

// ctlCardInfo mirrors struct snd_ctl_card_info
// (SNDRV_CTL_IOCTL_CARD_INFO).
type ctlCardInfo struct {
	Card       int32
	Pad        int32
	ID         [16]byte
	Driver     [16]byte
	Name       [32]byte
	Longname   [80]byte
	Reserved   [16]byte
	Mixername  [80]byte
	Components [128]byte
}

// cString returns the NUL-terminated string at the start of b.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
