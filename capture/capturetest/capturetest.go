// Package capturetest helps test capture sources: a Collector to hand a
// source as its emit callback, and checks of the frames it gathers. The
// tests of package capture and of the source packages beside it
// (v4l2cam) share it.
package capturetest

import (
	"sync"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/media"
)

// Collector gathers the frames a source emits.
type Collector struct {
	// Got receives a token per frame. It holds 10000 before Emit blocks.
	Got chan struct{}

	mu     sync.Mutex // guards frames
	frames []*media.Frame
}

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{Got: make(chan struct{}, 10000)} }

// Emit is a source's emit callback.
func (c *Collector) Emit(f *media.Frame) {
	c.mu.Lock()
	c.frames = append(c.frames, f)
	c.mu.Unlock()
	c.Got <- struct{}{}
}

// Frames returns the frames gathered so far.
func (c *Collector) Frames() []*media.Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*media.Frame(nil), c.frames...)
}

// HasParams reports whether an access unit's NAL units carry an SPS and
// a PPS before its IDR slice, as every keyframe a source emits must.
func HasParams(nalus [][]byte) bool {
	var sps, pps bool
	for _, n := range nalus {
		switch h264.TypeOf(n) {
		case h264.NALUTypeSPS:
			sps = true
		case h264.NALUTypePPS:
			pps = true
		case h264.NALUTypeIDR:
			return sps && pps // parameters must come before the slice
		}
	}
	return false
}
