package rig_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
)

const (
	// buildTimeout bounds build-initramfs.sh. Warm (packages cached) it
	// takes seconds; cold it downloads about 60 MB and cross-builds twice.
	buildTimeout = 5 * time.Minute
	// bootTimeout bounds boot to the first LAN answer. Under full
	// emulation on 2 cores it takes about 10 s.
	bootTimeout = 90 * time.Second
	// streamMedia is how much live FLV the test takes, in media time;
	// streamTimeout bounds the wall time that takes.
	streamMedia   = 5 * time.Second
	streamTimeout = 30 * time.Second
	// bootTries: a free port can be taken between choosing it and QEMU
	// binding it; boot again on another one.
	bootTries = 3
)

const (
	statusURL = "/command?action=inner_define&channel=0&cmd=get_device_st&type=live"
	liveURL   = "/ipc.flv?action=live&channel=0&quality=high"
	// standardURL is the qemu-virt board's sub-stream: 320x180.
	standardURL = "/ipc.flv?action=live&channel=0&quality=standard"
)

func TestQEMUArm64(t *testing.T) {
	if testing.Short() {
		t.Skip("QEMU rig: skipped in -short mode")
	}
	requireRig(t)
	mediatest.Require(t, "ffprobe")
	mediatest.Require(t, "ffmpeg")

	root := repoRoot(t)
	out := t.TempDir()
	buildRig(t, root, out)

	t.Run("sim", func(t *testing.T) { testSimBoard(t, root, out) })
	t.Run("qemu-virt", func(t *testing.T) { testQEMUVirtBoard(t, root, out) })
	t.Run("ota", func(t *testing.T) { testOTA(t, root, out) })
}

// testSimBoard boots the sim board (built-in clips) and checks the
// guest's setup, LAN mode, live FLV and the armv7 build.
func testSimBoard(t *testing.T, root, out string) {
	vm := bootRig(t, root, out, "sim")
	defer vm.stop()
	t.Logf("boot to first answer: %v", vm.firstAnswer.Round(100*time.Millisecond))

	t.Run("serial", func(t *testing.T) {
		log := vm.serial(t)
		for _, want := range []string{
			"p2pcam-rig: kernel ",
			", board=sim",
			"p2pcam-rig: modprobe vivid: ok",
			"p2pcam-rig: modprobe snd-aloop: ok",
			"p2pcam-rig: module vivid Live",
			"p2pcam-rig: module snd_aloop Live",
			"p2pcam-rig: /dev/video0: ok: vivid",
			"]: Loopback - Loopback",
			"Starting p2pcamd: OK",
			`msg="LAN mode listening"`,
		} {
			if !strings.Contains(log, want) {
				t.Errorf("serial log lacks %q", want)
			}
		}
		if t.Failed() {
			t.Logf("serial log:\n%s", log)
		}
	})

	t.Run("armv7_compat", func(t *testing.T) {
		log := vm.serial(t)
		line := findLine(log, "p2pcam-rig: armv7 compat: ")
		if !strings.HasPrefix(line, "p2pcam-rig: armv7 compat: ok: p2pcamd ") {
			t.Fatalf("p2pcamd-armv7 --version on the arm64 kernel: got %q, want \"... ok: p2pcamd VERSION\"", line)
		}
	})

	t.Run("get_device_st", func(t *testing.T) {
		body, err := vm.get(statusURL)
		if err != nil {
			t.Fatal(err)
		}
		var st []map[string]string
		if err := json.Unmarshal(body, &st); err != nil || len(st) != 1 {
			t.Fatalf("get_device_st: %q is not one JSON status (%v)", body, err)
		}
		if st[0]["status"] != "0" {
			t.Errorf("get_device_st: status %q, want \"0\" (accept): %s", st[0]["status"], body)
		}
	})

	t.Run("live_flv", func(t *testing.T) {
		flv := vm.liveFLV(t, liveURL, streamMedia)
		path := mediatest.WriteTemp(t, "live.flv", flv)
		p := mediatest.FFprobe(t, path)
		v := p.Video(t)
		if v.CodecName != "h264" || v.Width != 640 || v.Height != 360 {
			t.Errorf("video %s %dx%d, want h264 640x360", v.CodecName, v.Width, v.Height)
		}
		// 25 fps: 125 frames in 5 s; a viewer starts at a keyframe.
		pkts := p.VideoPackets()
		if len(pkts) < 100 {
			t.Errorf("%d video packets in %v of stream, want at least 100", len(pkts), streamMedia)
		}
		if len(pkts) > 0 && !pkts[0].Keyframe() {
			t.Errorf("first video packet is not a keyframe: %+v", pkts[0])
		}
		p.CheckMonotonic(t)
		mediatest.CheckDecodes(t, path)
		t.Logf("%d bytes, %d video packets", len(flv), len(pkts))
	})
}

