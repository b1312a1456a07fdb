package agent

import (
	"cmp"
	"context"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/stream"
)

// videoStall is how long a running stream may go without a video frame
// before the status calls it waiting rather than running.
const videoStall = 2 * meterWindow

// streamMeter measures a stream's video as its source makes it.
type streamMeter struct {
	frames, bytes meter
	last          atomic.Int64 // unix ns of the latest video frame; 0 before any
}

// meterVideo wraps src, the source of one stream, so that m measures
// its video.
func meterVideo(src capture.Source, m *streamMeter, now func() time.Time) capture.Source {
	return meteredSource{Source: src, m: m, now: now}
}

type meteredSource struct {
	capture.Source
	m   *streamMeter
	now func() time.Time
}

func (s meteredSource) Run(ctx context.Context, emit func(*media.Frame)) error {
	return s.Source.Run(ctx, func(f *media.Frame) {
		if f.Kind == media.KindVideo {
			t := s.now()
			s.m.frames.add(1, t)
			s.m.bytes.add(int64(len(f.Payload)), t)
			s.m.last.Store(t.UnixNano())
		}
		emit(f)
	})
}

// serveStatus answers the status command (protocol.CmdStatus).
func (a *Agent) serveStatus(w Responder) {
	a.replyJSON(w, protocol.StatusOK, a.Report())
}

// Report tells what the camera is doing: the viewers it serves, its
// streams, talkback and the broker connection.
func (a *Agent) Report() protocol.Report {
	now := a.cfg.Clock.Now()
	r := protocol.Report{
		Device: a.cfg.Device, Board: a.board.Name, Agent: "p2pcamd/" + cmp.Or(a.cfg.Version, "dev"),
		Time: now, Started: a.started,
		Viewers:    a.served.report(now),
		MaxViewers: a.cfg.MaxViewers,
		Streams:    []protocol.StreamReport{},
		Talkback:   a.talkbackReport(),
		Broker:     a.brokerReport(),
	}
	if srv := a.p2pSessions.Load(); srv != nil {
		r.P2PSessions = srv.Sessions()
	}
	for _, ch := range a.channels() {
		for _, q := range ch.qualities {
			r.Streams = append(r.Streams, ch.streamReport(q, now))
		}
	}
	return r
}

// streamReport reports the channel's stream q.
func (c *channel) streamReport(q media.Quality, now time.Time) protocol.StreamReport {
	hub, m := c.hubs[q], c.meters[q]
	st := hub.Stats()
	s := protocol.StreamReport{
		Channel: c.num, Quality: string(q), State: streamState(st, m, now),
		FPS:         round1(m.frames.perSecond(now)),
		Bitrate:     int64(8 * m.bytes.perSecond(now)),
		TargetBPS:   c.encoders[q].target(),
		Subscribers: st.Subscribers, Frames: st.Published, DroppedFrames: st.Dropped, LateFrames: st.Late,
	}
	if v := hub.VideoInfo(); v != nil {
		s.Width, s.Height = v.Width, v.Height
	}
	if err := c.sourceReady(q); err != nil {
		s.State, s.Error = protocol.StreamUnavailable, err.Error()
	}
	return s
}

// streamState is a stream's state from its hub's counters and when its
// source last made video.
func streamState(st stream.Stats, m *streamMeter, now time.Time) string {
	switch {
	case st.Running && m.last.Load() != 0 && now.Sub(time.Unix(0, m.last.Load())) < videoStall:
		return protocol.StreamRunning
	case st.Subscribers > 0 || st.Running:
		return protocol.StreamWaiting
	}
	return protocol.StreamIdle
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

// talkbackReport reports the speaker.
func (a *Agent) talkbackReport() protocol.TalkbackReport {
	switch {
	case a.talk == nil:
		return protocol.TalkbackReport{State: protocol.TalkbackOff}
	case a.talk.Busy():
		t := protocol.TalkbackReport{State: protocol.TalkbackTalking}
		t.Who, t.Since, _ = a.served.talker()
		return t
	}
	return protocol.TalkbackReport{State: protocol.TalkbackIdle}
}

// brokerReport reports P2P mode's broker connection.
func (a *Agent) brokerReport() protocol.BrokerReport {
	if !a.cfg.P2P.Enabled() {
		return protocol.BrokerReport{}
	}
	st := a.broker.Snapshot()
	return protocol.BrokerReport{
		Enabled: true, URL: a.cfg.P2P.Broker,
		Connected: st.Connected, Since: st.Since, Reconnects: st.Reconnects(), Failures: st.Failures,
		LastError: st.LastError, LastErrorAt: st.LastErrorAt,
	}
}
