// Package agent is the composition root of p2pcamd: it reads the
// configuration, builds one stream hub per quality of the board, routes
// viewers' requests (package request) to live streams and commands,
// enforces the viewer limit across transports, and serves LAN mode over
// plain HTTP.
package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/agent/update"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/capture"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/capture/v4l2cam"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/ptz"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
	"github.com/p2pcam/p2pcam/stream"
	"github.com/p2pcam/p2pcam/talkback"
	"github.com/p2pcam/p2pcam/usercmd"
)

// Agent is a running camera.
type Agent struct {
	cfg       Config
	log       *slog.Logger
	board     board.Profile
	hubs      map[media.Quality]*stream.Hub
	audio     *stream.Hub     // the microphone, mixed into every quality; nil when off
	pcma      *stream.Hub     // the microphone as PCMA for media tracks; nil when off
	qualities []media.Quality // those in hubs, lowest first
	viewers   viewerLimit
	lanAddr   chan net.Addr      // receives the LAN listener's address once bound
	verifier  *auth.Verifier     // nil: no token needed
	talk      *talkback.Talkback // nil: no speaker
	ptz       *ptz.Controller    // nil: no pan-tilt head
	commands  *usercmd.Runner    // runs the custom commands' programs
	epoch     time.Time          // time zero of every frame's PTS
	encoders  map[media.Quality]*encoderControl
	checks    map[media.Quality]capture.Checker // sources that can tell whether they could capture now
	meters    map[media.Quality]*streamMeter    // each stream's video, measured
	started   time.Time                         // when New made the agent
	served    served                            // the streams being served, for the status command
	playbacks playbacks                         // the playback on each session, for playback_* commands
	broker    mqttclient.Status                 // P2P mode's broker connection
	updater   *update.Updater                   // nil: updates off

	// Recording: rec is nil when it is off; recQuality is the stream it records.
	rec        *record.Recorder
	recQuality media.Quality

	handlers sync.WaitGroup // requests being served
	health   health
	metrics  *agentMetrics // set up in New, once the streams are

	// Who the camera serves, for get_device_st's appConnectNum.
	p2pSessions atomic.Pointer[p2p.Server] // set once P2P mode is built
	lanStreams  atomic.Int64               // LAN live and voice requests being served
}

// sourceReady reports why the source of stream q cannot capture now, or
// nil: a running source is ready; one that is not running is checked.
func (a *Agent) sourceReady(q media.Quality) error {
	c, ok := a.checks[q]
	if !ok || a.hubs[q].Stats().Running {
		return nil
	}
	return c.Check()
}

// connections is how many apps the camera serves now: P2P sessions
// (each app's peer connection, whatever it is doing) and LAN requests
// that stream.
func (a *Agent) connections() int {
	n := int(a.lanStreams.Load())
	if srv := a.p2pSessions.Load(); srv != nil {
		n += srv.Sessions()
	}
	return n
}

// New builds an agent from cfg. Nothing runs until Run.
func New(cfg Config) (*Agent, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	prof, err := board.Lookup(cfg.Board)
	if err != nil {
		return nil, err
	}
	verifier, err := newVerifier(cfg)
	if err != nil {
		return nil, err
	}
	a := &Agent{
		verifier: verifier,
		talk:     newTalkback(cfg, prof.Name),
		cfg:      cfg,
		log:      cfg.Logger,
		board:    prof,
		hubs:     map[media.Quality]*stream.Hub{},
		encoders: map[media.Quality]*encoderControl{},
		checks:   map[media.Quality]capture.Checker{},
		meters:   map[media.Quality]*streamMeter{},
		started:  cfg.Clock.Now(),
		viewers:  viewerLimit{max: cfg.MaxViewers, onChange: cfg.OnViewers},
		lanAddr:  make(chan net.Addr, 1),
	}
	if a.ptz, err = newPTZ(cfg, prof); err != nil {
		return nil, err
	}
	if a.commands, err = usercmd.New(usercmd.Config{}); err != nil {
		return nil, err
	}
	env := capture.Env{Clock: cfg.Clock, Epoch: clock.Or(cfg.Clock).Now(), Logger: cfg.Logger}
	a.epoch = env.Epoch
	tap := &pcmaTap{}
	if a.audio, err = newAudioHub(cfg, prof.Name, env, tap); err != nil {
		return nil, err
	}
	if a.pcma, err = newPCMAHub(cfg, a.audio, tap); err != nil {
		return nil, err
	}
	// The qualities that name one raw camera share it in this set, which
	// lives as long as the agent's sources do.
	kinds := sourceKinds(v4l2cam.NewCameras())
	for q, spec := range a.streamSpecs() {
		src, err := capture.Open(spec, env, kinds...)
		if err != nil {
			return nil, fmt.Errorf("agent: stream %s: %w", q, err)
		}
		a.encoders[q] = newEncoderControl(src, cfg.Clock, cfg.Logger.With("stream", q))
		if c, ok := src.(capture.Checker); ok {
			a.checks[q] = c
			if err := c.Check(); err != nil {
				cfg.Logger.Warn("stream cannot capture now: viewers get an error until it can; it is checked again for each one",
					"stream", q, "spec", spec, "err", err)
			}
		}
		src = a.health.watch(q, src)
		a.meters[q] = &streamMeter{}
		src = meterVideo(src, a.meters[q], cfg.Clock.Now)
		if a.audio != nil {
			src = withAudio{video: src, audio: a.audio}
		}
		hub, err := stream.New(src, stream.Config{
			Name:        "ch0/" + string(q),
			QueueFrames: cfg.Stream.QueueFrames,
			QueueBytes:  cfg.Stream.QueueBytes,
			IdleTimeout: cfg.Stream.IdleTimeout,
			Clock:       cfg.Clock,
			Logger:      cfg.Logger,
		})
		if err != nil {
			return nil, fmt.Errorf("agent: stream %s: %w", q, err)
		}
		a.hubs[q] = hub
		a.qualities = append(a.qualities, q)
	}
	if len(a.hubs) == 0 {
		return nil, fmt.Errorf("agent: board %q has no streams; set [streams] in the config", prof.Name)
	}
	sort.Slice(a.qualities, func(i, j int) bool { return a.qualities[i].Rank() < a.qualities[j].Rank() })
	if a.rec, a.recQuality, err = newRecorder(cfg, a.qualities); err != nil {
		return nil, err
	}
	a.metrics = newMetrics(a)
	a.updater = a.newUpdater()
	return a, nil
}

