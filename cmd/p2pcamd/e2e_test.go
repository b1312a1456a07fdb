package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/media"
)

// checkFLV validates a viewer's bytes with ffprobe and ffmpeg: H.264 of the
// given size, starting at a keyframe, strictly increasing timestamps, at
// least minFrames frames, and a clean decode.
func checkFLV(t *testing.T, name string, flv []byte, width, height, minFrames int) {
	t.Helper()
	checkAudio(t, name, checkVideo(t, name, flv, width, height, minFrames))
}

// checkVideo is checkFLV without the sound: it returns the probe.
func checkVideo(t *testing.T, name string, flv []byte, width, height, minFrames int) mediatest.Probe {
	t.Helper()
	path := mediatest.WriteTemp(t, name+".flv", wholeTags(flv))
	p := mediatest.FFprobe(t, path)
	v := p.Video(t)
	if v.CodecName != "h264" || v.Width != width || v.Height != height {
		t.Errorf("%s: video %s %dx%d, want h264 %dx%d", name, v.CodecName, v.Width, v.Height, width, height)
	}
	pkts := p.VideoPackets()
	if len(pkts) < minFrames {
		t.Errorf("%s: %d video frames, want at least %d", name, len(pkts), minFrames)
	}
	if len(pkts) > 0 && !pkts[0].Keyframe() {
		t.Errorf("%s: first video frame is not a keyframe", name)
	}
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
	return p
}

// checkAudio checks the sim board's sound: AAC 16 kHz mono, on the video's
// time base. FLV timestamps are in ms. Where a viewer's capture was cut,
// the tracks end within 300 ms of each other: AAC audio comes out three
// frames (192 ms: the encoder's delay and its block-switching lookahead)
// after its first sample, a video frame takes 40 ms, and a loaded machine
// adds some scheduling delay.
func checkAudio(t *testing.T, name string, p mediatest.Probe) {
	t.Helper()
	a := p.Audio(t)
	if a.CodecName != "aac" || a.SampleRate != "16000" || a.Channels != 1 {
		t.Errorf("%s: audio %s %s Hz %d ch, want aac 16000 Hz mono", name, a.CodecName, a.SampleRate, a.Channels)
	}
	ap, vp := p.AudioPackets(), p.VideoPackets()
	if len(ap) == 0 || len(vp) == 0 {
		t.Fatalf("%s: %d audio and %d video packets", name, len(ap), len(vp))
	}
	for i := 1; i < len(vp); i++ {
		if vp[i].PTS-vp[i-1].PTS > 200 {
			return // the video source stalled (a restarting command): the tracks need not end together
		}
	}
	if d := ap[len(ap)-1].PTS - vp[len(vp)-1].PTS; d < -300 || d > 300 {
		t.Errorf("%s: audio ends at %d ms, video at %d ms", name, ap[len(ap)-1].PTS, vp[len(vp)-1].PTS)
	}
}

// wholeTags cuts a live FLV capture, which a viewer ended at an arbitrary
// byte, after its last complete tag.
func wholeTags(b []byte) []byte {
	const headerSize, tagHeaderSize, prevSize = 9, 11, 4
	end := headerSize + prevSize
	for end+tagHeaderSize <= len(b) {
		size := int(b[end+1])<<16 | int(b[end+2])<<8 | int(b[end+3])
		next := end + tagHeaderSize + size + prevSize
		if next > len(b) {
			break
		}
		end = next
	}
	return b[:min(end, len(b))]
}

var qualitySizes = []struct {
	quality       string
	width, height int
}{
	{"standard", 320, 180},
	{"high", 640, 360},
	{"super", 1280, 720},
}

// Two viewers per quality for 5 s, and one that joins mid-stream: all get
// valid, decodable H.264 of their quality.
func TestLiveEveryQualityTwoViewersEach(t *testing.T) {
	d := startDaemon(t, "max_viewers = 8\n")
	const watch = 5 * time.Second
	type result struct {
		name          string
		width, height int
		minFrames     int
		body          []byte
		err           error
	}
	var mu sync.Mutex
	var results []result
	var wg sync.WaitGroup
	view := func(name, quality string, w, h int, delay, dur time.Duration) {
		defer wg.Done()
		time.Sleep(delay) // a viewer arriving later, not a wait for a condition
		resp, body, err := d.fetch(liveURL(d, quality), dur)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
		}
		mu.Lock()
		// 25 fps for dur, less a second of slack for start-up.
		results = append(results, result{name, w, h, int((dur - time.Second).Seconds() * 25), body, err})
		mu.Unlock()
	}
	for _, q := range qualitySizes {
		for i := range 2 {
			wg.Add(1)
			go view(fmt.Sprintf("%s-%d", q.quality, i), q.quality, q.width, q.height, 0, watch)
		}
	}
	wg.Add(1)
	go view("high-midstream", "high", 640, 360, 2500*time.Millisecond, watch-2500*time.Millisecond)
	wg.Wait()
	for _, r := range results {
		t.Run(r.name, func(t *testing.T) {
			if r.err != nil {
				t.Fatal(r.err)
			}
			checkFLV(t, r.name, r.body, r.width, r.height, r.minFrames)
		})
	}
}

