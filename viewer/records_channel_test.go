package viewer

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/link"
)

// lineRecorder answers every request with an empty listing and keeps
// the lines.
type lineRecorder struct{ lines []string }

func (l *lineRecorder) Request(_ context.Context, line string) (*link.Response, error) {
	l.lines = append(l.lines, line)
	return &link.Response{Body: io.NopCloser(strings.NewReader(`{"video_list":[],"file_list":[]}`))}, nil
}

// OnChannel puts its channel in every request of the records functions;
// without it they ask channel 0, and wrapping twice keeps the last.
func TestOnChannel(t *testing.T) {
	ctx := context.Background()
	from, to := time.Unix(1765000000, 0), time.Unix(1765000060, 0)
	calls := []func(Requester) error{
		func(r Requester) error { _, err := RecordIndex(ctx, r, from, to); return err },
		func(r Requester) error { _, err := RecordFiles(ctx, r, from, to); return err },
		func(r Requester) error { _, err := PlaybackPause(ctx, r); return err },
		func(r Requester) error { b, err := Playback(ctx, r, from, to); b.Close(); return err },
		func(r Requester) error { b, err := Download(ctx, r, "ch2_x.flv", 0, false); b.Close(); return err },
	}
	for _, tc := range []struct {
		wrap func(Requester) Requester
		want string
	}{
		{func(r Requester) Requester { return r }, "channel=0&"},
		{func(r Requester) Requester { return OnChannel(r, 2) }, "channel=2&"},
		{func(r Requester) Requester { return OnChannel(OnChannel(r, 5), 2) }, "channel=2&"},
	} {
		rec := &lineRecorder{}
		for _, call := range calls {
			_ = call(tc.wrap(rec)) // the answers are not what is tested
		}
		if len(rec.lines) != len(calls) {
			t.Fatalf("%d requests, want %d", len(rec.lines), len(calls))
		}
		for _, l := range rec.lines {
			if strings.Count(l, "channel=") != 1 || !strings.Contains(l, tc.want) {
				t.Errorf("%s: want one %q", l, tc.want)
			}
		}
	}
}
