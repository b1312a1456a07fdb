package viewer_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/capture/sim/simtest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/viewer"
)

// awaitNVR asks get_nvr_list until channel ch is online as want, for up
// to timeout, and returns the list.
func awaitNVR(t *testing.T, c viewer.Requester, ch int, want bool, timeout time.Duration) []viewer.NVRChannel {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		list, err := viewer.NVRList(ctx, c)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.Channel == ch && e.Online == want {
				return list
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("channel %d not online=%v within %v: %+v", ch, want, timeout, list)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

// playChannel reads channel ch's live stream for d through the SDK.
func playChannel(t *testing.T, c viewer.Requester, ch int, d time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d+10*time.Second)
	defer cancel()
	body, err := viewer.Live(ctx, c, ch, media.QualityHigh)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(body)
		got <- b
	}()
	time.Sleep(d) // a viewer watching for d
	body.Close()
	return <-got
}

// NVR channels over P2P, through the dev cloud's broker and a real
// mosquitto: the SDK lists the channels and plays each one's own clip;
// channel 2's camera unplugged goes offline while channel 1 plays on, and
// comes back.
func TestNVRChannelsOverP2P(t *testing.T) {
	for _, b := range bothBrokers() {
		t.Run(b.name, func(t *testing.T) {
			cam := simtest.NewPluggable(t)
			r := startCameraConfig(t, b.start(t), func(c *agent.Config) {
				c.Channels = []agent.ChannelConfig{
					{Channel: 1, Name: "porch", Streams: map[string]string{"standard": "sim:standard"}},
					{Channel: 2, Name: "garage", Streams: map[string]string{"high": cam.Spec()}},
				}
			})
			c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			list := awaitNVR(t, c, 2, true, 10*time.Second)
			if got, want := fmt.Sprint(list), "[{cam1 0 true} {porch 1 true} {garage 2 true}]"; got != want {
				t.Errorf("get_nvr_list = %s, want %s", got, want)
			}
			// Channel 2's capture command starts with its first viewer:
			// ffmpeg takes about a second on a loaded machine.
			for _, tc := range []struct {
				ch, w, h int
			}{{1, 320, 180}, {2, 640, 360}} {
				flv := playChannel(t, c, tc.ch, 3*time.Second)
				p := mediatest.FFprobe(t, mediatest.WriteTemp(t, fmt.Sprintf("ch%d.flv", tc.ch), flv))
				if v := p.Video(t); v.Width != tc.w || v.Height != tc.h || len(p.VideoPackets()) < 20 {
					t.Errorf("channel %d: video %dx%d, %d frames; want %dx%d", tc.ch, v.Width, v.Height, len(p.VideoPackets()), tc.w, tc.h)
				}
			}

			// Keep channel 2 running (a viewer), then unplug its camera.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch2, err := viewer.Live(ctx, c, 2, media.QualityHigh)
			if err != nil {
				t.Fatal(err)
			}
			defer ch2.Close()
			go func() { _, _ = io.Copy(io.Discard, ch2) }()
			cam.Unplug(t)
			awaitNVR(t, c, 2, false, 15*time.Second)
			flv := playChannel(t, c, 1, 2*time.Second)
			p := mediatest.FFprobe(t, mediatest.WriteTemp(t, "ch1-during.flv", flv))
			if n := len(p.VideoPackets()); n < 30 {
				t.Errorf("channel 1 while channel 2 is unplugged: %d frames in 2 s", n)
			}
			cam.Plug(t)
			awaitNVR(t, c, 2, true, 40*time.Second)
		})
	}
}
