package main

import (
	"net/http"
	"testing"
	"time"
)

// LAN mode answers browsers' CORS checks for the configured origins, so
// that a page elsewhere can play it with mpegts.js.
func TestLANCORS(t *testing.T) {
	d := startDaemon(t, "[lan]\nallowed_origins = [\"http://page.test:8000\"]\n")
	tests := []struct {
		name, method, origin string
		preflight            bool
		code                 int
		allow                string
	}{
		{"preflight allowed", http.MethodOptions, "http://page.test:8000", true, http.StatusNoContent, "http://page.test:8000"},
		{"preflight refused", http.MethodOptions, "http://evil.test", true, http.StatusForbidden, ""},
		{"command from allowed page", http.MethodGet, "http://page.test:8000", false, http.StatusOK, "http://page.test:8000"},
		{"command from other page", http.MethodGet, "http://evil.test", false, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, d.url("command?action=inner_define&channel=0&cmd=get_device_st&type=live"), nil)
			req.Header.Set("Origin", tt.origin)
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "GET")
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.code || resp.Header.Get("Access-Control-Allow-Origin") != tt.allow {
				t.Errorf("%d Allow-Origin %q, want %d %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"), tt.code, tt.allow)
			}
		})
	}
}
