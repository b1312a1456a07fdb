package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	cases := []struct {
		path, ctype, contains string
		status                int
	}{
		{"/", "text/html", `src="dist/page.js"`, 200},
		{"/style.css", "text/css", ".tile", 200},
		{"/dist/p2pcam.js", "javascript", "p2pcam", 200},
		{"/dist/page.js", "javascript", "./p2pcam.js", 200},
		{"/src/page.js", "", "", 404},
		{"/package.json", "", "", 404},
	}
	for _, c := range cases {
		res, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.path, res.StatusCode, c.status)
			continue
		}
		if c.status != 200 {
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, c.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", c.path, ct, c.ctype)
		}
		if !strings.Contains(string(b), c.contains) {
			t.Errorf("%s: body lacks %q", c.path, c.contains)
		}
	}
	// The chunks the SDK imports (mpegts.js) are served too.
	res, err := http.Get(srv.URL + "/dist/p2pcam.js")
	if err != nil {
		t.Fatal(err)
	}
	sdk, _ := io.ReadAll(res.Body)
	res.Body.Close()
	chunks := regexp.MustCompile(`chunk-[A-Z0-9]+\.js`).FindAllString(string(sdk), -1)
	if len(chunks) == 0 {
		t.Error("dist/p2pcam.js imports no chunk: is mpegts.js bundled in again?")
	}
	for _, c := range chunks {
		res, err := http.Get(srv.URL + "/dist/" + c)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("/dist/%s: status %d", c, res.StatusCode)
		}
	}
	res, err = http.Post(srv.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", res.StatusCode)
	}
}

// TestHandlerRevalidates checks that each file has an ETag and that a
// browser revalidating with it gets a 304 with no body.
func TestHandlerRevalidates(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	get := func(path, tag string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if tag != "" {
			req.Header.Set("If-None-Match", tag)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	seen := map[string]string{}
	for _, path := range []string{"/", "/style.css", "/dist/p2pcam.js", "/dist/page.js"} {
		res, _ := get(path, "")
		tag := res.Header.Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]{24}"$`).MatchString(tag) {
			t.Errorf("%s: ETag %q, want a quoted hash", path, tag)
			continue
		}
		if other, ok := seen[tag]; ok {
			t.Errorf("%s and %s share the ETag %s", path, other, tag)
		}
		seen[tag] = path
		for _, tt := range []struct {
			name, tag string
			status    int
		}{
			{"same", tag, http.StatusNotModified},
			{"stale", `"000000000000000000000000"`, http.StatusOK},
		} {
			res, body := get(path, tt.tag)
			if res.StatusCode != tt.status {
				t.Errorf("%s with a %s ETag: status %d, want %d", path, tt.name, res.StatusCode, tt.status)
			}
			if tt.status == http.StatusNotModified && body != "" {
				t.Errorf("%s: a 304 with %d bytes of body", path, len(body))
			}
		}
	}
}

func TestConfigHandler(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"own origin", Config{}, `{"cloud":""}`},
		{"demo", Config{Autologin: &Login{User: "demo-viewer", Password: "pw"}, Autoplay: []string{"demo/cam1"}},
			`{"cloud":"","autologin":{"user":"demo-viewer","password":"pw"},"autoplay":["demo/cam1"]}`},
		{"gateway", Config{Cameras: []Camera{{Name: "acme/cam1", URL: "./"}}, Autoplay: []string{"acme/cam1"}, NoSignIn: true},
			`{"cloud":"","autoplay":["acme/cam1"],"cameras":[{"name":"acme/cam1","url":"./"}],"signin":false}`},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		ConfigHandler(tt.cfg).ServeHTTP(rec, httptest.NewRequest("GET", "/config.json", nil))
		if rec.Body.String() != tt.want || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %q (Cache-Control %q), want %q", tt.name, rec.Body.String(), rec.Header().Get("Cache-Control"), tt.want)
		}
	}
}
