package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/capture/sim/simtest"
	"github.com/p2pcam/p2pcam/record"
)

// nvrEntry is one element of get_nvr_list.
type nvrEntry struct {
	DeviceName, Channel, Online string
}

// nvrConfig is a device with two further channels: channel 1 the sim
// board's standard clip with the sim microphone, channel 2 cam's.
func nvrConfig(cam *simtest.Pluggable) string {
	return fmt.Sprintf(`
[[channels]]
channel = 1
name = "porch"
microphone = "sim"
streams.standard = "sim:standard"

[[channels]]
channel = 2
name = "garage"
max_viewers = 2
streams.high = %q
`, cam.Spec())
}

func (d *daemon) nvrList(t *testing.T) []nvrEntry {
	t.Helper()
	code, body := d.get(t, "command?action=inner_define&channel=0&cmd=get_nvr_list")
	var list []nvrEntry
	if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil {
		t.Fatalf("get_nvr_list: %d %q", code, body)
	}
	return list
}

// waitOnline waits until get_nvr_list reports each channel's Online as
// want has it (channel → "0" or "1").
func (d *daemon) waitOnline(t *testing.T, timeout time.Duration, want map[string]string) []nvrEntry {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		list := d.nvrList(t)
		ok := true
		for _, e := range list {
			if w, ok2 := want[e.Channel]; ok2 && e.Online != w {
				ok = false
			}
		}
		if ok {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("get_nvr_list within %v = %+v, want online %v", timeout, list, want)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

func nvrLiveURL(d *daemon, ch int, quality string) string {
	return d.url(fmt.Sprintf("ipc.flv?action=live&channel=%d&quality=%s", ch, quality))
}

// Two NVR channels in one p2pcamd over LAN mode: each plays its own
// clip, get_nvr_list names them, and unplugging channel 2's camera takes
// it offline while channel 1 plays on; plugged back, it comes back.
func TestNVRChannelsOverLAN(t *testing.T) {
	cam := simtest.NewPluggable(t)
	d := startDaemon(t, nvrConfig(cam))

	list := d.waitOnline(t, 10*time.Second, map[string]string{"0": "1", "1": "1", "2": "1"})
	want := []nvrEntry{{"sim", "0", "1"}, {"porch", "1", "1"}, {"garage", "2", "1"}}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Fatalf("get_nvr_list = %+v, want %+v", list, want)
	}

	// Each channel plays its own clip.
	_, ch1, err := d.fetch(nvrLiveURL(d, 1, "high"), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_, ch2, err := d.fetch(nvrLiveURL(d, 2, "high"), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkFLV(t, "channel 1", ch1, 320, 180, 25)
	checkChannelVideo(t, "channel 2", ch2, 640, 360, 25)

	// The index page and the status name every channel's streams.
	if _, index := d.get(t, ""); !strings.Contains(index, "channel=2&quality=high") || !strings.Contains(index, "get_nvr_list") {
		t.Errorf("index page lists no channel 2 or get_nvr_list:\n%s", index)
	}
	var streams []string
	for _, s := range status(t, d).Streams {
		streams = append(streams, fmt.Sprintf("%d/%s", s.Channel, s.Quality))
	}
	if got, want := strings.Join(streams, " "), "0/standard 0/high 0/super 1/standard 2/high"; got != want {
		t.Errorf("status streams %s, want %s", got, want)
	}

	// Requests a channel does not serve get a clear refusal.
	for _, tc := range []struct {
		req, want string
		code      int
	}{
		{"ipc.flv?action=live&channel=3&quality=high", "this camera serves channels 0, 1, 2", 404},
		{"ipc.flv?action=playback&channel=1&start_time=1&end_time=2", "recording is off on this camera", 406},
		{"voice?channel=1", "not supported on channel 1", 406},
		{"command?action=user_define&channel=2&cmd=ptz_left", "not supported on channel 2", 406},
	} {
		code, body := d.get(t, tc.req)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.req, code, body, tc.code, tc.want)
		}
	}

	// Channel 2 has its own viewer limit (2) within the device's (4).
	w1 := watchLive(t, nvrLiveURL(d, 1, "standard"))
	w2 := watchLive(t, nvrLiveURL(d, 2, "high"))
	w2b := watchLive(t, nvrLiveURL(d, 2, "high"))
	for _, w := range []*watcher{w1, w2, w2b} {
		if err := w.waitFrames(10, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	code, body := d.get(t, "command?action=inner_define&channel=2&cmd=get_device_st&type=live")
	if code != 200 || !strings.Contains(body, `"status":"405"`) {
		t.Errorf("get_device_st on full channel 2: %d %q, want status 405", code, body)
	}
	code, body = d.get(t, "command?action=inner_define&channel=1&cmd=get_device_st&type=live")
	if code != 200 || !strings.Contains(body, `"status":"0"`) {
		t.Errorf("get_device_st on channel 1: %d %q, want status 0", code, body)
	}
	resp, _, err := d.fetch(nvrLiveURL(d, 2, "high"), 3*time.Second)
	if err != nil || resp.Header.Get("X-P2pcam-Status") != "405" {
		t.Errorf("third viewer of channel 2: %v %v, want 405", resp, err)
	}

	// Unplugged: channel 2 goes offline, channel 1 keeps playing.
	cam.Unplug(t)
	before := w1.frames()
	d.waitOnline(t, 15*time.Second, map[string]string{"0": "1", "1": "1", "2": "0"})
	if _, ok := d.waitLog(5*time.Second, "capture command says", "unplugged"); !ok {
		t.Error("the unplugged camera's command did not run again")
	}
	if err := w1.waitFrames(before+50, 10*time.Second); err != nil {
		t.Fatalf("channel 1 while channel 2 is unplugged: %v", err)
	}
	if fps, gap := w1.since(before); fps < 15 || gap > 2*time.Second {
		t.Errorf("channel 1 while channel 2 is unplugged: %.1f fps, largest gap %v", fps, gap)
	}
	code, body = d.get(t, "command?action=inner_define&channel=2&cmd=get_device_st&type=live")
	if code != 200 || !strings.Contains(body, `"reason":"the channel's camera is offline"`) && !strings.Contains(body, `"status":"405"`) {
		t.Errorf("get_device_st on unplugged channel 2: %d %q", code, body)
	}

	// Plugged back: online again, and its viewers get video again.
	stalled := w2.frames()
	cam.Plug(t)
	d.waitOnline(t, 40*time.Second, map[string]string{"0": "1", "1": "1", "2": "1"})
	if err := w2.waitFrames(stalled+25, 15*time.Second); err != nil {
		t.Fatalf("channel 2's viewer after the camera came back: %v", err)
	}
}

// checkChannelVideo is checkFLV for a channel without sound.
func checkChannelVideo(t *testing.T, name string, b []byte, width, height, minFrames int) {
	t.Helper()
	p := checkVideo(t, name, b, width, height, minFrames)
	if n := len(p.AudioPackets()); n != 0 {
		t.Errorf("%s: %d audio packets, want none (no microphone)", name, n)
	}
}

// NVR channels record as channel 0 does, each into its own files (chN_
// names) in the one record directory: channel 1's recordings are
// listed, played (its own picture and sound), steered and downloaded on
// channel 1 and only there; channel 2, record = "off", records nothing
// and says so; channel 3's playbacks count against its max_viewers.
func TestNVRRecordingOverLAN(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sd")
	d := startDaemon(t, `
[record]
segment_length = "3s"

[[channels]]
channel = 1
microphone = "sim"
streams.standard = "sim:standard"

[[channels]]
channel = 2
record = "off"
streams.standard = "sim:standard"

[[channels]]
channel = 3
max_viewers = 1
streams.standard = "sim:standard"
`, "--record-dir", dir)
	fl := d.waitFinishedOn(t, 1, 2, 40*time.Second)
	for _, f := range fl.FileList {
		if !strings.HasPrefix(f.FileName, "ch1_") {
			t.Errorf("channel 1 lists %s", f.FileName)
		}
	}
	for _, f := range d.waitFinished(t, 1, 10*time.Second).FileList {
		if !strings.HasPrefix(f.FileName, "ch0_") {
			t.Errorf("channel 0 lists %s", f.FileName)
		}
	}
	now := time.Now().Unix()
	for _, tc := range []struct {
		req, want string
		code      int
	}{
		{fmt.Sprintf("command?action=inner_define&channel=1&cmd=get_record_index&start_time=%d&end_time=%d", now-3600, now+3600), `"video_list":[{"type":0,`, 200},
		{"command?action=inner_define&channel=1&cmd=get_month_record&time=" + time.Now().Format("200601"), fmt.Sprintf(`{"video_list":"%d"}`, 1<<(time.Now().Day()-1)), 200},
		{"command?action=inner_define&channel=1&cmd=get_device_st&type=playback", `"status":"0"`, 200},
		{"command?action=inner_define&channel=1&cmd=playback_progress", "no playback on this session", 404},
		{"command?action=inner_define&channel=2&cmd=get_device_st&type=playback", `"status":"406"`, 200},
		{fmt.Sprintf("command?action=inner_define&channel=2&cmd=get_record_index&start_time=%d&end_time=%d", now-3600, now+3600), `channel 2 does not record (its record = \"off\")`, 406},
		{"ipc.flv?action=download&channel=0&file_name=" + url.QueryEscape(fl.FileList[0].FileName), "", 404},
	} {
		code, body := d.get(t, tc.req)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %.200q, want %d with %q", tc.req, code, body, tc.code, tc.want)
		}
	}

	// Download on channel 1: the file as stored.
	name := fl.FileList[0].FileName
	onDisk, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if code, got := d.get(t, "ipc.flv?action=download&channel=1&file_name="+url.QueryEscape(name)); code != 200 || got != string(onDisk) {
		t.Errorf("download of %s on channel 1: %d, %d bytes, want %d identical", name, code, len(got), len(onDisk))
	}

	// A playback of channel 1 is steered on channel 1: its session on
	// channel 0 names no playback there.
	pr, err := http.Get(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=1&start_time=%d&end_time=%d", now-60, now)))
	if err != nil {
		t.Fatal(err)
	}
	sid := pr.Header.Get("X-P2pcam-Session")
	for _, tc := range []struct {
		ch   int
		code int
		want string
	}{{0, 404, "no playback on this session"}, {1, 200, `"paused":true`}} {
		code, body := d.get(t, fmt.Sprintf("command?action=inner_define&channel=%d&cmd=playback_pause&session=%s", tc.ch, sid))
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("playback_pause of channel 1's playback (session %q) on channel %d: %d %.200q, want %d with %q", sid, tc.ch, code, body, tc.code, tc.want)
		}
	}
	pr.Body.Close()

	// Playback on channel 1: its picture (the sim standard clip) and sound.
	second, err := record.ParseName(fl.FileList[1].FileName)
	if err != nil {
		t.Fatal(err)
	}
	from := second.Start.Unix() + 1
	resp, body, err := d.fetch(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=1&start_time=%d&end_time=%d", from, from+2)), 30*time.Second)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("playback on channel 1: %v %v", resp, err)
	}
	checkFLV(t, "channel 1 playback", body, 320, 180, 25)

	// A playback counts against its channel's viewer limit: channel 3
	// serves one.
	first, err := http.Get(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=3&start_time=%d&end_time=%d", now-60, now)))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	if st := first.Header.Get("X-P2pcam-Status"); st != "0" {
		t.Errorf("first playback of channel 3: status %q, want 0", st)
	}
	if code, body := d.get(t, fmt.Sprintf("ipc.flv?action=playback&channel=3&start_time=%d&end_time=%d", now-60, now)); !strings.Contains(body, "channel 3 serves 1 at once") {
		t.Errorf("second playback of channel 3: %d %.200q, want refused by the channel's limit", code, body)
	}
	if _, ok := d.waitLog(time.Second, "playback ended", "channel=1"); !ok {
		t.Error("no log of channel 1's playback")
	}
}
