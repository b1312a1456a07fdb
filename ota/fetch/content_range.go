package fetch

import (
	"fmt"
	"strconv"
	"strings"
)

// ContentRange is a byte range answer's Content-Range: "bytes
// FIRST-LAST/SIZE" (RFC 9110 section 14.4), with Size -1 for "*".
type ContentRange struct {
	First, Last, Size int64
}

// maxRangeDigits bounds each number: 18 digits cannot overflow an int64.
const maxRangeDigits = 18

// ParseContentRange parses a Content-Range header of a 206 answer from
// untrusted bytes. Errors wrap ErrBadRange.
func ParseContentRange(s string) (ContentRange, error) {
	bad := func() (ContentRange, error) {
		return ContentRange{}, fmt.Errorf("%w: %q: want bytes FIRST-LAST/SIZE", ErrBadRange, s)
	}
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return bad()
	}
	span, size, ok := strings.Cut(rest, "/")
	if !ok {
		return bad()
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return bad()
	}
	var r ContentRange
	var err1, err2 error
	r.First, err1 = parseDigits(first)
	r.Last, err2 = parseDigits(last)
	if err1 != nil || err2 != nil || r.Last < r.First {
		return bad()
	}
	if size == "*" {
		r.Size = -1
		return r, nil
	}
	var err error
	if r.Size, err = parseDigits(size); err != nil || r.Last >= r.Size {
		return bad()
	}
	return r, nil
}

// parseDigits parses a non-negative decimal of 1 to maxRangeDigits digits.
func parseDigits(s string) (int64, error) {
	if s == "" || len(s) > maxRangeDigits || strings.Trim(s, "0123456789") != "" {
		return 0, ErrBadRange
	}
	return strconv.ParseInt(s, 10, 64)
}
