package natlab_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
)

// The browser lab's dev cloud: its HTTP side (the player page, /mqtt,
// /api/login) beside the broker.
const (
	cloudHTTP = "203.0.113.2:8088"
	pageURL   = "http://" + cloudHTTP + "/"
)

var webDir = filepath.Join("..", "web")

// requireBrowser skips the test unless it can run the player page in
// Chromium: node, Chromium, and web/'s npm packages (playwright-core).
// Under CI it fails instead, as requireLab does.
func requireBrowser(tb testing.TB) (node, chromium string) {
	tb.Helper()
	requireLab(tb)
	node = mediatest.Require(tb, "node")
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	missing := func(what string) {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s not found under CI: scripts/test-deps.sh and scripts/web-test.sh install it", what)
		}
		tb.Skipf("%s not found: install it to run the browser through the NAT lab", what)
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("Chromium at " + chromium + " (apt-get install chromium, or set CHROMIUM)")
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		missing("web/node_modules/playwright-core (cd web && npm ci, or scripts/web-test.sh)")
	}
	return node, chromium
}

// browserLab is a NAT lab whose broker is the dev cloud with its HTTP
// side, and a camera (the sim board, or o.stream) that trusts the cloud's
// token issuer. The Go viewer runs there too (lab.viewArgs): a token from
// the cloud's issuer key, TURN credentials from its secret.
type browserLab struct {
	*lab
	viewPass string
}

