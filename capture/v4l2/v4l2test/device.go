//go:build linux

package v4l2test

import (
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/capture/v4l2"
)

// Device is a fake V4L2 device. Set its exported fields before the
// first Open; after that, use its methods only.
type Device struct {
	Driver, Card, BusInfo string
	Version               uint32
	// Caps are the node's capabilities, reported as device_caps (with
	// V4L2_CAP_DEVICE_CAPS set in capabilities).
	Caps v4l2.CapFlag
	// Formats lists the formats of every queue.
	Formats []Format
	// Controls lists the controls; keep them sorted by ID, with class
	// headings (type CtrlClass, ID class|1) in front of their class.
	Controls []Control
	// Frames are the payloads served, in turn, for compressed formats;
	// when empty, small fake H.264 access units are made up. Raw
	// formats get generated pictures (see Picture).
	Frames [][]byte
	// MarkKeyframes sets V4L2_BUF_FLAG_KEYFRAME on payloads holding an
	// IDR slice, as M2M encoders do (UVC cameras do not).
	MarkKeyframes bool
	// FrameInterval paces frames when positive; by default a frame is
	// ready whenever a buffer is queued.
	FrameInterval time.Duration
	// DataOffset is the data_offset of multi-planar capture planes.
	DataOffset uint32
	// MinBuffers is the fewest buffers REQBUFS grants; default 2.
	MinBuffers int
	// VanishAfter makes the device disappear once it has served that
	// many frames; 0 means never.
	VanishAfter int
	// NoExtCtrlQuery makes VIDIOC_QUERY_EXT_CTRL unknown (ENOTTY), as
	// on kernels before 3.19.
	NoExtCtrlQuery bool
	// NoExtCtrls makes VIDIOC_G_EXT_CTRLS and VIDIOC_S_EXT_CTRLS
	// unknown, as on drivers without the control framework.
	NoExtCtrls bool
	// PerOpen gives each open file a device of its own, made from this
	// one's exported fields, as M2M drivers give each open file a
	// context: formats, buffers, controls and frames are per open.
	// Contexts returns them; this Device records only "open".
	PerOpen bool

	mu           sync.Mutex
	caller       int // the file of the ioctl being handled
	inited       bool
	gone         bool
	stalled      bool
	calls        []string
	cur          map[uint32]*curFormat
	queues       map[uint32]*fakeQueue
	tpf          [2]uint32
	values       map[uint32]int64
	presses      map[uint32]int
	served       int
	last         time.Time
	drained      bool // ENCODER_CMD stop: the next capture buffer is the last
	lastDequeued bool
	encCmds      []uint32
	contexts     []*Device // with PerOpen: one per open, in order
}

// Format is one pixel format of a fake queue.
type Format struct {
	Type        v4l2.BufType
	PixelFormat v4l2.PixelFormat
	Description string
	Compressed  bool
	// Sizes are the discrete sizes; Stepwise replaces them when set.
	Sizes    []Size
	Stepwise *Stepwise
	// Intervals are the discrete times per frame offered at every size.
	Intervals []v4l2.Fraction
	// Planes is the number of memory planes on multi-planar queues;
	// default 1.
	Planes int
}

// Size is a frame size.
type Size struct{ Width, Height uint32 }

// Stepwise is a range of frame sizes.
type Stepwise struct {
	MinWidth, MaxWidth, StepWidth    uint32
	MinHeight, MaxHeight, StepHeight uint32
}

// Control is a fake control.
type Control struct {
	ID       uint32
	Name     string
	Type     v4l2.CtrlType
	Min, Max int64
	Step     int64
	Default  int64
	Flags    v4l2.CtrlFlag
	// Menu names the items of a menu control by index; an empty name
	// marks a skipped item.
	Menu []string
}

