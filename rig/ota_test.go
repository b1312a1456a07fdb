package rig_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/protocol"
)

// otaTimeout bounds each wait of the OTA test for a line on the console.
const otaTimeout = 120 * time.Second

// testOTA updates a running camera from the rig's build (stamped 1.0.0)
// to a release stamped 1.1.0, with its state on a virtio ext4 disk, and
// cuts the power (kills QEMU) at each step: while the update is written,
// after the switch before the first start, during the first start, and
// before the confirmation. After each cut the camera boots the old or the
// new version, never neither, and the new one is confirmed in the end.
// Then a release whose stream never makes a frame is installed and rolls
// itself back; and one that crashes at start comes by real delivery (an
// operator's ota_update with the URL of a server on the host, which the
// guest reaches at 10.0.2.2), is rolled back by the launcher, and p2pcam
// ota status follows it from its download to rolled_back.
func testOTA(t *testing.T, root, out string) {
	for _, tool := range []string{"mkfs.ext4"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found under CI", tool)
			}
			t.Skipf("%s not found (e2fsprogs)", tool)
		}
	}
	start := time.Now()
	img, crashing, big := otaDisk(t, root)
	cli := filepath.Join(t.TempDir(), "p2pcam")
	if b, err := exec.Command("go", "build", "-o", cli, filepath.Join(root, "cmd/p2pcam")).CombinedOutput(); err != nil {
		t.Fatalf("build p2pcam: %v\n%s", err, b)
	}
	t.Logf("release build, bundles and disk: %v", time.Since(start).Round(100*time.Millisecond))

	// Boot 1: the factory 1.0.0 serves; cut while the update is written.
	b := bootDisk(t, root, out, img)
	b.awaitServing(t, "1.0.0")
	b.await(t, "update verified: writing it into the inactive slot")
	time.Sleep(100 * time.Millisecond) // into the write: the cut's moment, not a wait for a condition
	b.stop()
	t.Log("cut 1: while the update was written")

	// Boot 2: still 1.0.0 (the state was not switched); the stand-in for
	// delivery installs again. Cut right after the switch.
	b = bootDisk(t, root, out, img)
	b.awaitServing(t, "1.0.0")
	line := b.await(t, "update installed: starting it on trial")
	b.await(t, "installed 1.1.0 into slot a, on trial")
	b.stop()
	t.Logf("cut 2: after the switch, before the first start; install of the 1.1.0 binary: %s", field(line, "took"))

	// Boot 3: the launcher starts 1.1.0 on trial; cut at once.
	b = bootDisk(t, root, out, img)
	b.await(t, `msg="starting an update on trial" launcher="p2pcamd slot exec" slot=a version=1.1.0 start=1 `)
	b.stop()
	t.Log("cut 3: during the first start on trial")

	// Boot 4: the next start on trial (the second, or again the first if
	// cut 3 came before the launcher's count was on the disk); cut once
	// it checks its health.
	b = bootDisk(t, root, out, img)
	line = b.await(t, `msg="starting an update on trial" launcher="p2pcamd slot exec" slot=a version=1.1.0 start=`)
	b.await(t, "msg=p2pcamd version=1.1.0")
	b.await(t, `msg="update on trial: checking its health"`)
	b.stop()
	confirmedEarly := strings.Contains(b.serial(t), `msg="update confirmed"`)
	t.Logf("cut 4: before the confirmation, on start %s (confirmed before the cut: %v)", field(line, "start"), confirmedEarly)

	// Boot 5: 1.1.0 confirms itself and serves.
	b = bootDisk(t, root, out, img)
	if !confirmedEarly {
		line := b.await(t, `msg="update confirmed"`)
		t.Logf("p2pcamd start to confirmed: %s", field(line, "after"))
	}
	b.awaitServing(t, "1.1.0")

	// A release whose stream never makes a frame: it rolls itself back at
	// its trial timeout (10 s), and the supervisor starts 1.1.0.
	b.await(t, "install: start 3-noframes-1.3.0.p2pota")
	b.await(t, `msg="update failed its trial: rolled back" version=1.3.0`)
	b.awaitServing(t, "1.1.0")
	t.Logf("no-frames 1.3.0: its start to 1.1.0 started again: %v (trial_timeout 10s, then the supervisor's 2 s)",
		b.between(t, "slot=b version=1.3.0 start=1 ", "msg=p2pcamd version=1.1.0"))
	b.await(t, "install: none pending")

	// A release that exits at start, delivered for real: p2pcamd
	// downloads it from the host at the default rate cap, installs it
	// and exits; the supervisor restarts it, the launcher rolls it back
	// on the fourth start, and 1.1.0 reports rolled_back.
	url := serveHost(t, "/crash-1.2.0.p2pota", crashing).url
	upd := exec.Command(cli, "ota", "update", "--lan", b.camera.base, "--url", url, "--once", "--json")
	if out, err := upd.CombinedOutput(); err != nil {
		t.Fatalf("p2pcam ota update: %v\n%s", err, out)
	}
	var statusOut, errOut bytes.Buffer
	st := exec.Command(cli, "ota", "status", "--lan", b.camera.base, "--json", "--timeout", "4m")
	st.Stdout, st.Stderr = &statusOut, &errOut
	err := st.Run()
	if err == nil || !strings.Contains(errOut.String(), "update 1.2.0 rolled back") {
		t.Errorf("p2pcam ota status: %v, want the rollback of 1.2.0\n%s", err, errOut.String())
	}
	var partial, last string
	for _, l := range strings.Split(strings.TrimSpace(statusOut.String()), "\n") {
		s, derr := protocol.DecodeOTAStatus([]byte(l))
		if derr != nil {
			t.Fatalf("ota status printed %q: %v", l, derr)
		}
		if s.State == protocol.OTADownloading && s.Percent > 0 && s.Percent < 100 && partial == "" {
			partial = l
		}
		last = s.State
	}
	if partial == "" || last != protocol.OTARolledBack {
		t.Errorf("ota status showed no download in progress, or did not end rolled_back:\n%s", statusOut.String())
	}
	t.Logf("p2pcam ota status of the delivered 1.2.0: %d statuses, e.g. %s, ending %s", strings.Count(statusOut.String(), "\n"), partial, last)
	b.await(t, "release 1.2.0: crashing")
	b.await(t, `msg="update rolled back" launcher="p2pcamd slot exec" version=1.2.0`)
	b.awaitServing(t, "1.1.0")
	t.Logf("crashing 1.2.0: its first start to 1.1.0 started again: %v (the supervisor's back-off after the install's exit: 4 s, 8 s, 16 s)",
		b.between(t, "slot=b version=1.2.0 start=1 ", "msg=p2pcamd version=1.1.0"))

	b = testDownloadCut(t, root, out, img, cli, b, big)
	b.stop()
	t.Logf("OTA rig: %v in all", time.Since(start).Round(time.Second))
}

