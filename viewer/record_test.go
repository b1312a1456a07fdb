package viewer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
)

// TestRecordingsOverP2P lists, plays and downloads a recording camera's
// files over P2P data channels, through the embedded broker and through
// mosquitto: the same handler as LAN mode.
func TestRecordingsOverP2P(t *testing.T) {
	for _, b := range bothBrokers() {
		t.Run(b.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sd")
			r := startCameraConfig(t, b.start(t), func(c *agent.Config) {
				c.Record = agent.RecordConfig{Dir: dir, SegmentLength: 2 * time.Second}
			})
			c, err := r.dial(t, r.token(t, auth.PermPlayback|auth.PermDownload))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			files := waitFiles(ctx, t, c, 2)

			first, _ := record.ParseName(files[0])
			resp, err := c.Request(ctx, fmt.Sprintf("ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", first.Start.Unix(), first.Start.Unix()+2)) // at least a second of it
			if err != nil || resp.Status != protocol.StatusOK {
				t.Fatalf("playback: %v %v", resp, err)
			}
			flv, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			path := mediatest.WriteTemp(t, "playback.flv", flv)
			p := mediatest.FFprobe(t, path)
			if vp := p.VideoPackets(); len(vp) < 20 || !vp[0].Keyframe() || vp[0].PTS != 0 {
				t.Errorf("playback: %d video packets, first %+v", len(vp), vp[:min(1, len(vp))])
			}
			mediatest.CheckDecodes(t, path)

			onDisk, err := os.ReadFile(filepath.Join(dir, files[0]))
			if err != nil {
				t.Fatal(err)
			}
			off := len(onDisk) / 2
			resp, err = c.Request(ctx, fmt.Sprintf("ipc.flv?action=download&channel=0&file_name=%s&offset=%d", files[0], off))
			if err != nil || resp.Status != protocol.StatusOK {
				t.Fatalf("download: %v %v", resp, err)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil || string(got) != string(onDisk[off:]) {
				t.Errorf("download from %d: %d bytes (%v), want %d identical", off, len(got), err, len(onDisk)-off)
			}
		})
	}
}

// waitFiles asks for the file list until n segments are finished, and
// returns their names.
func waitFiles(ctx context.Context, t *testing.T, c *viewer.Conn, n int) []string {
	t.Helper()
	for {
		now := time.Now().Unix()
		resp, err := c.Request(ctx, fmt.Sprintf("command?action=inner_define&channel=0&cmd=get_file_list&start_time=%d&end_time=%d", now-600, now+600))
		if err != nil {
			t.Fatal(err)
		}
		var fl struct {
			FileList []struct {
				FileName string `json:"file_name"`
			} `json:"file_list"`
		}
		err = json.NewDecoder(resp.Body).Decode(&fl)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var done []string
		for _, f := range fl.FileList {
			if name, err := record.ParseName(f.FileName); err == nil && name.Finished() {
				done = append(done, f.FileName)
			}
		}
		if len(done) >= n {
			return done
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d finished segments, want %d", len(done), n)
		case <-time.After(300 * time.Millisecond): // a poll's pause; the deadline bounds the wait
		}
	}
}
