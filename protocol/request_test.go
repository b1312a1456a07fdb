package protocol

import (
	"errors"
	"strings"
	"testing"

	"github.com/p2pcam/p2pcam/media"
)

var parseTests = []struct {
	line    string
	kind    Kind
	channel int
	quality media.Quality
	cmd     string
	status  Status // 0 when the request is valid
}{
	{"ipc.track?action=live&channel=0&quality=standard", KindTrack, 0, media.QualityStandard, "", 0},
	{"ipc.track?action=live&channel=0", KindTrack, 0, media.QualityHigh, "", 0},
	{"voice?channel=0&transport=track", KindVoice, 0, "", "", 0},
	{"voice?channel=0&transport=channel", KindVoice, 0, "", "", 0},
	{"ipc.flv?action=live&channel=0&quality=high", KindLive, 0, media.QualityHigh, "", 0},
	{"/ipc.flv?action=live&channel=0&quality=super", KindLive, 0, media.QualitySuper, "", 0},
	{"ipc.flv?action=live&channel=3&quality=standard&_protocol=tcp", KindLive, 3, media.QualityStandard, "", 0},
	{"ipc.flv?action=live", KindLive, 0, media.QualityHigh, "", 0},
	{"ipc.flv?action=playback&channel=0&start_time=1&end_time=2", KindPlayback, 0, "", "", 0},
	{"ipc.flv?action=download&channel=0&file_name=a&offset=0", KindDownload, 0, "", "", 0},
	{"voice?channel=0", KindVoice, 0, "", "", 0},
	{"command?action=inner_define&channel=0&cmd=get_device_st&type=live&quality=high", KindCommand, 0, "", "get_device_st", 0},
	{"action=user_define&channel=1&cmd=custom", KindCommand, 1, "", "custom", 0},
	{`action=inner_define&cmd=%7B%22topic%22%3A%22ptz%22%7D`, KindCommand, 0, "", `{"topic":"ptz"}`, 0},

	{"ipc.flv?action=live&quality=ultra", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=stream", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&channel=-1", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&channel=256", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&channel=x", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&channel=99999999999999999999", 0, 0, "", "", StatusBadRequest},
	{"ipc.mp4?action=live", 0, 0, "", "", StatusBadRequest},
	{"command?action=inner_define", 0, 0, "", "", StatusBadRequest},
	{"command?action=root&cmd=x", 0, 0, "", "", StatusBadRequest},
	{"command?cmd=x", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&quality=%ZZ", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&quality=%FF", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&\xff=1", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live;quality=high", 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live&x=" + strings.Repeat("a", MaxLength), 0, 0, "", "", StatusBadRequest},
	{"ipc.flv?action=live" + strings.Repeat("&a=1", MaxParams), 0, 0, "", "", StatusBadRequest},
	{"", 0, 0, "", "", StatusBadRequest},
	{"ipc.track?action=playback&channel=0", 0, 0, "", "", StatusBadRequest},
	{"ipc.track?channel=0", 0, 0, "", "", StatusBadRequest},
	{"ipc.track?action=live&quality=ultra", 0, 0, "", "", StatusBadRequest},
	{"voice?channel=0&transport=rtp", 0, 0, "", "", StatusBadRequest},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		r, err := Parse(tt.line)
		if tt.status != 0 {
			var e *Error
			if !errors.As(err, &e) || e.Status != tt.status {
				t.Errorf("Parse(%.60q) error = %v, want status %d", tt.line, err, tt.status)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%.60q) = %v", tt.line, err)
			continue
		}
		if r.Kind != tt.kind || r.Channel != tt.channel || r.Quality != tt.quality || r.Cmd != tt.cmd {
			t.Errorf("Parse(%.60q) = %+v, want kind %v channel %d quality %q cmd %q", tt.line, r, tt.kind, tt.channel, tt.quality, tt.cmd)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := Parse(line)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status == StatusOK || e.Msg == "" {
				t.Fatalf("Parse error %v is not a *Error with a status and message", err)
			}
			return
		}
		if r.Kind == 0 || r.Channel < 0 || r.Channel > MaxChannel {
			t.Fatalf("Parse accepted %q as %+v", line, r)
		}
		if r.Kind == KindVoice && r.Transport != TransportChannel && r.Transport != TransportTrack {
			t.Fatalf("voice request with transport %q", r.Transport)
		}
		if (r.Kind == KindLive || r.Kind == KindTrack) && r.Quality.Rank() < 0 {
			t.Fatalf("live request with quality %q", r.Quality)
		}
		if r.Kind == KindCommand && r.Cmd == "" {
			t.Fatalf("command with no cmd")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, tt := range parseTests[:13] {
			if _, err := Parse(tt.line); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestParseVoiceTransport(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"voice?channel=0", TransportChannel},
		{"voice?channel=0&transport=channel", TransportChannel},
		{"voice?channel=0&transport=track", TransportTrack},
	} {
		r, err := Parse(tt.line)
		if err != nil || r.Transport != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want transport %q", tt.line, r, err, tt.want)
		}
	}
}
