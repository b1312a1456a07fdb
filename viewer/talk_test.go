package viewer_test

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/viewer"
)

// toneSource is a sine of freq Hz for a duration, as a sample reader.
type toneSource struct {
	rate, n, i int
	freq       float64
}

func (s *toneSource) Read(p []int16) (int, error) {
	if s.i >= s.n {
		return 0, io.EOF
	}
	k := min(len(p), s.n-s.i)
	for j := range k {
		p[j] = int16(12000 * math.Sin(2*math.Pi*s.freq*float64(s.i+j)/float64(s.rate)))
	}
	s.i += k
	return k, nil
}

// readWAV waits for the camera's speaker file and reads it.
func readWAV(t *testing.T, path string) ([]int16, pcm.Format) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.Open(path)
		if err == nil {
			r, err := pcm.NewWAVReader(f)
			if err == nil {
				var all []int16
				buf := make([]int16, 4096)
				for {
					n, err := r.Read(buf)
					all = append(all, buf[:n]...)
					if err != nil {
						break
					}
				}
				f.Close()
				return all, r.Format
			}
			f.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no speaker output in %s", path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Talkback end to end over P2P: what a viewer says comes out of the
// camera's speaker, as long as it was and clean; a second talker is
// turned away while the first talks, and the camera says it is busy.
func TestTalkOverP2P(t *testing.T) {
	for _, codec := range []viewer.TalkCodec{viewer.TalkAAC, viewer.TalkG711A} {
		t.Run(string(codec), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "speaker.wav")
			r := startCameraWith(t, brokertest.AllowAll(t), agent.AudioConfig{Speaker: "wav:" + out})
			c, err := r.dial(t, r.token(t, auth.PermVoice|auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			talked := make(chan error, 1)
			start := time.Now()
			go func() {
				talked <- c.Talk(ctx, &toneSource{rate: 16000, n: 2 * 16000, freq: 440}, pcm.Format{Rate: 16000, Channels: 1}, codec)
			}()
			// The camera says it is busy once the first talker has the speaker.
			for body := ""; !strings.Contains(body, `"status":"1"`); {
				if ctx.Err() != nil {
					t.Fatalf("get_device_st type=voice never said busy while talking: %s", body)
				}
				st, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=voice")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(st.Body)
				body = string(b)
			}
			if err := c.Talk(ctx, &toneSource{rate: 8000, n: 800, freq: 440}, pcm.Format{Rate: 8000, Channels: 1}, codec); !errors.Is(err, viewer.ErrSpeakerBusy) {
				t.Errorf("second talker: %v, want ErrSpeakerBusy", err)
			}
			if err := <-talked; err != nil {
				t.Fatal(err)
			}
			t.Logf("talked for %v", time.Since(start).Round(time.Millisecond))
			checkSpeaker(t, out, 1900*time.Millisecond)
		})
	}
}

// checkSpeaker checks what the camera's wav: speaker at out played: at
// least minDur and at most 2.3 s of a clean 440 Hz tone (SNR 20 dB or
// more, without the first and last 200 ms: an encoder's priming and the
// padding of the last frame).
func checkSpeaker(t *testing.T, out string, minDur time.Duration) {
	t.Helper()
	got, f := readWAV(t, out)
	dur := time.Duration(len(got)/f.Channels) * time.Second / time.Duration(f.Rate)
	if dur < minDur || dur > 2300*time.Millisecond {
		t.Errorf("speaker played %v, want about 2s", dur)
	}
	skip := f.Rate / 5
	if len(got) > 2*skip {
		snr := mediatest.ToneSNR(got[skip:len(got)-skip], f.Rate, 440)
		t.Logf("speaker got %v of audio, SNR %.1f dB", dur, snr)
		if snr < 20 {
			t.Errorf("SNR %.1f dB, want at least 20", snr)
		}
	}
}
