package fetch

import "errors"

// Errors returned by Get. They are wrapped with detail; test with
// errors.Is.
var (
	// ErrTooLarge means the download is, or says it is, larger than
	// Config.MaxSize: a wrong URL or a hostile server.
	ErrTooLarge = errors.New("fetch: download over its size limit")
	// ErrStatus means the server answered with a status that retrying
	// will not change (404, 403, ...): check the URL.
	ErrStatus = errors.New("fetch: server refused the download")
	// ErrGaveUp means Config.Retries attempts in a row made no progress;
	// the partial file is kept for the next try.
	ErrGaveUp = errors.New("fetch: gave up after repeated failures")
	// ErrBadRange means a server's Content-Range is malformed or not the
	// range asked for.
	ErrBadRange = errors.New("fetch: bad Content-Range")
	// ErrSize means the finished download is not the size expected.
	ErrSize = errors.New("fetch: download is not the expected size")
	// ErrHash means the finished download's SHA-256 is not the one
	// expected: it was corrupted, or the server has another file.
	ErrHash = errors.New("fetch: download hash mismatch")
	// ErrBadURL means the URL is not http:// or https://.
	ErrBadURL = errors.New("fetch: want an http:// or https:// URL")
)
