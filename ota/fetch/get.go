package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Result tells how a download went.
type Result struct {
	// Size and SHA256 (lower-case hex) are of the finished file.
	Size   int64
	SHA256 string
	// Attempts counts the requests made; Resumed those that continued a
	// partial file (206), Restarted those that began again from zero
	// after bytes had been kept (the server ignored Range, or the file
	// changed).
	Attempts, Resumed, Restarted int
}

// Get downloads rawURL to dst. The bytes go to dst.part first (resumed
// from where it ends if a previous Get of the same URL was cut), and dst
// appears, complete, only when the download is: its size and SHA-256 are
// checked against cfg's when set. A cut connection or a server error is
// retried with backoff; a refusal (4xx) or a size over the limit ends Get
// at once. On error the partial file stays for the next Get.
func Get(ctx context.Context, rawURL, dst string, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	if u, err := url.Parse(rawURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Result{}, fmt.Errorf("%w: %q", ErrBadURL, rawURL)
	}
	g := &getter{cfg: cfg, url: rawURL, part: partialFor(dst, rawURL), total: -1}
	if cfg.MaxRate > 0 {
		burst := int(min(cfg.MaxRate, chunk))
		g.bucket = rate.NewLimiter(rate.Limit(cfg.MaxRate), burst)
	}
	var res Result
	wait := cfg.Backoff
	for failures := 0; ; {
		res.Attempts++
		before := g.have
		err := g.attempt(ctx, &res)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		var p permanent
		if errors.As(err, &p) {
			return res, p.err
		}
		if g.have > before { // progress: a fresh set of retries
			failures, wait = 0, cfg.Backoff
		}
		failures++
		if failures >= cfg.Retries {
			return res, fmt.Errorf("%w: %d attempts in a row: %v", ErrGaveUp, failures, err)
		}
		cfg.Logger.Info("ota download interrupted; retrying", "url", rawURL, "have", g.have, "retry_in", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return res, ctx.Err()
		}
		wait = min(2*wait, maxBackoff)
	}
	sum, err := g.check()
	if err != nil {
		return res, err
	}
	if err := g.part.finish(dst); err != nil {
		return res, err
	}
	res.Size, res.SHA256 = g.have, sum
	return res, nil
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }

// getter is one Get's state.
type getter struct {
	cfg    Config
	url    string
	part   *partial
	bucket *rate.Limiter // nil: no cap
	have   int64         // bytes in the partial file
	total  int64         // the whole file's size, -1 while not known
}