// NewCamera returns a UVC-like camera: a single-planar capture queue
// offering YUYV (640x480 and 320x240 at 30 and 15 fps) and H.264
// (1280x720 and 640x480 at 30 fps), and a few user controls.
func NewCamera() *Device {
	fps30, fps15 := v4l2.Fraction{Num: 1, Den: 30}, v4l2.Fraction{Num: 1, Den: 15}
	return &Device{
		Driver:  "uvcvideo",
		Card:    "Fake UVC Camera",
		BusInfo: "usb-0000:00:14.0-1",
		Version: 6<<16 | 1<<8,
		Caps:    v4l2.CapVideoCapture | v4l2.CapStreaming | v4l2.CapExtPixFormat,
		Formats: []Format{
			{Type: v4l2.VideoCapture, PixelFormat: v4l2.PixFmtYUYV, Description: "YUYV 4:2:2",
				Sizes: []Size{{640, 480}, {320, 240}}, Intervals: []v4l2.Fraction{fps30, fps15}},
			{Type: v4l2.VideoCapture, PixelFormat: v4l2.PixFmtH264, Description: "H.264", Compressed: true,
				Sizes: []Size{{1280, 720}, {640, 480}}, Intervals: []v4l2.Fraction{fps30}},
		},
		Controls: []Control{
			{ID: v4l2.CtrlClassUser | 1, Name: "User Controls", Type: v4l2.CtrlClass, Flags: v4l2.CtrlFlagReadOnly | v4l2.CtrlFlagWriteOnly},
			{ID: v4l2.CIDBrightness, Name: "Brightness", Type: v4l2.CtrlInteger, Min: 0, Max: 255, Step: 1, Default: 128},
			{ID: v4l2.CIDContrast, Name: "Contrast", Type: v4l2.CtrlInteger, Min: -64, Max: 64, Step: 1, Default: 0},
			{ID: v4l2.CIDHFlip, Name: "Horizontal Flip", Type: v4l2.CtrlBoolean, Min: 0, Max: 1, Step: 1},
			{ID: v4l2.CIDPowerLineFrequency, Name: "Power Line Frequency", Type: v4l2.CtrlMenu, Min: 0, Max: 2, Step: 1, Default: 1,
				Menu: []string{"Disabled", "50 Hz", "60 Hz"}},
			{ID: v4l2.CtrlClassUser | 0xf903, Name: "Integer 64 Bits", Type: v4l2.CtrlInteger64,
				Min: -1 << 40, Max: 1 << 40, Step: 1, Default: 1 << 33},
			{ID: v4l2.CtrlClassUser | 0xf904, Name: "Firmware Version", Type: v4l2.CtrlInteger, Min: 0, Max: 1000, Step: 1,
				Default: 42, Flags: v4l2.CtrlFlagReadOnly},
		},
	}
}

// NewEncoder returns a bcm2835-codec-like stateful H.264 encoder: a
// multi-planar M2M device taking YU12 or NV12 on its output queue and
// giving H.264 on its capture queue, with the codec controls.
func NewEncoder() *Device {
	steps := &Stepwise{MinWidth: 32, MaxWidth: 1920, StepWidth: 2, MinHeight: 32, MaxHeight: 1920, StepHeight: 2}
	return &Device{
		Driver:        "bcm2835-codec",
		Card:          "bcm2835-codec-encode",
		BusInfo:       "platform:bcm2835-codec",
		Version:       6<<16 | 1<<8,
		Caps:          v4l2.CapVideoM2MMPlane | v4l2.CapStreaming | v4l2.CapExtPixFormat,
		MarkKeyframes: true,
		Formats: []Format{
			{Type: v4l2.VideoOutputMPlane, PixelFormat: v4l2.PixFmtYUV420, Description: "Planar YUV 4:2:0", Stepwise: steps},
			{Type: v4l2.VideoOutputMPlane, PixelFormat: v4l2.PixFmtNV12, Description: "Y/UV 4:2:0", Stepwise: steps},
			{Type: v4l2.VideoCaptureMPlane, PixelFormat: v4l2.PixFmtH264, Description: "H.264", Compressed: true, Stepwise: steps},
		},
		Controls: []Control{
			{ID: v4l2.CtrlClassCodec | 1, Name: "Codec Controls", Type: v4l2.CtrlClass, Flags: v4l2.CtrlFlagReadOnly | v4l2.CtrlFlagWriteOnly},
			{ID: v4l2.CIDVideoBitrateMode, Name: "Video Bitrate Mode", Type: v4l2.CtrlMenu, Min: 0, Max: 1, Step: 1,
				Menu: []string{"Variable Bitrate", "Constant Bitrate"}},
			{ID: v4l2.CIDVideoBitrate, Name: "Video Bitrate", Type: v4l2.CtrlInteger, Min: 25000, Max: 25000000, Step: 25000, Default: 10000000},
			{ID: v4l2.CIDVideoRepeatSeqHdr, Name: "Repeat Sequence Header", Type: v4l2.CtrlBoolean, Min: 0, Max: 1, Step: 1},
			{ID: v4l2.CIDVideoForceKeyFrame, Name: "Force Key Frame", Type: v4l2.CtrlButton, Flags: v4l2.CtrlFlagWriteOnly},
			{ID: v4l2.CIDVideoH264IPeriod, Name: "H264 I-Frame Period", Type: v4l2.CtrlInteger, Min: 0, Max: 0x7fffffff, Step: 1, Default: 60},
			{ID: v4l2.CIDVideoH264Level, Name: "H264 Level", Type: v4l2.CtrlMenu, Min: 0, Max: 13, Step: 1, Default: 11,
				Menu: []string{"1", "1b", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "3", "3.1", "3.2", "4", "4.1", "4.2"}},
			{ID: v4l2.CIDVideoH264Profile, Name: "H264 Profile", Type: v4l2.CtrlMenu, Min: 0, Max: 4, Step: 1, Default: 4,
				Menu: []string{"Baseline", "Constrained Baseline", "Main", "", "High"}},
		},
	}
}

