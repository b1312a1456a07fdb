package sim

import "errors"

// ErrNoClips means a binary built with -tags nosimclips found no clip
// where it looks (Dir or $P2PCAM_SIM_DIR); the message names the file and
// how to fix it.
var ErrNoClips = errors.New("sim: this p2pcamd is built without the sim clips (-tags nosimclips)")