func newBrowserLab(tb testing.TB, o labOptions) *browserLab {
	tb.Helper()
	requireBrowser(tb)
	l := &lab{tb: tb, bin: build(tb), dir: tb.TempDir()}
	cloudDir := filepath.Join(l.dir, "cloud")
	// The README's walkthrough: accounts, a share, the issuer's key.
	devPass := l.p2pcam("cloud", "adduser", "--dir", cloudDir, "--role", "device", device)
	viewPass := l.p2pcam("cloud", "adduser", "--dir", cloudDir, "--role", "viewer", viewerUser)
	l.p2pcam("cloud", "share", "--dir", cloudDir, device, viewerUser, "--perm", "live,voice,command")
	issuerPub := l.p2pcam("cloud", "issuer", "--dir", cloudDir)

	// No -P: up.sh would start the cloud without its HTTP side; this test
	// starts it itself, in pub.
	args := []string{"-s", filepath.Join(l.dir, "lab"), "-c", o.camNAT, "-v", o.viewNAT, "-l", strconv.FormatFloat(o.loss, 'f', -1, 64)}
	if o.lossAt != "" {
		args = append(args, "-L", o.lossAt)
	}
	l.env = upLab(tb, args...)
	state := l.env["NATLAB_STATE"]
	// The cloud's TURN secret is coturn's (hex-encoded, as up.sh -C
	// writes it), so the cloud's credentials are coturn's.
	secret := l.env["NATLAB_TURN_SECRET"]
	if secret == "" {
		tb.Fatal("up.sh printed no TURN secret")
	}
	if err := os.WriteFile(filepath.Join(cloudDir, "turn.secret"), []byte(hex.EncodeToString([]byte(secret))+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { // before down.sh: keep coturn's log of a failure
		if tb.Failed() {
			b, _ := os.ReadFile(filepath.Join(state, "turnserver.log"))
			tb.Logf("turnserver.log (last 3 KB):\n%s", tail(b, 3000))
		}
	})

	// The dev cloud in pub: MQTT on the broker's address, the page, /mqtt
	// and /api on 8088. Its own TURN server listens on the broker's IP,
	// unused: --public-host makes the STUN and TURN URLs that /api/login
	// gives the page name coturn's address (203.0.113.3:3478), for which
	// the cloud's credentials are good. (The MQTT URL the page gets comes
	// from its request's Host, not from --public-host.)
	out := &syncbuf.Buffer{}
	cloudProc := startProc(tb, "cloud", out, "ip", "netns", "exec", l.env["NATLAB_PUB"], l.bin.p2pcam, "cloud",
		"--dir", cloudDir, "--mqtt", "203.0.113.2:1883", "--turn", "203.0.113.2:3478", "--public-host", "203.0.113.3",
		"--http", cloudHTTP)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), "web  http://") {
		if time.Now().After(deadline) {
			tb.Fatalf("the cloud did not serve HTTP within 15 s; stdout:\n%s", out)
		}
		select {
		case <-cloudProc.done:
			tb.Fatalf("the cloud exited: %v; stdout:\n%s", cloudProc.err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}

	camUser, camPass, _ := strings.Cut(l.p2pcam("cloud", "turn-creds", "--dir", cloudDir, "--user", "natlab-cam", "--ttl", "1h"), "\n")
	l.viewPass = viewPass
	l.token = l.p2pcam("token", "--key", filepath.Join(cloudDir, "issuer.key"), "--device", device,
		"--perm", "live,command", "--subject", viewerUser, "--ttl", "1h")
	viewUser, viewTURNPass, _ := strings.Cut(l.p2pcam("cloud", "turn-creds", "--dir", cloudDir, "--user", "", "--ttl", "1h"), "\n")
	l.viewICE = fmt.Sprintf("%s,turn:%s:%s@%s?transport=udp", stunURL, viewUser, viewTURNPass, turnHost)
	tail := o.extra
	if o.stream != "" {
		tail = fmt.Sprintf("[streams]\nhigh = %q\n", o.stream) + tail
	}
	l.startCamera(tb, issuerPub, devPass, camUser, camPass, o.p2p, tail)
	return &browserLab{lab: l, viewPass: viewPass}
}

// pageRun is what web/test/natlab/view.mjs reports of one page load.
type pageRun struct {
	Run          int     `json:"run"`
	WallMs       float64 `json:"wallMs"`
	FirstFrameMs float64 `json:"firstFrameMs"`
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	Frames       int     `json:"frames"`
	Path         string  `json:"path"`
	Local        struct {
		Type    string `json:"type"`
		Address string `json:"address"`
		Port    int    `json:"port"`
	} `json:"local"`
	Remote struct {
		Type    string `json:"type"`
		Address string `json:"address"`
		Port    int    `json:"port"`
	} `json:"remote"`
	ReadyMs      float64  `json:"readyMs"`
	WatchMs      float64  `json:"watchMs"`
	Candidates   []string `json:"candidates"` // the browser's local candidates: "TYPE ADDRESS"
	Overlay      string   `json:"overlay"`
	Transport    string   `json:"transport"`
	ConnectMs    float64  `json:"connectMs"`
	SignallingMs float64  `json:"signallingMs"`
	PageErrors   []string `json:"pageErrors"`
	// Marks are the page's p2pcam:* timing marks, ms from navigation
	// start (web/src/marks.js).
	Marks map[string]float64 `json:"marks"`
	// Visit is "returning" for a second page load in the same browser
	// (NATWEB_VISIT=returning); FirstVisitMs is then the first load's
	// first frame.
	Visit        string  `json:"visit"`
	FirstVisitMs float64 `json:"firstVisitMs"`
	// With a watch (watchPage): each frame presented, as
	// [presentationTime, rtpTimestamp] (the page's clock, ms; the RTP
	// timestamp null when Chromium has none); every 100 ms [Unix ms,
	// estimatedPlayoutTimestamp (NTP ms)]; the video track's inbound-rtp
	// stats at the end.
	Watch   [][2]*float64      `json:"watch"`
	Playout [][2]float64       `json:"playout"`
	Inbound map[string]float64 `json:"inbound"`
}

// browse runs view.mjs in the viewer's namespace, so that headless
// Chromium's traffic goes through the viewer's NAT router: runs page
// loads, each in a fresh browser context.
func (b *browserLab) browse(tb testing.TB, runs int, extraArgs string) []pageRun {
	tb.Helper()
	return b.view(tb, runs, extraArgs, 0, "first")
}

// browseReturning is browse, each run loading the page a second time in
// the same browser context and reporting that returning visit.
func (b *browserLab) browseReturning(tb testing.TB, runs int, extraArgs string) []pageRun {
	tb.Helper()
	return b.view(tb, runs, extraArgs, 0, "returning")
}

// watchPage loads the page once and then watches its video for d.
func (b *browserLab) watchPage(tb testing.TB, d time.Duration) pageRun {
	tb.Helper()
	return b.view(tb, 1, "", d, "first")[0]
}

func (b *browserLab) view(tb testing.TB, runs int, extraArgs string, watch time.Duration, visit string) []pageRun {
	tb.Helper()
	node, chromium := requireBrowser(tb)
	script, err := filepath.Abs(filepath.Join(webDir, "test", "natlab", "view.mjs"))
	if err != nil {
		tb.Fatal(err)
	}
	out := &syncbuf.Buffer{}
	p := startProc(tb, "chromium (view.mjs)", out, "ip", "netns", "exec", b.env["NATLAB_VIEW"],
		"env", "CHROMIUM="+chromium, "NATWEB_ARGS="+extraArgs, "NATWEB_TIMEOUT_MS=20000",
		"NATWEB_WATCH_MS="+strconv.FormatInt(watch.Milliseconds(), 10), "NATWEB_VISIT="+visit,
		node, script, pageURL, viewerUser, b.viewPass, device, strconv.Itoa(runs))
	// view.mjs's own watchdog, and 15 s: a loaded machine's Chromium can
	// take tens of seconds to load the page.
	limit := time.Duration(1+runs)*(60*time.Second+watch) + 15*time.Second
	if visit == "returning" {
		limit *= 2
	}
	select {
	case <-p.done:
	case <-time.After(limit):
		p.stop()
		tb.Fatalf("view.mjs did not finish within %v; stderr:\n%s", limit, p.log)
	}
	if p.err != nil {
		tb.Fatalf("view.mjs: %v; stdout:\n%s\nstderr:\n%s", p.err, out, p.log)
	}
	var res []pageRun
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r pageRun
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			tb.Fatalf("view.mjs printed %q: %v", line, err)
		}
		res = append(res, r)
	}
	if len(res) != runs {
		tb.Fatalf("view.mjs reported %d runs, want %d; stderr:\n%s", len(res), runs, p.log)
	}
	return res
}

