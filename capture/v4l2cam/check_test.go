//go:build linux

package v4l2cam

import (
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/capture"
)

// Check says whether the camera's device node is there, and what to do
// when it is not.
func TestSourceCheck(t *testing.T) {
	tests := []struct {
		arg  string
		want string // "" for no error
	}{
		{"/dev/null", ""},
		{"/dev/video-that-is-not-there", "is the camera plugged in?"},
	}
	for _, tt := range tests {
		src, err := NewCameras().Open(tt.arg, capture.Env{})
		if err != nil {
			t.Fatal(err)
		}
		err = src.(capture.Checker).Check()
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Check() = %v, want %q", tt.arg, err, tt.want)
		}
	}
}
