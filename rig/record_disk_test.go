package rig_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
)

const (
	// recordWait bounds the wait for the first finished segment (5 s
	// segments in the rig, from boot, on an emulated and loaded host).
	recordWait = 60 * time.Second
	// playSpan is how much of the recording the test plays back.
	playSpan = 3
)

// testRecordDisk boots the qemu-virt board with a record disk (an ext4
// image made on the host, a virtio-blk disk in the guest mounted on
// /var/lib/p2pcam/records): p2pcamd --record-dir records vivid's
// pictures, encoded by x264, onto it. Then over LAN from the host:
// get_device_st&type=playback accepts, get_file_list and
// get_record_index list a finished segment, ipc.flv?action=playback of
// it is H.264 at vivid's size that decodes cleanly, and the segment
// downloaded with format=mp4 decodes cleanly with ffmpeg -xerror. This
// boot also runs the motion detector on vivid's pictures, set moving by
// a camera control in the streams' specs: motion starts.
func testRecordDisk(t *testing.T, root, out string) {
	qemu, _ := recordDisk(t)
	vm := bootRig(t, root, out, "qemu-virt", qemu...)
	defer vm.stop()
	defer func() {
		if t.Failed() {
			t.Logf("serial log:\n%s", vm.serial(t))
		}
	}()
	start := time.Now()
	t.Logf("boot to first answer: %v", vm.firstAnswer.Round(100*time.Millisecond))
	log := vm.serial(t)
	for _, want := range []string{
		"p2pcam-rig: modprobe virtio_blk: ok",
		"p2pcam-rig: modprobe ext4: ok",
		"p2pcam-rig: record disk: mounted /dev/vd",
		`msg=recording dir=/var/lib/p2pcam/records`,
	} {
		if !strings.Contains(log, want) {
			t.Fatalf("serial log lacks %q", want)
		}
	}
	// The motion detector looks at vivid's pictures, whose colour bars
	// the streams' specs set moving (a camera control).
	for _, want := range []string{
		"control=horizontal_movement value=move_right_fast", // logged by whichever opened vivid first
		`msg="motion detector watching the camera" source=motion device=/dev/video0`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("serial log lacks %q", want)
		}
	}
	line := vm.await(t, "msg=motion state=start")
	t.Logf("motion on vivid's moving pictures: %s", line[strings.Index(line, "msg="):])
	if n := strings.Count(vm.serial(t), `msg="camera opened"`); n != 1 {
		t.Errorf("vivid opened %d times, want once: the motion detector shares it with the streams", n)
	}
	body, err := vm.get("/command?action=inner_define&channel=0&cmd=get_device_st&type=playback")
	if err != nil || !strings.Contains(string(body), `"status":"0"`) {
		t.Fatalf("get_device_st&type=playback: %s %v, want status 0", body, err)
	}

	seg := waitRecordFile(t, vm.camera)
	t.Logf("first finished segment %s (%d bytes) %v after boot", seg.Name, seg.Size, time.Since(start).Round(100*time.Millisecond))
	spans := recordIndex(t, vm.camera)
	if len(spans) == 0 || spans[0].Start.After(seg.Start) || spans[0].End.Before(seg.End) {
		t.Errorf("get_record_index %+v does not cover the segment %v to %v", spans, seg.Start, seg.End)
	}

	cc := parseCapturing(t, vm.serial(t))
	from := seg.Start.Unix()
	flv := fetchAll(t, vm.camera, fmt.Sprintf("/ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", from, from+playSpan))
	p := checkVividFLV(t, "playback.flv", flv, cc, false)
	// It starts at the segment's first keyframe (start_time is the
	// second it starts in) and runs to end_time: its last frame is
	// there, give or take the frames the emulated camera skipped (it
	// captures 10 to 20 of vivid's 25 fps on a loaded host).
	vp := p.VideoPackets()
	if len(vp) == 0 {
		t.Fatal("playback: no video")
	}
	name, err := record.ParseName(seg.Name) // to the millisecond; seg.Start is whole seconds
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := time.Unix(from+playSpan, 0).Sub(name.Start).Milliseconds()
	if last := vp[len(vp)-1].PTS; len(vp) < 10 || vp[0].PTS != 0 || last > wantEnd || last < wantEnd-1000 {
		t.Errorf("playback: %d video packets from PTS %d to %d, want 10 or more from 0 to about %d (end_time)", len(vp), vp[0].PTS, last, wantEnd)
	}
	mp4 := fetchAll(t, vm.camera, "/ipc.flv?action=download&channel=0&format=mp4&file_name="+url.QueryEscape(seg.Name))
	path := mediatest.WriteTemp(t, "download.mp4", mp4)
	mediatest.CheckDecodes(t, path)
	mp := mediatest.FFprobe(t, path)
	if v := mp.Video(t); v.CodecName != "h264" || v.Width != cc.width || v.Height != cc.height {
		t.Errorf("MP4 download: %s %dx%d, want h264 %dx%d", v.CodecName, v.Width, v.Height, cc.width, cc.height)
	}
	t.Logf("playback to %d ms into the segment: %d bytes, %d video packets; MP4 download: %d bytes, %d video packets; %v from boot", wantEnd, len(flv), len(vp), len(mp4), len(mp.VideoPackets()), time.Since(start).Round(100*time.Millisecond))
}

// waitRecordFile waits up to recordWait for the camera to list a
// finished segment (one with a duration in its name) and returns the
// first.
func waitRecordFile(t *testing.T, c camera) viewer.RecordFile {
	t.Helper()
	deadline := time.NewTimer(recordWait)
	defer deadline.Stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		now := time.Now().Unix()
		body, err := c.get(fmt.Sprintf("/command?action=inner_define&channel=0&cmd=get_file_list&start_time=%d&end_time=%d&file_type=0", now-3600, now+3600))
		if err == nil {
			var files []viewer.RecordFile
			files, err = viewer.ParseFileList(body)
			for _, f := range files {
				if n, err := record.ParseName(f.Name); err == nil && n.Finished() && f.Size > 0 {
					return f
				}
			}
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("no finished segment listed within %v: %s %v", recordWait, body, err)
		}
	}
}

// recordIndex asks for get_record_index over the hour around now.
func recordIndex(t *testing.T, c camera) []viewer.RecordSpan {
	t.Helper()
	now := time.Now().Unix()
	body, err := c.get(fmt.Sprintf("/command?action=inner_define&channel=0&cmd=get_record_index&start_time=%d&end_time=%d", now-3600, now+3600))
	if err != nil {
		t.Fatal(err)
	}
	spans, err := viewer.ParseRecordIndex(body)
	if err != nil {
		t.Fatalf("get_record_index: %s: %v", body, err)
	}
	return spans
}

// fetchAll reads the whole answer to path (a playback runs in real
// time), bounded by streamTimeout.
func fetchAll(t *testing.T, c camera, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %d bytes, %v", path, resp.Status, len(body), err)
	}
	return body
}
