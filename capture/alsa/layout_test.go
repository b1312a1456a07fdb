//go:build linux

package alsa

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
)

// The tables below pin the sizes and offsets of the struct mirrors and
// the ioctl request numbers, per GOARCH, to what the C compiler makes of
// sound/asound.h (Linux 6.1 uAPI, Debian 12). Ground truth came from
// testdata/layout.c, built by testdata/gen-layout.sh with gcc for amd64
// and with Debian's cross compilers (aarch64-linux-gnu,
// arm-linux-gnueabihf, mipsel-linux-gnu, i686-linux-gnu) for the others,
// statically linked and run under qemu-user; its output is kept in
// testdata/layout.txt.
//
// snd_pcm_hw_params is 608 bytes on 64-bit ports and 604 on 32-bit ones
// (its fifo_size is an unsigned long). The 32-bit columns are the
// legacy 32-bit time_t layout (the C library's default there):
// snd_pcm_status is 108 bytes, so STATUS is 0x806c4120. A 64-bit time_t
// build would use 128 bytes and 0x80804120 instead (also in layout.txt).
// MIPS encodes the direction in 3 bits with other values: _IO sets bit
// 29, _IOR is 0x4..., _IOW 0x8..., which is why its numbers differ.

// pinnedArchs are the columns of the tables.
var pinnedArchs = [...]string{"amd64", "arm64", "arm", "mipsle", "386"}

const nArch = len(pinnedArchs)

type pinnedSize struct {
	name string
	got  uintptr
	want [nArch]uintptr
}

type pinnedIoctl struct {
	name string
	got  uint
	want [nArch]uint
}

var pinnedSizes = []pinnedSize{
	{"snd_pcm_info", unsafe.Sizeof(pcmInfo{}), [nArch]uintptr{288, 288, 288, 288, 288}},
	{"snd_interval", unsafe.Sizeof(interval{}), [nArch]uintptr{12, 12, 12, 12, 12}},
	{"snd_mask", unsafe.Sizeof(mask{}), [nArch]uintptr{32, 32, 32, 32, 32}},
	{"snd_pcm_hw_params", unsafe.Sizeof(hwParams{}), [nArch]uintptr{608, 608, 604, 604, 604}},
	{"snd_pcm_sw_params", unsafe.Sizeof(swParams{}), [nArch]uintptr{136, 136, 104, 104, 104}},
	{"snd_pcm_status", unsafe.Sizeof(pcmStatus{}), [nArch]uintptr{152, 152, 108, 108, 108}},
	{"snd_xferi", unsafe.Sizeof(xferi{}), [nArch]uintptr{24, 24, 12, 12, 12}},
	{"snd_ctl_card_info", unsafe.Sizeof(ctlCardInfo{}), [nArch]uintptr{376, 376, 376, 376, 376}},
	{"snd_pcm_sframes_t", unsafe.Sizeof(cLong(0)), [nArch]uintptr{8, 8, 4, 4, 4}},
}

