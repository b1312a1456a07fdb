// Package nginxtest runs a real nginx with libnginx-mod-rtmp for tests:
// the relay of docs/relay.md, on loopback, with its config in a temp
// dir. Where nginx or the module is missing the test is skipped, except
// under CI (CI=true), where it fails.
package nginxtest

import (
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"text/template"
	"time"
)

// Module is where Debian's libnginx-mod-rtmp installs the module.
const Module = "/usr/lib/nginx/modules/ngx_rtmp_module.so"

//go:embed nginx.conf.tmpl
var confTemplate string

// Config is the relay's configuration.
type Config struct {
	// OnPlay is the URL nginx's on_play callback posts to.
	OnPlay string
}

// Relay is a running nginx.
type Relay struct {
	Dir      string
	RTMPAddr string // 127.0.0.1:PORT
	HTTPAddr string // 127.0.0.1:PORT: /stat, /hls/
	PID      int    // nginx's (one process: master_process off)
}

// URL returns the rtmp:// URL of stream name in app "live".
func (r *Relay) URL(name string) string { return "rtmp://" + r.RTMPAddr + "/live/" + name }

// StatURL returns the stat page's URL.
func (r *Relay) StatURL() string { return "http://" + r.HTTPAddr + "/stat" }

// Start runs nginx until the test ends, and waits until it listens.
func Start(t testing.TB, cfg Config) *Relay {
	t.Helper()
	nginx := require(t)
	dir := t.TempDir()
	for _, d := range []string{"tmp", "hls"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	rtmpPort, httpPort := freePort(t), freePort(t)
	var conf []byte
	{
		f, err := os.Create(filepath.Join(dir, "nginx.conf"))
		if err != nil {
			t.Fatal(err)
		}
		err = template.Must(template.New("conf").Parse(confTemplate)).Execute(f, map[string]any{
			"Dir": dir, "RTMPPort": rtmpPort, "HTTPPort": httpPort, "OnPlay": cfg.OnPlay,
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		conf, _ = os.ReadFile(f.Name())
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	out, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start nginx: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	r := &Relay{Dir: dir, RTMPAddr: "127.0.0.1:" + strconv.Itoa(rtmpPort), HTTPAddr: "127.0.0.1:" + strconv.Itoa(httpPort), PID: cmd.Process.Pid}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		out.Close()
		if t.Failed() {
			for _, name := range []string{"stderr.log", "error.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, name))
				t.Logf("nginx %s:\n%s", name, tail(b, 4000))
			}
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "stderr.log"))
			t.Fatalf("nginx exited at start: %v\n%s\nconfig:\n%s", err, b, conf)
		default:
		}
		resp, err := http.Get(r.StatURL())
		if err == nil {
			resp.Body.Close()
			if c, err := net.DialTimeout("tcp", r.RTMPAddr, time.Second); err == nil {
				c.Close()
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen within 15 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// require returns nginx's path, or skips (fails under CI) the test.
func require(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nginx")
	if err != nil {
		path = "/usr/sbin/nginx"
	}
	_, err = os.Stat(path)
	_, merr := os.Stat(Module)
	if err == nil && merr == nil {
		return path
	}
	msg := fmt.Sprintf("nginx or its RTMP module (%s) is missing: run scripts/test-deps.sh (apt-get install nginx libnginx-mod-rtmp)", Module)
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " under CI")
	}
	t.Skip(msg)
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
