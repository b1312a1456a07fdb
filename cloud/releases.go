package cloud

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/signal"
)

// BundleExt is the file name extension of update bundles.
const BundleExt = ".p2pota"

// Releases is a directory of update bundles that the dev cloud serves
// over HTTP (with Range and If-Range, so cameras resume cut downloads)
// and announces: the newest signed bundle of each product is published,
// retained, on its release topic (signal.ReleaseTopic). The cloud does
// not know the cameras' release keys: it announces any signed bundle,
// and each camera checks the signature itself.
type Releases struct {
	dir  string
	base string // URL the handler is reached at, ending in "/"
	log  *slog.Logger

	mu    sync.Mutex        // guards files
	files map[string]string // served bundle name -> its ETag
}

// NewReleases serves the bundles in dir at baseURL (where the caller
// mounts Releases as a handler, such as http://HOST:8088/ota/).
func NewReleases(dir, baseURL string, log *slog.Logger) *Releases {
	if log == nil {
		log = slog.Default()
	}
	if !strings.HasSuffix(baseURL, "/") {
		baseURL += "/"
	}
	return &Releases{dir: dir, base: baseURL, log: log, files: map[string]string{}}
}

// Scan reads the directory again and returns the announcement of the
// newest signed bundle of each product, sorted by product. A file that
// is not a bundle, or is unsigned, is skipped with a log line.
func (r *Releases) Scan() ([]ota.Announcement, error) {
	ents, err := os.ReadDir(r.dir)
	if err != nil {
		return nil, fmt.Errorf("cloud: ota dir: %w", err)
	}
	files := map[string]string{}
	newest := map[string]ota.Announcement{}
	for _, e := range ents {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), BundleExt) {
			continue
		}
		a, err := r.read(e.Name())
		if err != nil {
			r.log.Warn("cloud: not serving a bundle", "file", e.Name(), "err", err)
			continue
		}
		files[e.Name()] = `"` + a.SHA256[:32] + `"`
		if old, ok := newest[a.Product]; ok && newer(old.Version, a.Version) {
			continue
		}
		newest[a.Product] = a
	}
	r.mu.Lock()
	r.files = files
	r.mu.Unlock()
	out := make([]ota.Announcement, 0, len(newest))
	for _, a := range newest {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Product < out[j].Product })
	return out, nil
}

// newer reports whether version a is newer than b (both valid).
func newer(a, b string) bool {
	va, _ := ota.ParseVersion(a)
	vb, _ := ota.ParseVersion(b)
	return va.Compare(vb) > 0
}

// read announces a signed bundle of the directory.
func (r *Releases) read(name string) (ota.Announcement, error) {
	a, err := ota.AnnounceFile(filepath.Join(r.dir, name), r.base+url.PathEscape(name))
	if err != nil {
		return ota.Announcement{}, err
	}
	return *a, nil
}

// ServeHTTP serves GET and HEAD of a scanned bundle by its name (the
// last element of the path), with its ETag, Range and If-Range.
func (r *Releases) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		http.Error(w, "GET or HEAD only", http.StatusMethodNotAllowed)
		return
	}
	name := path.Base(req.URL.Path)
	r.mu.Lock()
	etag, ok := r.files[name]
	r.mu.Unlock()
	if !ok {
		http.NotFound(w, req)
		return
	}
	f, err := os.Open(filepath.Join(r.dir, name))
	if err != nil {
		http.NotFound(w, req)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		http.Error(w, "cannot read the bundle", http.StatusInternalServerError)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, req, name, fi.ModTime(), f)
}

// PublishRetained publishes payload, retained, on topic as the broker
// itself: how the dev cloud announces releases, on a topic no account
// but a release account may write.
func (b *Broker) PublishRetained(topic string, payload []byte) error {
	if err := b.srv.Publish(topic, payload, true, 1); err != nil {
		return fmt.Errorf("cloud: publish %s: %w", topic, err)
	}
	return nil
}

// Announce publishes each announcement, retained, on its product's
// release topic.
func (c *Cloud) Announce(anns []ota.Announcement) error {
	for _, a := range anns {
		b, err := a.Marshal()
		if err != nil {
			return err
		}
		if err := c.Broker.PublishRetained(signal.ReleaseTopic(a.Product), b); err != nil {
			return err
		}
		c.log.Info("cloud: release announced", "product", a.Product, "version", a.Version, "url", a.URL)
	}
	return nil
}
