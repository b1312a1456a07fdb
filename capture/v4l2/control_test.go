//go:build linux

package v4l2_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/capture/v4l2/v4l2test"
)

// summary prints a control as the tests compare it.
func summary(c v4l2.ControlInfo) string {
	s := fmt.Sprintf("%s %v [%d..%d/%d] def=%d", c.Name, c.Type, c.Min, c.Max, c.Step, c.Default)
	if c.HasValue {
		s += fmt.Sprintf(" val=%d", c.Value)
	}
	for _, m := range c.Menu {
		s += fmt.Sprintf(" %d:%s", m.Index, m.Name)
	}
	return s
}

func TestControlsList(t *testing.T) {
	camera := []string{
		"User Controls class [0..0/0] def=0",
		"Brightness int [0..255/1] def=128 val=128",
		"Contrast int [-64..64/1] def=0 val=0",
		"Horizontal Flip bool [0..1/1] def=0 val=0",
		"Power Line Frequency menu [0..2/1] def=1 val=1 0:Disabled 1:50 Hz 2:60 Hz",
		"Integer 64 Bits int64 [-1099511627776..1099511627776/1] def=8589934592 val=8589934592",
		"Firmware Version int [0..1000/1] def=42 val=42",
	}
	// QUERYCTRL has 32-bit limits: the 64-bit control is truncated.
	legacy := slices.Clone(camera)
	legacy[5] = "Integer 64 Bits int64 [0..0/1] def=0 val=8589934592"
	// Without extended controls, values come from G_CTRL, which has
	// none for 64-bit controls.
	noExt := slices.Clone(camera)
	noExt[5] = "Integer 64 Bits int64 [-1099511627776..1099511627776/1] def=8589934592"
	tests := []struct {
		name  string
		dev   func() *v4l2test.Device
		want  []string
		query string // the request used to enumerate
	}{
		{"camera without extended controls", func() *v4l2test.Device {
			d := v4l2test.NewCamera()
			d.NoExtCtrls = true
			return d
		}, noExt, "G_CTRL"},
		{"camera", v4l2test.NewCamera, camera, "QUERY_EXT_CTRL"},
		{"camera before 3.19", func() *v4l2test.Device {
			d := v4l2test.NewCamera()
			d.NoExtCtrlQuery = true
			return d
		}, legacy, "QUERYCTRL"},
		{"encoder", v4l2test.NewEncoder, []string{
			"Codec Controls class [0..0/0] def=0",
			"Video Bitrate Mode menu [0..1/1] def=0 val=0 0:Variable Bitrate 1:Constant Bitrate",
			"Video Bitrate int [25000..25000000/25000] def=10000000 val=10000000",
			"Repeat Sequence Header bool [0..1/1] def=0 val=0",
			"Force Key Frame button [0..0/0] def=0",
			"H264 I-Frame Period int [0..2147483647/1] def=60 val=60",
			"H264 Level menu [0..13/1] def=11 val=11 0:1 1:1b 2:1.1 3:1.2 4:1.3 5:2 6:2.1 7:2.2 8:3 9:3.1 10:3.2 11:4 12:4.1 13:4.2",
			"H264 Profile menu [0..4/1] def=4 val=4 0:Baseline 1:Constrained Baseline 2:Main 4:High",
		}, "QUERY_EXT_CTRL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := tc.dev()
			cs, err := open(t, fake).Controls()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, summary(c))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("controls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if !slices.Contains(fake.Calls(), tc.query) {
				t.Errorf("enumerated without %s", tc.query)
			}
		})
	}
}

