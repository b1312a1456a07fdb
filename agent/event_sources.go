package agent

import (
	"context"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/ptz"
	"github.com/p2pcam/p2pcam/record"
)

// streamEvent is the data of a "stream" event.
type streamEvent struct {
	Quality media.Quality `json:"quality"`
	State   string        `json:"state"`           // started, stopped
	Error   string        `json:"error,omitempty"` // why it stopped, when not for lack of viewers
}

// announceSource publishes a "stream" event when a source starts (its
// first viewer came) and when it stops (no viewer is left, or it
// failed).
type announceSource struct {
	capture.Source
	q       media.Quality
	publish func(typ string, v any)
}

func (s announceSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	s.publish(event.TypeStream, streamEvent{Quality: s.q, State: "started"})
	err := s.Source.Run(ctx, emit)
	ev := streamEvent{Quality: s.q, State: "stopped"}
	if err != nil && ctx.Err() == nil {
		ev.Error = err.Error()
	}
	s.publish(event.TypeStream, ev)
	return err
}

// ptzEvent is the data of a "ptz" event.
type ptzEvent struct {
	State     string        `json:"state"`               // moving, stopped
	Direction string        `json:"direction,omitempty"` // of a move
	Target    *ptz.Position `json:"target,omitempty"`    // of a move to a preset
	Position  *ptz.Position `json:"position,omitempty"`  // where it stopped
}

// announceHead publishes a "ptz" event when the head starts moving and
// when it stops (a release, the safety stop, the end of a step).
type announceHead struct {
	ptz.Driver
	publish func(typ string, v any)
}

func (h announceHead) Move(d ptz.Direction) error {
	if err := h.Driver.Move(d); err != nil {
		return err
	}
	h.publish(event.TypePTZ, ptzEvent{State: "moving", Direction: d.String()})
	return nil
}

func (h announceHead) MoveTo(p ptz.Position) error {
	if err := h.Driver.MoveTo(p); err != nil {
		return err
	}
	h.publish(event.TypePTZ, ptzEvent{State: "moving", Target: &p})
	return nil
}

func (h announceHead) Stop() error {
	before, serr := h.Driver.State()
	if err := h.Driver.Stop(); err != nil {
		return err
	}
	if serr == nil && !before.Moving {
		return nil // a release after a step that had ended: nothing moved
	}
	ev := ptzEvent{State: "stopped"}
	if st, err := h.Driver.State(); err == nil {
		ev.Position = &st.Position
	}
	h.publish(event.TypePTZ, ev)
	return nil
}

// storageEvent publishes a record.StorageChange as a "storage" event:
// {"state":"removed","reason":"..."}.
func (a *Agent) storageEvent(c record.StorageChange) {
	a.publish(event.TypeStorage, c)
}
