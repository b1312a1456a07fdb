package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/discovery"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// requireNetns skips without root or iproute2, except under CI, which
// runs as root with the tools installed: there it fails.
func requireNetns(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "the discovery test needs root to make network namespaces: run it as root"
	} else if _, err := exec.LookPath("ip"); err != nil {
		why = "the discovery test needs iproute2 (ip): apt-get install iproute2"
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(why + " (CI runs as root with iproute2)")
	}
	t.Skip(why)
}

// lanPair makes two network namespaces, cam (10.77.0.2/24) and view
// (10.77.0.3/24), joined by a bridge in a third, and removes them when
// the test ends. It returns their names.
func lanPair(t *testing.T) (cam, view string) {
	t.Helper()
	p := fmt.Sprintf("p2disc%d-", os.Getpid())
	lan, cam, view := p+"lan", p+"cam", p+"view"
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, ns := range []string{lan, cam, view} {
		_ = exec.Command("ip", "netns", "del", ns).Run() // left by a killed run
		run("netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		run("-n", ns, "link", "set", "lo", "up")
	}
	run("-n", lan, "link", "add", "br0", "type", "bridge")
	run("-n", lan, "link", "set", "br0", "up")
	for ns, ip := range map[string]string{cam: "10.77.0.2/24", view: "10.77.0.3/24"} {
		port := strings.TrimPrefix(ns, p)
		run("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", lan)
		run("-n", lan, "link", "set", port, "master", "br0")
		run("-n", lan, "link", "set", port, "up")
		run("-n", ns, "addr", "add", ip, "brd", "+", "dev", "eth0")
		run("-n", ns, "link", "set", "eth0", "up")
	}
	return cam, view
}

// discovered is p2pcam discover --json's output.
type discovered []struct {
	Device     string `json:"device"`
	URL        string `json:"url"`
	NeedsToken bool   `json:"needs_token"`
	Channels   int    `json:"channels"`
}

// LAN discovery across a bridge: p2pcamd in one namespace answers
// p2pcam discover in another, by broadcast, with its LAN URL, that it
// needs a token, and its channels; the URL works. Malformed, small and
// oversized probes get no answer, and a flood of good ones gets at most
// answers_per_address a second.
func TestDiscoverAcrossABridge(t *testing.T) {
	requireNetns(t)
	camNS, viewNS := lanPair(t)
	p2pcam, p2pcamd := buildTools(t)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	dir := t.TempDir()
	conf := fmt.Sprintf(`device = "acme/cam1"
[auth]
trusted_keys = [%q]
device_key = %q
[lan]
listen = "10.77.0.2:8080"
[discovery]
listen = ":3072"
answers_per_address = 4
[log]
level = "debug"
[[channels]]
channel = 1
streams.standard = "sim:standard"
`, auth.MarshalPublicKey(pub), filepath.Join(dir, "device.key"))
	if err := os.WriteFile(filepath.Join(dir, "cam.toml"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cam := exec.Command("ip", "netns", "exec", camNS, p2pcamd, "--config", filepath.Join(dir, "cam.toml"), "--board", "sim")
	logs := &syncbuf.Buffer{}
	cam.Stderr = logs
	cam.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cam.Process.Signal(syscall.SIGTERM)
		_ = cam.Wait()
		if t.Failed() {
			t.Logf("p2pcamd log:\n%s", logs)
		}
	})
	if _, ok := logs.WaitFor(15*time.Second, "LAN discovery listening"); !ok {
		t.Fatalf("p2pcamd did not start discovery:\n%s", logs)
	}

	out, err := exec.Command("ip", "netns", "exec", viewNS, p2pcam, "discover", "--json", "--timeout", "2s").Output()
	if err != nil {
		t.Fatalf("p2pcam discover: %v\n%s", err, stderrOf(err))
	}
	var found discovered
	if err := json.Unmarshal(out, &found); err != nil {
		t.Fatalf("p2pcam discover --json: %v\n%s", err, out)
	}
	if len(found) != 1 || found[0].Device != "acme/cam1" || found[0].URL != "http://10.77.0.2:8080" || !found[0].NeedsToken || found[0].Channels != 2 {
		t.Fatalf("p2pcam discover found %+v, want acme/cam1 at http://10.77.0.2:8080, token needed, 2 channels", found)
	}
	table, err := exec.Command("ip", "netns", "exec", viewNS, p2pcam, "discover").Output()
	if err != nil || !regexp.MustCompile(`acme/cam1\s+http://10\.77\.0\.2:8080\s+needed\s+2`).Match(table) {
		t.Errorf("p2pcam discover table: %v\n%s", err, table)
	}
	// The URL is the camera's LAN mode: without a token it says so.
	code, err := exec.Command("ip", "netns", "exec", viewNS, p2pcam, "status", "--lan", found[0].URL).CombinedOutput()
	if err == nil || !bytes.Contains(code, []byte("token")) {
		t.Errorf("p2pcam status --lan %s without a token: %v %s, want a refusal asking for a token", found[0].URL, err, code)
	}

	// Hostile datagrams, sent from the viewer's namespace by this test's
	// own binary in helper mode.
	helper := exec.Command("ip", "netns", "exec", viewNS, os.Args[0], "-test.run=^TestDiscoverProbeHelper$")
	helper.Env = append(os.Environ(), "P2PCAM_PROBE_HELPER=10.77.0.2:3072")
	res, err := helper.Output()
	if err != nil {
		t.Fatalf("probe helper: %v\n%s", err, stderrOf(err))
	}
	var got probeResult
	_, line, _ := bytes.Cut(res, []byte(probeResultPrefix))
	line, _, _ = bytes.Cut(line, []byte("\n"))
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("probe helper said %q: %v", res, err)
	}
	if got.BadAnswers != 0 || got.GoodAnswers != 4 || got.Oversized != 0 {
		t.Errorf("probe helper: %+v; want no answer to the bad probes and 4 (answers_per_address) to the 10 good ones, none bigger than its probe", got)
	}
	if n := strings.Count(logs.String(), "discovery: ignored a datagram"); n != len(badProbes()) {
		t.Errorf("camera logged %d ignored datagrams, want %d", n, len(badProbes()))
	}
}