// testDownloadCut delivers big (the real p2pcamd stamped 1.4.0) for real
// at the default rate cap and cuts the power part-way through its
// download, as p2pcam ota status shows it; after the reboot the camera
// serves with 1.1.0, and the same request again resumes the download from
// the partial file on the data disk (Range with its ETag) rather than
// starting it again; 1.4.0 installs and confirms itself. It logs the
// update's times and p2pcamd's peak memory during the download and
// verification, and returns the last boot, running 1.4.0.
func testDownloadCut(t *testing.T, root, out, img, cli string, b diskVM, big []byte) diskVM {
	t.Helper()
	host := serveHost(t, "/p2pcamd-1.4.0.p2pota", big)
	update := func(b diskVM, follow ...string) *exec.Cmd {
		return exec.Command(cli, append([]string{"ota", "update", "--lan", b.camera.base, "--url", host.url, "--json"}, follow...)...)
	}
	// p2pcam ota update follows the update it starts, as ota status does.
	upd := update(b, "--timeout", "3m")
	pipe, err := upd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if err := upd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen string
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		s, derr := protocol.DecodeOTAStatus(sc.Bytes())
		if derr != nil {
			t.Fatalf("ota update printed %q: %v", sc.Text(), derr)
		}
		if s.URL != host.url {
			continue // the last update's status, before this one started
		}
		if s.State == protocol.OTADownloading && s.Percent >= 25 {
			seen = sc.Text()
			break
		}
		if s.State != protocol.OTADownloading {
			t.Fatalf("the update to 1.4.0 reached %s before a quarter was downloaded: %s", s.State, sc.Text())
		}
	}
	b.stop()
	_ = upd.Process.Kill()
	_ = upd.Wait()
	if seen == "" {
		t.Fatalf("p2pcam ota update ended before 1.4.0 was a quarter downloaded; console:\n%s", b.serial(t))
	}
	first := host.served()
	t.Logf("cut 5: during the download of 1.4.0 (%d bytes), %v after the request; p2pcam ota update showed %s; served before the cut: %d bytes",
		len(big), time.Since(sent).Round(100*time.Millisecond), seen, first)

	// The old version serves; the same request resumes the download.
	b = bootDisk(t, root, out, img)
	b.awaitServing(t, "1.1.0")
	memBefore := lastMem(b.serial(t))
	sent = time.Now()
	if out, err := update(b, "--once").CombinedOutput(); err != nil {
		t.Fatalf("p2pcam ota update: %v\n%s", err, out)
	}
	line := b.await(t, `msg="bundle downloaded"`)
	took := time.Since(sent)
	again := host.served() - first
	reqs := host.requests()
	last := reqs[len(reqs)-1]
	t.Logf("resumed download: %s; requests' Range: %q; after the cut %d of %d bytes sent, in %v (%.0f KiB/s at the default cap); sent twice: %d bytes",
		line, reqs, again, len(big), took.Round(100*time.Millisecond), float64(again)/1024/took.Seconds(), first+again-int64(len(big)))
	if !strings.HasPrefix(last, "bytes=") || strings.HasPrefix(last, "bytes=0-") || again >= int64(len(big)) {
		t.Errorf("the download after the cut was not resumed: its request's Range %q, %d of %d bytes sent again", last, again, len(big))
	}
	line = b.await(t, "update installed: starting it on trial")
	b.await(t, `msg="update confirmed"`)
	b.awaitServing(t, "1.4.0")
	memAfter := memAt(b.serial(t), "update verified: writing it into the inactive slot", memBefore.pid)
	if memAfter.pid == "" {
		t.Log("p2pcamd exited before a memory sample after its verification: the last one before it is used")
		memAfter = memUntil(b.serial(t), "update verified: writing it into the inactive slot", memBefore.pid)
	}
	t.Logf("1.4.0: install (both verify passes, write, fsyncs, switch) took %s; install to confirmed: %v",
		field(line, "took"), b.between(t, "update installed: starting it on trial", `msg="update confirmed"`))
	if memBefore.pid == "" || memAfter.pid == "" {
		t.Errorf("no p2pcam-rig: mem: lines of p2pcamd before the download (%+v) and after its verification (%+v)", memBefore, memAfter)
	} else {
		t.Logf("p2pcamd memory (kB): before the download VmHWM=%d VmRSS=%d RssAnon=%d; after download and verify VmHWM=%d VmRSS=%d RssAnon=%d: peak +%d kB, anonymous +%d kB",
			memBefore.hwm, memBefore.rss, memBefore.anon, memAfter.hwm, memAfter.rss, memAfter.anon, memAfter.hwm-memBefore.hwm, memAfter.anon-memBefore.anon)
		memControl(t, b, took+b.between(t, `msg="bundle downloaded"`, "update verified: writing it into the inactive slot"), memBefore, memAfter)
	}
	return b
}

