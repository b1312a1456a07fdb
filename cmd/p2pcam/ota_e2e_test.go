package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/ota/otatest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// otaCutAfter is how many bytes of the first bundle download the proxy
// passes before it drops the connection.
const otaCutAfter = 1 << 20

// cutProxy forwards TCP to target and drops its first connection after
// otaCutAfter bytes towards the client: a download cut mid-way.
type cutProxy struct {
	ln     net.Listener
	target string
	conns  atomic.Int32
	cuts   atomic.Int32
}

func startCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c, p.conns.Add(1) == 1)
		}
	}()
	return p
}

func (p *cutProxy) handle(c net.Conn, cut bool) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	go io.Copy(s, c) //nolint:errcheck // ends when either side closes
	if cut {
		_, _ = io.CopyN(c, s, otaCutAfter)
		p.cuts.Add(1)
		return
	}
	_, _ = io.Copy(c, s)
}

// buildStampedCamera builds p2pcamd stamped with version, as
// scripts/cross-build.sh does for a release.
func buildStampedCamera(t *testing.T, version string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "p2pcamd")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "../p2pcamd").CombinedOutput()
	if err != nil {
		t.Fatalf("build p2pcamd: %v\n%s", err, out)
	}
	return bin
}

// otaRig is a dev cloud serving a bundle directory through a cutting
// proxy, a broker, and a p2pcamd 1.0.0 that trusts the release key.
type otaRig struct {
	dir, otaDir, staging, lan string
	httpAddr                  string // the cloud's HTTP listener
	issuer                    ed25519.PrivateKey
	proxy                     *cutProxy
	broker                    string
	announce                  func(t *testing.T, file string) // publish a bundle of otaDir's announcement
	viewerUser, viewerPass    string
	camLog                    *syncbuf.Buffer
}

