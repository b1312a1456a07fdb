//go:build !linux

package gpio

// Line is one requested GPIO line; off Linux there are none.
type Line struct{}

// OpenLine fails with ErrUnsupported off Linux.
func OpenLine(chip string, offset int, output, activeLow bool, consumer string) (*Line, error) {
	return nil, ErrUnsupported
}

// String returns "".
func (l *Line) String() string { return "" }

// Set fails with ErrUnsupported.
func (l *Line) Set(active bool) error { return ErrUnsupported }

// Get fails with ErrUnsupported.
func (l *Line) Get() (bool, error) { return false, ErrUnsupported }

// Close does nothing.
func (l *Line) Close() error { return nil }
