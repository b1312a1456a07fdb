//go:build linux

package gpio_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/board/gpio"
	"github.com/p2pcam/p2pcam/board/gpio/gpiotest"
)

// newKernel returns a fake with two chips, as on a Raspberry Pi 4 (the
// second is the firmware's GPIO expander).
func newKernel() (*gpiotest.Kernel, *gpiotest.Chip, *gpiotest.Chip) {
	soc := &gpiotest.Chip{Label: "pinctrl-bcm2711", Lines: 58}
	exp := &gpiotest.Chip{Label: "raspberrypi-exp-gpio", Lines: 8}
	return gpiotest.NewKernel(soc, exp), soc, exp
}

func TestLineLevels(t *testing.T) {
	tests := []struct {
		name      string
		output    bool
		activeLow bool
		// For outputs: the physical level after open, after Set(true).
		// For inputs: the physical level driven, and the Get wanted.
		levelOpen, levelActive bool
		drive, wantGet         bool
	}{
		{name: "output active high", output: true, levelOpen: false, levelActive: true},
		{name: "output active low", output: true, activeLow: true, levelOpen: true, levelActive: false},
		{name: "input high", drive: true, wantGet: true},
		{name: "input low", drive: false, wantGet: false},
		{name: "input active low, driven low", activeLow: true, drive: false, wantGet: true},
		{name: "input active low, driven high", activeLow: true, drive: true, wantGet: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, soc, _ := newKernel()
			soc.Drive(17, tt.drive)
			l, err := gpio.OpenLineWith(k, "gpiochip0", 17, tt.output, tt.activeLow, "p2pcamd")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if got := soc.Consumer(17); got != "p2pcamd" {
				t.Errorf("consumer = %q, want p2pcamd", got)
			}
			if !tt.output {
				if got, err := l.Get(); err != nil || got != tt.wantGet {
					t.Errorf("Get() = %v, %v; want %v", got, err, tt.wantGet)
				}
				if err := l.Set(true); !errors.Is(err, gpio.ErrNotOutput) {
					t.Errorf("Set on an input: %v, want ErrNotOutput", err)
				}
				return
			}
			if got := soc.Level(17); got != tt.levelOpen {
				t.Errorf("level after open = %v, want %v (inactive)", got, tt.levelOpen)
			}
			for _, active := range []bool{true, false, true} {
				if err := l.Set(active); err != nil {
					t.Fatal(err)
				}
				want := tt.levelOpen
				if active {
					want = tt.levelActive
				}
				if got := soc.Level(17); got != want {
					t.Errorf("Set(%v): level %v, want %v", active, got, want)
				}
				if got, err := l.Get(); err != nil || got != active {
					t.Errorf("Get() after Set(%v) = %v, %v", active, got, err)
				}
			}
		})
	}
}

func TestOpenLineChips(t *testing.T) {
	tests := []struct {
		chip    string
		offset  int
		wantErr string // "" for success
		is      error
	}{
		{chip: "/dev/gpiochip0", offset: 4},
		{chip: "gpiochip1", offset: 4},
		{chip: "pinctrl-bcm2711", offset: 57},
		{chip: "raspberrypi-exp-gpio", offset: 7},
		{chip: "pinctrl-rp1", wantErr: `no chip labelled "pinctrl-rp1"; have gpiochip0 "pinctrl-bcm2711", gpiochip1 "raspberrypi-exp-gpio"`, is: gpio.ErrNoChip},
		{chip: "gpiochip7", wantErr: "CONFIG_GPIO_CDEV", is: unix.ENOENT},
		{chip: "", wantErr: "empty chip name", is: gpio.ErrNoChip},
		{chip: "gpiochip1", offset: 8, wantErr: `out of range: gpiochip1 ("raspberrypi-exp-gpio") has 8 lines`},
		{chip: "gpiochip0", offset: -1, wantErr: "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.chip, func(t *testing.T) {
			k, _, _ := newKernel()
			l, err := gpio.OpenLineWith(k, tt.chip, tt.offset, true, false, "t")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			} else if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error = %v, want one matching %v", err, tt.is)
			}
			if n := k.OpenFDs(); n != 0 {
				t.Errorf("%d descriptors left open", n)
			}
		})
	}
}

func TestLineBusyAndClose(t *testing.T) {
	k, soc, _ := newKernel()
	l, err := gpio.OpenLineWith(k, "gpiochip0", 27, true, false, "a consumer name longer than thirty-one bytes")
	if err != nil {
		t.Fatal(err)
	}
	if got := soc.Consumer(27); got != "a consumer name longer than thi" {
		t.Errorf("consumer = %q, want it cut to 31 bytes", got)
	}
	if _, err := gpio.OpenLineWith(k, "gpiochip0", 27, false, false, "other"); !errors.Is(err, unix.EBUSY) ||
		!strings.Contains(err.Error(), "holds it") {
		t.Errorf("second request of a held line: %v, want EBUSY", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if got := soc.Consumer(27); got != "" {
		t.Errorf("line still held by %q after Close", got)
	}
	if err := l.Set(true); !errors.Is(err, gpio.ErrClosed) {
		t.Errorf("Set after Close: %v, want ErrClosed", err)
	}
	if _, err := l.Get(); !errors.Is(err, gpio.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if n := k.OpenFDs(); n != 0 {
		t.Errorf("%d descriptors left open", n)
	}
	again, err := gpio.OpenLineWith(k, "gpiochip0", 27, false, false, "other")
	if err != nil {
		t.Fatalf("request after Close: %v", err)
	}
	again.Close()
}

func TestChips(t *testing.T) {
	k, _, _ := newKernel()
	chips, err := gpio.Chips(k)
	if err != nil {
		t.Fatal(err)
	}
	want := []gpio.ChipInfo{
		{Path: "/dev/gpiochip0", Name: "gpiochip0", Label: "pinctrl-bcm2711", Lines: 58},
		{Path: "/dev/gpiochip1", Name: "gpiochip1", Label: "raspberrypi-exp-gpio", Lines: 8},
	}
	if len(chips) != len(want) {
		t.Fatalf("Chips = %+v, want %+v", chips, want)
	}
	for i := range want {
		if chips[i] != want[i] {
			t.Errorf("chip %d = %+v, want %+v", i, chips[i], want[i])
		}
	}
}
