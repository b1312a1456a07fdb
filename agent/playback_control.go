package agent

import (
	"strconv"
	"sync"
	"time"

	"github.com/p2pcam/p2pcam/protocol"
)

// playbacks holds the playback running on each session and channel,
// for the playback_* commands that come on the same session and name
// the same channel. Its zero value works.
type playbacks struct {
	mu sync.Mutex
	m  map[string]*playbackControl // by playbackKey; guarded by mu
}

// playbackKey names a viewer's session and a channel: a P2P session's
// Addr names the session, a LAN request its Session (a connection lasts
// one request), and the subject keeps another viewer's token out. One
// session may play back several channels at once (an NVR's tiles on one
// connection), each steered on its own channel.
func playbackKey(v protocol.Viewer, ch *channel) string {
	n := strconv.Itoa(ch.num)
	if v.Session != "" {
		return "session\x00" + v.Session + "\x00" + v.Subject + "\x00" + n
	}
	return v.Addr + "\x00" + v.Subject + "\x00" + n
}

// start registers a playback of channel ch from from on v's session,
// replacing an earlier one there, and returns it with what unregisters
// it.
func (ps *playbacks) start(v protocol.Viewer, ch *channel, from, to time.Time) (*playbackControl, func()) {
	c := &playbackControl{ch: ch, from: from, to: to, at: from, speed: 1, wake: make(chan struct{}, 1)}
	k := playbackKey(v, ch)
	ps.mu.Lock()
	if ps.m == nil {
		ps.m = make(map[string]*playbackControl)
	}
	ps.m[k] = c
	ps.mu.Unlock()
	return c, func() {
		ps.mu.Lock()
		if ps.m[k] == c {
			delete(ps.m, k)
		}
		ps.mu.Unlock()
	}
}

func (ps *playbacks) get(v protocol.Viewer, ch *channel) *playbackControl {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.m[playbackKey(v, ch)]
}

// playbackControl is what the playback_* commands change of one
// playback, and where it is; the playback's loop reads it between
// frames.
type playbackControl struct {
	ch   *channel      // the channel played
	from time.Time     // the request's start_time: progress 0
	to   time.Time     // its end_time
	wake chan struct{} // a command changed something

	mu     sync.Mutex // guards the fields below
	paused bool
	speed  float64   // 0.5, 1, 2, 4 or 8
	seek   time.Time // zero: no seek asked
	at     time.Time // wall time of the last video frame sent
}

// state is the reply of every playback_* command.
type playbackState struct {
	Status   string `json:"status"`
	Progress string `json:"progress"` // ms from start_time to the frame last sent
	Time     string `json:"time"`     // that frame's unix time, seconds
	Paused   bool   `json:"paused"`
	Speed    string `json:"speed"` // as playback_speed spells it
}

func (c *playbackControl) state() playbackState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return playbackState{Status: "0", Progress: strconv.FormatInt(c.at.Sub(c.from).Milliseconds(), 10),
		Time: strconv.FormatInt(c.at.Unix(), 10), Paused: c.paused,
		Speed: strconv.FormatFloat(c.speed, 'f', -1, 64)}
}

func (c *playbackControl) set(f func()) {
	c.mu.Lock()
	f()
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// next tells the loop what to do before its next frame: seek to a time
// (non-zero), play at a speed, or wait while paused.
func (c *playbackControl) next() (seek time.Time, speed float64, paused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seek, c.seek = c.seek, time.Time{}
	return seek, c.speed, c.paused
}

func (c *playbackControl) sent(at time.Time) {
	c.mu.Lock()
	c.at = at
	c.mu.Unlock()
}

// isPlaybackControl reports whether cmd steers a playback.
func isPlaybackControl(cmd string) bool {
	switch cmd {
	case protocol.CmdPlaybackPause, protocol.CmdPlaybackResume, protocol.CmdPlaybackSeek, protocol.CmdPlaybackProgress, protocol.CmdPlaybackSpeed:
		return true
	}
	return false
}

// servePlaybackControl answers the playback_* commands for the playback
// of channel ch running on v's session.
func (a *Agent) servePlaybackControl(v protocol.Viewer, ch *channel, req protocol.Request, w Responder) {
	c := a.playbacks.get(v, ch)
	if c == nil {
		a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "no playback on this session: %s steers an ipc.flv?action=playback stream of channel %d on the same session", req.Cmd, ch.num))
		return
	}
	switch req.Cmd {
	case protocol.CmdPlaybackPause:
		c.set(func() { c.paused = true })
	case protocol.CmdPlaybackResume:
		c.set(func() { c.paused = false })
	case protocol.CmdPlaybackSeek:
		t, err := protocol.Seek(req.Params, c.from)
		if err != nil {
			a.replyError(w, err)
			return
		}
		if t.After(c.to) || len(a.recorderFor(c.ch, t, t.Add(time.Second)).Query(t, t.Add(time.Second))) == 0 {
			a.replyError(w, protocol.Errorf(protocol.StatusBadRequest, "nothing to play at %s: nothing recorded, or after end_time", t.UTC().Format(time.RFC3339)))
			return
		}
		c.set(func() { c.seek = t })
	case protocol.CmdPlaybackSpeed:
		v, err := protocol.Speed(req.Params)
		if err != nil {
			a.replyError(w, err)
			return
		}
		c.set(func() { c.speed = v })
	}
	a.replyJSON(w, protocol.StatusOK, c.state())
}
