package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/record"
)

// Flags the playback command refuses before it connects.
func TestPlaybackFlagErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--from", "-1m", "--speed", "3"}, `--speed "3": want 0.5, 1, 2, 4 or 8`},
		{[]string{"--from", "-1m", "--speed", "fast"}, `--speed "fast"`},
		{[]string{"--from", "-1m", "--seek", "-2m"}, "--seek"},
		{[]string{"--from", "-10m", "--to", "-5m", "--seek", "-1m"}, "is outside --from"},
		{[]string{"--from", "-1m", "--seek", "yesterday"}, "--seek:"},
	}
	for _, c := range cases {
		err := run(context.Background(), append([]string{"playback", "--lan", "http://127.0.0.1:1"}, c.args...), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		}
	}
}

// The playback command's controls against a recording p2pcamd (3 s
// segments), through the embedded broker and a real mosquitto: --speed
// 4 plays 8 s of recording in about 2 s, keyframes only; --seek jumps
// ahead once started, over P2P and over LAN (whose session the CLI
// keeps); and on a terminal (a pseudo-terminal here, the FLV piped out)
// space pauses and resumes, the arrows seek 10 s on and back, 4 sets
// the speed, the progress line on stderr follows, q quits and the
// terminal is left as it was.
func TestPlaybackControlsCLI(t *testing.T) {
	for _, b := range recordBrokers {
		t.Run(b.name, func(t *testing.T) {
			url, user, pass := b.start(t)
			testPlaybackControlsCLI(t, startRecordingCamera(t, url, user, pass))
		})
	}
}

