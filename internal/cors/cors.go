// Package cors answers browsers' cross-origin checks (the Fetch
// standard's CORS protocol) for p2pcam's HTTP servers: LAN mode, the
// gateway and the dev cloud's API, so that a page on another origin can
// play their FLV with mpegts.js or call their API.
package cors

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Headers a page may send and read.
const (
	allowMethods  = "GET, POST, OPTIONS"
	allowHeaders  = "Authorization, Content-Type, X-P2pcam-Session"
	exposeHeaders = "X-P2pcam-Quality, X-P2pcam-Status, X-P2pcam-Session, Retry-After"
	maxAge        = "600" // seconds a browser may cache a preflight answer
)

// Policy says which origins may call a server from a page.
type Policy struct {
	origins []string // normalised "scheme://host[:port]"
	any     bool     // "*": every origin
}

// New checks origins: each is "*" or an origin such as
// "https://viewer.example.com" or "http://127.0.0.1:8000" (scheme, host
// and port; no path). An empty list allows no other origin.
func New(origins []string) (Policy, error) {
	var p Policy
	for _, o := range origins {
		if o == "*" {
			p.any = true
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return Policy{}, fmt.Errorf("cors: allowed origin %q: want \"*\" or scheme://host[:port], such as https://viewer.example.com", o)
		}
		p.origins = append(p.origins, u.Scheme+"://"+strings.ToLower(u.Host))
	}
	return p, nil
}

// AllowsAny reports whether the policy allows every origin ("*").
func (p Policy) AllowsAny() bool { return p.any }

// allows reports whether a page of origin may call.
func (p Policy) allows(origin string) bool {
	return p.any || slices.Contains(p.origins, strings.ToLower(origin))
}

// Wrap returns next behind the policy: a request from an allowed origin
// gets Access-Control-Allow-Origin; a preflight (OPTIONS with
// Access-Control-Request-Method) is answered here, 204 when allowed and
// 403 when not. Same-origin requests and those without Origin pass
// through untouched; the browser, not the server, blocks a disallowed
// origin from reading an answer.
func (p Policy) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		h := w.Header()
		h.Add("Vary", "Origin")
		if origin == "" || !p.allows(origin) {
			if preflight {
				http.Error(w, "origin "+origin+" is not allowed: add it to the server's allowed origins", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if p.any && r.Header.Get("Authorization") == "" {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Set("Access-Control-Expose-Headers", exposeHeaders)
		if preflight {
			h.Set("Access-Control-Allow-Methods", allowMethods)
			h.Set("Access-Control-Allow-Headers", allowHeaders)
			h.Set("Access-Control-Max-Age", maxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
