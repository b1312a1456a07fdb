//go:build !linux

package capture

import (
	"context"
	"errors"

	"github.com/p2pcam/p2pcam/media"
)

// Cameras is the set of shared raw cameras; V4L2 exists on Linux only.
type Cameras struct{}

// NewCameras returns an empty set.
func NewCameras() *Cameras { return &Cameras{} }

var processCameras = NewCameras()

// V4L2 captures from a V4L2 camera; V4L2 exists on Linux only.
type V4L2 struct{ spec V4L2Spec }

var errNoV4L2 = errors.New("capture: V4L2 cameras need Linux")

// NewV4L2 fails: V4L2 exists on Linux only.
func NewV4L2(spec V4L2Spec, env Env) (*V4L2, error) { return nil, errNoV4L2 }

// Spec returns the source's spec.
func (s *V4L2) Spec() V4L2Spec { return s.spec }

// Run fails: V4L2 exists on Linux only.
func (s *V4L2) Run(ctx context.Context, emit func(*media.Frame)) error { return errNoV4L2 }

// SetBitrate fails: V4L2 exists on Linux only.
func (s *V4L2) SetBitrate(bps int) error { return errNoV4L2 }

// ForceKeyframe fails: V4L2 exists on Linux only.
func (s *V4L2) ForceKeyframe() error { return errNoV4L2 }