// memControl measures p2pcamd's memory growth over span with no
// download: 1.4.0 from when it serves, as 1.1.0 was measured from when
// it served. That growth (a fresh p2pcamd's heap and buffers settling)
// is in the download's figures too; the difference is the download's
// and verification's own.
func memControl(t *testing.T, b diskVM, span time.Duration, before, after memLine) {
	t.Helper()
	c0 := lastMem(b.serial(t))
	time.Sleep(span) // the control's span, not a wait for a condition
	c1 := lastMem(b.serial(t))
	if c0.pid == "" || c0.pid != c1.pid || c0.pid == before.pid {
		t.Errorf("memory control: want two mem lines of the new p2pcamd %v apart, got %+v and %+v", span, c0, c1)
		return
	}
	t.Logf("p2pcamd memory control (kB): %v of 1.4.0 serving, no download: peak +%d kB, anonymous +%d kB; the download and verification's own: peak %+d kB, anonymous %+d kB",
		span.Round(time.Second), c1.hwm-c0.hwm, c1.anon-c0.anon, (after.hwm-before.hwm)-(c1.hwm-c0.hwm), (after.anon-before.anon)-(c1.anon-c0.anon))
}

// memLine is one "p2pcam-rig: mem:" line of the guest's mem_sampler.
type memLine struct {
	pid            string
	hwm, rss, anon int
}

func parseMem(line string) memLine {
	num := func(k string) int { n, _ := strconv.Atoi(field(line, k)); return n }
	return memLine{pid: field(line, "pid"), hwm: num("VmHWM"), rss: num("VmRSS"), anon: num("RssAnon")}
}

// lastMem returns the latest mem line in log.
func lastMem(log string) memLine {
	i := strings.LastIndex(log, "p2pcam-rig: mem: ")
	if i < 0 {
		return memLine{}
	}
	end := strings.IndexByte(log[i:], '\n')
	if end < 0 {
		return memLine{}
	}
	return parseMem(log[i : i+end])
}

