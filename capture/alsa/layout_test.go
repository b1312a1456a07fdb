//go:build linux

package alsa

import (
	"testing"
	"unsafe"

	"github.com/p2pcam/p2pcam/internal/ioc"
	"github.com/p2pcam/p2pcam/internal/ioctltest"
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

var pinnedSizes = []ioctltest.Pin[uintptr]{
	{Name: "snd_pcm_info", Got: unsafe.Sizeof(pcmInfo{}), Want: [ioctltest.NArch]uintptr{288, 288, 288, 288, 288}},
	{Name: "snd_interval", Got: unsafe.Sizeof(interval{}), Want: [ioctltest.NArch]uintptr{12, 12, 12, 12, 12}},
	{Name: "snd_mask", Got: unsafe.Sizeof(mask{}), Want: [ioctltest.NArch]uintptr{32, 32, 32, 32, 32}},
	{Name: "snd_pcm_hw_params", Got: unsafe.Sizeof(hwParams{}), Want: [ioctltest.NArch]uintptr{608, 608, 604, 604, 604}},
	{Name: "snd_pcm_sw_params", Got: unsafe.Sizeof(swParams{}), Want: [ioctltest.NArch]uintptr{136, 136, 104, 104, 104}},
	{Name: "snd_pcm_status", Got: unsafe.Sizeof(pcmStatus{}), Want: [ioctltest.NArch]uintptr{152, 152, 108, 108, 108}},
	{Name: "snd_xferi", Got: unsafe.Sizeof(xferi{}), Want: [ioctltest.NArch]uintptr{24, 24, 12, 12, 12}},
	{Name: "snd_ctl_card_info", Got: unsafe.Sizeof(ctlCardInfo{}), Want: [ioctltest.NArch]uintptr{376, 376, 376, 376, 376}},
	{Name: "snd_pcm_sframes_t", Got: unsafe.Sizeof(cLong(0)), Want: [ioctltest.NArch]uintptr{8, 8, 4, 4, 4}},
}

var pinnedOffsets = []ioctltest.Pin[uintptr]{
	{Name: "snd_pcm_info.id", Got: unsafe.Offsetof(pcmInfo{}.ID), Want: [ioctltest.NArch]uintptr{16, 16, 16, 16, 16}},
	{Name: "snd_pcm_info.name", Got: unsafe.Offsetof(pcmInfo{}.Name), Want: [ioctltest.NArch]uintptr{80, 80, 80, 80, 80}},
	{Name: "snd_pcm_info.subname", Got: unsafe.Offsetof(pcmInfo{}.Subname), Want: [ioctltest.NArch]uintptr{160, 160, 160, 160, 160}},
	{Name: "snd_pcm_info.dev_class", Got: unsafe.Offsetof(pcmInfo{}.DevClass), Want: [ioctltest.NArch]uintptr{192, 192, 192, 192, 192}},
	{Name: "snd_pcm_info.subdevices_count", Got: unsafe.Offsetof(pcmInfo{}.SubdevicesCount), Want: [ioctltest.NArch]uintptr{200, 200, 200, 200, 200}},
	{Name: "snd_pcm_info.sync", Got: unsafe.Offsetof(pcmInfo{}.Sync), Want: [ioctltest.NArch]uintptr{208, 208, 208, 208, 208}},
	{Name: "snd_pcm_info.reserved", Got: unsafe.Offsetof(pcmInfo{}.Reserved), Want: [ioctltest.NArch]uintptr{224, 224, 224, 224, 224}},
	{Name: "snd_pcm_hw_params.masks", Got: unsafe.Offsetof(hwParams{}.Masks), Want: [ioctltest.NArch]uintptr{4, 4, 4, 4, 4}},
	{Name: "snd_pcm_hw_params.mres", Got: unsafe.Offsetof(hwParams{}.Mres), Want: [ioctltest.NArch]uintptr{100, 100, 100, 100, 100}},
	{Name: "snd_pcm_hw_params.intervals", Got: unsafe.Offsetof(hwParams{}.Intervals), Want: [ioctltest.NArch]uintptr{260, 260, 260, 260, 260}},
	{Name: "snd_pcm_hw_params.ires", Got: unsafe.Offsetof(hwParams{}.Ires), Want: [ioctltest.NArch]uintptr{404, 404, 404, 404, 404}},
	{Name: "snd_pcm_hw_params.rmask", Got: unsafe.Offsetof(hwParams{}.Rmask), Want: [ioctltest.NArch]uintptr{512, 512, 512, 512, 512}},
	{Name: "snd_pcm_hw_params.cmask", Got: unsafe.Offsetof(hwParams{}.Cmask), Want: [ioctltest.NArch]uintptr{516, 516, 516, 516, 516}},
	{Name: "snd_pcm_hw_params.info", Got: unsafe.Offsetof(hwParams{}.Info), Want: [ioctltest.NArch]uintptr{520, 520, 520, 520, 520}},
	{Name: "snd_pcm_hw_params.msbits", Got: unsafe.Offsetof(hwParams{}.Msbits), Want: [ioctltest.NArch]uintptr{524, 524, 524, 524, 524}},
	{Name: "snd_pcm_hw_params.rate_num", Got: unsafe.Offsetof(hwParams{}.RateNum), Want: [ioctltest.NArch]uintptr{528, 528, 528, 528, 528}},
	{Name: "snd_pcm_hw_params.rate_den", Got: unsafe.Offsetof(hwParams{}.RateDen), Want: [ioctltest.NArch]uintptr{532, 532, 532, 532, 532}},
	{Name: "snd_pcm_hw_params.fifo_size", Got: unsafe.Offsetof(hwParams{}.FifoSize), Want: [ioctltest.NArch]uintptr{536, 536, 536, 536, 536}},
	{Name: "snd_pcm_hw_params.reserved", Got: unsafe.Offsetof(hwParams{}.Reserved), Want: [ioctltest.NArch]uintptr{544, 544, 540, 540, 540}},
	{Name: "snd_pcm_sw_params.avail_min", Got: unsafe.Offsetof(swParams{}.AvailMin), Want: [ioctltest.NArch]uintptr{16, 16, 12, 12, 12}},
	{Name: "snd_pcm_sw_params.xfer_align", Got: unsafe.Offsetof(swParams{}.XferAlign), Want: [ioctltest.NArch]uintptr{24, 24, 16, 16, 16}},
	{Name: "snd_pcm_sw_params.start_threshold", Got: unsafe.Offsetof(swParams{}.StartThreshold), Want: [ioctltest.NArch]uintptr{32, 32, 20, 20, 20}},
	{Name: "snd_pcm_sw_params.stop_threshold", Got: unsafe.Offsetof(swParams{}.StopThreshold), Want: [ioctltest.NArch]uintptr{40, 40, 24, 24, 24}},
	{Name: "snd_pcm_sw_params.silence_threshold", Got: unsafe.Offsetof(swParams{}.SilenceThreshold), Want: [ioctltest.NArch]uintptr{48, 48, 28, 28, 28}},
	{Name: "snd_pcm_sw_params.silence_size", Got: unsafe.Offsetof(swParams{}.SilenceSize), Want: [ioctltest.NArch]uintptr{56, 56, 32, 32, 32}},
	{Name: "snd_pcm_sw_params.boundary", Got: unsafe.Offsetof(swParams{}.Boundary), Want: [ioctltest.NArch]uintptr{64, 64, 36, 36, 36}},
	{Name: "snd_pcm_sw_params.proto", Got: unsafe.Offsetof(swParams{}.Proto), Want: [ioctltest.NArch]uintptr{72, 72, 40, 40, 40}},
	{Name: "snd_pcm_sw_params.tstamp_type", Got: unsafe.Offsetof(swParams{}.TstampType), Want: [ioctltest.NArch]uintptr{76, 76, 44, 44, 44}},
	{Name: "snd_pcm_sw_params.reserved", Got: unsafe.Offsetof(swParams{}.Reserved), Want: [ioctltest.NArch]uintptr{80, 80, 48, 48, 48}},
	{Name: "snd_pcm_status.trigger_tstamp", Got: unsafe.Offsetof(pcmStatus{}.TriggerTstamp), Want: [ioctltest.NArch]uintptr{8, 8, 4, 4, 4}},
	{Name: "snd_pcm_status.tstamp", Got: unsafe.Offsetof(pcmStatus{}.Tstamp), Want: [ioctltest.NArch]uintptr{24, 24, 12, 12, 12}},
	{Name: "snd_pcm_status.appl_ptr", Got: unsafe.Offsetof(pcmStatus{}.ApplPtr), Want: [ioctltest.NArch]uintptr{40, 40, 20, 20, 20}},
	{Name: "snd_pcm_status.hw_ptr", Got: unsafe.Offsetof(pcmStatus{}.HwPtr), Want: [ioctltest.NArch]uintptr{48, 48, 24, 24, 24}},
	{Name: "snd_pcm_status.delay", Got: unsafe.Offsetof(pcmStatus{}.Delay), Want: [ioctltest.NArch]uintptr{56, 56, 28, 28, 28}},
	{Name: "snd_pcm_status.avail", Got: unsafe.Offsetof(pcmStatus{}.Avail), Want: [ioctltest.NArch]uintptr{64, 64, 32, 32, 32}},
	{Name: "snd_pcm_status.avail_max", Got: unsafe.Offsetof(pcmStatus{}.AvailMax), Want: [ioctltest.NArch]uintptr{72, 72, 36, 36, 36}},
	{Name: "snd_pcm_status.overrange", Got: unsafe.Offsetof(pcmStatus{}.Overrange), Want: [ioctltest.NArch]uintptr{80, 80, 40, 40, 40}},
	{Name: "snd_pcm_status.suspended_state", Got: unsafe.Offsetof(pcmStatus{}.SuspendedState), Want: [ioctltest.NArch]uintptr{88, 88, 44, 44, 44}},
	{Name: "snd_pcm_status.audio_tstamp_data", Got: unsafe.Offsetof(pcmStatus{}.AudioTstampData), Want: [ioctltest.NArch]uintptr{92, 92, 48, 48, 48}},
	{Name: "snd_pcm_status.audio_tstamp", Got: unsafe.Offsetof(pcmStatus{}.AudioTstamp), Want: [ioctltest.NArch]uintptr{96, 96, 52, 52, 52}},
	{Name: "snd_pcm_status.driver_tstamp", Got: unsafe.Offsetof(pcmStatus{}.DriverTstamp), Want: [ioctltest.NArch]uintptr{112, 112, 60, 60, 60}},
	{Name: "snd_pcm_status.audio_tstamp_accuracy", Got: unsafe.Offsetof(pcmStatus{}.AudioTstampAccuracy), Want: [ioctltest.NArch]uintptr{128, 128, 68, 68, 68}},
	{Name: "snd_pcm_status.reserved", Got: unsafe.Offsetof(pcmStatus{}.Reserved), Want: [ioctltest.NArch]uintptr{132, 132, 72, 72, 72}},
	{Name: "snd_xferi.buf", Got: unsafe.Offsetof(xferi{}.Buf), Want: [ioctltest.NArch]uintptr{8, 8, 4, 4, 4}},
	{Name: "snd_xferi.frames", Got: unsafe.Offsetof(xferi{}.Frames), Want: [ioctltest.NArch]uintptr{16, 16, 8, 8, 8}},
	{Name: "snd_ctl_card_info.id", Got: unsafe.Offsetof(ctlCardInfo{}.ID), Want: [ioctltest.NArch]uintptr{8, 8, 8, 8, 8}},
	{Name: "snd_ctl_card_info.driver", Got: unsafe.Offsetof(ctlCardInfo{}.Driver), Want: [ioctltest.NArch]uintptr{24, 24, 24, 24, 24}},
	{Name: "snd_ctl_card_info.name", Got: unsafe.Offsetof(ctlCardInfo{}.Name), Want: [ioctltest.NArch]uintptr{40, 40, 40, 40, 40}},
	{Name: "snd_ctl_card_info.longname", Got: unsafe.Offsetof(ctlCardInfo{}.Longname), Want: [ioctltest.NArch]uintptr{72, 72, 72, 72, 72}},
	{Name: "snd_ctl_card_info.mixername", Got: unsafe.Offsetof(ctlCardInfo{}.Mixername), Want: [ioctltest.NArch]uintptr{168, 168, 168, 168, 168}},
	{Name: "snd_ctl_card_info.components", Got: unsafe.Offsetof(ctlCardInfo{}.Components), Want: [ioctltest.NArch]uintptr{248, 248, 248, 248, 248}},
}

var pinnedIoctls = []ioctltest.Pin[uint]{
	{Name: "SNDRV_PCM_IOCTL_PVERSION", Got: pcmIoctlPversion, Want: [ioctltest.NArch]uint{0x80044100, 0x80044100, 0x80044100, 0x40044100, 0x80044100}},
	{Name: "SNDRV_PCM_IOCTL_INFO", Got: pcmIoctlInfo, Want: [ioctltest.NArch]uint{0x81204101, 0x81204101, 0x81204101, 0x41204101, 0x81204101}},
	{Name: "SNDRV_PCM_IOCTL_USER_PVERSION", Got: pcmIoctlUserPversion, Want: [ioctltest.NArch]uint{0x40044104, 0x40044104, 0x40044104, 0x80044104, 0x40044104}},
	{Name: "SNDRV_PCM_IOCTL_HW_REFINE", Got: pcmIoctlHwRefine, Want: [ioctltest.NArch]uint{0xc2604110, 0xc2604110, 0xc25c4110, 0xc25c4110, 0xc25c4110}},
	{Name: "SNDRV_PCM_IOCTL_HW_PARAMS", Got: pcmIoctlHwParams, Want: [ioctltest.NArch]uint{0xc2604111, 0xc2604111, 0xc25c4111, 0xc25c4111, 0xc25c4111}},
	{Name: "SNDRV_PCM_IOCTL_HW_FREE", Got: pcmIoctlHwFree, Want: [ioctltest.NArch]uint{0x00004112, 0x00004112, 0x00004112, 0x20004112, 0x00004112}},
	{Name: "SNDRV_PCM_IOCTL_SW_PARAMS", Got: pcmIoctlSwParams, Want: [ioctltest.NArch]uint{0xc0884113, 0xc0884113, 0xc0684113, 0xc0684113, 0xc0684113}},
	{Name: "SNDRV_PCM_IOCTL_STATUS", Got: pcmIoctlStatus, Want: [ioctltest.NArch]uint{0x80984120, 0x80984120, 0x806c4120, 0x406c4120, 0x806c4120}},
	{Name: "SNDRV_PCM_IOCTL_DELAY", Got: pcmIoctlDelay, Want: [ioctltest.NArch]uint{0x80084121, 0x80084121, 0x80044121, 0x40044121, 0x80044121}},
	{Name: "SNDRV_PCM_IOCTL_PREPARE", Got: pcmIoctlPrepare, Want: [ioctltest.NArch]uint{0x00004140, 0x00004140, 0x00004140, 0x20004140, 0x00004140}},
	{Name: "SNDRV_PCM_IOCTL_RESET", Got: pcmIoctlReset, Want: [ioctltest.NArch]uint{0x00004141, 0x00004141, 0x00004141, 0x20004141, 0x00004141}},
	{Name: "SNDRV_PCM_IOCTL_START", Got: pcmIoctlStart, Want: [ioctltest.NArch]uint{0x00004142, 0x00004142, 0x00004142, 0x20004142, 0x00004142}},
	{Name: "SNDRV_PCM_IOCTL_DROP", Got: pcmIoctlDrop, Want: [ioctltest.NArch]uint{0x00004143, 0x00004143, 0x00004143, 0x20004143, 0x00004143}},
	{Name: "SNDRV_PCM_IOCTL_DRAIN", Got: pcmIoctlDrain, Want: [ioctltest.NArch]uint{0x00004144, 0x00004144, 0x00004144, 0x20004144, 0x00004144}},
	{Name: "SNDRV_PCM_IOCTL_RESUME", Got: pcmIoctlResume, Want: [ioctltest.NArch]uint{0x00004147, 0x00004147, 0x00004147, 0x20004147, 0x00004147}},
	{Name: "SNDRV_PCM_IOCTL_WRITEI_FRAMES", Got: pcmIoctlWriteiFrames, Want: [ioctltest.NArch]uint{0x40184150, 0x40184150, 0x400c4150, 0x800c4150, 0x400c4150}},
	{Name: "SNDRV_PCM_IOCTL_READI_FRAMES", Got: pcmIoctlReadiFrames, Want: [ioctltest.NArch]uint{0x80184151, 0x80184151, 0x800c4151, 0x400c4151, 0x800c4151}},
	{Name: "SNDRV_CTL_IOCTL_PVERSION", Got: ctlIoctlPversion, Want: [ioctltest.NArch]uint{0x80045500, 0x80045500, 0x80045500, 0x40045500, 0x80045500}},
	{Name: "SNDRV_CTL_IOCTL_CARD_INFO", Got: ctlIoctlCardInfo, Want: [ioctltest.NArch]uint{0x81785501, 0x81785501, 0x81785501, 0x41785501, 0x81785501}},
	{Name: "SNDRV_CTL_IOCTL_PCM_NEXT_DEVICE", Got: ctlIoctlPCMNextDevice, Want: [ioctltest.NArch]uint{0x80045530, 0x80045530, 0x80045530, 0x40045530, 0x80045530}},
	{Name: "SNDRV_CTL_IOCTL_PCM_INFO", Got: ctlIoctlPCMInfo, Want: [ioctltest.NArch]uint{0xc1205531, 0xc1205531, 0xc1205531, 0xc1205531, 0xc1205531}},
}

func TestLayoutSizes(t *testing.T) {
	ioctltest.Check(t, pinnedSizes, "sizeof(%s) = %d on %s, kernel has %d")
}

func TestLayoutOffsets(t *testing.T) {
	ioctltest.Check(t, pinnedOffsets, "offsetof(%s) = %d on %s, kernel has %d")
}

func TestIoctlNumbers(t *testing.T) {
	ioctltest.Check(t, pinnedIoctls, "%s = 0x%08x on %s, kernel has 0x%08x")
	ioctltest.CheckNames(t, pinnedIoctls, ioctlNames)
}

// TestLayoutConsistent checks, on every GOARCH, what follows from the C
// rules alone: the long and pointer members are where pointer size and
// alignment put them, and every request encodes its struct's size and
// type.
func TestLayoutConsistent(t *testing.T) {
	ptr := unsafe.Sizeof(uintptr(0))
	align := ioctltest.Align
	ioctltest.CheckRules(t, []ioctltest.Rule{
		{Name: "sizeof hwParams", Got: unsafe.Sizeof(hwParams{}), Want: align(536, ptr) + ptr + 64},
		{Name: "swParams.avail_min", Got: unsafe.Offsetof(swParams{}.AvailMin), Want: align(12, ptr)},
		{Name: "sizeof swParams", Got: unsafe.Sizeof(swParams{}), Want: align(12, ptr) + 7*ptr + 8 + 56},
		{Name: "pcmStatus.trigger_tstamp", Got: unsafe.Offsetof(pcmStatus{}.TriggerTstamp), Want: ptr},
		{Name: "pcmStatus.appl_ptr", Got: unsafe.Offsetof(pcmStatus{}.ApplPtr), Want: 5 * ptr},
		{Name: "pcmStatus.suspended_state", Got: unsafe.Offsetof(pcmStatus{}.SuspendedState), Want: 11 * ptr},
		{Name: "sizeof pcmStatus", Got: unsafe.Sizeof(pcmStatus{}), Want: 11*ptr + 64},
		{Name: "sizeof xferi", Got: unsafe.Sizeof(xferi{}), Want: 3 * ptr},
		{Name: "sizeof pcmInfo", Got: unsafe.Sizeof(pcmInfo{}), Want: 288},
		{Name: "sizeof ctlCardInfo", Got: unsafe.Sizeof(ctlCardInfo{}), Want: 376},
	})
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
