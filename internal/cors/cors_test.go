package cors

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		origin string
		ok     bool
	}{
		{"*", true},
		{"http://127.0.0.1:8000", true},
		{"https://viewer.example.com", true},
		{"https://viewer.example.com/", true},
		{"viewer.example.com", false},
		{"ftp://x", false},
		{"https://x/page", false},
		{"https://u:p@x", false},
		{"https://x?q=1", false},
	}
	for _, tt := range tests {
		if _, err := New([]string{tt.origin}); (err == nil) != tt.ok {
			t.Errorf("New(%q) = %v, want ok=%v", tt.origin, err, tt.ok)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name      string
		origins   []string
		method    string
		origin    string
		preflight bool
		auth      bool
		code      int
		allow     string // Access-Control-Allow-Origin, "" none
		reached   bool
	}{
		{"same origin", []string{"http://a.test"}, "GET", "", false, false, 200, "", true},
		{"listed", []string{"http://a.test"}, "GET", "http://a.test", false, false, 200, "http://a.test", true},
		{"listed, case", []string{"http://A.test"}, "GET", "http://a.TEST", false, false, 200, "http://a.TEST", true},
		{"not listed", []string{"http://a.test"}, "GET", "http://evil.test", false, false, 200, "", true},
		{"none listed", nil, "GET", "http://a.test", false, false, 200, "", true},
		{"any", []string{"*"}, "GET", "http://b.test", false, false, 200, "*", true},
		{"any with credentials echoes", []string{"*"}, "GET", "http://b.test", false, true, 200, "http://b.test", true},
		{"preflight allowed", []string{"http://a.test"}, "OPTIONS", "http://a.test", true, false, 204, "http://a.test", false},
		{"preflight refused", []string{"http://a.test"}, "OPTIONS", "http://evil.test", true, false, 403, "", false},
		{"plain OPTIONS passes", []string{"http://a.test"}, "OPTIONS", "http://a.test", false, false, 200, "http://a.test", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.origins)
			if err != nil {
				t.Fatal(err)
			}
			reached := false
			h := p.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
			r := httptest.NewRequest(tt.method, "/ipc.flv", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", "GET")
			}
			if tt.auth {
				r.Header.Set("Authorization", "Bearer x")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.code || reached != tt.reached {
				t.Errorf("code %d reached %v, want %d %v", rec.Code, reached, tt.code, tt.reached)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.allow {
				t.Errorf("Allow-Origin %q, want %q", got, tt.allow)
			}
			if rec.Header().Get("Vary") != "Origin" {
				t.Error("no Vary: Origin")
			}
			if tt.preflight && tt.code == 204 && rec.Header().Get("Access-Control-Allow-Headers") == "" {
				t.Error("preflight without Allow-Headers")
			}
		})
	}
}
