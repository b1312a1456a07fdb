package motion

import "errors"

var (
	// ErrConfig means a Config value is out of range.
	ErrConfig = errors.New("motion: bad config")
	// ErrPicture means a picture is smaller than the grid, or its plane
	// shorter than its size says.
	ErrPicture = errors.New("motion: bad picture")
)
