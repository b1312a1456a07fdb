//go:build !linux

package v4l2cam

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/v4l2"
	"github.com/p2pcam/p2pcam/media"
)

// Cameras is the set of shared raw cameras; V4L2 exists on Linux only.
type Cameras struct{}

// NewCameras returns an empty set.
func NewCameras() *Cameras { return &Cameras{} }

// Source captures from a V4L2 camera; V4L2 exists on Linux only.
type Source struct{ spec Spec }

var errNoV4L2 = errors.New("capture: V4L2 cameras need Linux")

// NewSource fails: V4L2 exists on Linux only.
func (cs *Cameras) NewSource(spec Spec, env capture.Env) (*Source, error) { return nil, errNoV4L2 }

// Spec returns the source's spec.
func (s *Source) Spec() Spec { return s.spec }

// Run fails: V4L2 exists on Linux only.
func (s *Source) Run(ctx context.Context, emit func(*media.Frame)) error { return errNoV4L2 }

// SetBitrate fails: V4L2 exists on Linux only.
func (s *Source) SetBitrate(bps int) error { return errNoV4L2 }

// ForceKeyframe fails: V4L2 exists on Linux only.
func (s *Source) ForceKeyframe() error { return errNoV4L2 }

// Luma fails: V4L2 exists on Linux only.
func (cs *Cameras) Luma(ctx context.Context, spec Spec, sys v4l2.Sys, every time.Duration, log *slog.Logger, fn LumaFunc) error {
	return errNoV4L2
}
