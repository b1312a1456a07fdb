package ioc

import "testing"

func TestDecode(t *testing.T) {
	tests := []struct {
		name string
		req  uint
		want Request
	}{
		{"IO", IO('A', 0x40), Request{Type: 'A', Nr: 0x40, None: true}},
		{"IOR", IOR('V', 0, 104), Request{Type: 'V', Nr: 0, Size: 104, Read: true}},
		{"IOW", IOW('V', 18, 4), Request{Type: 'V', Nr: 18, Size: 4, Write: true}},
		{"IOWR", IOWR(0xB4, 0x07, 592), Request{Type: 0xB4, Nr: 0x07, Size: 592, Read: true, Write: true}},
		{"largest size", IOR('U', 0xff, MaxSize), Request{Type: 'U', Nr: 0xff, Size: MaxSize, Read: true}},
	}
	for _, tc := range tests {
		if got := Decode(tc.req); got != tc.want {
			t.Errorf("%s: Decode(%#x) = %+v, want %+v", tc.name, tc.req, got, tc.want)
		}
	}
}

// The numbers the kernel's headers give, decoded on this architecture.
func TestDecodeKernelNumbers(t *testing.T) {
	tests := []struct {
		name          string
		generic, mips uint
		want          Request
	}{
		{"VIDIOC_STREAMON", 0x40045612, 0x80045612, Request{Type: 'V', Nr: 18, Size: 4, Write: true}},
		{"VIDIOC_QUERYCAP", 0x80685600, 0x40685600, Request{Type: 'V', Nr: 0, Size: 104, Read: true}},
		{"VIDIOC_S_CTRL", 0xc008561c, 0xc008561c, Request{Type: 'V', Nr: 28, Size: 8, Read: true, Write: true}},
		{"TCGETS", 0x80045401, 0x40045401, Request{Type: 'T', Nr: 1, Size: 4, Read: true}},
	}
	for _, tc := range tests {
		req := tc.generic
		if sizeBits == 13 { // MIPS and PowerPC
			req = tc.mips
		}
		if got := Decode(req); got != tc.want {
			t.Errorf("%s: Decode(%#x) = %+v, want %+v", tc.name, req, got, tc.want)
		}
	}
}
