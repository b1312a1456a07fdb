package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/record"
)

// recordConfig records in 3 s segments into dir.
func recordConfig(dir string) string {
	return fmt.Sprintf("[record]\ndir = %q\nsegment_length = \"3s\"\n", dir)
}

// fileList is get_file_list's reply.
type fileList struct {
	FileList []struct {
		FileName  string `json:"file_name"`
		StartTime string `json:"start_time"`
		EndTime   string `json:"end_time"`
		FileSize  string `json:"file_size"`
	} `json:"file_list"`
}

// files asks the camera for its recordings in the hour around now.
func (d *daemon) files(t *testing.T) fileList { return d.filesOf(t, 0) }

// filesOf asks the camera for channel ch's recordings in the hour around now.
func (d *daemon) filesOf(t *testing.T, ch int) fileList {
	t.Helper()
	now := time.Now().Unix()
	st, body := d.get(t, fmt.Sprintf("command?action=inner_define&channel=%d&cmd=get_file_list&start_time=%d&end_time=%d&file_type=0", ch, now-3600, now+3600))
	var fl fileList
	if st != 200 || json.Unmarshal([]byte(body), &fl) != nil {
		t.Fatalf("get_file_list: %d %s", st, body)
	}
	return fl
}

// waitFinished waits until the camera lists n finished segments.
func (d *daemon) waitFinished(t *testing.T, n int, timeout time.Duration) fileList {
	t.Helper()
	return d.waitFinishedOn(t, 0, n, timeout)
}

// waitFinishedOn waits until the camera lists n finished segments of channel ch.
func (d *daemon) waitFinishedOn(t *testing.T, ch, n int, timeout time.Duration) fileList {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		fl := d.filesOf(t, ch)
		done := 0
		for _, f := range fl.FileList {
			if name, err := record.ParseName(f.FileName); err == nil && name.Finished() {
				done++
			}
		}
		if done >= n {
			return fl
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d finished segments after %v, want %d: %+v", done, timeout, n, fl)
		}
		d.waitLog(500*time.Millisecond, "no line matches this") // a bounded pause between polls
	}
}

