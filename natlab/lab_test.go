package natlab_test

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/nginxtest"
)

// The lab's fixed names and addresses (scripts/natlab/up.sh).
const (
	device     = "natlab/cam1"
	viewerUser = "alice"
	brokerURL  = "mqtt://203.0.113.2:1883"
	stunURL    = "stun:203.0.113.3:3478"
	turnHost   = "203.0.113.3:3478"
)

var scripts = filepath.Join("..", "scripts", "natlab")

// requireLab skips the test unless it can build the lab: root, and the
// tools. Under CI, which runs as root and installs the tools
// (scripts/test-deps.sh), it fails instead.
func requireLab(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			tb.Fatal("the NAT lab needs root (network namespaces, iptables), and CI runs as root")
		}
		tb.Skip("the NAT lab needs root (network namespaces, iptables): run as root")
	}
	for _, tool := range []string{"ip", "ss", "iptables", "turnserver", "ffprobe"} {
		mediatest.Require(tb, tool)
	}
}

// The binaries, built once per test binary.
var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

type binaries struct{ p2pcamd, p2pcam string }

func build(tb testing.TB) binaries {
	tb.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "natlab-bin-"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", buildDir, "github.com/p2pcam/p2pcam/cmd/p2pcamd", "github.com/p2pcam/p2pcam/cmd/p2pcam")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binaries{filepath.Join(buildDir, "p2pcamd"), filepath.Join(buildDir, "p2pcam")}
}