var pinnedOffsets = []pinnedSize{
	{"snd_pcm_info.id", unsafe.Offsetof(pcmInfo{}.ID), [nArch]uintptr{16, 16, 16, 16, 16}},
	{"snd_pcm_info.name", unsafe.Offsetof(pcmInfo{}.Name), [nArch]uintptr{80, 80, 80, 80, 80}},
	{"snd_pcm_info.subname", unsafe.Offsetof(pcmInfo{}.Subname), [nArch]uintptr{160, 160, 160, 160, 160}},
	{"snd_pcm_info.dev_class", unsafe.Offsetof(pcmInfo{}.DevClass), [nArch]uintptr{192, 192, 192, 192, 192}},
	{"snd_pcm_info.subdevices_count", unsafe.Offsetof(pcmInfo{}.SubdevicesCount), [nArch]uintptr{200, 200, 200, 200, 200}},
	{"snd_pcm_info.sync", unsafe.Offsetof(pcmInfo{}.Sync), [nArch]uintptr{208, 208, 208, 208, 208}},
	{"snd_pcm_info.reserved", unsafe.Offsetof(pcmInfo{}.Reserved), [nArch]uintptr{224, 224, 224, 224, 224}},
	{"snd_pcm_hw_params.masks", unsafe.Offsetof(hwParams{}.Masks), [nArch]uintptr{4, 4, 4, 4, 4}},
	{"snd_pcm_hw_params.mres", unsafe.Offsetof(hwParams{}.Mres), [nArch]uintptr{100, 100, 100, 100, 100}},
	{"snd_pcm_hw_params.intervals", unsafe.Offsetof(hwParams{}.Intervals), [nArch]uintptr{260, 260, 260, 260, 260}},
	{"snd_pcm_hw_params.ires", unsafe.Offsetof(hwParams{}.Ires), [nArch]uintptr{404, 404, 404, 404, 404}},
	{"snd_pcm_hw_params.rmask", unsafe.Offsetof(hwParams{}.Rmask), [nArch]uintptr{512, 512, 512, 512, 512}},
	{"snd_pcm_hw_params.cmask", unsafe.Offsetof(hwParams{}.Cmask), [nArch]uintptr{516, 516, 516, 516, 516}},
	{"snd_pcm_hw_params.info", unsafe.Offsetof(hwParams{}.Info), [nArch]uintptr{520, 520, 520, 520, 520}},
	{"snd_pcm_hw_params.msbits", unsafe.Offsetof(hwParams{}.Msbits), [nArch]uintptr{524, 524, 524, 524, 524}},
	{"snd_pcm_hw_params.rate_num", unsafe.Offsetof(hwParams{}.RateNum), [nArch]uintptr{528, 528, 528, 528, 528}},
	{"snd_pcm_hw_params.rate_den", unsafe.Offsetof(hwParams{}.RateDen), [nArch]uintptr{532, 532, 532, 532, 532}},
	{"snd_pcm_hw_params.fifo_size", unsafe.Offsetof(hwParams{}.FifoSize), [nArch]uintptr{536, 536, 536, 536, 536}},
	{"snd_pcm_hw_params.reserved", unsafe.Offsetof(hwParams{}.Reserved), [nArch]uintptr{544, 544, 540, 540, 540}},
	{"snd_pcm_sw_params.avail_min", unsafe.Offsetof(swParams{}.AvailMin), [nArch]uintptr{16, 16, 12, 12, 12}},
	{"snd_pcm_sw_params.xfer_align", unsafe.Offsetof(swParams{}.XferAlign), [nArch]uintptr{24, 24, 16, 16, 16}},
	{"snd_pcm_sw_params.start_threshold", unsafe.Offsetof(swParams{}.StartThreshold), [nArch]uintptr{32, 32, 20, 20, 20}},
	{"snd_pcm_sw_params.stop_threshold", unsafe.Offsetof(swParams{}.StopThreshold), [nArch]uintptr{40, 40, 24, 24, 24}},
	{"snd_pcm_sw_params.silence_threshold", unsafe.Offsetof(swParams{}.SilenceThreshold), [nArch]uintptr{48, 48, 28, 28, 28}},
	{"snd_pcm_sw_params.silence_size", unsafe.Offsetof(swParams{}.SilenceSize), [nArch]uintptr{56, 56, 32, 32, 32}},
	{"snd_pcm_sw_params.boundary", unsafe.Offsetof(swParams{}.Boundary), [nArch]uintptr{64, 64, 36, 36, 36}},
	{"snd_pcm_sw_params.proto", unsafe.Offsetof(swParams{}.Proto), [nArch]uintptr{72, 72, 40, 40, 40}},
	{"snd_pcm_sw_params.tstamp_type", unsafe.Offsetof(swParams{}.TstampType), [nArch]uintptr{76, 76, 44, 44, 44}},
	{"snd_pcm_sw_params.reserved", unsafe.Offsetof(swParams{}.Reserved), [nArch]uintptr{80, 80, 48, 48, 48}},
	{"snd_pcm_status.trigger_tstamp", unsafe.Offsetof(pcmStatus{}.TriggerTstamp), [nArch]uintptr{8, 8, 4, 4, 4}},
	{"snd_pcm_status.tstamp", unsafe.Offsetof(pcmStatus{}.Tstamp), [nArch]uintptr{24, 24, 12, 12, 12}},
	{"snd_pcm_status.appl_ptr", unsafe.Offsetof(pcmStatus{}.ApplPtr), [nArch]uintptr{40, 40, 20, 20, 20}},
	{"snd_pcm_status.hw_ptr", unsafe.Offsetof(pcmStatus{}.HwPtr), [nArch]uintptr{48, 48, 24, 24, 24}},
	{"snd_pcm_status.delay", unsafe.Offsetof(pcmStatus{}.Delay), [nArch]uintptr{56, 56, 28, 28, 28}},
	{"snd_pcm_status.avail", unsafe.Offsetof(pcmStatus{}.Avail), [nArch]uintptr{64, 64, 32, 32, 32}},
	{"snd_pcm_status.avail_max", unsafe.Offsetof(pcmStatus{}.AvailMax), [nArch]uintptr{72, 72, 36, 36, 36}},
	{"snd_pcm_status.overrange", unsafe.Offsetof(pcmStatus{}.Overrange), [nArch]uintptr{80, 80, 40, 40, 40}},
	{"snd_pcm_status.suspended_state", unsafe.Offsetof(pcmStatus{}.SuspendedState), [nArch]uintptr{88, 88, 44, 44, 44}},
	{"snd_pcm_status.audio_tstamp_data", unsafe.Offsetof(pcmStatus{}.AudioTstampData), [nArch]uintptr{92, 92, 48, 48, 48}},
	{"snd_pcm_status.audio_tstamp", unsafe.Offsetof(pcmStatus{}.AudioTstamp), [nArch]uintptr{96, 96, 52, 52, 52}},
	{"snd_pcm_status.driver_tstamp", unsafe.Offsetof(pcmStatus{}.DriverTstamp), [nArch]uintptr{112, 112, 60, 60, 60}},
	{"snd_pcm_status.audio_tstamp_accuracy", unsafe.Offsetof(pcmStatus{}.AudioTstampAccuracy), [nArch]uintptr{128, 128, 68, 68, 68}},
	{"snd_pcm_status.reserved", unsafe.Offsetof(pcmStatus{}.Reserved), [nArch]uintptr{132, 132, 72, 72, 72}},
	{"snd_xferi.buf", unsafe.Offsetof(xferi{}.Buf), [nArch]uintptr{8, 8, 4, 4, 4}},
	{"snd_xferi.frames", unsafe.Offsetof(xferi{}.Frames), [nArch]uintptr{16, 16, 8, 8, 8}},
	{"snd_ctl_card_info.id", unsafe.Offsetof(ctlCardInfo{}.ID), [nArch]uintptr{8, 8, 8, 8, 8}},
	{"snd_ctl_card_info.driver", unsafe.Offsetof(ctlCardInfo{}.Driver), [nArch]uintptr{24, 24, 24, 24, 24}},
	{"snd_ctl_card_info.name", unsafe.Offsetof(ctlCardInfo{}.Name), [nArch]uintptr{40, 40, 40, 40, 40}},
	{"snd_ctl_card_info.longname", unsafe.Offsetof(ctlCardInfo{}.Longname), [nArch]uintptr{72, 72, 72, 72, 72}},
	{"snd_ctl_card_info.mixername", unsafe.Offsetof(ctlCardInfo{}.Mixername), [nArch]uintptr{168, 168, 168, 168, 168}},
	{"snd_ctl_card_info.components", unsafe.Offsetof(ctlCardInfo{}.Components), [nArch]uintptr{248, 248, 248, 248, 248}},
}