// TestRecordPlaybackDownload records the sim board with p2pcamd
// --record-dir, then over LAN mode: lists the recordings, checks the
// month mask, plays a span (from the keyframe at or before its start,
// real time, right timestamps), downloads a segment whole and resumed
// at an offset (byte-identical), as FLV and as MP4, and refuses names
// that leave the directory.
func TestRecordPlaybackDownload(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sd")
	d := startDaemon(t, "[record]\nsegment_length = \"3s\"\n", "--record-dir", dir)
	began := time.Now()
	fl := d.waitFinished(t, 3, 40*time.Second)

	st, body := d.get(t, "command?action=inner_define&channel=0&cmd=get_device_st&type=playback")
	if st != 200 || !bytes.Contains([]byte(body), []byte(`"status":"0"`)) {
		t.Errorf("get_device_st playback: %d %s", st, body)
	}
	now := time.Now().Unix()
	st, body = d.get(t, fmt.Sprintf("command?action=inner_define&channel=0&cmd=get_record_index&start_time=%d&end_time=%d", now-3600, now+3600))
	var idx struct {
		VideoList []struct {
			Type      int    `json:"type"`
			StartTime string `json:"start_time"`
			EndTime   string `json:"end_time"`
		} `json:"video_list"`
	}
	if st != 200 || json.Unmarshal([]byte(body), &idx) != nil || len(idx.VideoList) != 1 {
		t.Fatalf("get_record_index: %d %s, want one span", st, body)
	}
	spanStart, _ := strconv.ParseInt(idx.VideoList[0].StartTime, 10, 64)
	if d := spanStart - began.Unix(); d < -1 || d > 5 {
		t.Errorf("span starts %d s after the camera started, want about 0", d)
	}
	if first, _ := strconv.ParseInt(fl.FileList[0].StartTime, 10, 64); first != spanStart {
		t.Errorf("first file starts %d, span %d", first, spanStart)
	}
	local := time.Now()
	st, body = d.get(t, "command?action=inner_define&channel=0&cmd=get_month_record&time="+local.Format("200601"))
	if want := fmt.Sprintf(`{"video_list":"%d"}`, 1<<(local.Day()-1)); st != 200 || string(bytes.TrimSpace([]byte(body))) != want {
		t.Errorf("get_month_record: %d %s, want %s", st, body, want)
	}

	// Playback from 1.5 s into the second segment to 2 s later.
	second, err := record.ParseName(fl.FileList[1].FileName)
	if err != nil {
		t.Fatal(err)
	}
	from := second.Start.Add(1500 * time.Millisecond)
	// Start and end are whole seconds: round the start down.
	fromSec := from.Unix()
	start := time.Now()
	type fetched struct {
		resp *http.Response
		body []byte
		err  error
	}
	got := make(chan fetched, 1)
	go func() {
		resp, body, err := d.fetch(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", fromSec, fromSec+2)), 30*time.Second)
		got <- fetched{resp, body, err}
	}()
	// While it plays, get_status lists it.
	for deadline := time.Now().Add(2 * time.Second); ; {
		_, body := d.get(t, "command?action=inner_define&channel=0&cmd=get_status")
		if strings.Contains(body, `"kind":"playback"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("get_status does not list the playback: %s", body)
			break
		}
		d.waitLog(100*time.Millisecond, "no line matches this")
	}
	f := <-got
	resp, flvBytes, err := f.resp, f.body, f.err
	took := time.Since(start)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("playback: %v %v", resp, err)
	}
	path := mediatest.WriteTemp(t, "playback.flv", flvBytes)
	probe := mediatest.FFprobe(t, path)
	probe.CheckMonotonic(t)
	vp := probe.VideoPackets()
	if len(vp) < 25 || !vp[0].Keyframe() || vp[0].PTS != 0 {
		t.Fatalf("playback video: %d packets, first %+v: want a keyframe at 0 and 2 s or more", len(vp), vp[:min(1, len(vp))])
	}
	// The sim clips have a keyframe a second: playback starts at most a
	// second before start_time, and runs to end_time.
	lastMS := vp[len(vp)-1].PTS
	if lastMS < 1900 || lastMS > 3100 {
		t.Errorf("playback runs %d ms, want 2 s from start_time plus up to 1 s before it", lastMS)
	}
	if took < time.Duration(lastMS)*time.Millisecond-200*time.Millisecond {
		t.Errorf("playback of %d ms took %v: not real time", lastMS, took)
	}
	if len(probe.AudioPackets()) == 0 {
		t.Error("playback has no audio")
	}
	mediatest.CheckDecodes(t, path)

	// Download the first segment whole, then from an offset.
	name := fl.FileList[0].FileName
	onDisk, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int{0, 1, len(onDisk) / 3, len(onDisk)} {
		st, got := d.get(t, fmt.Sprintf("ipc.flv?action=download&channel=0&file_name=%s&offset=%d", url.QueryEscape(name), off))
		if st != 200 || got != string(onDisk[off:]) {
			t.Errorf("download from %d: status %d, %d bytes, want %d identical", off, st, len(got), len(onDisk)-off)
		}
	}

	// The MP4 a phone saves, whole and resumed at an offset.
	st, whole := d.get(t, "ipc.flv?action=download&channel=0&format=mp4&file_name="+url.QueryEscape(name))
	if st != 200 || len(whole) < len(onDisk)/2 {
		t.Fatalf("MP4 download: %d, %d bytes", st, len(whole))
	}
	mp4 := mediatest.WriteTemp(t, "download.mp4", []byte(whole))
	mediatest.CheckDecodes(t, mp4)
	if p := mediatest.FFprobe(t, mp4); len(p.VideoPackets()) < 70 || len(p.AudioPackets()) == 0 {
		t.Errorf("MP4: %d video and %d audio packets", len(p.VideoPackets()), len(p.AudioPackets()))
	}
	off := len(whole) / 2
	st, rest := d.get(t, fmt.Sprintf("ipc.flv?action=download&channel=0&format=mp4&file_name=%s&offset=%d", url.QueryEscape(name), off))
	if st != 200 || rest != whole[off:] {
		t.Errorf("MP4 resumed at %d: status %d, %d bytes, want %d identical", off, st, len(rest), len(whole)-off)
	}

	// Names that are not the camera's recordings.
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "ch0_20261206T000000.000Z_1000.flv")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"../p2pcamd.toml", "/etc/passwd", "..", name + "/..", "sd/" + name, "../sd/" + name,
		name + "\x00.txt", "ch0_20261206T000000.000Z_1000.flv", "ch0_20261206T000000.000Z_1001.flv",
		fmt.Sprintf("%s&offset=%d", name, len(onDisk)+1),
	} {
		q := "file_name=" + url.QueryEscape(bad)
		if bytes.Contains([]byte(bad), []byte("&")) {
			q = "file_name=" + bad
		}
		st, body := d.get(t, "ipc.flv?action=download&channel=0&"+q)
		if st != 404 {
			t.Errorf("download %q: %d %.80s, want 404", bad, st, body)
		}
	}
	st, _ = d.get(t, "ipc.flv?action=playback&channel=0&start_time=1000&end_time=2000")
	if st != 404 {
		t.Errorf("playback of 1970: %d, want 404", st)
	}
}

// TestRecordPermissions: listing and playing need the token's playback
// permission, downloading its download permission; command alone gives
// neither.
func TestRecordPermissions(t *testing.T) {
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(t.TempDir(), "sd")
	cfg := fmt.Sprintf("device = \"acme/door\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = %q\n%s",
		auth.MarshalPublicKey(pub), filepath.Join(t.TempDir(), "device.key"), recordConfig(dir))
	d := startDaemon(t, cfg)
	now := time.Now()
	token := func(perms auth.Permission) string {
		tok, err := auth.Sign(issuer, auth.Claims{Device: "acme/door", Subject: "bob", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	list := fmt.Sprintf("command?action=inner_define&channel=0&cmd=get_record_index&start_time=%d&end_time=%d", now.Unix()-60, now.Unix()+60)
	play := fmt.Sprintf("ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", now.Unix()-60, now.Unix()-50)
	download := "ipc.flv?action=download&channel=0&file_name=ch0_20261206T000000.000Z_1000.flv"
	for _, c := range []struct {
		name   string
		req    string
		perms  auth.Permission
		status int
	}{
		{"list with command only", list, auth.PermCommand | auth.PermLive, 403},
		{"list with playback", list, auth.PermPlayback, 200},
		{"play with live", play, auth.PermLive | auth.PermCommand, 403},
		{"play with playback (nothing then)", play, auth.PermPlayback, 404},
		{"download with playback", download, auth.PermPlayback, 403},
		{"download with download (no such file)", download, auth.PermDownload, 404},
	} {
		req, _ := http.NewRequest(http.MethodGet, d.url(c.req), nil)
		req.Header.Set("Authorization", "Bearer "+token(c.perms))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.status)
		}
	}
}

// TestLiveWhileTheCardFills records onto a 2 MiB card (a tmpfs) that
// fills in seconds while a viewer watches the same stream live: the
// viewer gets every frame at the live rate, retention keeps deleting,
// and the camera keeps recording. Needs root for the mount.
func TestLiveWhileTheCardFills(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("this test needs root under CI")
		}
		t.Skip("mounting a tmpfs needs root: run as root to test a full card under a live viewer")
	}
	card := t.TempDir()
	if err := syscall.Mount("tmpfs", card, "tmpfs", 0, "size=2m"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Unmount(card, syscall.MNT_DETACH) })
	// super (about 1 Mbit/s) in 2 s segments, 1 MiB kept free.
	d := startDaemon(t, fmt.Sprintf("[record]\ndir = %q\nquality = \"super\"\nsegment_length = \"2s\"\nmin_free_mb = 1\n", card))
	began := time.Now()
	resp, body, err := d.fetch(liveURL(d, "super"), 12*time.Second)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("live: %v %v", resp, err)
	}
	checkFLV(t, "live", body, 1280, 720, 11*25)
	var st syscall.Statfs_t
	if err := syscall.Statfs(card, &st); err != nil {
		t.Fatal(err)
	}
	if free := int64(st.Bavail) * st.Bsize; free < 512<<10 {
		t.Errorf("%d bytes free on the card: retention let it fill", free)
	}
	fl := d.files(t)
	if len(fl.FileList) < 2 {
		t.Fatalf("%d recordings on the card", len(fl.FileList))
	}
	if first, _ := record.ParseName(fl.FileList[0].FileName); first.Start.Before(began.Add(2 * time.Second)) {
		t.Errorf("oldest recording %s is the first: retention deleted nothing", first)
	}
	last, _ := record.ParseName(fl.FileList[len(fl.FileList)-1].FileName)
	if time.Since(last.Start) > 5*time.Second {
		t.Errorf("newest recording started %v ago: recording stopped", time.Since(last.Start))
	}
	if _, ok := d.waitLog(100*time.Millisecond, "recording stopped"); ok {
		t.Error("recording stopped on a full card")
	}
}

// readToFirstVideoFrame reads an FLV stream up to its first video frame
// (not a sequence header).
func readToFirstVideoFrame(tb testing.TB, r io.Reader) {
	tb.Helper()
	dm := flv.NewDemuxer(r)
	if _, err := dm.ReadHeader(); err != nil {
		tb.Fatal(err)
	}
	for {
		tag, err := dm.ReadTag()
		if err != nil {
			tb.Fatal(err)
		}
		if vd, err := flv.ParseVideoData(tag.Data); tag.Type == flv.TagTypeVideo && err == nil && vd.AVCPacketType == flv.AVCPacketNALU {
			return
		}
	}
}

// BenchmarkPlaybackFirstFrame measures a playback request on loopback
// LAN mode, from sending it to reading the first FLV video frame, from
// a different second of the recording each time (so the segment is
// scanned, its keyframe found and read each time).
//
//	go test -run XXX -bench PlaybackFirstFrame -benchtime 30x ./cmd/p2pcamd/
func BenchmarkPlaybackFirstFrame(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "sd")
	d := startDaemon(b, "max_viewers = 32\n"+recordConfig(dir))
	var first record.Name
	for deadline := time.Now().Add(30 * time.Second); ; {
		es, _ := os.ReadDir(dir)
		done := 0
		for _, e := range es {
			if n, err := record.ParseName(e.Name()); err == nil && n.Finished() {
				if done == 0 {
					first = n
				}
				done++
			}
		}
		if done >= 3 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d segments recorded in 30s", done)
		}
		d.waitLog(300*time.Millisecond, "no line matches this")
	}
	var worst time.Duration
	for i := 0; b.Loop(); i++ {
		from := first.Start.Unix() + 1 + int64(i%7)
		start := time.Now()
		resp, err := http.Get(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d", from, from+60)))
		if err != nil {
			b.Fatal(err)
		}
		readToFirstVideoFrame(b, resp.Body)
		worst = max(worst, time.Since(start))
		resp.Body.Close()
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// TestPlaybackStatusFollowsTheStorage removes the recording directory
// under p2pcamd (a pulled card): get_device_st&type=playback turns to 1
// with the reason, live viewing goes on, and when the directory is back
// it turns to 0 again and recording resumes.
func TestPlaybackStatusFollowsTheStorage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sd")
	d := startDaemon(t, recordConfig(dir))
	const status = "command?action=inner_define&channel=0&cmd=get_device_st&type=playback"
	type reply []struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	waitStatus := func(want string) reply {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			st, body := d.get(t, status)
			var r reply
			if st != 200 || json.Unmarshal([]byte(body), &r) != nil || len(r) != 1 {
				t.Fatalf("get_device_st: %d %s", st, body)
			}
			if r[0].Status == want {
				return r
			}
			if time.Now().After(deadline) {
				t.Fatalf("get_device_st playback stayed %+v, want status %s", r, want)
			}
			d.waitLog(300*time.Millisecond, "no line matches this")
		}
	}
	waitStatus("0")
	d.waitFinished(t, 1, 20*time.Second)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	r := waitStatus("1")
	if r[0].Reason == "" {
		t.Errorf("stopped without a reason: %+v", r)
	}
	resp, body, err := d.fetch(liveURL(d, "high"), 3*time.Second)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("live with the card out: %v %v", resp, err)
	}
	checkFLV(t, "live", body, 640, 360, 2*25)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	waitStatus("0")
	d.waitFinished(t, 1, 20*time.Second)
	if _, ok := d.waitLog(time.Second, "recording resumed"); !ok {
		t.Error("no log of recording resuming")
	}
}