type deviceStatus []struct {
	Status        string `json:"status"`
	AppConnectNum string `json:"appConnectNum"`
}

func getDeviceStatus(t *testing.T, d *daemon) deviceStatus {
	t.Helper()
	code, body := d.get(t, "command?action=inner_define&channel=0&cmd=get_device_st&type=live&quality=high")
	var st deviceStatus
	if code != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil || len(st) != 1 {
		t.Fatalf("get_device_st: %d %q", code, body)
	}
	return st
}

// openViewer starts a live request and returns once the head has arrived;
// the returned body streams on until closed.
func openViewer(t *testing.T, d *daemon, quality string) *http.Response {
	t.Helper()
	resp, err := http.Get(liveURL(d, quality))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestViewerLimit(t *testing.T) {
	d := startDaemon(t, "max_viewers = 4\n")
	if st := getDeviceStatus(t, d); st[0].Status != "0" || st[0].AppConnectNum != "0" {
		t.Fatalf("idle get_device_st = %+v, want status 0, 0 viewers", st)
	}
	var viewers []*http.Response
	for i := range 4 {
		resp := openViewer(t, d, qualitySizes[i%3].quality)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("viewer %d: status %d", i+1, resp.StatusCode)
		}
		viewers = append(viewers, resp)
	}
	if st := getDeviceStatus(t, d); st[0].Status != "405" || st[0].AppConnectNum != "4" {
		t.Fatalf("full get_device_st = %+v, want status 405, 4 viewers", st)
	}
	fifth := openViewer(t, d, "high")
	body, _ := io.ReadAll(fifth.Body)
	if fifth.StatusCode != 503 || fifth.Header.Get("X-P2pcam-Status") != "405" || fifth.Header.Get("Retry-After") == "" || !strings.Contains(string(body), `"status":"405"`) {
		t.Fatalf("fifth viewer: %d %v %s, want 503 with X-P2pcam-Status 405 and Retry-After", fifth.StatusCode, fifth.Header, body)
	}
	viewers[0].Body.Close()
	if _, ok := d.waitLog(5*time.Second, "viewer left"); !ok {
		t.Fatal("no 'viewer left' log after a viewer closed")
	}
	again := openViewer(t, d, "high")
	if again.StatusCode != http.StatusOK {
		t.Fatalf("viewer after one left: status %d", again.StatusCode)
	}
}

// Hostile requests each get a clear status while a viewer keeps streaming.
func TestBadRequestsDoNotDisturbViewers(t *testing.T) {
	d := startDaemon(t, "")
	var wg sync.WaitGroup
	var good []byte
	var goodErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, good, goodErr = d.fetch(liveURL(d, "standard"), 4*time.Second)
	}()
	tests := []struct {
		name, req string
		status    int
		bodyHas   string
	}{
		{"huge query", "ipc.flv?action=live&x=" + strings.Repeat("a", 20000), 431, ""},
		{"long query", "ipc.flv?action=live&x=" + strings.Repeat("a", 5000), 404, "limit is 4096"},
		{"unknown action", "ipc.flv?action=explode&channel=0", 404, "unknown ipc.flv action"},
		{"bad channel", "ipc.flv?action=live&channel=abc", 404, "bad channel"},
		{"absent channel", "ipc.flv?action=live&channel=1&quality=high", 404, "channel 1 does not exist"},
		{"unknown quality", "ipc.flv?action=live&quality=4k", 404, "unknown quality"},
		{"non-UTF-8", "ipc.flv?action=live&quality=%FF%FE", 404, "not valid UTF-8"},
		{"unknown command", "command?action=inner_define&channel=0&cmd=self_destruct", 406, "not supported"},
		{"unknown path", "admin.php", 404, "no such request"},
		{"tracks are P2P only", "ipc.track?action=live&channel=0&quality=high", 404, "no such request"},
		{"talkback from a track is P2P only", "voice?channel=0&transport=track", 406, "no audio track"},
		{"playback without recording", "ipc.flv?action=playback&channel=0&start_time=1&end_time=2", 406, "recording is off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := d.get(t, tt.req)
			if code != tt.status || !strings.Contains(body, tt.bodyHas) {
				t.Errorf("GET %.50s: %d %q, want %d with %q", tt.req, code, body, tt.status, tt.bodyHas)
			}
		})
	}
	resp, err := http.Post(liveURL(d, "high"), "text/plain", strings.NewReader("x"))
	if err != nil || resp.StatusCode != 404 {
		t.Errorf("POST: %v %v, want 404", resp, err)
	}
	wg.Wait()
	if goodErr != nil {
		t.Fatal(goodErr)
	}
	checkFLV(t, "good", good, 320, 180, 3*25)
}