// attempt makes one request and appends what it delivers to the partial
// file; nil means the file is complete.
func (g *getter) attempt(ctx context.Context, res *Result) error {
	var err error
	if res.Attempts == 1 {
		if g.have, err = g.part.load(); err != nil {
			return permanent{err}
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.url, nil)
	if err != nil {
		return permanent{err}
	}
	if g.have > 0 && g.part.validator == "" {
		// Without a validator the rest could be of another file.
		res.Restarted++
		g.have = 0
		if err := g.part.reset(""); err != nil {
			return permanent{err}
		}
	}
	if g.have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(g.have, 10)+"-")
		req.Header.Set("If-Range", g.part.validator)
	}
	// A stalled connection counts as cut: the timer is reset by every read.
	stall := time.AfterFunc(g.cfg.Stall, func() { cancel(fmt.Errorf("no data for %v", g.cfg.Stall)) })
	defer stall.Stop()
	resp, err := g.cfg.Client.Do(req)
	if err != nil {
		return withCause(ctx, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		cr, err := ParseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return err // a broken proxy, perhaps: try again
		}
		if cr.First != g.have {
			return fmt.Errorf("%w: asked from byte %d, got %d", ErrBadRange, g.have, cr.First)
		}
		res.Resumed++
		g.total = cr.Size
	case http.StatusOK:
		if g.have > 0 {
			res.Restarted++
			g.cfg.Logger.Info("ota download starts again from zero: the server sent the whole file", "url", g.url, "had", g.have)
		}
		g.have = 0
		if err := g.part.reset(validator(resp.Header)); err != nil {
			return permanent{err}
		}
		g.total = resp.ContentLength
	case http.StatusRequestedRangeNotSatisfiable:
		// The file shrank under us: start again.
		res.Restarted++
		from := g.have
		g.have = 0
		if err := g.part.reset(""); err != nil {
			return permanent{err}
		}
		return fmt.Errorf("server cannot serve from byte %d (status 416); starting again", from)
	default:
		err := fmt.Errorf("%s: %s", g.url, resp.Status)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout {
			return err
		}
		return permanent{fmt.Errorf("%w: %v", ErrStatus, err)}
	}
	if g.total > g.cfg.MaxSize {
		return permanent{fmt.Errorf("%w: the server says %d bytes, the limit is %d", ErrTooLarge, g.total, g.cfg.MaxSize)}
	}
	f, err := os.OpenFile(g.part.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return permanent{err}
	}
	err = g.copy(ctx, f, resp.Body, stall)
	if serr := f.Sync(); err == nil && serr != nil {
		err = permanent{serr}
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = permanent{cerr}
	}
	if err != nil {
		return withCause(ctx, err)
	}
	if g.total >= 0 && g.have != g.total {
		return fmt.Errorf("connection ended at byte %d of %d", g.have, g.total)
	}
	return nil
}

// copy appends body to f at the capped rate until the body ends.
func (g *getter) copy(ctx context.Context, f *os.File, body io.Reader, stall *time.Timer) error {
	buf := make([]byte, chunk)
	if g.bucket != nil {
		buf = buf[:g.bucket.Burst()]
	}
	unsynced := 0
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			stall.Reset(g.cfg.Stall)
			if g.have+int64(n) > g.cfg.MaxSize {
				return permanent{fmt.Errorf("%w: more than %d bytes", ErrTooLarge, g.cfg.MaxSize)}
			}
			if _, err := f.Write(buf[:n]); err != nil {
				return permanent{err}
			}
			g.have += int64(n)
			if unsynced += n; unsynced >= syncEvery {
				if err := f.Sync(); err != nil {
					return permanent{err}
				}
				unsynced = 0
			}
			if g.cfg.Progress != nil {
				g.cfg.Progress(Progress{Bytes: g.have, Total: g.total})
			}
			if g.bucket != nil {
				stall.Stop() // waiting for tokens is not a stall
				if err := g.bucket.WaitN(ctx, n); err != nil {
					return err
				}
				stall.Reset(g.cfg.Stall)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// check hashes the finished partial file and compares it with the
// expected size and hash.
func (g *getter) check() (string, error) {
	if g.cfg.Size > 0 && g.have != g.cfg.Size {
		return "", fmt.Errorf("%w: got %d bytes, want %d", ErrSize, g.have, g.cfg.Size)
	}
	f, err := os.Open(g.part.path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if g.cfg.SHA256 != "" && sum != strings.ToLower(g.cfg.SHA256) {
		// The bytes are wrong, so resuming them would not help.
		_ = g.part.reset("")
		return "", fmt.Errorf("%w: got %s, want %s", ErrHash, sum, g.cfg.SHA256)
	}
	return sum, nil
}

// validator is the response's strong ETag, or else its Last-Modified:
// what If-Range may carry (RFC 9110 section 13.1.5). Empty: none, so a
// cut download of this response restarts from zero.
func validator(h http.Header) string {
	if e := h.Get("ETag"); e != "" && !strings.HasPrefix(e, "W/") {
		return e
	}
	return h.Get("Last-Modified")
}

// withCause replaces a context error with why the attempt's context was
// cancelled (a stall), if it was.
func withCause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
		return fmt.Errorf("%w (%v)", err, c)
	}
	return err
}