// testQEMUVirtBoard boots the qemu-virt board: p2pcamd's x264 build
// captures vivid's raw YUYV through V4L2 and encodes it with libx264.
// It checks --list-devices against the real drivers, that the live FLV
// is vivid's picture (its size, x264's stream, live pictures, frames
// that keep coming), and logs the capture path's latency and CPU use,
// measured inside the guest. Then it talks to the camera, and to the
// armv7 build running beside it, and hears the talk come back in their
// live streams through snd-aloop (audio_test.go).
func testQEMUVirtBoard(t *testing.T, root, out string) {
	vm := bootRig(t, root, out, "qemu-virt")
	defer vm.stop()
	t.Logf("boot to first answer: %v", vm.firstAnswer.Round(100*time.Millisecond))

	t.Run("serial", func(t *testing.T) {
		log := vm.serial(t)
		for _, want := range []string{
			", board=qemu-virt",
			"p2pcam-rig: x264 build: ok: p2pcamd ",
			// --list-devices, by the x264 build, on the real drivers.
			"p2pcam-rig: devices: /dev/video0: vivid (camera)",
			"p2pcam-rig: devices:     YUYV  YUYV 4:2:2",
			"p2pcam-rig: devices:       640x360 ",
			"p2pcam-rig: devices:   controls:",
			"p2pcam-rig: devices: card 0: Loopback [Loopback], driver Loopback",
			// The second loopback card, for the armv7 build.
			"p2pcam-rig: devices: card 1: Loopback2 [Loopback], driver Loopback",
			`msg="p2pcamd starting" board=qemu-virt`,
			`msg="LAN mode listening" addr=[::]:8080`,
			"p2pcam-rig: armv7 p2pcamd: started on port 8081",
		} {
			if !strings.Contains(log, want) {
				t.Errorf("serial log lacks %q", want)
			}
		}
		for _, want := range []string{
			`msg="p2pcamd starting" board=sim device=p2pcam/armv7`,
			`msg="LAN mode listening" addr=[::]:8081`,
		} {
			if !strings.HasPrefix(findLine(log, want), armv7Prefix) {
				t.Errorf("serial log lacks %q from the armv7 p2pcamd (lines %q...)", want, armv7Prefix)
			}
		}
		if t.Failed() {
			t.Logf("serial log:\n%s", log)
		}
	})

	// The first viewer starts the capture; its log line says what the
	// camera was set to.
	var first, second []byte
	var cc capturing
	var firstFrames int
	t.Run("live_vivid", func(t *testing.T) {
		first = vm.liveFLV(t, liveURL, vividFirst)
		log := vm.serial(t)
		cc = parseCapturing(t, log)
		firstFrames = strings.Count(log, "msg=frame ")
		p := checkVividFLV(t, "first.flv", first, cc, true)
		t.Logf("first fetch: %d bytes, %d video packets in %v; %d frames captured so far", len(first), len(p.VideoPackets()), vividFirst, firstFrames)
		if t.Failed() {
			logStart(t, log, p)
		}
	})
	if cc.fps == 0 {
		t.Fatal("no capture to measure")
	}

	t.Run("live_vivid_again", func(t *testing.T) {
		mark := len(vm.serial(t))
		second = vm.liveFLV(t, liveURL, vividSecond)
		log := vm.serial(t)
		p := checkVividFLV(t, "second.flv", second, cc, false)
		frames := strings.Count(log, "msg=frame ")
		if frames <= firstFrames {
			t.Errorf("frames captured: %d after the second fetch, %d after the first: not growing", frames, firstFrames)
		}
		n := len(p.VideoPackets())
		if min := int(cc.fps * vividSecond.Seconds() * 0.4); n < min {
			t.Errorf("%d video packets in %v at %v fps, want at least %d", n, vividSecond, cc.fps, min)
		}
		if a, b := firstPicture(t, first), firstPicture(t, second); a == b {
			t.Error("both fetches start with the same picture: vivid's is live (its clock on screen changes)")
		}
		t.Logf("second fetch: %d bytes, %d video packets in %v; %d frames captured so far", len(second), n, vividSecond, frames)
		reportCapture(t, log[mark:], cc)
	})

	// Talkback comes back in the live stream. The x264 build's ALSA: the
	// speaker hw:Loopback,0, the microphone hw:Loopback,1 (the board
	// profile); the talker sends AAC. After the figures above, which the
	// round trips would disturb.
	serial := func() string { return vm.serial(t) }
	t.Run("talk_round_trip", func(t *testing.T) { testTalkRoundTrip(t, vm.camera, "aac", serial, "") })
	// The armv7 build's ALSA, through the arm64 kernel's 32-bit compat
	// ioctls, on the second loopback card; the talker sends G.711.
	t.Run("armv7_talk_round_trip", func(t *testing.T) {
		vm.armv7.await(t, bootTimeout)
		testTalkRoundTrip(t, vm.armv7, "g711u", serial, armv7Prefix)
	})
	// Last: standard's second encoder would disturb the figures and the
	// round trips above.
	t.Run("sub_stream", func(t *testing.T) { testSubStream(t, vm, cc) })
}