// camPathRE matches p2pcamd's log line of a viewer's path, logged each
// time its ICE agent selects another candidate pair.
var camPathRE = regexp.MustCompile(`msg="viewer path" .*path=(\w+) local=(\S+) remote=(\S+)`)

// TestBrowserNAT runs the player page in headless Chromium in the
// viewer's namespace against a sim camera in the camera's, through the
// lab's kernel NATs: the page signs in at the dev cloud, opens the camera
// and must decode video; then it opens again in the same browser, signs
// in with the remembered sign-in and reopens the camera by itself. Video
// goes over a direct path (host or server/peer reflexive) when both
// routers are port-restricted cones, and over TURN when one of them is
// symmetric.
func TestBrowserNAT(t *testing.T) {
	for _, c := range []struct {
		name, camNAT, viewNAT string
		relay                 bool
	}{
		{"cone-cone", "cone", "cone", false},
		{"cone-symmetric", "cone", "symmetric", true},
		{"symmetric-cone", "symmetric", "cone", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBrowserLab(t, labOptions{camNAT: c.camNAT, viewNAT: c.viewNAT})
			// The page signs in with the form and plays; then, as a
			// returning visitor, it opens again with the remembered
			// sign-in and plays with no clicks, and stays 6 s: long
			// enough for two of Chromium's consent checks on the pair it
			// chose.
			r := b.view(t, 1, os.Getenv("NATWEB_ARGS"), 6*time.Second, "returning")[0]
			if r.Visit != "returning" || r.FirstVisitMs <= 0 {
				t.Fatalf("visit %q, first visit's first frame %v ms: want a returning visit after one that played", r.Visit, r.FirstVisitMs)
			}
			t.Logf("camera NAT %s, viewer NAT %s: first visit's first frame %.0f ms after page open; returning visit's %.0f ms (%.0f ms wall), %dx%d, path %s (local %s %s:%d, remote %s %s:%d), overlay %q, %s, P2P connect %.0f ms; the browser's candidates %q",
				c.camNAT, c.viewNAT, r.FirstVisitMs, r.FirstFrameMs, r.WallMs, r.Width, r.Height, r.Path, r.Local.Type, r.Local.Address, r.Local.Port,
				r.Remote.Type, r.Remote.Address, r.Remote.Port, r.Overlay, r.Transport, r.ConnectMs, r.Candidates)
			// The camera's side of the same connection: the last pair its
			// (controlled) ICE agent selected must be Chromium's
			// (controlling): the same kind of path, and the same ports
			// where the NATs keep them (cone) or the port is the TURN
			// server's. Chromium nominates pairs it then does not choose
			// (semi-aggressive nomination); the camera follows the last
			// nomination (link.followNomination), and Chromium's checks
			// of its chosen pair, every 2.5 s, nominate that one again.
			agree := func() (string, bool) {
				m := camPathRE.FindAllStringSubmatch(b.cam.log.String(), -1)
				if m == nil {
					return "the camera logged no path", false
				}
				kind, local, remote := m[len(m)-1][1], m[len(m)-1][2], m[len(m)-1][3]
				say := fmt.Sprintf("the camera says: path %s, local %s, remote %s (%d pair switches)", kind, local, remote, len(m)-1)
				switch {
				case (kind == "relay") != (r.Path == "relay"):
					return say + "; the browser's path is " + r.Path, false
				case c.camNAT == "cone" && !samePort(local, r.Remote.Port):
					return fmt.Sprintf("%s; the browser's pair goes to port %d", say, r.Remote.Port), false
				case (c.viewNAT == "cone" || r.Local.Type == "relay") && !samePort(remote, r.Local.Port):
					return fmt.Sprintf("%s; the browser's pair comes from port %d", say, r.Local.Port), false
				}
				return say, true
			}
			say, ok := agree()
			for deadline := time.Now().Add(3 * time.Second); !ok && time.Now().Before(deadline); say, ok = agree() {
				time.Sleep(50 * time.Millisecond)
			}
			t.Log(say)
			if !ok {
				t.Errorf("the camera and the browser use different pairs: %s", say)
			}
			if r.Frames <= 0 || r.Width <= 0 {
				t.Errorf("no decoded video: %d frames, %dx%d", r.Frames, r.Width, r.Height)
			}
			if r.Width != 640 {
				t.Errorf("videoWidth %d, want 640 (the high stream)", r.Width)
			}
			if c.relay {
				if r.Path != "relay" {
					t.Errorf("path %s, want relay: a symmetric NAT cannot be punched", r.Path)
				}
			} else if r.Path != "host" && r.Path != "srflx" {
				t.Errorf("path %s, want direct (host or srflx) between cone NATs", r.Path)
			}
			if !strings.HasPrefix(r.Overlay, r.Path) {
				t.Errorf("the stats overlay says path %q, the SDK %q", r.Overlay, r.Path)
			}
			if len(r.PageErrors) > 0 {
				t.Errorf("uncaught errors in the page: %q", r.PageErrors)
			}
		})
	}
}

