package relay

import "errors"

// Errors.
var (
	// ErrBadConfig is a [relay] section that cannot work.
	ErrBadConfig = errors.New("relay: bad config")
	// ErrBadStream is a stream name that is not PRODUCT~DEVICE~QUALITY.
	ErrBadStream = errors.New("relay: bad stream name")
	// ErrBadTicket is a play ticket that is missing, forged or expired.
	ErrBadTicket = errors.New("relay: bad ticket")
	// ErrBadStat is a stat page that is not nginx-rtmp's XML.
	ErrBadStat = errors.New("relay: bad stat page")
)
