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
	"github.com/p2pcam/p2pcam/event"
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
	cfg   Config
	log   *slog.Logger
	board board.Profile
	// channel is channel 0, the board's camera: a.hubs and the like are
	// its streams.
	channel
	nvr          []*channel // channels 1 and up ([[channels]]), by number
	viewers      viewerLimit
	lanAddr      chan net.Addr      // receives the LAN listener's address once bound
	verifier     *auth.Verifier     // nil: no token needed
	talk         *talkback.Talkback // nil: no speaker
	ptz          *ptz.Controller    // nil: no pan-tilt head
	events       *event.Bus         // the device's events, for viewers and MQTT
	eventStreams eventStreams       // open event streams per viewer
	inputs       []namedInput       // GPIO inputs whose changes are events
	motion       *motionSource      // what the motion detector looks at; nil: it does not run
	cameras      *v4l2cam.Cameras   // the raw V4L2 cameras its sources (and the motion detector) share
	commands     *usercmd.Runner    // runs the custom commands' programs
	epoch        time.Time          // time zero of every frame's PTS
	started      time.Time          // when New made the agent
	served       served             // the streams being served, for the status command
	playbacks    playbacks          // the playback on each session, for playback_* commands
	broker       mqttclient.Status  // P2P mode's broker connection
	updater      *update.Updater    // nil: updates off

	clips *record.Clipper // nil: no event clips (channel 0's only)

	handlers sync.WaitGroup // requests being served
	health   health
	metrics  *agentMetrics // set up in New, once the streams are
	relay    *relayPushes  // nil without [relay]

	// Who the camera serves, for get_device_st's appConnectNum.
	p2pSessions atomic.Pointer[p2p.Server] // set once P2P mode is built
	otaMu       sync.Mutex                 // orders the update statuses put in P2P's device info
	lanStreams  atomic.Int64               // LAN live and voice requests being served
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
		relay:    newRelayPushes(cfg),
		verifier: verifier,
		talk:     newTalkback(cfg, prof.Name),
		cfg:      cfg,
		log:      cfg.Logger,
		board:    prof,
		started:  cfg.Clock.Now(),
		viewers:  viewerLimit{max: cfg.MaxViewers, onChange: cfg.OnViewers},
		lanAddr:  make(chan net.Addr, 1),
		events:   event.NewBus(event.BusConfig{}),
	}
	if a.ptz, err = newPTZ(cfg, prof, a.publish); err != nil {
		return nil, err
	}
	if a.commands, err = usercmd.New(usercmd.Config{}); err != nil {
		return nil, err
	}
	env := capture.Env{Clock: cfg.Clock, Epoch: clock.Or(cfg.Clock).Now(), Logger: cfg.Logger}
	a.epoch = env.Epoch
	// The qualities that name one raw camera share it in this set, which
	// lives as long as the agent's sources do.
	a.cameras = v4l2cam.NewCameras()
	setup := channelSetup{cfg: cfg, board: prof.Name, env: env, kinds: sourceKinds(a.cameras),
		wrap: func(q media.Quality, src capture.Source) capture.Source {
			return announceSource{Source: a.health.watch(q, src), q: q, publish: a.publish}
		}}
	ch0, err := openChannel(0, deviceName(cfg.Device), a.streamSpecs(), setup)
	if err != nil {
		return nil, err
	}
	a.channel = *ch0
	if len(a.hubs) == 0 {
		a.closeHubs()
		return nil, fmt.Errorf("agent: board %q has no streams; set [streams] in the config", prof.Name)
	}
	if a.nvr, err = openNVR(cfg, setup); err != nil {
		a.closeHubs()
		return nil, err
	}
	if a.rec, a.recQuality, err = newRecorder(cfg, 0, a.qualities, a.storageEvent); err != nil {
		return nil, err
	}
	clipStorage := a.storageEvent
	if a.rec != nil {
		clipStorage = nil // the same card: continuous recording tells of it
	}
	if a.clips, err = newClipper(cfg, clipStorage); err != nil {
		return nil, err
	}
	if a.motion, err = a.motionSourceFor(); err != nil {
		return nil, err
	}
	if err := a.openInputs(); err != nil {
		return nil, err
	}
	a.metrics = newMetrics(a)
	a.updater = a.newUpdater()
	return a, nil
}

// streamSpecs merges the board's streams with the config's overrides; an
// override of "" removes the board's stream.
func (a *Agent) streamSpecs() map[media.Quality]string {
	return mergeSpecs(a.board.Streams, a.cfg.Streams)
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
	if a.relay != nil {
		a.relay.start(runCtx)
		defer func() { stop(); a.relay.wait() }()
	}
	var modes sync.WaitGroup
	failed := make(chan error, 3)
	for _, ch := range a.channels() {
		if ch.rec == nil {
			continue
		}
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.runRecorder(runCtx, ch)
		}()
	}
	if a.clips != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.runClips(runCtx)
		}()
	}
	if a.updater != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.updater.Run(runCtx)
		}()
	}
	if a.motion != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.runMotion(runCtx, a.motion)
		}()
	}
	if len(a.inputs) > 0 {
		modes.Add(1)
		go func() {
			defer modes.Done()
			a.runInputs(runCtx)
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
	if conn, err := a.listenDiscovery(); err != nil {
		stop()
		modes.Wait()
		return err
	} else if conn != nil {
		modes.Add(1)
		go func() {
			defer modes.Done()
			if err := a.serveDiscovery(runCtx, conn); err != nil {
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
		a.startP2POTA(srv)
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
	a.events.Close()
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
	a.channel.close()
	for _, ch := range a.nvr {
		ch.close()
	}
	if a.ptz != nil {
		_ = a.ptz.Close()
	}
}

// Stats returns the counters of each stream.
func (a *Agent) Stats() map[media.Quality]stream.Stats {
	out := map[media.Quality]stream.Stats{}
	for q, h := range a.hubs {
		out[q] = h.Stats()
	}
	return out
}
