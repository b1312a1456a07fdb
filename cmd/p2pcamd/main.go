// Command p2pcamd is the p2pcam camera daemon: it captures video, and
// serves it to viewers in LAN mode and over P2P (WebRTC, signalling over
// MQTT; see the [p2p] section of the config).
//
//	p2pcamd                                  detect the board, LAN mode on 127.0.0.1:8080
//	p2pcamd --board sim                      built-in clips, no hardware
//	p2pcamd --config /etc/p2pcam/p2pcamd.toml
//	p2pcamd --lan 0.0.0.0:8080               LAN mode for the whole network
//	p2pcamd --record-dir /mnt/sd/p2pcam      record continuously (docs/recording.md)
//	p2pcamd --list-devices                   cameras, encoders and sound devices of this host
//	p2pcamd ota-install --pub KEY BUNDLE     install an update into the inactive A/B slot (docs/ota.md)
//	p2pcamd slot exec -- FLAGS...            the launcher: start the current slot, counting trial starts
//	p2pcamd slot status                      which slot runs, the trial, the last update's outcome
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/board"
	"github.com/p2pcam/p2pcam/board/periph"
)

// version is stamped by scripts/cross-build.sh.
var version = "dev"

// exitRestart is p2pcamd's exit status after it installed an update
// (EX_TEMPFAIL): its launcher's supervisor restarts it at once, into the
// new slot, instead of backing off as after a crash.
const exitRestart = 75

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "p2pcamd:", err)
		if errors.Is(err, errUpdateInstalled) {
			os.Exit(exitRestart)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	started := time.Now()
	if len(args) > 0 {
		switch args[0] {
		case "slot":
			return runSlot(args[1:], stdout, stderr)
		case "ota-install":
			return runOTAInstall(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("p2pcamd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "TOML config `file` (see rootfs/etc/p2pcam/p2pcamd.toml); defaults are used without one")
	boardName := fs.String("board", board.Auto, "board profile, overriding the config: "+board.Auto+
		" (detect it) or one of "+strings.Join(board.Names(), ", "))
	lan := fs.String("lan", "", "LAN mode HTTP `address`, overriding the config (e.g. 0.0.0.0:8080, or off)")
	recordDir := fs.String("record-dir", "", "record continuously into `dir`, overriding the config's record.dir (docs/recording.md)")
	logLevel := fs.String("log-level", "", "log level, overriding the config: debug, info, warn or error")
	showVersion := fs.Bool("version", false, "print the version and exit")
	showDevices := fs.Bool("list-devices", false, "print the V4L2 cameras and encoders (formats, sizes, frame rates, controls) and the ALSA sound devices, then exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: p2pcamd [flags]\n"+
			"       p2pcamd ota-install --pub KEY BUNDLE   install an update into the inactive A/B slot\n"+
			"       p2pcamd slot exec|status              the A/B launcher; the slots' state (docs/ota.md)\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; see p2pcamd --help", fs.Args())
	}
	if *showVersion {
		fmt.Fprintln(stderr, "p2pcamd", version)
		return nil
	}
	if *showDevices {
		return listDevices(stdout)
	}
	var cfg agent.Config
	if *configPath != "" {
		var err error
		if cfg, err = agent.LoadConfig(*configPath); err != nil {
			return err
		}
	}
	// The flag's default, auto, applies only when the config names no
	// board either.
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "board" {
			cfg.Board = *boardName
		}
	})
	if *lan != "" {
		cfg.LAN.Listen = *lan
	}
	if *recordDir != "" {
		cfg.Record.Dir = *recordDir
	}
	if *logLevel != "" {
		cfg.Log.Level = *logLevel
	}
	logger, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}
	cfg.Logger = logger
	cfg.Version = version
	prof, err := resolveBoard(cfg.Board, logger)
	if err != nil {
		return err
	}
	cfg.Board = prof.Name
	var hw *periph.Periph // set before Run, which is when viewers come
	cfg.OnViewers = func(n int) { hw.SetViewers(n) }
	sigCtx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, fail := context.WithCancelCause(sigCtx)
	defer fail(nil)
	t := findTrial(logger)
	if err := wireUpdates(&cfg, prof.Name, t, logger, fail); err != nil {
		return err
	}
	a, err := agent.New(cfg)
	if err != nil {
		return err
	}
	logger.Info("p2pcamd", "version", version)
	if t != nil {
		go t.run(ctx, a, started, logger, fail)
	}
	// The peripherals outlive Run: the watchdog is fed through the
	// shutdown and disarmed only after a clean one.
	hwCtx, hwStop := context.WithCancel(context.Background())
	hw = periph.Start(hwCtx, periph.Config{
		Profile:   prof,
		StatusLED: cfg.Hardware.StatusLED,
		IRCut:     cfg.Hardware.IRCut,
		Watchdog:  cfg.Hardware.Watchdog,
		Healthy:   a.Healthy,
		Logger:    logger,
	})
	err = a.Run(ctx)
	hwStop()
	hw.Wait()
	if cause := context.Cause(ctx); err == nil && sigCtx.Err() == nil && cause != nil {
		err = cause // a failed trial, or an installed update to start
	}
	return err
}

// resolveBoard returns the profile named name, detecting it for "auto"
// or no name.
func resolveBoard(name string, log *slog.Logger) (board.Profile, error) {
	if name != "" && name != board.Auto {
		return board.Lookup(name)
	}
	prof, reason, err := board.Detect(os.DirFS("/"))
	if err != nil {
		return prof, err
	}
	log.Info("board detected", "board", prof.Name, "reason", reason, "override", "--board NAME")
	return prof, nil
}

func newLogger(c agent.LogConfig, w io.Writer) (*slog.Logger, error) {
	level := slog.LevelInfo
	if c.Level != "" {
		var err error
		if level, err = agent.ParseLogLevel(c.Level); err != nil {
			return nil, err
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}