// testSubStream fetches standard (vivid's pictures scaled to 320x180 in
// p2pcamd, then its own x264) while a high viewer runs: both streams
// share the one camera, opened once.
func testSubStream(t *testing.T, vm *vm, high capturing) {
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	defer cancel()
	mark := len(vm.serial(t))
	rec := startRecording(ctx, t, vm.camera, liveURL)
	defer rec.stop()
	rec.waitVideo(t) // high captures before standard starts
	std := vm.liveFLV(t, standardURL, vividSub)
	hi, _ := rec.stop()
	log := vm.serial(t)

	var sc capturing
	for _, c := range capturings(t, log[mark:]) {
		if c.scaled {
			sc = c
			break
		}
	}
	if sc.line == "" {
		t.Fatalf("no capturing line with scale= since the standard fetch started:\n%s", log[mark:])
	}
	if !strings.Contains(sc.line, " scale=320x180 camera_streams=2") {
		t.Errorf("standard's capturing line %q lacks \"scale=320x180 camera_streams=2\": not sharing high's camera", sc.line)
	}
	p := checkVividFLV(t, "standard.flv", std, sc, true)
	if n, min := len(p.VideoPackets()), int(sc.fps*vividSub.Seconds()*0.4); n < min {
		t.Errorf("standard: %d video packets in %v at %v fps, want at least %d", n, vividSub, sc.fps, min)
	}
	checkVividFLV(t, "high.flv", hi, high, false)
	opened := checkCameraOpenedOnce(t, log, mark, sc.line)
	t.Logf("standard: %d bytes, %d video packets in %v, beside high: %d bytes; vivid opened %d time(s) since the fetches started (0: high's capture still ran); %s",
		len(std), len(p.VideoPackets()), vividSub, len(hi), opened, sc.line[strings.Index(sc.line, "format="):])
}

