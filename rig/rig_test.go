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

	vm := bootRig(t, root, out)
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

// requireRig skips the test unless it can run here: root (deps.sh needs it)
// and qemu-system-aarch64. Under CI a missing QEMU fails: CI runs as root
// and scripts/test-deps.sh installs it.
func requireRig(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("qemu-system-aarch64")
	switch {
	case err != nil && os.Getenv("CI") != "":
		t.Fatal("qemu-system-aarch64 not found under CI: scripts/test-deps.sh must run scripts/qemu-rig/deps.sh")
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

// vm is a booted rig.
type vm struct {
	base        string // http://127.0.0.1:PORT
	serialPath  string
	firstAnswer time.Duration // from QEMU's start to the first LAN answer
	client      *http.Client
}

// bootRig boots the rig and waits for LAN mode to answer. QEMU is killed,
// with its whole process group, when the test ends (or at once when a boot
// fails).
func bootRig(t *testing.T, root, out string) *vm {
	t.Helper()
	for try := 1; ; try++ {
		v, err := bootOnce(t, root, out)
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

func bootOnce(t *testing.T, root, out string) (*vm, error) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	v := &vm{
		base:       "http://127.0.0.1:" + strconv.Itoa(port),
		serialPath: filepath.Join(dir, "serial.log"),
		client:     &http.Client{Timeout: 3 * time.Second},
	}
	qemuOut, err := os.Create(filepath.Join(dir, "qemu.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer qemuOut.Close()
	cmd := exec.Command(filepath.Join(root, "scripts/qemu-rig/run.sh"),
		"--dir", out, "--port", strconv.Itoa(port), "--board", "sim", "--serial-log", v.serialPath)
	cmd.Stdout = qemuOut
	cmd.Stderr = qemuOut
	// Its own process group, killed whole; and killed if the test binary
	// dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("run.sh: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop := func() {
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

	deadline := time.NewTimer(bootTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			exited <- err // for stop
			stop()
			b, _ := os.ReadFile(qemuOut.Name())
			if bytes.Contains(b, []byte("host forwarding")) {
				return nil, fmt.Errorf("%w %d: %s", errPortTaken, port, bytes.TrimSpace(b))
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

func (v *vm) serial(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(v.serialPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

// get fetches path and returns the body of a 200 answer.
func (v *vm) get(path string) ([]byte, error) {
	resp, err := v.client.Get(v.base + path)
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
func (v *vm) liveFLV(t *testing.T, path string, d time.Duration) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	// No client timeout: the stream is endless; ctx bounds it.
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	r := bufio.NewReader(resp.Body)
	var out bytes.Buffer
	// FLV header (9 bytes) and PreviousTagSize0 (4), FLV spec E.2, E.3.
	head := make([]byte, 13)
	if _, err := io.ReadFull(r, head); err != nil {
		t.Fatalf("FLV header: %v", err)
	}
	if string(head[:3]) != "FLV" {
		t.Fatalf("not FLV: % x", head)
	}
	out.Write(head)
	first := int64(-1)
	for {
		// Tag header (11 bytes), data, PreviousTagSize (4), FLV spec E.4.1.
		th := make([]byte, 11)
		if _, err := io.ReadFull(r, th); err != nil {
			t.Fatalf("after %d bytes of FLV: %v", out.Len(), err)
		}
		size := int(th[1])<<16 | int(th[2])<<8 | int(th[3])
		ts := int64(th[4])<<16 | int64(th[5])<<8 | int64(th[6]) | int64(th[7])<<24
		rest := make([]byte, size+4)
		if _, err := io.ReadFull(r, rest); err != nil {
			t.Fatalf("after %d bytes of FLV: %v", out.Len(), err)
		}
		if got := binary.BigEndian.Uint32(rest[size:]); got != uint32(11+size) {
			t.Fatalf("tag at %d: PreviousTagSize %d, want %d", out.Len(), got, 11+size)
		}
		out.Write(th)
		out.Write(rest)
		if th[0]&0x1f != 9 { // not video
			continue
		}
		if first < 0 {
			first = ts
		}
		if time.Duration(ts-first)*time.Millisecond >= d {
			return out.Bytes()
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
