package v4l2cam

import "time"

// LumaFunc takes the luma (brightness) plane of a picture for
// Cameras.Luma: h rows of w bytes, stride bytes apart, taken at. It must
// not keep y after it returns; an error stops Luma.
type LumaFunc func(y []byte, w, h, stride int, at time.Time) error