var pinnedIoctls = []pinnedIoctl{
	{"SNDRV_PCM_IOCTL_PVERSION", pcmIoctlPversion, [nArch]uint{0x80044100, 0x80044100, 0x80044100, 0x40044100, 0x80044100}},
	{"SNDRV_PCM_IOCTL_INFO", pcmIoctlInfo, [nArch]uint{0x81204101, 0x81204101, 0x81204101, 0x41204101, 0x81204101}},
	{"SNDRV_PCM_IOCTL_USER_PVERSION", pcmIoctlUserPversion, [nArch]uint{0x40044104, 0x40044104, 0x40044104, 0x80044104, 0x40044104}},
	{"SNDRV_PCM_IOCTL_HW_REFINE", pcmIoctlHwRefine, [nArch]uint{0xc2604110, 0xc2604110, 0xc25c4110, 0xc25c4110, 0xc25c4110}},
	{"SNDRV_PCM_IOCTL_HW_PARAMS", pcmIoctlHwParams, [nArch]uint{0xc2604111, 0xc2604111, 0xc25c4111, 0xc25c4111, 0xc25c4111}},
	{"SNDRV_PCM_IOCTL_HW_FREE", pcmIoctlHwFree, [nArch]uint{0x00004112, 0x00004112, 0x00004112, 0x20004112, 0x00004112}},
	{"SNDRV_PCM_IOCTL_SW_PARAMS", pcmIoctlSwParams, [nArch]uint{0xc0884113, 0xc0884113, 0xc0684113, 0xc0684113, 0xc0684113}},
	{"SNDRV_PCM_IOCTL_STATUS", pcmIoctlStatus, [nArch]uint{0x80984120, 0x80984120, 0x806c4120, 0x406c4120, 0x806c4120}},
	{"SNDRV_PCM_IOCTL_DELAY", pcmIoctlDelay, [nArch]uint{0x80084121, 0x80084121, 0x80044121, 0x40044121, 0x80044121}},
	{"SNDRV_PCM_IOCTL_PREPARE", pcmIoctlPrepare, [nArch]uint{0x00004140, 0x00004140, 0x00004140, 0x20004140, 0x00004140}},
	{"SNDRV_PCM_IOCTL_RESET", pcmIoctlReset, [nArch]uint{0x00004141, 0x00004141, 0x00004141, 0x20004141, 0x00004141}},
	{"SNDRV_PCM_IOCTL_START", pcmIoctlStart, [nArch]uint{0x00004142, 0x00004142, 0x00004142, 0x20004142, 0x00004142}},
	{"SNDRV_PCM_IOCTL_DROP", pcmIoctlDrop, [nArch]uint{0x00004143, 0x00004143, 0x00004143, 0x20004143, 0x00004143}},
	{"SNDRV_PCM_IOCTL_DRAIN", pcmIoctlDrain, [nArch]uint{0x00004144, 0x00004144, 0x00004144, 0x20004144, 0x00004144}},
	{"SNDRV_PCM_IOCTL_RESUME", pcmIoctlResume, [nArch]uint{0x00004147, 0x00004147, 0x00004147, 0x20004147, 0x00004147}},
	{"SNDRV_PCM_IOCTL_WRITEI_FRAMES", pcmIoctlWriteiFrames, [nArch]uint{0x40184150, 0x40184150, 0x400c4150, 0x800c4150, 0x400c4150}},
	{"SNDRV_PCM_IOCTL_READI_FRAMES", pcmIoctlReadiFrames, [nArch]uint{0x80184151, 0x80184151, 0x800c4151, 0x400c4151, 0x800c4151}},
	{"SNDRV_CTL_IOCTL_PVERSION", ctlIoctlPversion, [nArch]uint{0x80045500, 0x80045500, 0x80045500, 0x40045500, 0x80045500}},
	{"SNDRV_CTL_IOCTL_CARD_INFO", ctlIoctlCardInfo, [nArch]uint{0x81785501, 0x81785501, 0x81785501, 0x41785501, 0x81785501}},
	{"SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE", ctlIoctlPCMNextDevice, [nArch]uint{0x80045530, 0x80045530, 0x80045530, 0x40045530, 0x80045530}},
	{"SNDRV_CTL_IOCTL_PCM_INFO", ctlIoctlPCMInfo, [nArch]uint{0xc1205531, 0xc1205531, 0xc1205531, 0xc1205531, 0xc1205531}},
}