// Calls returns the requests the device received, in order, by name
// ("QUERYCAP", "S_FMT", ...), and "mmap", "munmap", "open", "close".
func (d *Device) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

// Vanish makes the device disappear, as a USB camera that is pulled
// out: every request fails with ENODEV and poll reports a hang-up.
func (d *Device) Vanish() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.gone = true
	for _, c := range d.contexts {
		c.Vanish()
	}
}

// Stall stops (true) or resumes (false) the delivery of frames.
func (d *Device) Stall(stalled bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stalled = stalled
	if !stalled {
		d.process() // an M2M device takes up what was queued meanwhile
	}
	for _, c := range d.contexts {
		c.Stall(stalled)
	}
}

// Contexts returns the devices made for each open file when PerOpen
// is set, in the order of the opens.
func (d *Device) Contexts() []*Device {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Device(nil), d.contexts...)
}

// newContext returns a device for one open file, with d's exported
// fields. The caller holds d.mu.
func (d *Device) newContext() *Device {
	c := &Device{
		Driver: d.Driver, Card: d.Card, BusInfo: d.BusInfo, Version: d.Version, Caps: d.Caps,
		Formats: d.Formats, Controls: d.Controls, Frames: d.Frames, MarkKeyframes: d.MarkKeyframes,
		FrameInterval: d.FrameInterval, DataOffset: d.DataOffset, MinBuffers: d.MinBuffers,
		VanishAfter: d.VanishAfter, NoExtCtrlQuery: d.NoExtCtrlQuery, NoExtCtrls: d.NoExtCtrls,
		gone: d.gone, stalled: d.stalled,
	}
	d.contexts = append(d.contexts, c)
	return c
}

// Mapped returns how many buffer planes are mapped now.
func (d *Device) Mapped() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, q := range d.queues {
		for _, b := range q.bufs {
			n += b.mapped
		}
	}
	return n
}

// Value returns a control's current value.
func (d *Device) Value(id uint32) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.init()
	return d.values[id]
}

// Presses returns how often a button control was pressed.
func (d *Device) Presses(id uint32) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.presses[id]
}

// EncoderCommands returns the VIDIOC_ENCODER_CMD commands received.
func (d *Device) EncoderCommands() []uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]uint32(nil), d.encCmds...)
}

// init sets the defaults once. The caller holds mu.
func (d *Device) init() {
	if d.inited {
		return
	}
	d.inited = true
	if d.MinBuffers <= 0 {
		d.MinBuffers = 2
	}
	d.cur = make(map[uint32]*curFormat)
	d.queues = make(map[uint32]*fakeQueue)
	d.values = make(map[uint32]int64)
	d.presses = make(map[uint32]int)
	for _, c := range d.Controls {
		d.values[c.ID] = c.Default
	}
}

func (d *Device) record(name string) { d.calls = append(d.calls, name) }
