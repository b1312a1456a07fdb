// Package web is the browser viewer: the p2pcam JS SDK bundle and the
// player page, embedded so that the Go binaries serve them with no
// build step. The sources are in src/; `npm run build` (esbuild)
// regenerates dist/, which is committed.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed index.html style.css dist/*.js
var files embed.FS

// FS returns the page's files: index.html, style.css, dist/p2pcam.js
// (the SDK), dist/chunk-*.js (mpegts.js, loaded for the FLV path) and
// dist/page.js.
func FS() fs.FS { return files }

// Handler serves the page at "/" and its files beside it. Mount it at
// the root of the origin that also serves /config.json, /mqtt and
// /api/*, or under a prefix with http.StripPrefix (the page uses
// relative URLs for its own files and config.json).
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	tags := etags()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// The bundle changes with the binary: have browsers revalidate,
		// which costs a 304 and no body while it is the same.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if tag, ok := tags[name]; ok {
			w.Header().Set("ETag", tag)
		}
		fileServer.ServeHTTP(w, r)
	})
}

// etags returns each embedded file's ETag: a hash of its contents, as
// embedded files carry no modification time for Last-Modified.
func etags() map[string]string {
	tags := map[string]string{}
	_ = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		tags[name] = `"` + hex.EncodeToString(sum[:12]) + `"`
		return nil
	})
	return tags
}

// Config is the page's /config.json, read at start: where the cloud is,
// cameras reached over HTTP, and, for a demo, an account to sign in with
// and cameras to play at once (muted autoplay). Serve Autologin only
// where its password may be seen, such as a demo on loopback.
type Config struct {
	Cloud     string   `json:"cloud"` // the cloud's base URL; "" for the page's own origin
	Autologin *Login   `json:"autologin,omitempty"`
	Autoplay  []string `json:"autoplay,omitempty"` // PRODUCT/DEVICE (or Camera.Name) of cameras to play at once
	// Cameras are played over HTTP-FLV (a camera's LAN mode, a p2pcam
	// serve gateway) besides the cloud's P2P cameras.
	Cameras []Camera `json:"cameras,omitempty"`
	// NoSignIn hides the page's sign-in form: there is no cloud behind
	// the server (p2pcam serve).
	NoSignIn bool `json:"-"`
}

// Camera is a camera the page plays over HTTP-FLV.
type Camera struct {
	Name string `json:"name"`
	// URL is the camera's base URL (http://cam:8080/, with ?token=...
	// when its LAN mode wants one), relative to the page's: "./" is the
	// server that serves the page.
	URL string `json:"url"`
}

// Login is an account for Config.Autologin.
type Login struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// ConfigHandler serves cfg as /config.json, never cached.
func ConfigHandler(cfg Config) http.Handler {
	page := struct {
		Config
		SignIn *bool `json:"signin,omitempty"`
	}{Config: cfg}
	if cfg.NoSignIn {
		page.SignIn = new(bool)
	}
	body, _ := json.Marshal(page) // of strings and bools only: cannot fail
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}
