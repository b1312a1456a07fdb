package link

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pion/sctp"
)

func TestStreamEnded(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("[0xc0] %w: %w: %s", sctp.ErrChunk, sctp.ErrUserInitiatedAbort, "(User Initiated Abort: )"), "the camera ended the stream: it closed the connection (it stopped or restarted)"},
		{fmt.Errorf("[0xc0] %w: %s", sctp.ErrChunk, "(Protocol Violation)"), "the camera ended the stream: it aborted the connection"},
		{fmt.Errorf("%w: state=Closed", sctp.ErrResetPacketInStateNotExist), "the camera ended the stream: it closed the connection (it stopped or restarted)"},
	} {
		got := streamEnded(c.err)
		if !errors.Is(got, ErrStreamEnded) || !strings.HasPrefix(got.Error(), c.want) {
			t.Errorf("streamEnded(%v) = %v, want %q", c.err, got, c.want)
		}
	}
	other := errors.New("io: read/write on closed pipe")
	if got := streamEnded(other); got != other {
		t.Errorf("streamEnded(%v) = %v, want it as it is", other, got)
	}
}
