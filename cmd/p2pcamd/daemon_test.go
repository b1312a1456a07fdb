package main

import (
	"bufio"
	"context"
	"fmt"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The end-to-end tests run the real p2pcamd binary, built once.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func daemonBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "p2pcamd-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "p2pcamd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// daemon is a running p2pcamd.
type daemon struct {
	t    testing.TB
	cmd  *exec.Cmd
	addr string // LAN mode host:port
	logs *syncbuf.Buffer
	done chan error
}

var listenRE = regexp.MustCompile(`msg="LAN mode listening" addr=(\S+)`)

// startDaemon runs p2pcamd with the given TOML config (may be empty) and
// extra flags, in LAN mode on a free loopback port.
func startDaemon(t testing.TB, config string, args ...string) *daemon {
	t.Helper()
	return startBinary(t, daemonBinary(t), nil, config, args...)
}

// startBinary is startDaemon for the p2pcamd binary bin, with env added to
// its environment.
func startBinary(t testing.TB, bin string, env []string, config string, args ...string) *daemon {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "p2pcamd.toml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append([]string{"--config", cfgPath, "--lan", "127.0.0.1:0", "--board", "sim"}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &daemon{t: t, cmd: cmd, logs: &syncbuf.Buffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(d.logs, line)
			if m := listenRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
		}
		d.done <- cmd.Wait()
	}()
	select {
	case d.addr = <-addr:
	case err := <-d.done:
		t.Fatalf("p2pcamd exited before listening: %v\n%s", err, d.logs)
	case <-time.After(10 * time.Second):
		t.Fatalf("p2pcamd did not listen within 10s\n%s", d.logs)
	}
	t.Cleanup(func() {
		termWait(t, cmd.Process, d.done, 10*time.Second, "p2pcamd")
		if t.Failed() {
			t.Logf("p2pcamd log:\n%s", d.logs)
		}
	})
	return d
}

func (d *daemon) url(req string) string { return "http://" + d.addr + "/" + req }

func liveURL(d *daemon, quality string) string {
	return d.url("ipc.flv?action=live&channel=0&quality=" + quality)
}

// fetch reads a live stream for dur and returns the response and bytes.
func (d *daemon) fetch(rawURL string, dur time.Duration) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if ctx.Err() != nil {
		err = nil // reading until the deadline is what a viewer does
	}
	return resp, body, err
}

// get makes a short request and returns its status and body.
func (d *daemon) get(t testing.TB, req string) (int, string) {
	t.Helper()
	resp, body, err := d.fetch(d.url(req), 5*time.Second)
	if err != nil {
		t.Fatalf("GET %s: %v", req, err)
	}
	return resp.StatusCode, string(body)
}

// waitLog waits up to timeout for a log line containing all of parts.
func (d *daemon) waitLog(timeout time.Duration, parts ...string) (string, bool) {
	return d.logs.WaitFor(timeout, parts...)
}
