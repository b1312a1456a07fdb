package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/record"
)

// waitAppConnectNum waits until get_device_st counts want apps.
func (d *daemon) waitAppConnectNum(t *testing.T, typ, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := d.get(t, "command?action=inner_define&channel=0&cmd=get_device_st&type="+typ)
		var st deviceStatus
		if json.Unmarshal([]byte(body), &st) == nil && len(st) == 1 && st[0].AppConnectNum == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("get_device_st type=%s = %s, want appConnectNum %s", typ, body, want)
		}
		d.waitLog(200*time.Millisecond, "no line matches this") // a bounded pause between polls
	}
}

// Issue 13 item 5: appConnectNum counts every viewer the camera serves,
// whatever it does: a live viewer, a talker and a playback viewer make
// 3, whichever type get_device_st asks about, and it falls back as each
// leaves.
func TestAppConnectNumCountsEveryViewer(t *testing.T) {
	d := startDaemon(t, recordConfig(filepath.Join(t.TempDir(), "sd")))
	fl := d.waitFinished(t, 1, 40*time.Second)
	seg, err := record.ParseName(fl.FileList[0].FileName)
	if err != nil {
		t.Fatal(err)
	}
	d.waitAppConnectNum(t, "live", "0")

	live := openViewer(t, d, "standard")
	if live.StatusCode != http.StatusOK {
		t.Fatalf("live viewer: %s", live.Status)
	}
	d.waitAppConnectNum(t, "live", "1")

	// A talker that keeps talking: its body stays open.
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() { _, _ = pw.Write(g711Talk(t, 0.2)) }() // the FLV header and a few tags, then silence
	talk, err := (&http.Client{Timeout: 20 * time.Second}).Post(d.url("voice?channel=0"), "video/x-flv", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer talk.Body.Close()
	if talk.StatusCode != http.StatusOK {
		t.Fatalf("talker: %s", talk.Status)
	}
	d.waitAppConnectNum(t, "voice", "2")

	play, err := http.Get(d.url(fmt.Sprintf("ipc.flv?action=playback&channel=0&start_time=%d&end_time=%d",
		seg.Start.Unix(), seg.Start.Unix()+60)))
	if err != nil {
		t.Fatal(err)
	}
	defer play.Body.Close()
	if play.StatusCode != http.StatusOK {
		t.Fatalf("playback viewer: %s", play.Status)
	}
	for _, typ := range []string{"live", "voice", "playback"} {
		d.waitAppConnectNum(t, typ, "3")
	}

	play.Body.Close()
	d.waitAppConnectNum(t, "playback", "2")
	pw.Close()
	d.waitAppConnectNum(t, "voice", "1")
	live.Body.Close()
	d.waitAppConnectNum(t, "live", "0")
}
