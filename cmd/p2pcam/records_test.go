package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/record"
)

// recCamera is a p2pcamd on the sim board recording 3 s segments, on P2P
// and in LAN mode.
type recCamera struct {
	broker, lan, dir string
	issuer           ed25519.PrivateKey
	p2pcamBin        string // the CLI, built
}

// startRecordingCamera runs p2pcamd --board sim --record-dir with 3 s
// segments, on broker (logging in as user:pass when user is not empty)
// and in LAN mode on a free loopback port.
func startRecordingCamera(t *testing.T, broker, user, pass string) *recCamera {
	return startRecordingCameraWith(t, broker, user, pass, "")
}

// startRecordingCameraWith is startRecordingCamera with more keys for
// the config's [record] table.
func startRecordingCameraWith(t *testing.T, broker, user, pass, record string) *recCamera {
	p2pcam, p2pcamd := buildTools(t)
	pub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	c := &recCamera{broker: broker, dir: filepath.Join(dir, "sd"), issuer: issuer, p2pcamBin: p2pcam,
		lan: fmt.Sprintf("127.0.0.1:%d", brokertest.FreeTCPPort(t))}
	conf := fmt.Sprintf("device = \"acme/cam1\"\n[auth]\ntrusted_keys = [%q]\ndevice_key = \"cam1.key\"\n[p2p]\nbroker = %q\nusername = %q\npassword = %q\n[record]\nsegment_length = \"3s\"\n%s",
		auth.MarshalPublicKey(pub), broker, user, pass, record)
	if err := os.WriteFile(filepath.Join(dir, "cam1.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cam := exec.Command(p2pcamd, "--config", "cam1.toml", "--board", "sim", "--lan", c.lan, "--record-dir", c.dir)
	cam.Dir = dir
	if testing.Verbose() {
		cam.Stderr = os.Stderr
	}
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sync.OnceFunc(func() {
		_ = cam.Process.Kill()
		_ = cam.Wait()
	}))
	return c
}

func (c *recCamera) token(t *testing.T, perms auth.Permission) string {
	now := time.Now()
	tok, err := auth.Sign(c.issuer, auth.Claims{Device: "acme/cam1", Subject: "alice", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// p2pcam runs the CLI command cmd against the camera over P2P with args
// and the token, and returns its output and error.
func (c *recCamera) p2pcam(ctx context.Context, cmd string, tok string, args ...string) (stdout, stderr string, err error) {
	full := append([]string{cmd, "acme/cam1", "--broker", c.broker, "--user", "alice", "--password", "alicepw", "--token", tok, "--loopback"}, args...)
	var o, e bytes.Buffer
	err = run(ctx, full, &o, &e)
	return o.String(), e.String(), err
}

var segmentName = regexp.MustCompile(`ch0_\d{8}T\d{6}\.\d{3}Z_\d+\.flv`)

// waitListed runs p2pcam records until it lists n finished segments and
// returns them, oldest first.
func (c *recCamera) waitListed(ctx context.Context, t *testing.T, tok string, n int) []string {
	t.Helper()
	for {
		out, errOut, err := c.p2pcam(ctx, "records", tok, "--from", "-10m")
		// The camera registers shortly after it starts: until then it is
		// offline.
		if err != nil && !strings.Contains(err.Error(), "offline") {
			t.Fatalf("records: %v\n%s", err, errOut)
		}
		if names := segmentName.FindAllString(out, -1); len(names) >= n {
			if !strings.Contains(out, "files, ") {
				t.Errorf("no total line:\n%s", out)
			}
			return names
		}
		select {
		case <-ctx.Done():
			t.Fatalf("p2pcam records listed fewer than %d finished segments:\n%s", n, out)
		case <-time.After(500 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
}

// The viewer CLI against a recording p2pcamd: records lists the
// segments on disk, the month calendar marks today, playback gives FLV
// of the right length, a download broken off resumes to a byte-identical
// file, the MP4 download decodes, the LAN form answers the same, and a
// token without the permission gets a clear error. Through the embedded
// broker and a real mosquitto.
// recordBrokers are the brokers the recording CLI tests run through:
// the embedded one and a real mosquitto; start returns its URL and the
// camera's login.
var recordBrokers = []struct {
	name  string
	start func(t *testing.T) (url, user, pass string)
}{
	{"embedded", func(t *testing.T) (string, string, string) { return brokertest.AllowAll(t), "", "" }},
	{"mosquitto", func(t *testing.T) (string, string, string) {
		addr := brokertest.Mosquitto(t, []brokertest.Account{{Name: "acme/cam1", Password: "campw"}, {Name: "alice", Password: "alicepw"}},
			"pattern readwrite #\n")
		return "mqtt://" + addr, "acme/cam1", "campw"
	}},
}

func TestRecordsPlaybackDownloadCLI(t *testing.T) {
	for _, b := range recordBrokers {
		t.Run(b.name, func(t *testing.T) {
			url, user, pass := b.start(t)
			c := startRecordingCamera(t, url, user, pass)
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			tok := c.token(t, auth.PermPlayback|auth.PermDownload)

			names := c.waitListed(ctx, t, tok, 3)
			for _, n := range names {
				if _, err := os.Stat(filepath.Join(c.dir, n)); err != nil {
					t.Errorf("listed %s, not on disk: %v", n, err)
				}
			}

			now := time.Now()
			cal, errOut, err := c.p2pcam(ctx, "records", tok, "--month", now.Format("200601"))
			if err != nil {
				t.Fatalf("records --month: %v\n%s", err, errOut)
			}
			if !strings.Contains(cal, fmt.Sprintf("[%2d*", now.Day())) || !strings.Contains(cal, "(1 days)") {
				t.Errorf("the calendar does not mark today (%d) alone:\n%s", now.Day(), cal)
			}
			t.Logf("calendar:\n%s", cal)

			checkPlayback(ctx, t, c, tok, names[1])
			checkResumedDownload(ctx, t, c, tok, names[0])

			// The MP4 form decodes.
			mp4 := filepath.Join(t.TempDir(), "seg.mp4")
			if _, errOut, err := c.p2pcam(ctx, "download", tok, names[0], "--mp4", "-o", mp4); err != nil {
				t.Fatalf("download --mp4: %v\n%s", err, errOut)
			}
			mediatest.CheckDecodes(t, mp4)

			// The LAN form lists and downloads the same.
			lanURL := "http://" + c.lan
			var o, e bytes.Buffer
			if err := run(ctx, []string{"records", "--lan", lanURL, "--token", tok, "--from", "-10m"}, &o, &e); err != nil {
				t.Fatalf("records --lan: %v\n%s", err, e.String())
			}
			if got := segmentName.FindAllString(o.String(), -1); len(got) < len(names) || got[0] != names[0] {
				t.Errorf("records --lan lists %q, P2P %q", got, names)
			}
			lanOut := filepath.Join(t.TempDir(), "lan.flv")
			if err := run(ctx, []string{"download", "--lan", lanURL, "--token", tok, "-q", names[2], "-o", lanOut}, io.Discard, &e); err != nil {
				t.Fatalf("download --lan: %v\n%s", err, e.String())
			}
			sameFile(t, lanOut, filepath.Join(c.dir, names[2]))

			// Without the permission: a clear error, and no file left.
			live := c.token(t, auth.PermLive)
			if _, _, err := c.p2pcam(ctx, "records", live); err == nil || !strings.Contains(err.Error(), "this one needs: playback") {
				t.Errorf("records with a live-only token: %v", err)
			}
			if err := run(ctx, []string{"download", "--lan", lanURL, "--token", c.token(t, auth.PermPlayback), names[0], "-o", filepath.Join(t.TempDir(), "x.flv")}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "this one needs: download") {
				t.Errorf("download with a playback-only token: %v", err)
			}
		})
	}
}

// checkPlayback plays 3 s from a second into the segment name and
// checks that ffprobe sees them, starting at a keyframe.
func checkPlayback(ctx context.Context, t *testing.T, c *recCamera, tok, name string) {
	t.Helper()
	seg, err := record.ParseName(name)
	if err != nil {
		t.Fatal(err)
	}
	from := seg.Start.Truncate(time.Second).Add(time.Second)
	to := from.Add(3 * time.Second)
	out := filepath.Join(t.TempDir(), "playback.flv")
	if _, errOut, err := c.p2pcam(ctx, "playback", tok, "--from", fmt.Sprint(from.Unix()), "--to", fmt.Sprint(to.Unix()), "-o", out); err != nil {
		t.Fatalf("playback: %v\n%s", err, errOut)
	}
	vp := mediatest.FFprobe(t, out).VideoPackets()
	if len(vp) < 2 || !vp[0].Keyframe() || vp[0].PTS != 0 {
		t.Fatalf("playback: %d video packets, first %+v", len(vp), vp[:min(1, len(vp))])
	}
	// From the keyframe at or before from (at the segment's start at the
	// earliest) to the last frame before to.
	dur := time.Duration(vp[len(vp)-1].PTS) * time.Millisecond
	lo, hi := to.Sub(from)-300*time.Millisecond, to.Sub(seg.Start)
	if dur < lo || dur > hi {
		t.Errorf("playback of %v..%v lasts %v, want %v to %v", from.Unix(), to.Unix(), dur, lo, hi)
	}
	mediatest.CheckDecodes(t, out)
}

// checkResumedDownload downloads name with a timeout too short to
// finish, then without, and checks the file against the camera's, and
// resumes a file cut at a third the same way.
func checkResumedDownload(ctx context.Context, t *testing.T, c *recCamera, tok, name string) {
	t.Helper()
	onDisk := filepath.Join(c.dir, name)
	want, err := os.ReadFile(onDisk)
	if err != nil {
		t.Fatal(err)
	}
	// Cut by a timeout: whatever arrived stays, and the next run goes on
	// from there.
	out := filepath.Join(t.TempDir(), name)
	_, errOut, err := c.p2pcam(ctx, "download", tok, name, "-o", out, "--timeout", "50ms")
	fi, _ := os.Stat(out)
	t.Logf("download with a 50 ms timeout: %v; %d bytes kept", err, fi.Size())
	if err != nil && !strings.Contains(err.Error(), "run the same command again to resume") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("a cut download says %v\n%s", err, errOut)
	}
	if _, errOut, err := c.p2pcam(ctx, "download", tok, name, "-o", out); err != nil {
		t.Fatalf("resumed download: %v\n%s", err, errOut)
	}
	sameFile(t, out, onDisk)

	// A file cut at a third (as a killed download leaves it) resumes
	// from its size: only the rest comes.
	cut := filepath.Join(t.TempDir(), "cut.flv")
	if err := os.WriteFile(cut, want[:len(want)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = c.p2pcam(ctx, "download", tok, name, "-o", cut)
	if err != nil {
		t.Fatalf("resumed download: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, fmt.Sprintf("resumed %s at %d", cut, len(want)/3)) {
		t.Errorf("resume not reported:\n%s", errOut)
	}
	sameFile(t, cut, onDisk)
	// Run again: already complete.
	if _, errOut, err = c.p2pcam(ctx, "download", tok, name, "-o", cut); err != nil || !strings.Contains(errOut, "is complete") {
		t.Errorf("a complete download again: %v\n%s", err, errOut)
	}
}

// sameFile fails the test unless the files at got and want hold the
// same bytes.
func sameFile(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err1 != nil || err2 != nil || len(w) == 0 || !bytes.Equal(g, w) {
		t.Errorf("%s: %d bytes (%v), want the %d bytes of %s (%v)", got, len(g), err1, len(w), want, err2)
	}
}

// The camera and the file name may come before, between or after the
// flags.
func TestRecordFlagsParse(t *testing.T) {
	for _, c := range []struct {
		env     string
		args    []string
		device  string
		rest    []string
		wantErr string
	}{
		{"", []string{"acme/cam1", "--from", "-1h"}, "acme/cam1", nil, ""},
		{"", []string{"acme/cam1", "--timeout", "1s", "ch0_x.flv", "-o", "a.flv"}, "acme/cam1", []string{"ch0_x.flv"}, ""},
		{"", []string{"-o", "a.flv", "acme/cam1", "ch0_x.flv"}, "acme/cam1", []string{"ch0_x.flv"}, ""},
		{"acme/cam2", []string{"ch0_x.flv"}, "acme/cam2", []string{"ch0_x.flv"}, ""},
		{"acme/cam2", []string{"acme/cam1", "ch0_x.flv"}, "acme/cam1", []string{"ch0_x.flv"}, ""},
		{"", []string{"--lan", "http://127.0.0.1:8080", "ch0_x.flv"}, "", []string{"ch0_x.flv"}, ""},
		{"", []string{"--from", "-1h"}, "", nil, "which camera?"},
		{"", []string{"acme/cam1", "--no-such-flag"}, "", nil, "not defined"},
	} {
		t.Setenv("P2PCAM_DEVICE", c.env)
		fs := flag.NewFlagSet("download", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var rf recordFlags
		rf.register(fs, 0, "")
		fs.String("o", "", "")
		fs.String("from", "", "")
		rest, err := rf.parse(fs, c.args)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%q: err %v, want %q", c.args, err, c.wantErr)
			}
			continue
		}
		if err != nil || rf.cf.device != c.device || !slices.Equal(rest, c.rest) {
			t.Errorf("%q: device %q rest %q err %v, want %q %q", c.args, rf.cf.device, rest, err, c.device, c.rest)
		}
	}
}

func TestParseRecordType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"3", 3, true}, {"255", 255, true}, {"all", -1, true},
		{"", 0, false}, {"-1", 0, false}, {"256", 0, false}, {"01", 0, false}, {"motion", 0, false}, {"ALL", 0, false},
	} {
		got, err := parseRecordType(c.in)
		if c.ok != (err == nil) || (c.ok && got != c.want) {
			t.Errorf("parseRecordType(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

// p2pcam records --type against a p2pcamd recording continuously and
// event clips of trigger_event (its [record] clips, pre_roll and
// post_roll from the config file): a trigger_event makes a clip that
// --type 3 lists, --type 0 (the default) does not, and --type all
// lists with the continuous segments; it lies in DIR/clips.
func TestRecordsTypeCLI(t *testing.T) {
	c := startRecordingCameraWith(t, brokertest.AllowAll(t), "", "", "clips = [\"trigger\"]\npre_roll = \"1s\"\npost_roll = \"1s\"\n")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	tok := c.token(t, auth.PermPlayback|auth.PermCommand)
	lanURL := "http://" + c.lan
	records := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if err := run(ctx, append([]string{"records", "--lan", lanURL, "--token", tok, "--from", "-10m"}, args...), &o, &e); err != nil {
			t.Fatalf("records %q: %v\n%s", args, err, e.String())
		}
		return o.String()
	}
	c.waitListed(ctx, t, tok, 1) // the camera runs, and has more than the pre-roll
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, lanURL+"/command?action=user_define&cmd=trigger_event", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("trigger_event: %s", resp.Status)
	}
	clipName := regexp.MustCompile(`ch0_\d{8}T\d{6}\.\d{3}Z_\d+_t3\.flv`)
	var clips []string
	for len(clips) == 0 {
		clips = clipName.FindAllString(records("--type", "3"), -1)
		if len(clips) > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("p2pcam records --type 3 listed no finished clip")
		case <-time.After(300 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
	if len(clips) != 1 {
		t.Errorf("clips %q, want one", clips)
	}
	if out := records(); clipName.MatchString(out) || !segmentName.MatchString(out) {
		t.Errorf("records (type 0) lists clips or no segment:\n%s", out)
	}
	if out := records("--type", "all"); !strings.Contains(out, clips[0]) || !segmentName.MatchString(strings.ReplaceAll(out, clips[0], "")) {
		t.Errorf("records --type all lists not both:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "clips", clips[0])); err != nil {
		t.Error(err)
	}
}

// records, download and playback --channel 1 against a p2pcamd whose
// NVR channel 1 records beside channel 0: over P2P and LAN mode they see
// channel 1's files only, and channel 0's listing none of them.
func TestRecordsNVRChannelCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds p2pcam and p2pcamd: skipped in -short mode")
	}
	c := startRecordingCameraWith(t, brokertest.AllowAll(t), "", "", "\n[[channels]]\nchannel = 1\nstreams.standard = \"sim:standard\"\n")
	tok := c.token(t, auth.PermPlayback|auth.PermDownload)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ch1Name := regexp.MustCompile(`ch1_\d{8}T\d{6}\.\d{3}Z_\d+\.flv`)
	var names []string
	for len(names) < 2 {
		out, errOut, err := c.p2pcam(ctx, "records", tok, "--channel", "1", "--from", "-10m")
		if err != nil && !strings.Contains(err.Error(), "offline") {
			t.Fatalf("records --channel 1: %v\n%s", err, errOut)
		}
		if segmentName.MatchString(out) {
			t.Fatalf("records --channel 1 lists channel 0's files:\n%s", out)
		}
		names = ch1Name.FindAllString(out, -1)
		select {
		case <-ctx.Done():
			t.Fatalf("records --channel 1 listed %d finished segments, want 2:\n%s", len(names), out)
		case <-time.After(500 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
	if out, _, err := c.p2pcam(ctx, "records", tok, "--from", "-10m"); err != nil || ch1Name.MatchString(out) {
		t.Errorf("records (channel 0): %v, lists channel 1's files:\n%s", err, out)
	}

	out := filepath.Join(t.TempDir(), names[0])
	if _, errOut, err := c.p2pcam(ctx, "download", tok, "--channel", "1", names[0], "-o", out); err != nil {
		t.Fatalf("download --channel 1: %v\n%s", err, errOut)
	}
	sameFile(t, out, filepath.Join(c.dir, names[0]))
	if _, _, err := c.p2pcam(ctx, "download", tok, names[0], "-o", filepath.Join(t.TempDir(), "x.flv")); err == nil {
		t.Error("channel 1's file downloaded on channel 0")
	}

	seg, err := record.ParseName(names[1])
	if err != nil {
		t.Fatal(err)
	}
	from := seg.Start.Truncate(time.Second).Add(time.Second)
	pb := filepath.Join(t.TempDir(), "playback.flv")
	if _, errOut, err := c.p2pcam(ctx, "playback", tok, "--channel", "1", "--from", fmt.Sprint(from.Unix()), "--to", fmt.Sprint(from.Unix()+2), "-o", pb); err != nil {
		t.Fatalf("playback --channel 1: %v\n%s", err, errOut)
	}
	if vp := mediatest.FFprobe(t, pb).VideoPackets(); len(vp) < 25 || !vp[0].Keyframe() {
		t.Errorf("playback --channel 1: %d video packets, want 2 s from a keyframe", len(vp))
	}
	mediatest.CheckDecodes(t, pb)

	var o, e bytes.Buffer
	if err := run(ctx, []string{"records", "--lan", "http://" + c.lan, "--token", tok, "--channel", "1", "--from", "-10m"}, &o, &e); err != nil {
		t.Fatalf("records --lan --channel 1: %v\n%s", err, e.String())
	}
	if got := ch1Name.FindAllString(o.String(), -1); len(got) < len(names) || got[0] != names[0] {
		t.Errorf("records --lan --channel 1 lists %q, P2P %q", got, names)
	}
}