// checkCameraOpenedOnce checks that /dev/video0 was open exactly once
// from standard's capturing line (at) to the end of log: one "camera
// opened" since the last "camera closed" before it, and neither line
// after it; and at most one "camera opened" since mark. It returns how
// many there were since mark.
func checkCameraOpenedOnce(t *testing.T, log string, mark int, at string) int {
	t.Helper()
	open, since, after := 0, 0, -1
	pos := 0
	for line := range strings.Lines(log) {
		start := pos
		pos += len(line)
		switch {
		case strings.HasPrefix(line, armv7Prefix) || !strings.Contains(line, " device=/dev/video0"):
		case strings.Contains(line, `msg="camera opened"`):
			open++
			if start >= mark {
				since++
			}
			if after >= 0 {
				after++
			}
		case strings.Contains(line, `msg="camera closed`):
			open--
			if after >= 0 {
				after++
			}
		case after < 0 && start >= mark && strings.Contains(line, at):
			if open != 1 {
				t.Errorf("/dev/video0 open %d times when standard started, want once (shared): %s", open, line)
			}
			after = 0
		}
	}
	if after != 0 || since > 1 {
		t.Errorf("/dev/video0 opened %d times since the fetches started, %d camera opened/closed lines after standard started; want it opened once, kept open:\n%s", since, after, log[mark:])
	}
	return since
}

// armv7Prefix starts the armv7 p2pcamd's lines on the serial console.
const armv7Prefix = "armv7: "

const (
	// vividFirst and vividSecond are the media time of the two live
	// fetches of the qemu-virt board.
	vividFirst  = 3 * time.Second
	vividSecond = 8 * time.Second
	// vividSub is the media time of the sub-stream's fetch.
	vividSub = 3 * time.Second
)

// capturing is what one of p2pcamd's capturing log lines says.
type capturing struct {
	driver, format string
	width, height  int // the stream's pictures: the camera's, or scale's
	scaled         bool
	fps            float64
	encoder        string
	streams        int // camera_streams: the streams sharing the camera
	line           string
}

var (
	capturingRE = regexp.MustCompile(`msg=capturing source=v4l2 device=\S+ driver=(\S+) card=(?:"[^"]*"|\S+) format="(\S+) (\d+)x(\d+)" fps=([\d.]+) encoder=(\S+)[^\n]*`)
	scaleRE     = regexp.MustCompile(` scale=(\d+)x(\d+)`)
	streamsRE   = regexp.MustCompile(` camera_streams=(\d+)`)
)

// capturings returns the capturing lines of log, in order.
func capturings(t *testing.T, log string) []capturing {
	t.Helper()
	var cs []capturing
	for _, m := range capturingRE.FindAllStringSubmatch(log, -1) {
		c := capturing{driver: m[1], format: m[2], encoder: m[6], line: m[0]}
		c.width, _ = strconv.Atoi(m[3])
		c.height, _ = strconv.Atoi(m[4])
		c.fps, _ = strconv.ParseFloat(m[5], 64)
		if s := scaleRE.FindStringSubmatch(m[0]); s != nil {
			c.scaled = true
			c.width, _ = strconv.Atoi(s[1])
			c.height, _ = strconv.Atoi(s[2])
		}
		if s := streamsRE.FindStringSubmatch(m[0]); s != nil {
			c.streams, _ = strconv.Atoi(s[1])
		}
		if c.driver != "vivid" || c.format != "YUYV" || c.encoder != "x264" || c.fps <= 0 {
			t.Errorf("capturing %+v, want vivid's YUYV through x264", c)
		}
		cs = append(cs, c)
	}
	return cs
}

// parseCapturing returns the first capturing line of a stream at the
// camera's size (high's): a sub-stream's (scale=) may come before it.
func parseCapturing(t *testing.T, log string) capturing {
	t.Helper()
	for _, c := range capturings(t, log) {
		if !c.scaled {
			return c
		}
	}
	t.Fatalf("serial log has no capturing line at the camera's size:\n%s", log)
	return capturing{}
}