// memUntil returns the last mem line of pid before the line containing s.
func memUntil(log, s, pid string) memLine {
	i := strings.Index(log, s)
	if i < 0 {
		return memLine{}
	}
	var m memLine
	for _, l := range strings.Split(log[:i], "\n") {
		if strings.Contains(l, "p2pcam-rig: mem: ") && field(l, "pid") == pid {
			m = parseMem(l)
		}
	}
	return m
}

// memAt returns the first mem line of pid after the line containing s.
func memAt(log, s, pid string) memLine {
	i := strings.Index(log, s)
	if i < 0 {
		return memLine{}
	}
	for _, l := range strings.Split(log[i:], "\n") {
		if strings.Contains(l, "p2pcam-rig: mem: ") && field(l, "pid") == pid {
			return parseMem(l)
		}
	}
	return memLine{}
}

// otaDisk builds the releases (p2pcamd for arm64 stamped 1.1.0 and 1.4.0,
// as a release is built), signs four bundles, and makes the camera's data
// disk: an ext4 image holding the release key and two bundles, pending
// (1.1.0 and 1.3.0). It returns the image and the bundles for delivery:
// 1.2.0, which crashes at start (padded to 1 MiB, so that its download at
// the default rate cap takes seconds), and 1.4.0, the real p2pcamd.
func otaDisk(t *testing.T, root string) (img string, crashing, big []byte) {
	t.Helper()
	build := func(version string) string {
		dist := t.TempDir()
		cmd := exec.Command(filepath.Join(root, "scripts/cross-build.sh"), "--only", "arm64", "--cmd", "p2pcamd", "--out", dist)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "VERSION="+version)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cross-build.sh VERSION=%s: %v\n%s", version, err, b)
		}
		return filepath.Join(dist, "p2pcamd-linux-arm64")
	}
	parts := t.TempDir()
	crash := filepath.Join(parts, "crash")
	noFrames := filepath.Join(parts, "noframes")
	write := func(path, s string) {
		if err := os.WriteFile(path, []byte(s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(crash, "#!/bin/sh\necho 'release 1.2.0: crashing'\nexit 3\n#"+strings.Repeat("x", 1<<20)+"\n")
	// The factory p2pcamd with a camera that never makes a frame.
	write(noFrames, `#!/bin/sh
cat >/tmp/noframes.toml <<EOT
board = "sim"
[streams]
high = "exec:sleep 600"
standard = ""
super = ""
[lan]
listen = "0.0.0.0:8080"
[slots]
trial_timeout = "10s"
EOT
exec /usr/bin/p2pcamd --config /tmp/noframes.toml
`)
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize))
	tree := t.TempDir()
	pending := filepath.Join(tree, "ota", "pending")
	if err := os.MkdirAll(pending, 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(tree, "ota", "release.pub"), base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))+"\n")
	for _, r := range []struct{ name, version, bin string }{
		{"1-1.1.0", "1.1.0", build("1.1.0")},
		{"2-crash-1.2.0", "1.2.0", crash},
		{"3-noframes-1.3.0", "1.3.0", noFrames},
		{"", "1.4.0", build("1.4.0")},
	} {
		var unsigned, signed bytes.Buffer
		if err := ota.Pack(&unsigned, ota.Release{Product: "p2pcam", Version: r.version, MinVersion: "1.0.0",
			Parts: []ota.PartFile{{Name: ota.PartAgent, Arch: "arm64", Path: r.bin}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ota.Sign(&signed, &unsigned, key); err != nil {
			t.Fatal(err)
		}
		switch r.version {
		case "1.2.0":
			crashing = signed.Bytes()
			continue
		case "1.4.0":
			big = signed.Bytes()
			continue
		}
		write(filepath.Join(pending, r.name+".p2pota"), signed.String())
	}
	img = filepath.Join(t.TempDir(), "data.ext4")
	if b, err := exec.Command("mkfs.ext4", "-q", "-F", "-E", "root_owner=0:0", "-d", tree, img, "128M").CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, b)
	}
	return img, crashing, big
}

// hostFile is a file served to the guest by serveHost.
type hostFile struct {
	url string // as the guest reaches it

	mu    sync.Mutex // guards the fields below
	reqs  []string   // each request's Range header ("" for none)
	bytes int64      // body bytes sent in all
}

func (h *hostFile) served() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bytes
}

func (h *hostFile) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.reqs...)
}

// countingWriter counts the body bytes of a response into its hostFile.
type countingWriter struct {
	http.ResponseWriter
	h *hostFile
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.h.mu.Lock()
	w.h.bytes += int64(n)
	w.h.mu.Unlock()
	return n, err
}

