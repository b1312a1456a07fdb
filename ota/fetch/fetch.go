// Package fetch downloads an update bundle over HTTP(S) to a file: it
// resumes a cut download with a Range request from the partial file's
// size (If-Range with the server's ETag or Last-Modified, so a file that
// changed on the server restarts from zero), caps its bandwidth with a
// token bucket so that live viewers keep theirs, bounds the size, retries
// with backoff and reports progress. It does not check what it fetched:
// package ota does that.
package fetch
