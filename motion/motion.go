// Package motion is a cheap motion detector for cameras with raw
// pictures: it shrinks each picture's luma to a small grid of cell
// means, compares the grid with the last one, and reports motion when
// enough cells changed by more than a threshold; a hold-off keeps one
// movement from being many events.
package motion

import (
	"fmt"
	"time"
)

// Defaults of Config.
const (
	DefaultGridW     = 32
	DefaultGridH     = 18
	DefaultThreshold = 16
	DefaultArea      = 0.02
	DefaultHoldOff   = 5 * time.Second
	// MaxGrid bounds GridW and GridH: the grid's point is to be small.
	MaxGrid = 128
)

// Config tunes a Detector. The zero value works.
type Config struct {
	// GridW and GridH are the grid's cells across and down. They
	// default to 32 x 18 (16:9, cells of 20 x 20 pixels at 640x360).
	GridW, GridH int
	// Threshold is the change of a cell's mean luma (0-255) that counts
	// the cell as changed. It defaults to 16: above sensor noise and
	// compression flicker, below a person against a wall.
	Threshold int
	// Area is the fraction of cells that must change for motion. It
	// defaults to 0.02 (a dozen cells of 32 x 18).
	Area float64
	// HoldOff ends a motion once no picture has shown any for this
	// long: a movement with pauses is one motion, and two starts are at
	// least this far apart. It defaults to 5s.
	HoldOff time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.GridW == 0 {
		c.GridW = DefaultGridW
	}
	if c.GridH == 0 {
		c.GridH = DefaultGridH
	}
	if c.Threshold == 0 {
		c.Threshold = DefaultThreshold
	}
	if c.Area == 0 {
		c.Area = DefaultArea
	}
	if c.HoldOff == 0 {
		c.HoldOff = DefaultHoldOff
	}
	switch {
	case c.GridW < 1 || c.GridW > MaxGrid || c.GridH < 1 || c.GridH > MaxGrid:
		return c, fmt.Errorf("%w: grid %dx%d: want 1 to %d cells each way", ErrConfig, c.GridW, c.GridH, MaxGrid)
	case c.Threshold < 1 || c.Threshold > 255:
		return c, fmt.Errorf("%w: threshold %d: want 1 to 255", ErrConfig, c.Threshold)
	case c.Area <= 0 || c.Area > 1:
		return c, fmt.Errorf("%w: area %v: want more than 0, at most 1", ErrConfig, c.Area)
	case c.HoldOff < 0:
		return c, fmt.Errorf("%w: hold-off %v: must not be negative", ErrConfig, c.HoldOff)
	}
	return c, nil
}

// State is what a picture changed.
type State int

// States.
const (
	None    State = iota // nothing new: still, or motion going on
	Started              // motion began
	Ended                // no motion for HoldOff
)

// Result is what Feed found in one picture.
type Result struct {
	State State
	// Area is the fraction of cells that changed in this picture.
	Area float64
}

// Detector finds motion in a sequence of pictures of one size. It is
// not safe for concurrent use: one capture goroutine feeds it.
type Detector struct {
	cfg      Config
	grid     []uint8 // this picture's cell means
	prev     []uint8 // the last picture's; nil before the first
	w, h     int     // the picture size of prev
	moving   bool
	lastSeen time.Time // the last picture with motion
}

// New returns a Detector.
func New(cfg Config) (*Detector, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := cfg.GridW * cfg.GridH
	return &Detector{cfg: cfg, grid: make([]uint8, n), prev: nil}, nil
}

// Feed looks at one picture's luma plane, w x h pixels with rows stride
// bytes apart, taken at t. A picture smaller than the grid, or a plane
// too short for its size, is ErrPicture. A change of size starts over.
func (d *Detector) Feed(luma []byte, w, h, stride int, t time.Time) (Result, error) {
	if w < d.cfg.GridW || h < d.cfg.GridH || stride < w || len(luma) < stride*(h-1)+w {
		return Result{}, fmt.Errorf("%w: %dx%d, stride %d, %d bytes, for a %dx%d grid", ErrPicture, w, h, stride, len(luma), d.cfg.GridW, d.cfg.GridH)
	}
	d.shrink(luma, w, h, stride)
	if d.prev == nil || d.w != w || d.h != h {
		d.prev = append(d.prev[:0], d.grid...)
		d.w, d.h = w, h
		return Result{}, nil
	}
	changed := 0
	for i, v := range d.grid {
		diff := int(v) - int(d.prev[i])
		if diff < 0 {
			diff = -diff
		}
		if diff > d.cfg.Threshold {
			changed++
		}
	}
	copy(d.prev, d.grid)
	r := Result{Area: float64(changed) / float64(len(d.grid))}
	motion := r.Area >= d.cfg.Area
	switch {
	case motion && !d.moving:
		d.moving, d.lastSeen = true, t
		r.State = Started
	case motion:
		d.lastSeen = t
	case d.moving && t.Sub(d.lastSeen) >= d.cfg.HoldOff:
		d.moving = false
		r.State = Ended
	}
	return r, nil
}

// Moving reports whether a motion has started and not ended.
func (d *Detector) Moving() bool { return d.moving }

// shrink sets d.grid to the mean luma of each cell, sampling every
// other pixel of every other row: a quarter of the picture is plenty to
// tell a cell's brightness, and it halves the memory read.
func (d *Detector) shrink(luma []byte, w, h, stride int) {
	gw, gh := d.cfg.GridW, d.cfg.GridH
	for cy := range gh {
		y0, y1 := cy*h/gh, (cy+1)*h/gh
		for cx := range gw {
			x0, x1 := cx*w/gw, (cx+1)*w/gw
			sum, n := 0, 0
			for y := y0; y < y1; y += 2 {
				row := luma[y*stride+x0 : y*stride+x1]
				for x := 0; x < len(row); x += 2 {
					sum += int(row[x])
				}
				n += (len(row) + 1) / 2
			}
			d.grid[cy*gw+cx] = uint8(sum / max(n, 1))
		}
	}
}
