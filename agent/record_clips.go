package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/record"
)

// ClipsDir is the folder of event clips in the record directory: a
// Recorder of its own, since clips overlap continuous recording in time.
const ClipsDir = "clips"

// The X-P2P record types of event clips (get_record_index's type,
// get_file_list's file_type); continuous recording is 0.
const (
	clipTypeMotion = 1 // the motion detector
	clipTypeInput  = 2 // a GPIO input (doorbell, PIR)
	clipTypeOther  = 3 // trigger_event, and any other event type listed
)

// clipType returns the record type of a clip started by an event of type t.
func clipType(t string) int {
	switch t {
	case event.TypeMotion:
		return clipTypeMotion
	case event.TypeInput:
		return clipTypeInput
	}
	return clipTypeOther
}

// newClipper builds the event clip recorder of cfg.Record, or nil when
// no event type records clips. onStorage hears of its storage's
// changes: it is nil when continuous recording reports them already.
func newClipper(cfg Config, onStorage func(record.StorageChange)) (*record.Clipper, error) {
	rc := cfg.Record
	if rc.Dir == "" || len(rc.Clips) == 0 {
		return nil, nil
	}
	// A clip longer than MaxSegmentLength goes on in a new file.
	rec, err := newStore(cfg, 0, filepath.Join(rc.Dir, ClipsDir), record.MaxSegmentLength, rc.ClipQuotaMB, onStorage, "clips", true)
	if err != nil {
		return nil, err
	}
	c, err := record.NewClipper(rec, record.ClipConfig{PreRoll: rc.PreRoll, PostRoll: rc.PostRoll})
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	return c, nil
}

// runClips records event clips until ctx is done: the camera's events
// of the types in record.clips start and hold them.
func (a *Agent) runClips(ctx context.Context) {
	a.log.Info("recording event clips", "dir", filepath.Join(a.cfg.Record.Dir, ClipsDir), "stream", a.recQuality,
		"events", a.cfg.Record.Clips, "pre_roll", a.cfg.Record.PreRoll, "post_roll", a.cfg.Record.PostRoll, "quota_mb", a.cfg.Record.ClipQuotaMB)
	sub, err := a.events.Subscribe()
	if err != nil {
		a.log.Error("event clips: no events", "err", err)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.clipEvents(ctx, sub)
	}()
	if err := a.clips.Run(ctx, a.hubs[a.recQuality]); err != nil {
		a.log.Error("event clips ended", "err", err)
	}
	sub.Close()
	<-done
}

// clipEvents turns the camera's events into clips until ctx is done or
// sub closes: motion and a pressed input hold a clip until they end,
// any other listed event extends one by the post-roll.
func (a *Agent) clipEvents(ctx context.Context, sub *event.Sub) {
	for {
		var e event.Event
		var ok bool
		select {
		case <-ctx.Done():
			return
		case e, ok = <-sub.C():
			if !ok {
				return
			}
		}
		if e.Channel != 0 || !slices.Contains(a.cfg.Record.Clips, e.Type) {
			continue
		}
		applyClipEvent(a.clips, e)
	}
}

// applyClipEvent starts, holds or releases a clip for e.
func applyClipEvent(c *record.Clipper, e event.Event) {
	typ := clipType(e.Type)
	switch e.Type {
	case event.TypeMotion:
		var d motionEvent
		if json.Unmarshal(e.Data, &d) == nil && d.State == "end" {
			c.Release("motion")
			return
		}
		c.Hold("motion", typ, e.Time)
		return
	case event.TypeInput:
		var d inputEvent
		if json.Unmarshal(e.Data, &d) == nil && !d.Active {
			c.Release("input:" + d.Name)
			return
		}
		c.Hold("input:"+d.Name, typ, e.Time)
		return
	}
	c.Pulse(typ, e.Time)
}

// recorders returns the recorders that hold channel ch's recordings:
// its continuous recording's, then (channel 0's only) the clips'. None:
// the channel records nothing.
func (a *Agent) recorders(ch *channel) []*record.Recorder {
	var out []*record.Recorder
	if ch.rec != nil {
		out = append(out, ch.rec)
	}
	if a.clips != nil && ch.num == 0 {
		out = append(out, a.clips.Recorder())
	}
	return out
}

// recorderFor returns the recorder a playback of [from, to] on channel
// ch reads: continuous recording when it holds any of it, else the
// clips. ch records (recordingOn).
func (a *Agent) recorderFor(ch *channel, from, to time.Time) *record.Recorder {
	rs := a.recorders(ch)
	for _, r := range rs {
		if len(r.Query(from, to)) > 0 {
			return r
		}
	}
	return rs[0]
}

// openRecording opens a recorded file of channel ch by name, from
// whichever of its recorders has it.
func (a *Agent) openRecording(ch *channel, name string) (f *os.File, seg record.Segment, err error) {
	for _, r := range a.recorders(ch) {
		if f, seg, err = r.Open(name); err == nil {
			return f, seg, nil
		}
	}
	return nil, seg, err
}
