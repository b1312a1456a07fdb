package main

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota/otatest"
	"github.com/p2pcam/p2pcam/protocol"
)

// BenchmarkLiveDuringOTADownload: a LAN viewer of the high stream while
// p2pcamd downloads and verifies an 8 MiB bundle at the default cap
// (256 KiB/s: about 33 s), against the same viewer with no download.
// It reports the viewer's frame rate and its largest gap between frames
// (the sim board sends 25 fps), the download's time, and how much
// p2pcamd's peak RSS (VmHWM) and anonymous RSS grew over the span: the
// idle run, which comes second, lasts as long as the download did, so
// that its growth is the control for the download's.
func BenchmarkLiveDuringOTADownload(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "p2pcamd")
	if out, err := exec.Command("go", "build", "-ldflags", "-X main.version=1.0.0", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	bundle := otatest.Make(b, otatest.Key(7), "acme", "1.1.0", "1.0.0", "arm64", bytes.Repeat([]byte("p2pcamd 1.1.0 "), (8<<20)/14))
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"b"`)
		http.ServeContent(w, r, "b", time.Time{}, bytes.NewReader(bundle.Data))
	}))
	defer files.Close()
	conf := fmt.Sprintf("device = \"acme/cam1\"\n[ota]\ntrusted_keys = [%q]\ndir = %q\narch = \"arm64\"\n",
		auth.MarshalPublicKey(otatest.Key(7).Public().(ed25519.PublicKey)), b.TempDir())
	idleSpan := 10 * time.Second // the baseline's span when run alone
	for _, download := range []bool{true, false} {
		name := "idle"
		if download {
			name = "downloading"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				d := startBinary(b, bin, nil, conf)
				w := watchLive(b, liveURL(d, "high"))
				if err := w.waitFrames(25, 20*time.Second); err != nil {
					b.Fatal(err)
				}
				from := w.frames()
				pid := d.cmd.Process.Pid
				hwm0, anon0 := procMemKB(b, pid)
				start := time.Now()
				if download {
					code, body := d.get(b, "command?action=inner_define&channel=0&cmd=ota_update&url="+url.QueryEscape(files.URL+"/b"))
					if code != http.StatusOK {
						b.Fatalf("ota_update: %d %s", code, body)
					}
					for {
						code, body := d.get(b, protocol.OTAStatusRequest)
						st, err := protocol.DecodeOTAStatus([]byte(strings.TrimSpace(body)))
						if code != http.StatusOK || err != nil {
							b.Fatalf("ota_status: %d %s", code, body)
						}
						if st.Done() {
							if st.State != protocol.OTADownloaded {
								b.Fatalf("update ended %+v", st)
							}
							break
						}
						if time.Since(start) > 3*time.Minute {
							b.Fatalf("no end of the download within 3 min: %+v", st)
						}
						time.Sleep(500 * time.Millisecond) // polling a condition, bounded above
					}
				} else {
					time.Sleep(idleSpan) // the baseline's span
				}
				took := time.Since(start)
				if download {
					idleSpan = took
				}
				hwm1, anon1 := procMemKB(b, pid)
				b.ReportMetric(float64(hwm1-hwm0), "peak_growth_kB")
				b.ReportMetric(float64(anon1-anon0), "anon_growth_kB")
				fps, gap := w.since(from)
				b.ReportMetric(fps, "fps")
				b.ReportMetric(float64(gap.Milliseconds()), "max_gap_ms")
				b.ReportMetric(took.Seconds(), "s")
				if download {
					b.ReportMetric(float64(len(bundle.Data))/1024/took.Seconds(), "KiB/s")
				}
			}
		})
	}
}

// procMemKB reads a process's peak RSS (VmHWM) and anonymous RSS, in kB.
func procMemKB(b *testing.B, pid int) (hwm, anon int) {
	hwm, err1 := procStatusKB(pid, "VmHWM")
	anon, err2 := procStatusKB(pid, "RssAnon")
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	return hwm, anon
}
