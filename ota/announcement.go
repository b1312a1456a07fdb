package ota

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
)

// Limits on a release announcement, which a camera reads from a broker
// topic that anyone with write access to it could fill.
const (
	// MaxAnnouncementSize bounds an announcement's bytes: a real one is about
	// 250 bytes.
	MaxAnnouncementSize = 4 << 10
	// MaxURLLen bounds its URL.
	MaxURLLen = 2048
	// MaxBundleSize bounds the bundle an announcement may name: the parts
	// of the largest bundle a camera should fetch, and its header.
	MaxBundleSize = 2 * MaxPartSize
)

// Announcement announces a bundle: what the cloud publishes, retained, on
// signal.ReleaseTopic(product) and what an operator's ota_update command
// names. It is a pointer, not a credential: the camera trusts the bundle
// only once its signature and hashes verify.
type Announcement struct {
	// Product is the product it is for.
	Product string `json:"product"`
	// Version is the bundle's version, MAJOR.MINOR.PATCH; a camera that
	// runs it or newer ignores the announcement without fetching.
	Version string `json:"version"`
	// MinVersion is the bundle's floor; a camera below it ignores it.
	MinVersion string `json:"min_version"`
	// URL is where to fetch the bundle: http:// or https://.
	URL string `json:"url"`
	// Size is the bundle's length in bytes, and the download's limit.
	Size int64 `json:"size"`
	// SHA256 is the whole bundle file's lower-case hex SHA-256.
	SHA256 string `json:"sha256"`
}

// ParseAnnouncement parses an announcement strictly: at most MaxAnnouncementSize,
// one JSON object, no unknown fields, every field valid. Errors wrap
// ErrMalformed, ErrBadVersion or ErrTooLarge.
func ParseAnnouncement(b []byte) (*Announcement, error) {
	if len(b) > MaxAnnouncementSize {
		return nil, fmt.Errorf("%w: release announcement of %d bytes, over %d", ErrTooLarge, len(b), MaxAnnouncementSize)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var r Announcement
	if err := d.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w: release announcement: %v", ErrMalformed, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: release announcement: data after the object", ErrMalformed)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate checks every field.
func (r *Announcement) Validate() error {
	if err := checkName("product", r.Product); err != nil {
		return err
	}
	v, err := ParseVersion(r.Version)
	if err != nil {
		return err
	}
	floor, err := ParseVersion(r.MinVersion)
	if err != nil {
		return err
	}
	if floor.Compare(v) > 0 {
		return fmt.Errorf("%w: min_version %s is above version %s", ErrMalformed, floor, v)
	}
	if len(r.URL) > MaxURLLen {
		return fmt.Errorf("%w: url of %d bytes, over %d", ErrTooLarge, len(r.URL), MaxURLLen)
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: url %q: want http:// or https://", ErrMalformed, r.URL)
	}
	if r.Size <= 0 || r.Size > MaxBundleSize {
		return fmt.Errorf("%w: size %d: want 1 to %d", ErrTooLarge, r.Size, int64(MaxBundleSize))
	}
	if !ValidSHA256(r.SHA256) {
		return fmt.Errorf("%w: sha256 %q: want 64 lower-case hex digits", ErrMalformed, r.SHA256)
	}
	return nil
}

// Marshal returns the wire form of a valid r.
func (r *Announcement) Marshal() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// Wanted says whether a camera running cur should fetch r: nil if r is
// newer and cur is at or above its floor, else ErrDowngrade or
// ErrBelowFloor saying why not.
func (r *Announcement) Wanted(cur Version) error {
	return checkUpgrade("release", r.Version, r.MinVersion, cur)
}