// badProbes are datagrams a camera must not answer.
func badProbes() [][]byte {
	good, _ := discovery.Probe{ClientToken: "x"}.Marshal()
	return [][]byte{
		[]byte(`{"method":"probe","clientToken":"x","params":{}}`),                      // under the minimum size
		append(bytes.Clone(good), bytes.Repeat([]byte(" "), discovery.MaxProbeSize)...), // oversized
		bytes.Repeat([]byte{0xff}, discovery.MinProbeSize),                              // not JSON
		bytes.Replace(bytes.Clone(good), []byte(`"probe"`), []byte(`"probX"`), 1),       // wrong method
	}
}

// probeResult is what the probe helper reports.
type probeResult struct {
	BadAnswers, GoodAnswers, Oversized int
}

// TestDiscoverProbeHelper is not a test: TestDiscoverAcrossABridge runs
// it inside the viewer's namespace to send probes to
// $P2PCAM_PROBE_HELPER and report the answers as JSON.
func TestDiscoverProbeHelper(t *testing.T) {
	target := os.Getenv("P2PCAM_PROBE_HELPER")
	if target == "" {
		t.Skip("a helper of TestDiscoverAcrossABridge, run by it")
	}
	addr, err := net.ResolveUDPAddr("udp4", target)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialUDP("udp4", nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	count := func(sent int) (answers, oversized int) {
		buf := make([]byte, 2048)
		for {
			_ = c.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			answers++
			if n > sent {
				oversized++
			}
		}
	}
	var r probeResult
	for _, b := range badProbes() {
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	r.BadAnswers, _ = count(0)
	good, _ := discovery.Probe{ClientToken: "flood"}.Marshal()
	for range 10 {
		if _, err := c.Write(good); err != nil {
			t.Fatal(err)
		}
	}
	r.GoodAnswers, r.Oversized = count(len(good))
	b, _ := json.Marshal(r)
	fmt.Printf("\n%s%s\n", probeResultPrefix, b)
}

// probeResultPrefix starts the probe helper's line of JSON.
const probeResultPrefix = "probe-result: "

// stderrOf returns the standard error an *exec.ExitError carries.
func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