// checkVividFLV checks a live fetch: H.264 at the size the camera was
// set to, starting on a keyframe, timestamps increasing, decodable; and
// for the first viewer, made by x264: x264 names itself in an SEI of the
// stream's first IDR (the sim board's clips have none). Later viewers
// start at a later IDR, from the hub's GOP cache.
func checkVividFLV(t *testing.T, name string, flv []byte, c capturing, first bool) mediatest.Probe {
	t.Helper()
	path := mediatest.WriteTemp(t, name, flv)
	p := mediatest.FFprobe(t, path)
	v := p.Video(t)
	if v.CodecName != "h264" || v.Width != c.width || v.Height != c.height {
		t.Errorf("%s: video %s %dx%d, want h264 %dx%d (its capturing line's)", name, v.CodecName, v.Width, v.Height, c.width, c.height)
	}
	if first && !bytes.Contains(flv, []byte("x264 - core ")) {
		t.Errorf("%s: no x264 SEI: not encoded by x264", name)
	}
	if pkts := p.VideoPackets(); len(pkts) == 0 || !pkts[0].Keyframe() {
		t.Errorf("%s: %d video packets; the first must be a keyframe", name, len(pkts))
	}
	p.CheckMonotonic(t)
	mediatest.CheckDecodes(t, path)
	return p
}