func TestSetControl(t *testing.T) {
	tests := []struct {
		name    string
		id      uint32
		value   int32
		want    int32
		wantErr error
	}{
		{"in range", v4l2.CIDBrightness, 200, 200, nil},
		{"clamped", v4l2.CIDBrightness, 300, 255, nil},
		{"negative", v4l2.CIDContrast, -20, -20, nil},
		{"bool", v4l2.CIDHFlip, 7, 1, nil},
		{"menu", v4l2.CIDPowerLineFrequency, 2, 2, nil},
		{"menu out of range", v4l2.CIDPowerLineFrequency, 3, 1, unix.ERANGE},
		{"read-only", v4l2.CtrlClassUser | 0xf904, 1, 42, unix.EACCES},
		{"unknown", v4l2.CIDVideoBitrate, 1, 0, unix.EINVAL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, v4l2test.NewCamera())
			err := d.SetControl(tc.id, tc.value)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("set: %v, want %v", err, tc.wantErr)
			}
			got, err := d.GetControl(tc.id)
			if tc.wantErr == unix.EINVAL {
				if err == nil {
					t.Fatal("get of an unknown control succeeded")
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("get = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestExtControls(t *testing.T) {
	id64 := v4l2.CtrlClassUser | 0xf903
	tests := []struct {
		name    string
		set     []v4l2.ControlValue
		want    []int64 // read back, same IDs
		wantErr error
	}{
		{"64-bit", []v4l2.ControlValue{{ID: id64, Value: -5 << 35}}, []int64{-5 << 35}, nil},
		{"mixed", []v4l2.ControlValue{{ID: v4l2.CIDBrightness, Value: 10}, {ID: id64, Value: 1 << 40}, {ID: v4l2.CIDContrast, Value: -3}},
			[]int64{10, 1 << 40, -3}, nil},
		{"all or nothing", []v4l2.ControlValue{{ID: v4l2.CIDBrightness, Value: 10}, {ID: v4l2.CIDPowerLineFrequency, Value: 9}},
			[]int64{128, 1}, unix.ERANGE},
		{"unknown", []v4l2.ControlValue{{ID: v4l2.CIDVideoBitrate, Value: 1}}, nil, unix.EINVAL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t, v4l2test.NewCamera())
			err := d.SetControls(tc.set...)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("set: %v, want %v", err, tc.wantErr)
			}
			if tc.want == nil {
				return
			}
			var ids []uint32
			for _, c := range tc.set {
				ids = append(ids, c.ID)
			}
			got, err := d.GetControls(ids...)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("get = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestSetControlsFallback(t *testing.T) {
	cam := v4l2test.NewCamera()
	cam.NoExtCtrls = true
	d := open(t, cam)
	err := d.SetControls(v4l2.ControlValue{ID: v4l2.CIDBrightness, Value: 99}, v4l2.ControlValue{ID: v4l2.CIDContrast, Value: -9})
	if err != nil {
		t.Fatal(err)
	}
	if cam.Value(v4l2.CIDBrightness) != 99 || cam.Value(v4l2.CIDContrast) != -9 {
		t.Errorf("values %d %d", cam.Value(v4l2.CIDBrightness), cam.Value(v4l2.CIDContrast))
	}
	calls := cam.Calls()
	if count(calls, "S_EXT_CTRLS") != 1 || count(calls, "S_CTRL") != 2 {
		t.Errorf("calls %q", calls)
	}
	err = d.SetControls(v4l2.ControlValue{ID: v4l2.CIDPowerLineFrequency, Value: 7})
	if !errors.Is(err, unix.ERANGE) || !strings.Contains(err.Error(), "0x00980918") {
		t.Errorf("bad value: %v", err)
	}
}

func TestH264Encoder(t *testing.T) {
	tests := []struct {
		name    string
		cfg     v4l2.H264Encoder
		want    map[uint32]int64
		wantErr string
	}{
		{"all", v4l2.H264Encoder{Bitrate: 2_000_000, IPeriod: 30, Profile: "high", Level: "4.0", RepeatSeqHeader: true},
			map[uint32]int64{v4l2.CIDVideoBitrate: 2_000_000, v4l2.CIDVideoH264IPeriod: 30, v4l2.CIDVideoH264Profile: 4,
				v4l2.CIDVideoH264Level: 11, v4l2.CIDVideoRepeatSeqHdr: 1}, ""},
		{"rounded bitrate", v4l2.H264Encoder{Bitrate: 1_010_000},
			map[uint32]int64{v4l2.CIDVideoBitrate: 1_000_000, v4l2.CIDVideoH264IPeriod: 60}, ""},
		{"nothing", v4l2.H264Encoder{}, map[uint32]int64{v4l2.CIDVideoBitrate: 10_000_000}, ""},
		{"bad profile", v4l2.H264Encoder{Profile: "extreme"}, nil, "unknown H.264 profile"},
		{"bad level", v4l2.H264Encoder{Level: "7"}, nil, "unknown H.264 level"},
		{"profile the driver lacks", v4l2.H264Encoder{Profile: "constrained-high"}, nil, "out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			enc := v4l2test.NewEncoder()
			d := open(t, enc)
			cs, err := tc.cfg.Controls()
			if err == nil {
				err = d.SetControls(cs...)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, v := range tc.want {
				if got := enc.Value(id); got != v {
					t.Errorf("control 0x%08x = %d, want %d", id, got, v)
				}
			}
		})
	}
}

func TestForceKeyFrame(t *testing.T) {
	enc := v4l2test.NewEncoder()
	d := open(t, enc)
	for range 2 {
		if err := d.ForceKeyFrame(); err != nil {
			t.Fatal(err)
		}
	}
	if n := enc.Presses(v4l2.CIDVideoForceKeyFrame); n != 2 {
		t.Errorf("pressed %d times", n)
	}
	if err := open(t, v4l2test.NewCamera()).ForceKeyFrame(); !errors.Is(err, unix.EINVAL) {
		t.Errorf("camera without the control: %v", err)
	}
}
