package media

import "fmt"

// Quality is the stream a viewer asks for with quality=... in a live
// request (GUIDE section 4): standard is low, high is mid, super is high
// resolution.
type Quality string

// Qualities, lowest first.
const (
	QualityStandard Quality = "standard"
	QualityHigh     Quality = "high"
	QualitySuper    Quality = "super"
)

// Qualities lists every quality, lowest first.
func Qualities() []Quality { return []Quality{QualityStandard, QualityHigh, QualitySuper} }

// ParseQuality checks s names a quality.
func ParseQuality(s string) (Quality, error) {
	for _, q := range Qualities() {
		if string(q) == s {
			return q, nil
		}
	}
	return "", fmt.Errorf("unknown quality %q: want standard, high or super", s)
}

// Rank orders qualities: 0 standard, 1 high, 2 super; -1 if unknown.
func (q Quality) Rank() int {
	for i, x := range Qualities() {
		if x == q {
			return i
		}
	}
	return -1
}