// firstPicture returns a hash of the first decoded picture of an FLV.
func firstPicture(t *testing.T, flv []byte) string {
	t.Helper()
	path := mediatest.WriteTemp(t, "pic.flv", flv)
	out, err := exec.Command(mediatest.Require(t, "ffmpeg"), "-v", "error", "-i", path, "-frames:v", "1", "-f", "md5", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg: first picture: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// reportCapture logs the capture path's figures from the serial log of a
// stretch of streaming: per frame (p2pcamd's debug lines) the encode
// time, the delay from the buffer's dequeue and from its timestamp to
// the frame's emission; and from the guest's CPU samples the CPU that
// p2pcamd and vivid's kthread used.
func reportCapture(t *testing.T, log string, c capturing) {
	t.Helper()
	var enc, deq, ts durations
	for line := range strings.Lines(log) {
		if !strings.Contains(line, "msg=frame ") {
			continue
		}
		enc.add(line, "encode=")
		deq.add(line, "dequeue_to_emit=")
		ts.add(line, "capture_to_emit=")
	}
	if enc.n == 0 || deq.n == 0 {
		t.Fatalf("no per-frame debug lines with encode= and dequeue_to_emit= in:\n%s", log)
	}
	for _, d := range []durations{enc, deq, ts} {
		if d.garbled*10 > d.n {
			t.Errorf("%d of %d per-frame durations garbled: more than the serial console's odd cut line:\n%s", d.garbled, d.n+d.garbled, log)
			break
		}
	}
	period := time.Duration(float64(time.Second) / c.fps)
	t.Logf("capture path, %d frames at %v fps: encode avg %v max %v; dequeue-to-emit avg %v max %v; buffer-timestamp-to-emit avg %v (%d frames)",
		enc.n, c.fps, enc.avg(), enc.max, deq.avg(), deq.max, ts.avg(), ts.n)
	if enc.avg() > 2*period {
		t.Errorf("encode takes %v a frame on average: more than two frame periods (%v)", enc.avg(), period)
	}
	var samples []cpuSample
	for line := range strings.Lines(log) {
		if s, ok := parseCPU(line); ok {
			samples = append(samples, s)
		}
	}
	if len(samples) < 2 {
		t.Errorf("fewer than two CPU samples while streaming:\n%s", log)
		return
	}
	a, b := samples[0], samples[len(samples)-1]
	secs := b.uptime - a.uptime
	t.Logf("guest CPU over %.1f s of streaming: p2pcamd %.0f%% of one core (capture, x264, audio, FLV, HTTP), vivid kthread %.1f%%, guest busy %.0f%% of its 2 cores",
		secs, float64(b.p2pcamd-a.p2pcamd)/secs, float64(b.vivid-a.vivid)/secs,
		100*float64(b.busy-a.busy)/float64(b.busy-a.busy+b.idle-a.idle))
}

// durations accumulates one key=duration field of log lines. A value
// that does not parse is counted as garbled: the serial console can cut
// a line with a kernel message.
type durations struct {
	n, garbled int
	sum, max   time.Duration
}

func (d *durations) add(line, key string) {
	i := strings.Index(line, " "+key)
	if i < 0 {
		return
	}
	v := line[i+1+len(key):]
	if j := strings.IndexAny(v, " \r\n"); j >= 0 {
		v = v[:j]
	}
	x, err := time.ParseDuration(v)
	if err != nil {
		d.garbled++
		return
	}
	d.n++
	d.sum += x
	d.max = max(d.max, x)
}

func (d durations) avg() time.Duration {
	if d.n == 0 {
		return 0
	}
	return (d.sum / time.Duration(d.n)).Round(10 * time.Microsecond)
}

// cpuSample is one of the guest's "p2pcam-rig: cpu:" lines: CPU ticks
// (100 a second) since boot.
type cpuSample struct {
	uptime                     float64
	p2pcamd, vivid, busy, idle int64
}

var cpuRE = regexp.MustCompile(`p2pcam-rig: cpu: uptime=([\d.]+) p2pcamd_pid=\S+ p2pcamd=(\d+) vivid=(\d+) busy=(\d+) idle=(\d+)`)

func parseCPU(line string) (cpuSample, bool) {
	m := cpuRE.FindStringSubmatch(line)
	if m == nil {
		return cpuSample{}, false
	}
	var s cpuSample
	s.uptime, _ = strconv.ParseFloat(m[1], 64)
	s.p2pcamd, _ = strconv.ParseInt(m[2], 10, 64)
	s.vivid, _ = strconv.ParseInt(m[3], 10, 64)
	s.busy, _ = strconv.ParseInt(m[4], 10, 64)
	s.idle, _ = strconv.ParseInt(m[5], 10, 64)
	return s, true
}

// requireRig skips the test unless it can run here: root (deps.sh needs it)
// and qemu-system-aarch64. Under CI a missing QEMU fails: CI runs as root
// and scripts/test-deps.sh installs it.
func requireRig(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("qemu-system-aarch64")
	switch {
	case err != nil && os.Getenv("CI") != "":
		t.Fatal("qemu-system-aarch64 not found under CI: scripts/test-deps.sh must run scripts/qemu-rig/deps.sh")
	case os.Geteuid() != 0 && os.Getenv("CI") != "":
		t.Fatal("QEMU rig: needs root, and CI runs as root")
	case os.Geteuid() != 0:
		t.Skip("QEMU rig: needs root (run as root after scripts/qemu-rig/deps.sh)")
	case err != nil:
		t.Skip("QEMU rig: qemu-system-aarch64 not found: run scripts/qemu-rig/deps.sh")
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "scripts/qemu-rig/build-initramfs.sh")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	return root
}

// buildRig runs build-initramfs.sh into out. The parts it caches (packages,
// kernel, Go build) make a warm build take seconds.
func buildRig(t *testing.T, root, out string) {
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts/qemu-rig/build-initramfs.sh"), "--out", out)
	cmd.Dir = root
	cmd.WaitDelay = 10 * time.Second
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-initramfs.sh: %v\n%s", err, b)
	}
	t.Logf("build-initramfs.sh: %v", time.Since(start).Round(100*time.Millisecond))
}

// camera is one p2pcamd in the guest, reached in LAN mode through QEMU's
// port forward.
type camera struct {
	base   string // http://127.0.0.1:PORT
	client *http.Client
}

func newCamera(port int) camera {
	return camera{base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 3 * time.Second}}
}

// vm is a booted rig.
type vm struct {
	camera             // the board's p2pcamd
	armv7       camera // the armv7 p2pcamd beside it: qemu-virt board only
	serialPath  string
	firstAnswer time.Duration // from QEMU's start to the first LAN answer
	stop        func()        // kills QEMU; more calls do nothing
}

