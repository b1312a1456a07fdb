package agent

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/capture/v4l2cam"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/motion"
)

// The motion detector looks at this many pictures a second's worth: one
// every motionPeriod. The sim board's scene is drawn at simSceneW x
// simSceneH, a sub-stream's worth, cheap.
const (
	motionPeriod         = 200 * time.Millisecond
	simSceneW, simSceneH = 160, 90
)

// motionEvent is the data of a "motion" event.
type motionEvent struct {
	State string  `json:"state"`          // start, end
	Area  float64 `json:"area,omitempty"` // the fraction of the picture that changed, at the start
}

// motionSource is what the motion detector looks at: the sim board's
// scene, or a raw V4L2 camera's pictures.
type motionSource struct {
	sim    bool
	camera v4l2cam.Spec // when not sim
}

// motionSourceFor says what the motion detector looks at, or nil when it
// does not run. By default (events.motion empty) it runs on the sim
// board only; "on" runs it on any board whose channel 0 has a raw V4L2
// camera (one that p2pcamd encodes: its pictures are there to look at,
// and it stays open while the detector runs); "off" never.
func (a *Agent) motionSourceFor() (*motionSource, error) {
	mode := a.cfg.Events.Motion
	switch {
	case mode == "off":
		return nil, nil
	case a.board.Name == "sim":
		return &motionSource{sim: true}, nil
	case mode != "on":
		return nil, nil
	}
	spec, err := rawCameraSpec(a.streamSpecs())
	if err != nil {
		return nil, fmt.Errorf("agent: events.motion = \"on\" on board %s: %w", a.board.Name, err)
	}
	return &motionSource{camera: spec}, nil
}

// rawCameraSpec returns the first raw V4L2 camera among specs, the
// lowest quality first.
func rawCameraSpec(specs map[media.Quality]string) (v4l2cam.Spec, error) {
	var h264 []string
	for _, q := range media.Qualities() {
		arg, ok := strings.CutPrefix(specs[q], "v4l2:")
		if !ok {
			continue
		}
		s, err := v4l2cam.ParseSpec(arg)
		if err != nil {
			return s, err
		}
		if s.Encoder != "" {
			return s, nil
		}
		h264 = append(h264, string(q))
	}
	if len(h264) > 0 {
		return v4l2cam.Spec{}, fmt.Errorf("its cameras (%s) encode H.264 themselves and give no pictures to look at; the motion detector needs a raw format with encoder=x264 or encoder=/dev/videoN", strings.Join(h264, ", "))
	}
	return v4l2cam.Spec{}, errors.New("none of its streams comes from a V4L2 camera, so the motion detector has no pictures to look at")
}

// runMotion runs the motion detector until ctx is done, publishing
// "motion" events.
func (a *Agent) runMotion(ctx context.Context, src *motionSource) {
	d, err := motion.New(motion.Config{})
	if err != nil {
		a.log.Error("motion detector", "err", err)
		return
	}
	feed := func(pic []byte, w, h, stride int, at time.Time) error {
		r, err := d.Feed(pic, w, h, stride, at)
		if err != nil {
			return err
		}
		switch r.State {
		case motion.Started:
			a.log.Info("motion", "state", "start", "area", math.Round(r.Area*1000)/1000)
			a.publish(event.TypeMotion, motionEvent{State: "start", Area: r.Area})
		case motion.Ended:
			a.log.Info("motion", "state", "end")
			a.publish(event.TypeMotion, motionEvent{State: "end"})
		}
		return nil
	}
	if src.sim {
		a.runSimScene(ctx, feed)
		return
	}
	a.runCameraMotion(ctx, src.camera, feed)
}

// runSimScene feeds the sim board's scene (sim.DrawScene, panned by its
// simulated head) to feed every motionPeriod until ctx is done.
func (a *Agent) runSimScene(ctx context.Context, feed v4l2cam.LumaFunc) {
	pic := make([]byte, simSceneW*simSceneH)
	tick := time.NewTicker(motionPeriod)
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
		if err := feed(pic, simSceneW, simSceneH, simSceneW, now); err != nil {
			a.log.Error("motion detector", "err", err)
			return
		}
	}
}

// runCameraMotion feeds a raw camera's pictures (Cameras.Luma, sharing
// the camera with the streams) to feed, one every motionPeriod, until
// ctx is done; when the camera fails it says so and tries again later.
func (a *Agent) runCameraMotion(ctx context.Context, spec v4l2cam.Spec, feed v4l2cam.LumaFunc) {
	log := a.log.With("source", "motion", "device", spec.Device)
	log.Info("motion detector watching the camera", "camera", spec.String())
	backoff := capture.Backoff{Min: 2 * time.Second, Max: time.Minute, Stable: time.Minute}
	for {
		started := time.Now()
		err := a.cameras.Luma(ctx, spec, nil, motionPeriod, log, feed)
		if ctx.Err() != nil {
			return
		}
		wait := backoff.After(time.Since(started))
		log.Warn("motion detector: the camera failed; trying again", "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