// serveHost serves b at path on the host's loopback, which the guest
// reaches at 10.0.2.2 (QEMU user networking), with a strong ETag (so a
// download resumes with Range and If-Range), counting what it sends.
func serveHost(t *testing.T, path string, b []byte) *hostFile {
	t.Helper()
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	h := &hostFile{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		h.mu.Lock()
		h.reqs = append(h.reqs, r.Header.Get("Range"))
		h.mu.Unlock()
		w.Header().Set("ETag", etag)
		http.ServeContent(countingWriter{w, h}, r, path, time.Time{}, bytes.NewReader(b))
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	h.url = fmt.Sprintf("http://10.0.2.2:%d%s", ln.Addr().(*net.TCPAddr).Port, path)
	return h
}

// diskVM is a rig booted with the data disk.
type diskVM struct {
	*vm
	booted time.Time
}

// bootDisk boots the sim board with img as its data disk, without waiting
// for it.
func bootDisk(t *testing.T, root, out, img string) diskVM {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	v := &vm{camera: newCamera(port), serialPath: filepath.Join(dir, "serial.log")}
	v.stop, _, _ = startQEMU(t, root, dir, "--dir", out, "--port", strconv.Itoa(port), "--board", "sim",
		"--serial-log", v.serialPath, "--disk", img)
	return diskVM{vm: v, booted: time.Now()}
}

// await waits up to otaTimeout for a console line containing s, and
// returns it. The console is a file: it is polled.
func (v *vm) await(t *testing.T, s string) string {
	t.Helper()
	deadline := time.Now().Add(otaTimeout)
	for {
		if line := findLine(v.serial(t), s); line != "" {
			return line
		}
		if time.Now().After(deadline) {
			t.Fatalf("no console line with %q within %v; console:\n%s", s, otaTimeout, v.serial(t))
		}
		time.Sleep(100 * time.Millisecond) // a file has no change event to wait on
	}
}

var versionRE = regexp.MustCompile(`msg=p2pcamd version=(\S+)`)

// awaitServing waits until the latest p2pcamd started is version and LAN
// mode answers, and checks that it serves live video that decodes.
func (b diskVM) awaitServing(t *testing.T, version string) {
	t.Helper()
	latest := func() string {
		m := versionRE.FindAllStringSubmatch(b.serial(t), -1)
		if len(m) == 0 {
			return ""
		}
		return m[len(m)-1][1]
	}
	deadline := time.Now().Add(otaTimeout)
	for latest() != version {
		if time.Now().After(deadline) {
			t.Fatalf("the latest p2pcamd started is %q after %v, want version %s; console:\n%s", latest(), otaTimeout, version, b.serial(t))
		}
		time.Sleep(100 * time.Millisecond) // the console is a file: polled
	}
	b.camera.await(t, otaTimeout)
	if v := latest(); v != version {
		t.Fatalf("serving, but the latest p2pcamd started is %s, want %s", v, version)
	}
	flv := b.liveFLV(t, liveURL, 2*time.Second)
	path := mediatest.WriteTemp(t, "live.flv", flv)
	if n := len(mediatest.FFprobe(t, path).VideoPackets()); n < 10 {
		t.Fatalf("version %s: %d video packets in 2 s of live stream", version, n)
	}
	mediatest.CheckDecodes(t, path)
	t.Logf("version %s serves live video (%d bytes), %v after boot", version, len(flv), time.Since(b.booted).Round(100*time.Millisecond))
}

// between returns the time between the guest's log line containing from
// and the first after it containing to, by their time= fields.
func (b diskVM) between(t *testing.T, from, to string) time.Duration {
	t.Helper()
	log := b.serial(t)
	i := strings.Index(log, from)
	if i < 0 {
		return 0
	}
	j := strings.Index(log[i:], to)
	if j < 0 {
		return 0
	}
	lineAt := func(k int) string {
		start := strings.LastIndexByte(log[:k], '\n') + 1
		end := strings.IndexByte(log[k:], '\n')
		if end < 0 {
			return log[start:]
		}
		return log[start : k+end]
	}
	t0, err0 := time.Parse(time.RFC3339Nano, field(lineAt(i), "time"))
	t1, err1 := time.Parse(time.RFC3339Nano, field(lineAt(i+j), "time"))
	if err0 != nil || err1 != nil {
		t.Errorf("no time= in %q or %q", lineAt(i), lineAt(i+j))
		return 0
	}
	return t1.Sub(t0).Round(10 * time.Millisecond)
}

// field returns the value of key=VALUE in a log line.
func field(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return "?"
}
