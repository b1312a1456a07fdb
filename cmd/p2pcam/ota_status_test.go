package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
)

// fakeOTACamera answers ota_status in LAN mode with the statuses in
// turn, repeating the last; it counts the requests.
func fakeOTACamera(t *testing.T, statuses ...protocol.OTAStatus) (string, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("cmd") != protocol.CmdOTAStatus {
			http.Error(w, `{"status":"404","error":"not this"}`, http.StatusNotFound)
			return
		}
		i := int(n.Add(1)) - 1
		_ = json.NewEncoder(w).Encode(statuses[min(i, len(statuses)-1)])
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// p2pcam ota status follows an update with a progress bar to its end,
// fails with the update's error, and stops quietly on Ctrl-C.
func TestOTAStatusFollows(t *testing.T) {
	dl := func(b int64) protocol.OTAStatus {
		return protocol.OTAStatus{State: protocol.OTADownloading, Running: "1.0.0", Version: "1.1.0", Bytes: b, Total: 1000, Percent: int(b / 10)}
	}
	done := protocol.OTAStatus{State: protocol.OTADownloaded, Running: "1.0.0", Version: "1.1.0", Bytes: 1000, Total: 1000, Percent: 100, Note: "installation is not configured"}
	failed := protocol.OTAStatus{State: protocol.OTAFailed, Running: "1.0.0", Version: "1.1.0", Error: "verify: ota: no valid signature by a trusted release key"}

	t.Run("to the end", func(t *testing.T) {
		url, n := fakeOTACamera(t, dl(0), dl(500), done)
		var out, bar bytes.Buffer
		if err := run(context.Background(), []string{"ota", "status", "--lan", url}, &out, &bar); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 3 || !strings.Contains(out.String(), "downloaded: running 1.0.0, release 1.1.0, 1000 B of 1000 B (100%)") ||
			!strings.Contains(out.String(), "installation is not configured") || !strings.Contains(bar.String(), "downloading 1.1.0") {
			t.Errorf("%d requests; stdout:\n%s\nstderr:\n%s", n.Load(), out.String(), bar.String())
		}
	})
	t.Run("failed", func(t *testing.T) {
		url, _ := fakeOTACamera(t, dl(100), failed)
		var out bytes.Buffer
		err := run(context.Background(), []string{"ota", "status", "--lan", url}, &out, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "update failed: verify: ota: no valid signature") || !strings.Contains(out.String(), "failed: running 1.0.0") {
			t.Errorf("err %v, stdout:\n%s", err, out.String())
		}
	})
	t.Run("ctrl-c", func(t *testing.T) {
		url, n := fakeOTACamera(t, dl(100))
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- run(ctx, []string{"ota", "status", "--lan", url}, &bytes.Buffer{}, &bytes.Buffer{}) }()
		deadline := time.Now().Add(10 * time.Second)
		for n.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // polling a condition, bounded by the deadline
		}
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("after Ctrl-C: %v, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("ota status did not stop on Ctrl-C")
		}
	})
	t.Run("once", func(t *testing.T) {
		url, n := fakeOTACamera(t, dl(100))
		var out bytes.Buffer
		if err := run(context.Background(), []string{"ota", "status", "--lan", url, "--once", "--json"}, &out, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if st, err := protocol.DecodeOTAStatus(bytes.TrimSpace(out.Bytes())); err != nil || st.Bytes != 100 || n.Load() != 1 {
			t.Errorf("--once --json: %+v %v after %d requests", st, err, n.Load())
		}
	})
}