func TestMain(m *testing.M) {
	if os.Geteuid() == 0 {
		removeStaleLabs()
		// up.sh leaves coturn and the broker running when it exits; as
		// their subreaper this process can reap them at teardown instead
		// of leaving zombies to an init that may not reap.
		_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// labSeq makes each lab's namespace prefix unique within this process;
// the pid makes it unique between parallel runs.
var labSeq atomic.Int32

func newPrefix() string { return fmt.Sprintf("p2pl-g%d-%d-", os.Getpid(), labSeq.Add(1)) }

// staleRE matches the namespaces of this test's labs, with the pid of the
// test process that made them.
var staleRE = regexp.MustCompile(`^(p2pl-g(\d+)-\d+-)(pub|natc|natv|cam|view)$`)

// removeStaleLabs tears down the labs of test processes that are gone: a
// test that timed out or was killed runs no cleanup.
func removeStaleLabs() {
	ents, _ := os.ReadDir("/run/netns")
	done := map[string]bool{}
	for _, e := range ents {
		m := staleRE.FindStringSubmatch(e.Name())
		if m == nil || done[m[1]] {
			continue
		}
		if _, err := os.Stat("/proc/" + m[2]); err == nil {
			continue // its test is still running
		}
		done[m[1]] = true
		_ = exec.Command(filepath.Join(scripts, "down.sh"), "-p", m[1]).Run()
	}
}

// reap collects the exit status of the lab's daemons, which were
// reparented to this process (see TestMain), once down.sh stopped them.
func reap(state string) {
	b, _ := os.ReadFile(filepath.Join(state, "pids"))
	for _, f := range strings.Fields(string(b)) {
		if pid, err := strconv.Atoi(f); err == nil {
			var ws unix.WaitStatus
			_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
	}
}

// upLab runs up.sh with args and returns what it printed (NATLAB_*). The
// lab is torn down (down.sh) at the end of the test, also when up.sh fails
// half-way.
func upLab(tb testing.TB, args ...string) map[string]string {
	tb.Helper()
	prefix := newPrefix()
	// Made before the teardown is registered, so removed after it: coturn
	// writes its log there until down.sh stops it.
	defaultState := filepath.Join(tb.TempDir(), "lab")
	var state string
	tb.Cleanup(func() {
		if out, err := exec.Command(filepath.Join(scripts, "down.sh"), "-p", prefix).CombinedOutput(); err != nil {
			tb.Errorf("down.sh: %v\n%s", err, out)
		}
		if state != "" {
			reap(state)
		}
		if out, _ := exec.Command("ip", "netns", "list").Output(); bytes.Contains(out, []byte(prefix)) {
			tb.Errorf("namespaces of %s left after down.sh:\n%s", prefix, out)
		}
	})
	// A later -s in args wins.
	out, err := exec.Command(filepath.Join(scripts, "up.sh"), append([]string{"-p", prefix, "-s", defaultState}, args...)...).Output()
	if err != nil {
		tb.Fatalf("up.sh %q: %v", args, stderrOf(err))
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	if env["NATLAB_PREFIX"] != prefix {
		tb.Fatalf("up.sh printed %q", out)
	}
	state = env["NATLAB_STATE"]
	return env
}

// labOptions say what lab to build and how the camera runs.
type labOptions struct {
	camNAT, viewNAT string  // cone or symmetric
	loss            float64 // random loss on each lossy router, each way
	lossAt          string  // the lossy routers: "" for both, "natc" or "natv"
	stream          string  // the high stream's source; "" for the sim board
	extra           string  // more camera config, at the end
	p2p             string  // more keys of the camera's [p2p] table
	maxViewers      int     // the camera's max_viewers; 0 for 32 (startCamera's)
	relay           bool    // run an nginx-rtmp relay in the public namespace, the camera's [relay]
}

// lab is a running lab with accounts, TURN credentials and a camera
// registered with the broker.
type lab struct {
	tb  testing.TB
	bin binaries
	dir string
	env map[string]string

	viewPass, token, viewICE string
	cam                      *proc
	relay                    *nginxtest.Relay // with labOptions.relay
}

func newLab(tb testing.TB, o labOptions) *lab {
	tb.Helper()
	requireLab(tb)
	l := &lab{tb: tb, bin: build(tb), dir: tb.TempDir()}
	cloudDir := filepath.Join(l.dir, "cloud")
	devPass := l.p2pcam("cloud", "adduser", "--dir", cloudDir, "--role", "device", device)
	l.viewPass = l.p2pcam("cloud", "adduser", "--dir", cloudDir, "--role", "viewer", viewerUser)
	if o.relay { // the relay's on_play checks the share
		l.p2pcam("cloud", "share", "--dir", cloudDir, "--perm", "live", device, viewerUser)
	}
	issuerPub := l.p2pcam("keygen", "--out", filepath.Join(l.dir, "issuer.key"))
	l.token = l.p2pcam("token", "--key", filepath.Join(l.dir, "issuer.key"), "--device", device,
		"--perm", "live,command", "--subject", viewerUser, "--ttl", "1h")

	state := filepath.Join(l.dir, "lab")
	args := []string{"-s", state, "-c", o.camNAT, "-v", o.viewNAT,
		"-l", strconv.FormatFloat(o.loss, 'f', -1, 64), "-P", l.bin.p2pcam, "-C", cloudDir}
	if o.lossAt != "" {
		args = append(args, "-L", o.lossAt)
	}
	l.env = upLab(tb, args...)
	tb.Cleanup(func() { // before down.sh: keep the servers' logs of a failure
		if tb.Failed() {
			for _, f := range []string{"broker.log", "turnserver.log"} {
				b, _ := os.ReadFile(filepath.Join(state, f))
				tb.Logf("%s (last 3 KB):\n%s", f, tail(b, 3000))
			}
		}
	})

	// TURN credentials from the cloud's secret, which up.sh made coturn's.
	camUser, camPass, _ := strings.Cut(l.p2pcam("cloud", "turn-creds", "--dir", cloudDir, "--user", "natlab-cam", "--ttl", "1h"), "\n")
	// The viewer's --ice flag takes turn:USER:PASS@HOST and splits at the
	// first colon, so its user name must have none: the REST API name is
	// then the expiry alone.
	viewUser, viewPass, _ := strings.Cut(l.p2pcam("cloud", "turn-creds", "--dir", cloudDir, "--user", "", "--ttl", "1h"), "\n")
	l.viewICE = fmt.Sprintf("%s,turn:%s:%s@%s?transport=udp", stunURL, viewUser, viewPass, turnHost)

	streams := ""
	if o.stream != "" {
		streams = fmt.Sprintf("[streams]\nhigh = %q\n", o.stream)
	}
	if o.relay {
		streams += l.startRelay(tb, cloudDir)
	}
	streams += o.extra
	if o.maxViewers != 0 {
		streams = fmt.Sprintf("max_viewers = %d\n", o.maxViewers) + streams
	}
	l.startCamera(tb, issuerPub, devPass, camUser, camPass, o.p2p, streams)
	return l
}

// startCamera writes the camera's config (the lab's broker, STUN and
// TURN; p2pExtra goes in its [p2p] table, tail at the end), starts
// p2pcamd in the camera's namespace and waits until it has registered.
func (l *lab) startCamera(tb testing.TB, issuerPub, devPass, camUser, camPass, p2pExtra, tail string) {
	tb.Helper()
	// tail may start with top-level keys (max_viewers, 32 unless it sets
	// it), before its tables.
	top := topLevel(tail)
	if !strings.Contains(top, "max_viewers") {
		top += "max_viewers = 32\n"
	}
	cfg := fmt.Sprintf(`device = %q
%s
[auth]
trusted_keys = [%q]
device_key = %q

[p2p]
broker = %q
password = %q
%s

[[p2p.ice_servers]]
urls = [%q]

[[p2p.ice_servers]]
urls = ["turn:%s?transport=udp"]
username = %q
credential = %q

[lan]
listen = "off"

`, device, top, issuerPub, filepath.Join(l.dir, "device.key"), brokerURL, devPass, p2pExtra, stunURL, turnHost, camUser, camPass)
	cfg += tables(tail)
	cfgPath := filepath.Join(l.dir, "p2pcamd.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	l.cam = startProc(tb, "p2pcamd", nil, "ip", "netns", "exec", l.env["NATLAB_CAM"], l.bin.p2pcamd, "--config", cfgPath)
	if !l.cam.waitLog(`msg=registered`, 15*time.Second) {
		tb.Fatalf("the camera did not register with the broker within 15 s")
	}
}

// topLevel returns the lines of a config before its first table; tables
// the rest.
func topLevel(cfg string) string {
	if i := strings.Index(cfg, "["); i >= 0 {
		return cfg[:i]
	}
	return cfg
}

func tables(cfg string) string { return strings.TrimPrefix(cfg, topLevel(cfg)) }

// The relay's addresses in the public namespace, beside the broker (and
// the dev cloud, whose HTTP side listens on that namespace's loopback).
const (
	relayIP     = "203.0.113.2"
	relayOnPlay = "http://127.0.0.1:8088/relay/on_play"
)

// startRelay runs nginx-rtmp in the public namespace, its on_play asking
// the lab's dev cloud, and returns the camera's [relay] table.
func (l *lab) startRelay(tb testing.TB, cloudDir string) string {
	tb.Helper()
	l.relay = nginxtest.Start(tb, nginxtest.Config{OnPlay: relayOnPlay, Netns: l.env["NATLAB_PUB"], IP: relayIP, RTMPPort: 1935, HTTPPort: 8080})
	secret := l.p2pcam("cloud", "relay-secret", "--dir", cloudDir, device)
	return fmt.Sprintf("[relay]\nurl = %q\nstat_url = %q\nsecret = %q\nidle_timeout = \"3s\"\npoll_interval = \"500ms\"\n",
		"rtmp://"+l.relay.RTMPAddr+"/live", l.relay.StatURL(), secret)
}

// p2pcam runs the CLI on the host (the commands that need no network)
// and returns its trimmed stdout.
func (l *lab) p2pcam(args ...string) string {
	l.tb.Helper()
	out, err := exec.Command(l.bin.p2pcam, args...).Output()
	if err != nil {
		l.tb.Fatalf("p2pcam %s: %v", args[0], stderrOf(err))
	}
	return strings.TrimSpace(string(out))
}

// viewArgs is the command line of p2pcam view in the viewer's namespace.
func (l *lab) viewArgs(extra ...string) []string {
	return append([]string{"ip", "netns", "exec", l.env["NATLAB_VIEW"], l.bin.p2pcam, "view",
		"--broker", brokerURL, "--device", device, "--user", viewerUser, "--password", l.viewPass,
		"--token", l.token, "--ice", l.viewICE, "--quality", "high", "-v"}, extra...)
}

// connectedRE matches the viewer's line once ICE is up.
var connectedRE = regexp.MustCompile(`p2pcam: connected to \S+ in (\S+), path (\w+) \(([^)]*)\)`)

// viewPath returns the path kind (host, srflx, prflx, relay), the remote
// address and the connection time from a viewer's stderr.
func viewPath(stderr string) (kind, remote string, after time.Duration, ok bool) {
	m := connectedRE.FindStringSubmatch(stderr)
	if m == nil {
		return "", "", 0, false
	}
	after, _ = time.ParseDuration(m[1])
	return m[2], m[3], after, true
}

// proc is a process the test started; it is stopped at the test's end.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  *syncbuf.Buffer
	done chan struct{}
	err  error
}

// startProc starts argv with stderr captured (logged if the test fails)
// and stdout to stdout (discarded if nil). It is killed with the test
// process (Pdeathsig), and stopped by the test's cleanup.
func startProc(tb testing.TB, name string, stdout io.Writer, argv ...string) *proc {
	tb.Helper()
	p := &proc{name: name, log: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(argv[0], argv[1:]...)
	p.cmd.Stdout = stdout
	p.cmd.Stderr = p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() {
		p.stop()
		if tb.Failed() {
			tb.Logf("%s stderr:\n%s", name, p.log)
		}
	})
	return p
}

// stop ends the process: SIGTERM, then SIGKILL after 5 s.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// waitLog waits until the process's stderr matches the regexp.
func (p *proc) waitLog(re string, timeout time.Duration) bool {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if rx.MatchString(p.log.String()) {
			return true
		}
		select {
		case <-p.done:
			return rx.MatchString(p.log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return err.Error()
}

// listenUDPIn opens a UDP socket inside network namespace ns: a socket
// belongs to the namespace of the thread that made it, whatever thread
// uses it later.
func listenUDPIn(ns, addr string) (*net.UDPConn, error) {
	type result struct {
		c   *net.UDPConn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			ch <- result{nil, err}
			runtime.UnlockOSThread()
			return
		}
		defer orig.Close()
		target, err := os.Open("/run/netns/" + ns)
		if err != nil {
			ch <- result{nil, err}
			runtime.UnlockOSThread()
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			ch <- result{nil, fmt.Errorf("setns %s: %w", ns, err)}
			runtime.UnlockOSThread()
			return
		}
		ua, err := net.ResolveUDPAddr("udp4", addr)
		var c *net.UDPConn
		if err == nil {
			c, err = net.ListenUDP("udp4", ua)
		}
		ch <- result{c, err}
		// Back to the original namespace; if that fails, the thread stays
		// locked and exits with this goroutine, namespace and all.
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
	}()
	r := <-ch
	return r.c, r.err
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 1).
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// lines returns the lines of s that contain sub.
func lines(s, sub string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), sub) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}
