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

// Config is the relay's configuration. The zero value (but OnPlay)
// serves on loopback, on free ports.
type Config struct {
	// OnPlay is the URL nginx's on_play callback posts to.
	OnPlay string
	// Netns, when set, is the network namespace nginx runs in (ip netns
	// exec); then IP and the ports must be set too.
	Netns string
	// IP is the address nginx listens on. It defaults to 127.0.0.1.
	IP string
	// RTMPPort and HTTPPort default to free loopback ports.
	RTMPPort, HTTPPort int
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
	ip, rtmpPort, httpPort := cfg.IP, cfg.RTMPPort, cfg.HTTPPort
	if ip == "" {
		ip = "127.0.0.1"
	}
	if rtmpPort == 0 {
		rtmpPort = freePort(t)
	}
	if httpPort == 0 {
		httpPort = freePort(t)
	}
	var conf []byte
	{
		f, err := os.Create(filepath.Join(dir, "nginx.conf"))
		if err != nil {
			t.Fatal(err)
		}
		err = template.Must(template.New("conf").Parse(confTemplate)).Execute(f, map[string]any{
			"Dir": dir, "IP": ip, "RTMPPort": rtmpPort, "HTTPPort": httpPort, "OnPlay": cfg.OnPlay,
		})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatal(err)
		}
		conf, _ = os.ReadFile(f.Name())
	}
	argv := []string{nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf")}
	if cfg.Netns != "" {
		argv = append([]string{"ip", "netns", "exec", cfg.Netns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
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
	r := &Relay{Dir: dir, RTMPAddr: net.JoinHostPort(ip, strconv.Itoa(rtmpPort)), HTTPAddr: net.JoinHostPort(ip, strconv.Itoa(httpPort)), PID: cmd.Process.Pid}
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
		if err = r.listening(cfg.Netns); err == nil {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen within 15 s: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// listening checks that nginx answers on both ports: from here, or from
// inside netns (bash's /dev/tcp).
func (r *Relay) listening(netns string) error {
	if netns != "" {
		rh, rp, _ := net.SplitHostPort(r.RTMPAddr)
		hh, hp, _ := net.SplitHostPort(r.HTTPAddr)
		probe := fmt.Sprintf("exec 3<>/dev/tcp/%s/%s && exec 4<>/dev/tcp/%s/%s", rh, rp, hh, hp)
		if out, err := exec.Command("ip", "netns", "exec", netns, "bash", "-c", probe).CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	}
	resp, err := http.Get(r.StatURL())
	if err != nil {
		return err
	}
	resp.Body.Close()
	c, err := net.DialTimeout("tcp", r.RTMPAddr, time.Second)
	if err != nil {
		return err
	}
	return c.Close()
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
