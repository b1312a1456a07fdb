package cloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/ota/otatest"
)

// releaseDir writes bundles (and junk) into a directory and serves it.
func releaseDir(t *testing.T, files map[string][]byte) (*Releases, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	r := NewReleases(dir, srv.URL+"/ota/", quietLogger())
	mux.Handle("/ota/", r)
	return r, srv
}

func TestReleasesScan(t *testing.T) {
	key := otatest.Key(1)
	v10 := otatest.Make(t, key, "acme", "1.0.0", "0.0.0", "arm64", []byte("1.0.0"))
	v11 := otatest.Make(t, key, "acme", "1.1.0", "1.0.0", "arm64", []byte("1.1.0"))
	v20 := otatest.Make(t, nil, "acme", "2.0.0", "1.0.0", "arm64", []byte("unsigned"))
	other := otatest.Make(t, key, "zeta", "0.3.0", "0.0.0", "armv7", []byte("zeta"))
	r, srv := releaseDir(t, map[string][]byte{
		"acme-1.0.0.p2pota": v10.Data, "acme-1.1.0.p2pota": v11.Data, "acme-2.0.0.p2pota": v20.Data,
		"zeta.p2pota": other.Data, "junk.p2pota": []byte("not a bundle"), "notes.txt": []byte("x"),
	})
	got, err := r.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := []ota.Announcement{*v11.Announcement(srv.URL + "/ota/acme-1.1.0.p2pota"), *other.Announcement(srv.URL + "/ota/zeta.p2pota")}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("announcements\n%+v\nwant\n%+v", got, want)
	}
	for _, tc := range []struct {
		name string
		code int
	}{
		{"acme-1.0.0.p2pota", 200}, {"acme-1.1.0.p2pota", 200}, {"acme-2.0.0.p2pota", 404},
		{"junk.p2pota", 404}, {"notes.txt", 404}, {"..%2fetc%2fpasswd", 404},
	} {
		resp, err := http.Get(srv.URL + "/ota/" + tc.name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s: %d, want %d", tc.name, resp.StatusCode, tc.code)
		}
	}
	// Range with the served ETag resumes; a stale ETag gets the whole file.
	head, err := http.Get(srv.URL + "/ota/acme-1.1.0.p2pota")
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	etag := head.Header.Get("ETag")
	for _, tc := range []struct {
		ifRange string
		code    int
		body    []byte
	}{
		{etag, http.StatusPartialContent, v11.Data[10:]},
		{`"stale"`, http.StatusOK, v11.Data},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ota/acme-1.1.0.p2pota", nil)
		req.Header.Set("Range", "bytes=10-")
		req.Header.Set("If-Range", tc.ifRange)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !bytes.Equal(b, tc.body) {
			t.Errorf("If-Range %s: %d with %d bytes, want %d with %d", tc.ifRange, resp.StatusCode, len(b), tc.code, len(tc.body))
		}
	}
}

// The cloud publishes the announcement retained on the product's release
// topic: a device of the product that subscribes later receives it.
func TestCloudAnnounce(t *testing.T) {
	c := startCloud(t, Config{})
	a := ota.Announcement{Product: "acme", Version: "1.1.0", MinVersion: "1.0.0", URL: "http://127.0.0.1:1/ota/b.p2pota", Size: 10,
		SHA256: "9c2d000000000000000000000000000000000000000000000000000000000001"}
	if err := c.Announce([]ota.Announcement{a}); err != nil {
		t.Fatal(err)
	}
	cam := mustDial(t, c.Broker.Addr().String(), accCam1)
	if rc := cam.subscribe(t, "p2pcam/ota/acme/release"); rc != rcGrantedQoS1 {
		t.Fatalf("SUBACK 0x%02x", rc)
	}
	m, ok := cam.anyWithin(mqttTimeout)
	if !ok {
		t.Fatal("no retained announcement")
	}
	got, err := ota.ParseAnnouncement(m.Payload)
	if err != nil || *got != a || !m.Retain {
		t.Errorf("got %+v (%v, retain %v), want %+v", got, err, m.Retain, a)
	}
	var raw map[string]any
	_ = json.Unmarshal(m.Payload, &raw)
	if len(raw) != 6 {
		t.Errorf("payload %s", m.Payload)
	}
}