// streamSpecs merges the board's streams with the config's overrides; an
// override of "" removes the board's stream.
func (a *Agent) streamSpecs() map[media.Quality]string {
	specs := map[media.Quality]string{}
	for q, s := range a.board.Streams {
		specs[q] = s
	}
	for name, s := range a.cfg.Streams {
		q := media.Quality(name) // validated in Config.withDefaults
		if s == "" {
			delete(specs, q)
		} else {
			specs[q] = s
		}
	}
	return specs
}

// sourceKinds returns the kinds of source spec beyond capture's own
// file: and exec:: the sim board's clips, and V4L2 cameras, made from
// cameras so that streams naming the same camera share it.
func sourceKinds(cameras *v4l2cam.Cameras) []capture.Kind {
	return []capture.Kind{
		{Name: "sim", Form: "sim:QUALITY", Open: openSim},
		cameras.Kind(),
	}
}

// openSim opens a "sim:QUALITY" spec: the sim board's clip of a quality.
func openSim(arg string, env capture.Env) (capture.Source, error) {
	quality, err := media.ParseQuality(arg)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", capture.ErrBadSpec, "sim:"+arg, err)
	}
	src, err := sim.New(quality, env)
	if err != nil {
		return nil, err // not a nil *capture.File in a non-nil Source
	}
	return src, nil
}

// Run serves until ctx is done, then shuts down: every viewer gets the end
// of its stream, sources stop, and Run returns when nothing is left
// running. An agent runs once.
func (a *Agent) Run(ctx context.Context) error {
	defer a.closeHubs()
	a.log.Info("p2pcamd starting", "board", a.board.Name, "device", a.cfg.Device,
		"streams", a.qualities, "max_viewers", a.cfg.MaxViewers)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var modes sync.WaitGroup
	failed := make(chan error, 2)
	if a.rec != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.runRecorder(runCtx)
		}()
	}
	if a.updater != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.updater.Run(runCtx)
		}()
	}
	if a.cfg.LAN.Listen != "off" {
		ln, err := net.Listen("tcp", a.cfg.LAN.Listen)
		if err != nil {
			return fmt.Errorf("agent: LAN mode: %w", err)
		}
		modes.Add(1)
		go func() {
			defer modes.Done()
			if err := a.serveLAN(runCtx, ln.(*net.TCPListener)); err != nil {
				failed <- err
			}
		}()
	}
	if a.cfg.P2P.Enabled() {
		srv, err := a.newP2P()
		if err != nil {
			stop()
			modes.Wait()
			return err
		}
		a.p2pSessions.Store(srv)
		modes.Add(1)
		go func() {
			defer modes.Done()
			if err := srv.Run(runCtx); err != nil {
				failed <- err
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
		a.log.Info("shutting down")
	case err = <-failed:
		a.log.Error("shutting down", "err", err)
	}
	if err != nil {
		a.health.failed.Store(true)
	}
	stop() // streaming handlers see this and end their streams cleanly
	modes.Wait()
	a.handlers.Wait()
	return err
}

// serveLAN serves LAN mode on tcp until ctx is done, then drains.
func (a *Agent) serveLAN(ctx context.Context, tcp *net.TCPListener) error {
	ln, limit := a.lanListener(tcp)
	a.lanAddr <- ln.Addr()
	srv := a.lanServer(ctx, limit)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.log.Info("LAN mode listening", "addr", ln.Addr().String(),
		"watch", fmt.Sprintf("ffplay 'http://%s/ipc.flv?action=live&channel=0&quality=high'", ln.Addr()))
	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
		err = fmt.Errorf("agent: LAN mode: %w", err)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := srv.Shutdown(shutCtx); serr != nil {
		a.log.Warn("LAN server did not drain in time", "err", serr)
	}
	return err
}

// LANAddr returns the LAN listener's address once Run has bound it, or
// nil if ctx ends first.
func (a *Agent) LANAddr(ctx context.Context) net.Addr {
	select {
	case addr := <-a.lanAddr:
		a.lanAddr <- addr
		return addr
	case <-ctx.Done():
		return nil
	}
}

func (a *Agent) closeHubs() {
	for _, h := range a.hubs {
		h.Close()
	}
	for _, e := range a.encoders {
		e.stop()
	}
	if a.pcma != nil {
		a.pcma.Close()
	}
	if a.audio != nil {
		a.audio.Close()
	}
	if a.ptz != nil {
		_ = a.ptz.Close()
	}
}

// videoSPS returns the sequence parameter set of the best quality whose
// stream has run, or nil: a media track session names its profile.
func (a *Agent) videoSPS() []byte {
	for i := len(a.qualities) - 1; i >= 0; i-- {
		if v := a.hubs[a.qualities[i]].VideoInfo(); v != nil {
			return v.SPS
		}
	}
	return nil
}

// Stats returns the counters of each stream.
func (a *Agent) Stats() map[media.Quality]stream.Stats {
	out := map[media.Quality]stream.Stats{}
	for q, h := range a.hubs {
		out[q] = h.Stats()
	}
	return out
}