// bootRig boots the rig and waits for LAN mode to answer. QEMU is killed,
// with its whole process group, when the test ends (or at once when a boot
// fails).
func bootRig(t *testing.T, root, out, board string) *vm {
	t.Helper()
	for try := 1; ; try++ {
		v, err := bootOnce(t, root, out, board)
		if err == nil {
			return v
		}
		if errors.Is(err, errPortTaken) && try < bootTries {
			t.Logf("boot %d: %v; trying another port", try, err)
			continue
		}
		t.Fatal(err)
	}
}

var errPortTaken = errors.New("QEMU could not forward the port")

func bootOnce(t *testing.T, root, out, board string) (*vm, error) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	v := &vm{camera: newCamera(port), serialPath: filepath.Join(dir, "serial.log")}
	args := []string{"--dir", out, "--port", strconv.Itoa(port), "--board", board, "--serial-log", v.serialPath}
	if board == "qemu-virt" {
		port2 := freePort(t)
		v.armv7 = newCamera(port2)
		args = append(args, "--armv7-port", strconv.Itoa(port2))
	}
	start := time.Now()
	stop, exited, qemuOut := startQEMU(t, root, dir, args...)
	v.stop = stop

	deadline := time.NewTimer(bootTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			exited <- err // for stop
			stop()
			b, _ := os.ReadFile(qemuOut)
			if bytes.Contains(b, []byte("host forwarding")) {
				return nil, fmt.Errorf("%w: %s", errPortTaken, bytes.TrimSpace(b))
			}
			t.Logf("serial log:\n%s", v.serial(t))
			return nil, fmt.Errorf("QEMU exited before LAN mode answered: %v\n%s", err, b)
		case <-deadline.C:
			stop()
			log := v.serial(t)
			return nil, fmt.Errorf("no LAN answer on %s within %v (no KVM: full emulation); serial log:\n%s", v.base, bootTimeout, log)
		case <-tick.C:
			if _, err := v.get(statusURL); err == nil {
				v.firstAnswer = time.Since(start)
				return v, nil
			}
		}
	}
}

// startQEMU runs run.sh with args, its output in dir/qemu.out (returned).
// stop kills QEMU (SIGKILL to its process group: a power cut) and waits
// for it; it also runs when the test ends. exited receives QEMU's end.
func startQEMU(t *testing.T, root, dir string, args ...string) (stop func(), exited chan error, out string) {
	t.Helper()
	out = filepath.Join(dir, "qemu.out")
	qemuOut, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer qemuOut.Close()
	cmd := exec.Command(filepath.Join(root, "scripts/qemu-rig/run.sh"), args...)
	cmd.Stdout = qemuOut
	cmd.Stderr = qemuOut
	// Its own process group, killed whole; and killed if the test binary
	// dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("run.sh: %v", err)
	}
	exited = make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Errorf("QEMU (pid %d) still running 10 s after SIGKILL", cmd.Process.Pid)
			}
		})
	}
	t.Cleanup(stop)
	return stop, exited, out
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// serial returns the whole lines of the serial console so far: QEMU may
// be writing the last one.
func (v *vm) serial(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(v.serialPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b[:bytes.LastIndexByte(b, '\n')+1])
}

