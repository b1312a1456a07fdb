package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/motion"
)

// The sim board's motion detector looks at its scene (sim.DrawScene) at
// this size and rate: a sub-stream's worth, cheap.
const (
	simSceneW, simSceneH = 160, 90
	simScenePeriod       = 200 * time.Millisecond
)

// motionEvent is the data of a "motion" event.
type motionEvent struct {
	State string  `json:"state"`          // start, end
	Area  float64 `json:"area,omitempty"` // the fraction of the picture that changed, at the start
}

// motionOn reports whether the motion detector runs: on the sim board
// unless events.motion is "off". Other boards give the detector no raw
// pictures yet, so "on" there is a config error.
func (a *Agent) motionOn() (bool, error) {
	switch a.cfg.Events.Motion {
	case "off":
		return false, nil
	case "on":
		if a.board.Name != "sim" {
			return false, fmt.Errorf("agent: events.motion = \"on\": board %s gives the motion detector no pictures yet (only the sim board does)", a.board.Name)
		}
	}
	return a.board.Name == "sim", nil
}

// runSimMotion runs the motion detector on the sim board's scene until
// ctx is done, publishing "motion" events.
func (a *Agent) runSimMotion(ctx context.Context) {
	d, err := motion.New(motion.Config{})
	if err != nil {
		a.log.Error("motion detector", "err", err)
		return
	}
	pic := make([]byte, simSceneW*simSceneH)
	tick := time.NewTicker(simScenePeriod)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var pan, tilt int
		if a.ptz != nil {
			if st, err := a.ptz.State(); err == nil {
				pan, tilt = st.Pan, st.Tilt
			}
		}
		now := a.cfg.Clock.Now()
		sim.DrawScene(pic, simSceneW, simSceneH, pan, tilt, now.Sub(a.started))
		r, err := d.Feed(pic, simSceneW, simSceneH, simSceneW, now)
		if err != nil {
			a.log.Error("motion detector", "err", err)
			return
		}
		switch r.State {
		case motion.Started:
			a.publish(event.TypeMotion, motionEvent{State: "start", Area: r.Area})
		case motion.Ended:
			a.publish(event.TypeMotion, motionEvent{State: "end"})
		}
	}
}
