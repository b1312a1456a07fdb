package fetch

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults of Config.
const (
	// DefaultMaxRate is 256 KiB/s (about 2 Mbit/s): an 11 MB bundle in
	// under a minute, while a camera's downlink keeps room for viewers'
	// talkback and signalling and its uplink (the live video) is not
	// touched beyond the ACKs.
	DefaultMaxRate = 256 << 10
	// DefaultMaxSize bounds a download when the caller knows no better:
	// a bundle's parts may be up to ota.MaxPartSize (1 GiB) each, but no
	// camera has room for more than one such image.
	DefaultMaxSize = 1 << 30
	// DefaultRetries is how many attempts in a row may fail without a
	// byte of progress before Get gives up.
	DefaultRetries = 6
	// DefaultBackoff is the wait after the first failed attempt; it
	// doubles after each failure in a row, up to maxBackoff.
	DefaultBackoff = time.Second
	// DefaultStall is how long a connection may deliver nothing before
	// it counts as cut.
	DefaultStall = 30 * time.Second

	maxBackoff = time.Minute
	// chunk is the most read, and taken from the bucket, at a time.
	chunk = 32 << 10
	// syncEvery is how many bytes a download appends before it syncs the
	// partial file: without it a power cut loses what the kernel had not
	// written back (up to ~30 s of it), and the download starts again
	// from zero instead of resuming (seen on the QEMU rig). 1 MiB is a
	// sync every 4 s at the default cap.
	syncEvery = 1 << 20
)

// Config configures Get. The zero value works.
type Config struct {
	// MaxRate caps the download in bytes a second (a token bucket on
	// the body). It defaults to DefaultMaxRate; negative turns the cap
	// off.
	MaxRate int64
	// MaxSize refuses a download larger than this (ErrTooLarge), as soon
	// as the server says so or the bytes pass it. It defaults to
	// DefaultMaxSize.
	MaxSize int64
	// Size and SHA256 (lower-case hex), when set, are what the finished
	// file must be (ErrSize, ErrHash); a release announcement gives both.
	Size   int64
	SHA256 string
	// Retries bounds the attempts in a row that make no progress. It
	// defaults to DefaultRetries.
	Retries int
	// Backoff is the first wait between attempts. It defaults to
	// DefaultBackoff.
	Backoff time.Duration
	// Stall drops a connection that delivers nothing for this long. It
	// defaults to DefaultStall.
	Stall time.Duration
	// Client makes the requests. It defaults to a client of its own
	// (http.DefaultTransport's settings, proxies from the environment).
	Client *http.Client
	// Progress, if set, is called as bytes arrive, on Get's goroutine.
	Progress func(Progress)
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Progress is how far a download is.
type Progress struct {
	// Bytes are in the file so far, Total is the whole (-1 while not
	// known).
	Bytes, Total int64
}

func (c Config) withDefaults() Config {
	if c.MaxRate == 0 {
		c.MaxRate = DefaultMaxRate
	}
	if c.MaxSize <= 0 {
		c.MaxSize = DefaultMaxSize
	}
	if c.Size > 0 {
		c.MaxSize = min(c.MaxSize, c.Size)
	}
	if c.Retries <= 0 {
		c.Retries = DefaultRetries
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultBackoff
	}
	if c.Stall <= 0 {
		c.Stall = DefaultStall
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