// get fetches path and returns the body of a 200 answer.
func (c camera) get(path string) ([]byte, error) {
	resp, err := c.client.Get(c.base + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return body, nil
}

// liveFLV reads the live stream at path until its video spans d of media
// time, and returns the FLV up to the last whole tag.
func (c camera) liveFLV(t *testing.T, path string, d time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	defer cancel()
	tags := c.openLive(ctx, t, path)
	defer tags.Close()
	out := bytes.NewBuffer(tags.header)
	first := int64(-1)
	for {
		tag, err := tags.next()
		if err != nil {
			t.Fatalf("after %d bytes of FLV: %v", out.Len(), err)
		}
		out.Write(tag.raw)
		if tag.typ != flvVideo {
			continue
		}
		if first < 0 {
			first = tag.ts
		}
		if time.Duration(tag.ts-first)*time.Millisecond >= d {
			return out.Bytes()
		}
	}
}

// openLive starts the live stream at path and reads its FLV header; ctx
// bounds the stream (it is endless).
func (c camera) openLive(ctx context.Context, t *testing.T, path string) *flvTags {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// No client timeout: the stream is endless; ctx bounds it.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	tags := &flvTags{r: bufio.NewReader(resp.Body), body: resp.Body}
	// FLV header (9 bytes) and PreviousTagSize0 (4), FLV spec E.2, E.3.
	tags.header = make([]byte, 13)
	if _, err := io.ReadFull(tags.r, tags.header); err != nil {
		resp.Body.Close()
		t.Fatalf("FLV header: %v", err)
	}
	if string(tags.header[:3]) != "FLV" {
		resp.Body.Close()
		t.Fatalf("not FLV: % x", tags.header)
	}
	return tags
}

// FLV tag types (FLV spec E.4.1).
const (
	flvAudio = 8
	flvVideo = 9
)

// flvTags reads a live FLV stream tag by tag.
type flvTags struct {
	r      *bufio.Reader
	body   io.Closer
	header []byte // the FLV header and PreviousTagSize0
}

// flvTag is one whole tag as read: header, data and PreviousTagSize.
type flvTag struct {
	raw  []byte
	typ  byte
	ts   int64 // milliseconds
	data []byte
}

// next reads the next tag and checks its PreviousTagSize.
func (f *flvTags) next() (flvTag, error) {
	// Tag header (11 bytes), data, PreviousTagSize (4), FLV spec E.4.1.
	var th [11]byte
	if _, err := io.ReadFull(f.r, th[:]); err != nil {
		return flvTag{}, err
	}
	size := int(th[1])<<16 | int(th[2])<<8 | int(th[3])
	raw := make([]byte, 11+size+4)
	copy(raw, th[:])
	if _, err := io.ReadFull(f.r, raw[11:]); err != nil {
		return flvTag{}, err
	}
	if got := binary.BigEndian.Uint32(raw[11+size:]); got != uint32(11+size) {
		return flvTag{}, fmt.Errorf("tag of type %d: PreviousTagSize %d, want %d", th[0]&0x1f, got, 11+size)
	}
	return flvTag{
		raw:  raw,
		typ:  th[0] & 0x1f,
		ts:   int64(th[4])<<16 | int64(th[5])<<8 | int64(th[6]) | int64(th[7])<<24,
		data: raw[11 : 11+size],
	}, nil
}

// Close ends the stream.
func (f *flvTags) Close() error { return f.body.Close() }

// await waits up to timeout for the camera's first LAN answer.
func (c camera) await(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		_, err := c.get(statusURL)
		if err == nil {
			return
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("no LAN answer on %s within %v: %v", c.base, timeout, err)
		}
	}
}

// findLine returns the first line of log containing s, or "".
func findLine(log, s string) string {
	for line := range strings.Lines(log) {
		if strings.Contains(line, s) {
			return strings.TrimRight(line, "\r\n")
		}
	}
	return ""
}

// logStart logs how a failed first fetch began: the first video packets
// ffprobe found, and the camera's first frames and skips.
func logStart(t *testing.T, log string, p mediatest.Probe) {
	t.Helper()
	pkts := p.VideoPackets()
	t.Logf("first video packets: %+v", pkts[:min(len(pkts), 3)])
	n := 0
	for line := range strings.Lines(log) {
		if strings.Contains(line, "msg=frame ") && n < 3 || strings.Contains(line, "skip") || strings.Contains(line, "keyframe") {
			t.Logf("serial: %s", strings.TrimSpace(line))
			if strings.Contains(line, "msg=frame ") {
				n++
			}
		}
	}
}
