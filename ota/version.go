package ota

import (
	"fmt"
	"strconv"
	"strings"
)

// maxVersionDigits bounds each version number: nine digits fit any real
// release number and every int on 32-bit boards.
const maxVersionDigits = 9

// Version is a release version MAJOR.MINOR.PATCH (semver without
// pre-release or build suffixes, which an anti-rollback floor cannot
// order safely).
type Version struct{ Major, Minor, Patch int }

// ParseVersion parses "MAJOR.MINOR.PATCH" strictly: three decimal numbers,
// no sign, no leading zeros, no "v", no suffix. Errors wrap ErrBadVersion.
func ParseVersion(s string) (Version, error) {
	f := strings.Split(s, ".")
	if len(f) != 3 {
		return Version{}, fmt.Errorf("%w: %q: want MAJOR.MINOR.PATCH such as 1.4.2", ErrBadVersion, s)
	}
	var n [3]int
	for i, p := range f {
		if p == "" || len(p) > maxVersionDigits || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("%w: %q: want MAJOR.MINOR.PATCH of plain numbers (no leading zeros)", ErrBadVersion, s)
		}
		n[i], _ = strconv.Atoi(p)
	}
	return Version{n[0], n[1], n[2]}, nil
}

// String formats v as MAJOR.MINOR.PATCH.
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Compare returns -1, 0 or +1 as v is older than, the same as or newer
// than w.
func (v Version) Compare(w Version) int {
	for _, d := range [3]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}
