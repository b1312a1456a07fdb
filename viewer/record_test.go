package viewer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/gateway"
)

// TestRecordingsOverP2P lists, plays and downloads a recording camera's
// files over P2P data channels, through the embedded broker and through
// mosquitto: the same handler as LAN mode.
func TestRecordingsOverP2P(t *testing.T) {
	for _, b := range bothBrokers() {
		t.Run(b.name, func(t *testing.T) {
			r, dir := startRecordingCamera(t, b.start(t))
			c, err := r.dial(t, r.token(t, auth.PermPlayback|auth.PermDownload))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			files := waitFiles(ctx, t, c, 2)

			first, _ := record.ParseName(files[0])
			checkListings(ctx, t, c, files, first.Start)
			body, err := viewer.Playback(ctx, c, first.Start.Truncate(time.Second), first.Start.Add(2*time.Second)) // at least a second of it
			if err != nil {
				t.Fatalf("playback: %v", err)
			}
			flv, err := io.ReadAll(body)
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
			body, err = viewer.Download(ctx, c, files[0], int64(off), false)
			if err != nil {
				t.Fatalf("download: %v", err)
			}
			got, err := io.ReadAll(body)
			if err != nil || string(got) != string(onDisk[off:]) {
				t.Errorf("download from %d: %d bytes (%v), want %d identical", off, len(got), err, len(onDisk)-off)
			}
		})
	}
}

// checkListings checks the SDK's listings against the finished files
// (files, the first starting at start): the index spans them, the month
// has their day, the file list has their sizes.
func checkListings(ctx context.Context, t *testing.T, c *viewer.Conn, files []string, start time.Time) {
	t.Helper()
	now := time.Now()
	spans, err := viewer.RecordIndex(ctx, c, now.Add(-10*time.Minute), now.Add(time.Minute))
	if err != nil || len(spans) != 1 || spans[0].Start.After(start) || spans[0].End.Before(start.Add(2*time.Second)) {
		t.Errorf("RecordIndex: %+v %v, want one span from %v", spans, err, start)
	}
	local := start.Local()
	mask, err := viewer.MonthRecord(ctx, c, local.Year(), local.Month())
	if err != nil || mask != 1<<(local.Day()-1) {
		t.Errorf("MonthRecord: %b %v, want day %d", mask, err, local.Day())
	}
	list, err := viewer.RecordFiles(ctx, c, now.Add(-10*time.Minute), now.Add(time.Minute))
	if err != nil || len(list) < len(files) {
		t.Fatalf("RecordFiles: %d files %v, want at least %d", len(list), err, len(files))
	}
	for i, f := range files {
		if list[i].Name != f || list[i].Size <= 0 || list[i].Start.Unix() != start.Unix() && i == 0 {
			t.Errorf("RecordFiles[%d] = %+v, want %s", i, list[i], f)
		}
	}
}

// startRecordingCamera runs the camera on broker recording 2 s
// segments, and returns it and its storage directory.
func startRecordingCamera(t testing.TB, broker string) (*rig, string) {
	dir := filepath.Join(t.TempDir(), "sd")
	return startCameraConfig(t, broker, func(c *agent.Config) {
		c.Record = agent.RecordConfig{Dir: dir, SegmentLength: 2 * time.Second}
	}), dir
}

// waitFiles asks for the file list until n segments are finished, and
// returns their names.
func waitFiles(ctx context.Context, t testing.TB, c *viewer.Conn, n int) []string {
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

// TestRecordingsThroughGateway lists, plays and downloads recordings
// through the gateway (p2pcam serve): plain HTTP in front of a P2P
// session.
func TestRecordingsThroughGateway(t *testing.T) {
	r, dir := startRecordingCamera(t, brokertest.AllowAll(t))
	gw := gateway.New(func(ctx context.Context) (*viewer.Conn, error) {
		return r.dial(t, r.token(t, auth.PermPlayback|auth.PermDownload))
	}, slog.New(slog.DiscardHandler))
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()
	get := func(path string) (int, []byte) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	var files []string
	for deadline := time.Now().Add(30 * time.Second); len(files) < 2; {
		now := time.Now().Unix()
		st, body := get(fmt.Sprintf("/command?action=inner_define&channel=0&cmd=get_file_list&start_time=%d&end_time=%d", now-600, now+600))
		var fl struct {
			FileList []struct {
				FileName string `json:"file_name"`
			} `json:"file_list"`
		}
		if st != 200 || json.Unmarshal(body, &fl) != nil {
			t.Fatalf("get_file_list: %d %s", st, body)
		}
		files = files[:0]
		for _, f := range fl.FileList {
			if n, err := record.ParseName(f.FileName); err == nil && n.Finished() {
				files = append(files, f.FileName)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d finished segments in 30 s", len(files))
		}
		if len(files) < 2 {
			time.Sleep(300 * time.Millisecond) // a poll's pause; the deadline bounds the wait
		}
	}
	first, _ := record.ParseName(files[0])
	st, flv := get(fmt.Sprintf("/ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", first.Start.Unix(), first.Start.Unix()+2))
	if st != 200 {
		t.Fatalf("playback: %d %s", st, flv)
	}
	path := mediatest.WriteTemp(t, "playback.flv", flv)
	if vp := mediatest.FFprobe(t, path).VideoPackets(); len(vp) < 20 || !vp[0].Keyframe() {
		t.Errorf("playback through the gateway: %d video packets", len(vp))
	}
	mediatest.CheckDecodes(t, path)
	onDisk, err := os.ReadFile(filepath.Join(dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	off := len(onDisk) / 3
	st, got := get(fmt.Sprintf("/ipc.flv?action=download&channel=0&file_name=%s&offset=%d", files[0], off))
	if st != 200 || string(got) != string(onDisk[off:]) {
		t.Errorf("download through the gateway from %d: %d, %d bytes, want %d identical", off, st, len(got), len(onDisk)-off)
	}
}
