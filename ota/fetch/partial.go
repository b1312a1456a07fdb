package fetch

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/p2pcam/p2pcam/internal/atomicfile"
)

// partial is a download in progress: PATH.part holds the bytes so far and
// PATH.part.meta the URL and the server's validator (a strong ETag, or
// Last-Modified) they came with, so that a restarted camera resumes the
// same file and never splices two versions of it.
type partial struct {
	path      string // PATH.part
	url       string
	validator string
}

func partialFor(dst, url string) *partial { return &partial{path: dst + ".part", url: url} }

func (p *partial) metaPath() string { return p.path + ".meta" }

// load returns the partial file's size and validator if it is of the same
// URL and has a validator; otherwise it starts again from zero.
func (p *partial) load() (int64, error) {
	b, err := os.ReadFile(p.metaPath())
	if err == nil {
		url, v, _ := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n")
		if url == p.url && v != "" {
			if fi, err := os.Stat(p.path); err == nil {
				p.validator = v
				return fi.Size(), nil
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	return 0, p.reset("")
}

// reset empties the partial file and records validator for what follows.
func (p *partial) reset(validator string) error {
	if err := os.WriteFile(p.path, nil, 0o600); err != nil {
		return err
	}
	return p.setValidator(validator)
}

func (p *partial) setValidator(v string) error {
	p.validator = v
	return atomicfile.WriteFile(p.metaPath(), []byte(p.url+"\n"+v+"\n"), 0o600)
}

// finish moves the partial file to dst and forgets the download.
func (p *partial) finish(dst string) error {
	if err := os.Rename(p.path, dst); err != nil {
		return err
	}
	return os.Remove(p.metaPath())
}