// BenchmarkBrowserFirstFrame measures page open -> first decoded frame of
// the player page in headless Chromium through the lab, direct between
// cone NATs and relayed through coturn when the viewer's NAT is symmetric.
// Each iteration is two page loads in a fresh browser context (the page's
// clock, from navigation start): a first visit (sign-in with the form,
// "stay signed in" checked; Watch clicked once the camera is listed) and
// then a returning visit in the same context (the cloud's remembered
// sign-in, no password, the camera reopened with no clicks). The first
// load, which starts the camera's encoder, is not counted.
//
//	go test -run '^$' -bench BrowserFirstFrame -benchtime 10x ./natlab/
func BenchmarkBrowserFirstFrame(b *testing.B) {
	for _, c := range []struct {
		name, viewNAT string
		relay         bool
	}{
		{"direct", "cone", false},
		{"relay", "symmetric", true},
	} {
		b.Run(c.name, func(b *testing.B) {
			l := newBrowserLab(b, labOptions{camNAT: "cone", viewNAT: c.viewNAT})
			args := os.Getenv("NATWEB_ARGS")
			l.browse(b, 1, args) // warm the camera's encoder
			var first, returning, wall, connect []time.Duration
			steps := map[string][]time.Duration{}
			paths := map[string]int{}
			for b.Loop() {
				r := l.browseReturning(b, 1, args)[0]
				first = append(first, msDuration(r.FirstVisitMs))
				returning = append(returning, msDuration(r.FirstFrameMs))
				wall = append(wall, msDuration(r.WallMs))
				connect = append(connect, msDuration(r.ConnectMs))
				for k, v := range r.Marks {
					steps[k] = append(steps[k], msDuration(v))
				}
				paths[r.Path]++
			}
			want := "srflx"
			if c.relay {
				want = "relay"
			}
			if paths[want] != len(first) {
				b.Errorf("paths %v: want %s every time", paths, want)
			}
			b.ReportMetric(ms(percentile(first, 0.5)), "median-ms")
			b.ReportMetric(ms(percentile(returning, 0.5)), "returning-median-ms")
			b.ReportMetric(ms(percentile(returning, 1)), "returning-max-ms")
			b.ReportMetric(ms(percentile(connect, 0.5)), "connect-median-ms")
			b.Logf("%s: %d runs, paths %v; page open -> first decoded frame, first visit (form sign-in, Watch clicked) %v (median %v)",
				c.name, len(first), paths, first, percentile(first, 0.5))
			b.Logf("%s: returning visit (remembered sign-in, no clicks) %v (median %v; wall-clock from page.goto %v), P2P connect median %v",
				c.name, returning, percentile(returning, 0.5), wall, percentile(connect, 0.5))
			var line strings.Builder
			for _, k := range []string{"page-module", "config", "login-api", "mqtt-connected", "dial", "offer", "offer-sent", "info", "answer", "ice-connected", "stream-request", "stream-head", "first-frame-received", "first-frame"} {
				if xs := steps[k]; len(xs) > 0 {
					fmt.Fprintf(&line, " %s %v", k, percentile(xs, 0.5).Round(time.Millisecond))
				}
			}
			b.Logf("%s: returning visit, medians of the page's marks from navigation start:%s", c.name, line.String())
		})
	}
}

// msDuration is a number of milliseconds as a Duration.
func msDuration(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// samePort reports whether the host:port addr has port p.
func samePort(addr string, p int) bool {
	_, port, err := net.SplitHostPort(addr)
	return err == nil && port == strconv.Itoa(p)
}