// archColumn returns the table column of the running GOARCH.
func archColumn(t *testing.T) int {
	t.Helper()
	for i, a := range pinnedArchs {
		if a == runtime.GOARCH {
			return i
		}
	}
	t.Skipf("no pinned layout for GOARCH=%s; TestLayoutConsistent still applies", runtime.GOARCH)
	return -1
}

func TestLayoutSizes(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedSizes {
		if tc.got != tc.want[col] {
			t.Errorf("sizeof(%s) = %d on %s, kernel has %d", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
	}
}

func TestLayoutOffsets(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedOffsets {
		if tc.got != tc.want[col] {
			t.Errorf("offsetof(%s) = %d on %s, kernel has %d", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
	}
}

func TestIoctlNumbers(t *testing.T) {
	col := archColumn(t)
	for _, tc := range pinnedIoctls {
		if tc.got != tc.want[col] {
			t.Errorf("%s = 0x%08x on %s, kernel has 0x%08x", tc.name, tc.got, runtime.GOARCH, tc.want[col])
		}
		if ioctlNames[tc.got] != tc.name {
			t.Errorf("%s is named %q", tc.name, ioctlNames[tc.got])
		}
	}
	if len(ioctlNames) != len(pinnedIoctls) {
		t.Errorf("%d requests are named but %d pinned", len(ioctlNames), len(pinnedIoctls))
	}
}

// TestLayoutConsistent checks, on every GOARCH, what follows from the C
// rules alone: the long and pointer members are where pointer size and
// alignment put them, and every request encodes its struct's size and
// type.
func TestLayoutConsistent(t *testing.T) {
	ptr := unsafe.Sizeof(uintptr(0))
	align := func(n, a uintptr) uintptr { return (n + a - 1) &^ (a - 1) }
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"sizeof hwParams", unsafe.Sizeof(hwParams{}), align(536, ptr) + ptr + 64},
		{"swParams.avail_min", unsafe.Offsetof(swParams{}.AvailMin), align(12, ptr)},
		{"sizeof swParams", unsafe.Sizeof(swParams{}), align(12, ptr) + 7*ptr + 8 + 56},
		{"pcmStatus.trigger_tstamp", unsafe.Offsetof(pcmStatus{}.TriggerTstamp), ptr},
		{"pcmStatus.appl_ptr", unsafe.Offsetof(pcmStatus{}.ApplPtr), 5 * ptr},
		{"pcmStatus.suspended_state", unsafe.Offsetof(pcmStatus{}.SuspendedState), 11 * ptr},
		{"sizeof pcmStatus", unsafe.Sizeof(pcmStatus{}), 11*ptr + 64},
		{"sizeof xferi", unsafe.Sizeof(xferi{}), 3 * ptr},
		{"sizeof pcmInfo", unsafe.Sizeof(pcmInfo{}), 288},
		{"sizeof ctlCardInfo", unsafe.Sizeof(ctlCardInfo{}), 376},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	sizes := map[uint]uintptr{
		pcmIoctlInfo: unsafe.Sizeof(pcmInfo{}), pcmIoctlHwRefine: unsafe.Sizeof(hwParams{}),
		pcmIoctlSwParams: unsafe.Sizeof(swParams{}), pcmIoctlStatus: unsafe.Sizeof(pcmStatus{}),
		pcmIoctlReadiFrames: unsafe.Sizeof(xferi{}), pcmIoctlDelay: ptr, pcmIoctlPrepare: 0,
		ctlIoctlCardInfo: unsafe.Sizeof(ctlCardInfo{}), ctlIoctlPCMInfo: unsafe.Sizeof(pcmInfo{}),
	}
	for req, size := range sizes {
		if got := ioc.Size(req); got != size {
			t.Errorf("%s encodes size %d, want %d", ioctlNames[req], got, size)
		}
	}
	for req, name := range ioctlNames {
		typ := byte(req >> 8) // the _IOC type field
		if want := name[len("SNDRV_")]; (want == 'P' && typ != 'A') || (want == 'C' && typ != 'U') {
			t.Errorf("%s has type %q", name, typ)
		}
	}
}