// token signs a token for the camera with perms.
func (r *otaRig) token(t *testing.T, perms auth.Permission) string {
	now := time.Now()
	tok, err := auth.Sign(r.issuer, auth.Claims{Device: "acme/cam1", Subject: "ops", Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// status asks the camera's ota_status over LAN mode.
func (r *otaRig) status(ctx context.Context, t *testing.T) protocol.OTAStatus {
	var out bytes.Buffer
	err := run(ctx, []string{"ota", "status", "--lan", "http://" + r.lan, "--token", r.token(t, auth.PermUpdate), "--once", "--json"}, &out, io.Discard)
	if err != nil && !strings.Contains(err.Error(), "update failed") && !strings.Contains(err.Error(), "rolled back") {
		t.Fatalf("ota status: %v", err)
	}
	st, derr := protocol.DecodeOTAStatus(bytes.TrimSpace(out.Bytes()))
	if derr != nil {
		t.Fatalf("ota status output %q: %v", out.String(), derr)
	}
	return st
}

// await polls ota_status until ok accepts it, or fails at ctx's end.
func (r *otaRig) await(ctx context.Context, t *testing.T, what string, ok func(protocol.OTAStatus) bool) protocol.OTAStatus {
	t.Helper()
	for {
		st := r.status(ctx, t)
		if ok(st) {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no status with %s; the last: %+v\ncamera log:\n%s", what, st, r.camLog)
		case <-time.After(200 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
}

// startOTACloud runs p2pcam cloud --ota-dir with the accounts, behind
// the cutting proxy, and returns its MQTT URL.
func startOTACloud(ctx context.Context, t *testing.T, r *otaRig) string {
	t.Helper()
	for _, a := range [][]string{{"device", "acme/cam1", "campw"}, {"viewer", "ops", "opspw"}} {
		if err := run(ctx, []string{"cloud", "adduser", "--dir", r.dir, "--role", a[0], a[1], "--password", a[2]}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	httpAddr := fmt.Sprintf("127.0.0.1:%d", brokertest.FreeTCPPort(t))
	r.httpAddr = httpAddr
	r.proxy = startCutProxy(t, httpAddr)
	pr, pw := io.Pipe()
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- run(cctx, []string{"cloud", "--dir", r.dir, "--mqtt", "127.0.0.1:0", "--turn", "127.0.0.1:0", "--http", httpAddr,
			"--ota-dir", r.otaDir, "--ota-url", "http://" + r.proxy.ln.Addr().String() + "/ota/"}, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("p2pcam cloud: %v", err)
		}
	})
	var mqttURL string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "mqtt "); ok {
			mqttURL = u
		}
		if strings.HasPrefix(line, "ota ") {
			break
		}
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // the rest of its output
	if mqttURL == "" {
		t.Fatal("p2pcam cloud printed no mqtt endpoint")
	}
	var err error
	if r.issuer, err = auth.LoadPrivateKey(filepath.Join(r.dir, "issuer.key")); err != nil {
		t.Fatal(err)
	}
	return mqttURL
}

// startOTACamera runs the stamped p2pcamd on the rig's broker.
func startOTACamera(t *testing.T, r *otaRig, bin, user, pass string, vouches bool) {
	t.Helper()
	r.lan = fmt.Sprintf("127.0.0.1:%d", brokertest.FreeTCPPort(t))
	cfg := writeOTACameraConfig(t, r, user, pass, vouches, "max_rate = 524288\narch = \"arm64\"\n")
	cam := exec.Command(bin, "--config", cfg, "--board", "sim", "--lan", r.lan)
	r.camLog = &syncbuf.Buffer{}
	cam.Stderr = r.camLog
	cam.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cam.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sync.OnceFunc(func() {
		_ = cam.Process.Signal(syscall.SIGTERM)
		_ = cam.Wait()
		if t.Failed() {
			t.Logf("p2pcamd log:\n%s", r.camLog)
		}
	}))
	if _, ok := r.camLog.WaitFor(20*time.Second, "LAN mode listening"); !ok {
		t.Fatalf("p2pcamd did not listen within 20 s:\n%s", r.camLog)
	}
}

// writeOTACameraConfig writes the camera's config, trusting the rig's
// issuer and release key 7, with more lines for its [ota] table (and
// any after it), and returns its path.
func writeOTACameraConfig(t *testing.T, r *otaRig, user, pass string, vouches bool, more string) string {
	t.Helper()
	conf := fmt.Sprintf(`device = "acme/cam1"
[auth]
trusted_keys = [%q]
device_key = %q
[p2p]
broker = %q
username = %q
password = %q
broker_vouches = %v
[ota]
trusted_keys = [%q]
dir = %q
`, auth.MarshalPublicKey(r.issuer.Public().(ed25519.PublicKey)), filepath.Join(r.dir, "cam1.key"), r.broker, user, pass, vouches,
		auth.MarshalPublicKey(otatest.Key(7).Public().(ed25519.PublicKey)), r.staging) + more
	cfg := filepath.Join(r.dir, "cam1.toml")
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// watchInfo subscribes to the camera's retained info as the viewer and
// returns the latest OTA status seen in it.
func watchInfo(ctx context.Context, t *testing.T, r *otaRig) func() *protocol.OTAStatus {
	t.Helper()
	var mu sync.Mutex
	var last *protocol.OTAStatus
	subscribeInfo(ctx, t, r, func(st *protocol.OTAStatus) {
		mu.Lock()
		last = st
		mu.Unlock()
	})
	return func() *protocol.OTAStatus {
		mu.Lock()
		defer mu.Unlock()
		return last
	}
}

// subscribeInfo subscribes to the camera's retained info as the viewer
// and calls onOTA with each OTA status in it.
func subscribeInfo(ctx context.Context, t *testing.T, r *otaRig, onOTA func(*protocol.OTAStatus)) {
	t.Helper()
	id := signal.DeviceID{Product: "acme", Device: "cam1"}
	c, err := mqttclient.Connect(ctx, mqttclient.Config{URL: r.broker, ClientID: signal.ViewerClientID(r.viewerUser, "info"),
		Username: r.viewerUser, Password: r.viewerPass,
		OnUp: func(ctx context.Context, c *mqttclient.Client) { _ = c.Subscribe(ctx, id.InfoTopic()) },
		OnMessage: func(p *paho.Publish) {
			info, err := signal.DecodeDeviceInfo(p.Payload)
			if err == nil && info.OTA != nil {
				onOTA(info.OTA)
			}
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
}

// waitServed waits until the cloud serves url (it rescans its bundle
// directory every 2 s).
func waitServed(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the cloud never served %s", url)
		case <-time.After(200 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
}

// writeBundle puts b into the bundle directory as name, atomically.
func writeBundle(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// TestOTADelivery: p2pcam cloud --ota-dir serves a signed bundle; a real
// p2pcamd 1.0.0 (sim board) learns of the release on its product's
// retained release topic, downloads it through a proxy that cuts the
// first connection mid-way (resumed with Range), verifies it and stops at
// "downloaded" (no installer configured), reporting its progress in its
// device info and to p2pcam ota status; an operator without the update
// permission gets 403; a release signed by an untrusted key fails with a
// clear error. Through the dev cloud's broker, and a real mosquitto with
// cloud.MosquittoACL and a release account (p2pcam ota announce).
func TestOTADelivery(t *testing.T) {
	bin := buildStampedCamera(t, "1.0.0")
	part := bytes.Repeat([]byte("p2pcamd 1.1.0 for arm64, "), (3<<20)/25)
	good := otatest.Make(t, otatest.Key(7), "acme", "1.1.0", "1.0.0", "arm64", part)
	forged := otatest.Make(t, otatest.Key(8), "acme", "1.2.0", "1.0.0", "arm64", part)
	for _, b := range otaBrokers() {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
			defer cancel()
			r, user, pass, vouches := newOTARig(ctx, t, b, "acme-1.1.0.p2pota", good.Data)
			info := watchInfo(ctx, t, r)
			r.announce(t, "acme-1.1.0.p2pota")
			startOTACamera(t, r, bin, user, pass, vouches)

			// It learns of the release and downloads it: follow it with
			// p2pcam ota status, progress bar and all.
			r.await(ctx, t, "a download under way", func(st protocol.OTAStatus) bool { return st.State != protocol.OTAIdle })
			var out, bar bytes.Buffer
			if err := run(ctx, []string{"ota", "status", "--lan", "http://" + r.lan, "--token", r.token(t, auth.PermUpdate)}, &out, &bar); err != nil {
				t.Fatalf("ota status: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "downloaded: running 1.0.0, release 1.1.0") || !strings.Contains(out.String(), "installation is not configured") {
				t.Errorf("ota status printed:\n%s", out.String())
			}
			t.Logf("p2pcam ota status:\n%s%s", bar.String(), out.String())
			st := r.status(ctx, t)
			if st.State != protocol.OTADownloaded || st.Version != "1.1.0" || st.Bytes != int64(len(good.Data)) || st.Percent != 100 {
				t.Fatalf("status %+v", st)
			}
			kept, err := os.ReadFile(filepath.Join(r.staging, "acme-1.1.0.p2pota"))
			if err != nil || !bytes.Equal(kept, good.Data) {
				t.Fatalf("staged bundle: %v (%d bytes, want %d)", err, len(kept), len(good.Data))
			}
			if r.proxy.cuts.Load() != 1 || r.proxy.conns.Load() < 2 {
				t.Errorf("proxy: %d cuts, %d connections; want the download cut once and resumed", r.proxy.cuts.Load(), r.proxy.conns.Load())
			}
			if line, ok := r.camLog.WaitFor(5*time.Second, "bundle downloaded", "resumed=1", "restarted=0"); !ok {
				t.Errorf("no log of a resumed download; got %q", line)
			}
			deadline := time.Now().Add(10 * time.Second)
			for p := info(); p == nil || p.State != protocol.OTADownloaded; p = info() {
				if time.Now().After(deadline) {
					t.Fatalf("device info's ota: %+v, want downloaded", p)
				}
				time.Sleep(100 * time.Millisecond) // polling a condition, bounded by the deadline
			}

			// The same over P2P, through the broker.
			var p2pOut, p2pErr bytes.Buffer
			if err := run(ctx, []string{"ota", "status", "acme/cam1", "--broker", r.broker, "--user", r.viewerUser, "--password", r.viewerPass,
				"--token", r.token(t, auth.PermUpdate), "--loopback", "--once"}, &p2pOut, &p2pErr); err != nil {
				t.Fatalf("ota status over P2P: %v\n%s", err, p2pErr.String())
			}
			if !strings.Contains(p2pOut.String(), "downloaded: running 1.0.0, release 1.1.0") {
				t.Errorf("ota status over P2P printed:\n%s", p2pOut.String())
			}

			// An operator without the update permission is refused.
			err = run(ctx, []string{"ota", "update", "--lan", "http://" + r.lan, "--token", r.token(t, auth.PermCommand|auth.PermLive), "--once"}, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "status 403") || !strings.Contains(err.Error(), "needs: update") {
				t.Errorf("ota update without the update permission: %v, want 403", err)
			}

			// A newer release signed by an untrusted key: fetched, refused.
			writeBundle(t, r.otaDir, "acme-1.2.0.p2pota", forged.Data)
			r.announce(t, "acme-1.2.0.p2pota")
			st = r.await(ctx, t, "the forged release refused", func(st protocol.OTAStatus) bool {
				return st.Version == "1.2.0" && st.Done()
			})
			if st.State != protocol.OTAFailed || !strings.Contains(st.Error, "no valid signature by a trusted release key") {
				t.Errorf("forged release: %+v, want failed: no valid signature", st)
			}
			if _, err := os.Stat(filepath.Join(r.staging, "acme-1.2.0.p2pota")); !os.IsNotExist(err) {
				t.Errorf("the forged bundle was kept: %v", err)
			}
			var failedOut bytes.Buffer
			err = run(ctx, []string{"ota", "status", "--lan", "http://" + r.lan, "--token", r.token(t, auth.PermUpdate)}, &failedOut, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "no valid signature") {
				t.Errorf("ota status of a failed update: %v, want an error naming the signature", err)
			}
		})
	}
}

// newOTARig makes an otaRig in a temporary directory with one bundle,
// name, in its bundle directory, and sets up its cloud and broker with b.
func newOTARig(ctx context.Context, t *testing.T, b otaBroker, name string, bundle []byte) (r *otaRig, user, pass string, vouches bool) {
	t.Helper()
	dir := t.TempDir()
	r = &otaRig{dir: filepath.Join(dir, "cloud"), otaDir: filepath.Join(dir, "bundles"), staging: filepath.Join(dir, "staging")}
	if err := os.MkdirAll(r.otaDir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeBundle(t, r.otaDir, name, bundle)
	user, pass, vouches = b.setup(ctx, t, r)
	return r, user, pass, vouches
}

// otaBroker sets up an otaRig's cloud and broker (the bundles are in
// its otaDir already) and returns the camera's account.
type otaBroker struct {
	name  string
	setup func(ctx context.Context, t *testing.T, r *otaRig) (user, pass string, vouches bool)
}

// otaBrokers are the embedded broker of p2pcam cloud, which announces
// the bundles it serves by itself, and a real mosquitto with
// cloud.MosquittoACL, where a release account announces them (p2pcam
// ota announce).
func otaBrokers() []otaBroker {
	return []otaBroker{
		{"embedded", func(ctx context.Context, t *testing.T, r *otaRig) (string, string, bool) {
			r.broker = startOTACloud(ctx, t, r)
			r.viewerUser, r.viewerPass = "ops", "opspw"
			r.announce = func(t *testing.T, file string) {} // the cloud rescans its directory
			return "acme/cam1", "campw", true
		}},
		{"mosquitto", func(ctx context.Context, t *testing.T, r *otaRig) (string, string, bool) {
			users := []cloud.User{{Name: "acme/cam1", Role: cloud.RoleDevice}, {Name: "ops", Role: cloud.RoleViewer}, {Name: "releaser", Role: cloud.RoleRelease}}
			addr := brokertest.Mosquitto(t, []brokertest.Account{{Name: "acme/cam1", Password: "campw"}, {Name: "ops", Password: "opspw"}, {Name: "releaser", Password: "relpw"}},
				cloud.MosquittoACL(users))
			startOTACloud(ctx, t, r) // serves the bundles; mosquitto carries the announcements
			r.broker = "mqtt://" + addr
			r.viewerUser, r.viewerPass = "ops", "opspw"
			r.announce = func(t *testing.T, file string) {
				waitServed(ctx, t, "http://"+r.httpAddr+"/ota/"+file)
				var out, errOut bytes.Buffer
				err := run(ctx, []string{"ota", "announce", filepath.Join(r.otaDir, file), "--url", "http://" + r.proxy.ln.Addr().String() + "/ota/" + file,
					"--broker", r.broker, "--user", "releaser", "--password", "relpw"}, &out, &errOut)
				if err != nil {
					t.Fatalf("ota announce: %v\n%s", err, errOut.String())
				}
			}
			return "acme/cam1", "campw", false
		}},
	}
}

// Mistakes around delivery get a clear error before anything is sent.
func TestOTADeliveryMistakes(t *testing.T) {
	dir := t.TempDir()
	unsigned := otatest.Make(t, nil, "acme", "1.1.0", "1.0.0", "arm64", []byte("x"))
	bundle := filepath.Join(dir, "acme-1.1.0.p2pota")
	if err := os.WriteFile(bundle, unsigned.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"announce unsigned", []string{"ota", "announce", bundle, "--url", "http://h/b", "--broker", "mqtt://127.0.0.1:1", "--user", "rel"}, "sign it first"},
		{"announce without url", []string{"ota", "announce", bundle, "--broker", "mqtt://127.0.0.1:1", "--user", "rel"}, "want one BUNDLE, --url"},
		{"ota-dir without http", []string{"cloud", "--dir", filepath.Join(dir, "c"), "--mqtt", "127.0.0.1:0", "--turn", "127.0.0.1:0", "--http", "off", "--ota-dir", dir}, "--ota-dir serves bundles over --http"},
		{"status of no camera", []string{"ota", "status"}, "which camera?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("P2PCAM_DEVICE", "")
			err := run(ctx, tc.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}