func testPlaybackControlsCLI(t *testing.T, c *recCamera) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	tok := c.token(t, auth.PermPlayback)
	names := c.waitListed(ctx, t, tok, 5)
	first, err := record.ParseName(names[0])
	if err != nil {
		t.Fatal(err)
	}
	s := first.Start.Truncate(time.Second).Add(time.Second) // a second into the first segment
	at := func(d time.Duration) string { return strconv.FormatInt(s.Add(d).Unix(), 10) }

	t.Run("speed", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "fast.flv")
		t0 := time.Now()
		if _, errOut, err := c.p2pcam(ctx, "playback", tok, "--from", at(0), "--to", at(8*time.Second), "--speed", "4", "-o", out); err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		took := time.Since(t0)
		vp := mediatest.FFprobe(t, out).VideoPackets()
		key := 0
		for _, p := range vp {
			if p.Keyframe() {
				key++
			}
		}
		span := time.Duration(vp[len(vp)-1].PTS-vp[0].PTS) * time.Millisecond
		t.Logf("8 s at 4x: %v (connect included), %d video packets, %d keyframes, PTS span %v", took.Round(time.Millisecond), len(vp), key, span)
		// At 1x: 8 s, ~200 packets. The frames before the speed command
		// reached the camera go at 1x: a few.
		if key < 5 || len(vp)-key > 15 || span > 4*time.Second || took > 7*time.Second {
			t.Errorf("not 4x: %d packets, %d keyframes, span %v, took %v", len(vp), key, span, took)
		}
		mediatest.CheckDecodes(t, out)
	})

	// --seek: a 10 s range starting at its 7th second: about 3 s to play.
	seek := func(t *testing.T, args ...string) {
		out := filepath.Join(t.TempDir(), "seek.flv")
		t0 := time.Now()
		args = append(args, "--from", at(0), "--to", at(10*time.Second), "--seek", at(7*time.Second), "-o", out)
		var o, e bytes.Buffer
		if err := run(ctx, append([]string{"playback"}, args...), &o, &e); err != nil {
			t.Fatalf("%v\n%s", err, e.String())
		}
		took := time.Since(t0)
		p := mediatest.FFprobe(t, out)
		vp := p.VideoPackets()
		span := time.Duration(vp[len(vp)-1].PTS-vp[0].PTS) * time.Millisecond
		t.Logf("seek to +7 s of 10: %v, PTS span %v", took.Round(time.Millisecond), span)
		if span > 6*time.Second || span < 2*time.Second {
			t.Errorf("played %v of a 10 s range sought to +7 s", span)
		}
		p.CheckMonotonic(t)
		mediatest.CheckDecodes(t, out)
	}
	t.Run("seek P2P", func(t *testing.T) {
		seek(t, "acme/cam1", "--broker", c.broker, "--user", "alice", "--password", "alicepw", "--token", tok, "--loopback")
	})
	t.Run("seek LAN", func(t *testing.T) { seek(t, "--lan", "http://"+c.lan, "--token", tok) })

	t.Run("keys", func(t *testing.T) {
		master, tty, err := openPTY()
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("pseudo-terminal: %v", err)
			}
			t.Skipf("no pseudo-terminal: %v", err)
		}
		defer master.Close()
		defer tty.Close()
		go io.Copy(io.Discard, master) //nolint:errcheck // the terminal's echo, until closed
		cmd := exec.CommandContext(ctx, c.p2pcamBin, "playback", "acme/cam1", "--broker", c.broker, "--user", "alice", "--password", "alicepw",
			"--token", tok, "--loopback", "--from", at(0))
		cmd.Stdin = tty
		var flv, errOut syncbuf.Buffer
		cmd.Stdout, cmd.Stderr = &flv, &errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		line := regexp.MustCompile(`\d\d:\d\d:\d\d  ([+-]\d+\.\d)s  (\S+)x  (playing|paused)`)
		// waitLine waits for a progress line after the first skip bytes
		// of stderr that ok accepts, and returns it and where it ended.
		type progressLine struct {
			progress float64
			speed    string
			paused   bool
		}
		waitLine := func(what string, skip int, ok func(progressLine) bool) (progressLine, int) {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for {
				text := errOut.String()
				for _, m := range line.FindAllStringSubmatchIndex(text[min(skip, len(text)):], -1) {
					sub := text[min(skip, len(text)):]
					v, _ := strconv.ParseFloat(sub[m[2]:m[3]], 64)
					pl := progressLine{progress: v, speed: sub[m[4]:m[5]], paused: sub[m[6]:m[7]] == "paused"}
					if ok(pl) {
						return pl, min(skip, len(text)) + m[1]
					}
				}
				select {
				case err := <-exited:
					t.Fatalf("%s: p2pcam exited: %v\n%s", what, err, text)
				case <-time.After(100 * time.Millisecond): // a poll's pause; the deadline bounds the wait
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: no such progress line in:\n%q", what, text)
				}
			}
		}
		flvLen := func() int { return len(flv.String()) }
		typeKeys := func(k string) {
			if _, err := master.WriteString(k); err != nil {
				t.Fatal(err)
			}
		}

		pl, end := waitLine("playing", 0, func(p progressLine) bool { return !p.paused && p.progress > 2 })
		t.Logf("playing at %+.1f s", pl.progress)
		typeKeys(" ")
		pl, end = waitLine("paused", end, func(p progressLine) bool { return p.paused })
		// Paused: the position holds and hardly a byte more comes.
		n0 := flvLen()
		_, end = waitLine("paused, a second later", end, func(p progressLine) bool { return p.paused })
		held, end := waitLine("paused, two seconds later", end, func(p progressLine) bool { return p.paused })
		if held.progress > pl.progress+0.2 || flvLen() > n0+64<<10 {
			t.Errorf("paused at %+.1f s, then %+.1f s; %d bytes more", pl.progress, held.progress, flvLen()-n0)
		}
		typeKeys(" ")
		pl, end = waitLine("resumed", end, func(p progressLine) bool { return !p.paused && p.progress > held.progress+0.5 })
		if flvLen() <= n0 {
			t.Error("no bytes after resume")
		}
		// Right arrow: 10 s on; left arrow: 10 s back (each to the
		// keyframe at or before).
		typeKeys("\x1b[C")
		on, end := waitLine("10 s on", end, func(p progressLine) bool { return p.progress > pl.progress+7 })
		typeKeys("\x1b[D")
		back, end := waitLine("10 s back", end, func(p progressLine) bool { return p.progress < on.progress-7 })
		t.Logf("resumed to %+.1f s, the right arrow went to %+.1f s, the left arrow to %+.1f s", pl.progress, on.progress, back.progress)
		typeKeys("4")
		_, _ = waitLine("at 4x", end, func(p progressLine) bool { return p.speed == "4" })
		typeKeys("q")
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("after q: %v\n%s", err, errOut.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatal("p2pcam did not end after q")
		}
		if !echoOn(tty) {
			t.Error("the terminal is left in raw mode")
		}
		if !strings.Contains(errOut.String(), "p2pcam: played ") {
			t.Errorf("no closing line:\n%s", errOut.String())
		}
		path := mediatest.WriteTemp(t, "keys.flv", []byte(flv.String()))
		p := mediatest.FFprobe(t, path)
		p.CheckMonotonic(t)
		mediatest.CheckDecodes(t, path)
	})
}