// A viewer that stops reading is dropped after the write timeout; another
// viewer of the same stream keeps getting every frame in real time.
func TestStalledViewerIsDropped(t *testing.T) {
	d := startDaemon(t, "[lan]\nwrite_timeout = \"1s\"\n")
	conn, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(conn, "GET /ipc.flv?action=live&channel=0&quality=super HTTP/1.1\r\nHost: x\r\n\r\n")
	_, body, err := d.fetch(liveURL(d, "super"), 6*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkFLV(t, "reader", body, 1280, 720, 5*25)
	line, ok := d.waitLog(20*time.Second, "viewer left", "dropped_frames", "timeout")
	if !ok {
		t.Fatal("stalled viewer was not dropped with a timeout")
	}
	t.Logf("stalled viewer: %s", line)
}

// An exec source whose command dies is restarted; its viewer keeps
// streaming, and viewers of other streams never notice.
func TestExecSourceRestarts(t *testing.T) {
	clip, _ := sim.Clip(media.QualityHigh)
	clipPath := filepath.Join(t.TempDir(), "high.h264")
	if err := os.WriteFile(clipPath, clip, 0o644); err != nil {
		t.Fatal(err)
	}
	// The command sends one second of video, at once, then dies.
	cfg := fmt.Sprintf("[streams]\nhigh = \"exec:head -c 60000 %s; echo dying >&2; exit 3\"\n", clipPath)
	d := startDaemon(t, cfg)
	var wg sync.WaitGroup
	var std []byte
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, std, _ = d.fetch(liveURL(d, "standard"), 4*time.Second)
	}()
	_, high, err := d.fetch(liveURL(d, "high"), 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, want := range [][]string{
		{"capture command says", "dying"},
		{"capture command exited; restarting", "exit status 3"},
	} {
		if _, ok := d.waitLog(5*time.Second, want...); !ok {
			t.Errorf("no log line with %q", want)
		}
	}
	if n := strings.Count(d.logs.String(), "capture command exited; restarting"); n < 2 {
		t.Errorf("command restarted %d times in 4s, want at least 2", n)
	}
	checkFLV(t, "exec", high, 640, 360, 2*25)
	checkFLV(t, "standard", std, 320, 180, 3*25)
}

// SIGTERM ends every viewer's stream cleanly (a complete chunked response)
// and stops the capture commands.
func TestSIGTERMEndsStreamsCleanly(t *testing.T) {
	clip, _ := sim.Clip(media.QualityStandard)
	clipPath := filepath.Join(t.TempDir(), "std.h264")
	if err := os.WriteFile(clipPath, clip, 0o644); err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("p2pcam-test-%d", time.Now().UnixNano())
	cfg := fmt.Sprintf("[streams]\nstandard = \"exec:while :; do cat %s; sleep 4; done # %s\"\n", clipPath, marker)
	d := startDaemon(t, cfg)
	resp := openViewer(t, d, "standard")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got := make(chan error, 1)
	var body []byte
	go func() {
		var err error
		body, err = io.ReadAll(resp.Body) // EOF only on a complete chunked response
		got <- err
	}()
	if _, ok := d.waitLog(5*time.Second, "viewer joined"); !ok {
		t.Fatal("viewer never joined")
	}
	// The source starts its command as the viewer joins; on a loaded
	// machine the process may take a moment to appear.
	for i := 0; !processRunning(marker); i++ {
		if i == 50 {
			t.Fatal("capture command is not running while a viewer watches")
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("stream ended with %v, want a clean end", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not end within 10s of SIGTERM")
	}
	if err := <-d.done; err != nil {
		t.Fatalf("p2pcamd exit: %v", err)
	}
	d.done <- nil // for the cleanup
	if processRunning(marker) {
		t.Fatal("capture command still running after p2pcamd exited")
	}
	if len(body) == 0 {
		t.Fatal("viewer got no bytes")
	}
}

// processRunning reports whether a process's command line contains s.
func processRunning(s string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), s) && !strings.Contains(string(b), "p2pcamd.test") {
			return true
		}
	}
	return false
}
