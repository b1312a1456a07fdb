// Command devserver is what the browser tests run the page against: one
// process with the real dev cloud (MQTT broker, STUN/TURN, the token
// service and MQTT over WebSocket from cloud.Handler), two sim cameras
// (demo/cam1 shared with demo-viewer, demo/cam2 not), and
//
//   - on one origin: the page (package web, or --dir), /mqtt, /api/*
//     and /config.json (autologin and autoplay, as `p2pcam demo` has);
//   - on a second origin: a gateway that re-serves demo/cam1 as HTTP-FLV
//     with CORS for the first origin, as `p2pcam serve --allow-origin`.
//
// It prints "listening URL" and "gateway URL". It differs from `p2pcam
// demo` by the second camera (for the unshared-device test) and the
// cross-origin gateway.
package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/cors"
	"github.com/p2pcam/p2pcam/link"
	p2psignal "github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/gateway"
	"github.com/p2pcam/p2pcam/web"
)

const viewerName = "demo-viewer"

// speakerDir, when set, is where the cameras' speakers write WAV files.
var speakerDir string

// recordDir, when set, is where demo/cam1 records (10 s segments).
var recordDir string

// nvr gives demo/cam1 two NVR channels.
var nvr bool

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "the page's HTTP `address`")
	gwListen := flag.String("gateway", "127.0.0.1:0", "the cross-origin gateway's HTTP `address`")
	dir := flag.String("dir", "", "serve the page from this `directory` (web/) instead of the embedded copy")
	verbose := flag.Bool("v", false, "log everything")
	flag.StringVar(&speakerDir, "speaker-dir", "", "write each camera's talkback to `dir`/PRODUCT-DEVICE.wav (default: discard)")
	flag.StringVar(&recordDir, "record-dir", "", "record demo/cam1 continuously to `dir` (10 s segments), for the timeline")
	flag.BoolVar(&nvr, "nvr", false, "give demo/cam1 NVR channels 1 (porch) and 2 (garage), the sim board's standard stream")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *listen, *gwListen, *dir, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "devserver:", err)
		os.Exit(1)
	}
}

func speaker(device string) string {
	if speakerDir == "" {
		return ""
	}
	return "wav:" + filepath.Join(speakerDir, strings.ReplaceAll(device, "/", "-")+".wav")
}

func recording(device string) agent.RecordConfig {
	if recordDir == "" || device != "demo/cam1" {
		return agent.RecordConfig{}
	}
	return agent.RecordConfig{Dir: recordDir, SegmentLength: 10 * time.Second}
}

// channels are demo/cam1's NVR channels with --nvr.
func channels(device string) []agent.ChannelConfig {
	if !nvr || device != "demo/cam1" {
		return nil
	}
	return []agent.ChannelConfig{
		{Channel: 1, Name: "porch", Streams: map[string]string{"standard": "sim:standard"}},
		{Channel: 2, Name: "garage", Streams: map[string]string{"standard": "sim:standard"}},
	}
}

func run(ctx context.Context, listen, gwListen, dir string, verbose bool) error {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	tmp, err := os.MkdirTemp("", "p2pcam-devserver-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	cams := []string{"demo/cam1", "demo/cam2"}
	camPass := map[string]string{}
	viewPass := cloud.GeneratePassword()
	var d cloud.Directory
	for _, c := range cams {
		camPass[c] = cloud.GeneratePassword()
		if d.Users, err = cloud.AddUser(d.Users, c, cloud.RoleDevice, camPass[c]); err != nil {
			return err
		}
	}
	if d.Users, err = cloud.AddUser(d.Users, viewerName, cloud.RoleViewer, viewPass); err != nil {
		return err
	}
	if d, err = d.WithShare("demo/cam1", viewerName, auth.PermAll); err != nil {
		return err
	}
	issuer, _, err := auth.LoadOrCreateDeviceKey(filepath.Join(tmp, "issuer.key"))
	if err != nil {
		return err
	}
	pageLn, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	gwLn, err := net.Listen("tcp", gwListen)
	if err != nil {
		pageLn.Close()
		return err
	}
	pageOrigin := "http://" + pageLn.Addr().String()
	c, err := cloud.Start(cloud.Config{
		Directory: d, Issuer: issuer, Logger: log,
		MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0"},
		TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	ep := c.Endpoints()

	camCtx, stopCams := context.WithCancel(ctx)
	done := make(chan error, len(cams))
	started := 0
	defer func() {
		stopCams()
		for range started {
			<-done
		}
	}()
	for _, name := range cams {
		tu, tp := c.TURNCredentials(name, 24*time.Hour)
		cam, err := agent.New(agent.Config{
			Device: name,
			Auth: agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(issuer.Public().(ed25519.PublicKey))},
				DeviceKey: filepath.Join(tmp, strings.ReplaceAll(name, "/", "-")+".key")},
			P2P: agent.P2PConfig{Broker: ep.MQTT, Password: camPass[name], ICEServers: []agent.ICEServer{
				{URLs: []string{ep.STUN}}, {URLs: []string{ep.TURN}, Username: tu, Credential: tp}}},
			LAN:      agent.LANConfig{Listen: "off"},
			Link:     link.Options{LoopbackOnly: true},
			Audio:    agent.AudioConfig{Speaker: speaker(name)},
			Record:   recording(name),
			Channels: channels(name),
			Logger:   log,
		})
		if err != nil {
			return err
		}
		started++
		go func() { done <- cam.Run(camCtx) }()
	}

	// The gateway, on its own origin, with CORS for the page's.
	now := time.Now()
	token, err := auth.Sign(issuer, auth.Claims{Issuer: "devserver", Device: "demo/cam1", Subject: viewerName,
		Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(24 * time.Hour)})
	if err != nil {
		return err
	}
	id, _ := p2psignal.ParseDeviceID("demo/cam1")
	vu, vp := c.TURNCredentials(viewerName, 24*time.Hour)
	gw := gateway.New(func(ctx context.Context) (*viewer.Conn, error) {
		return viewer.Dial(ctx, viewer.Config{
			Broker: ep.MQTT, Username: viewerName, Password: viewPass, Device: id, Token: token,
			ICEServers: []webrtc.ICEServer{{URLs: []string{ep.STUN}}, {URLs: []string{ep.TURN}, Username: vu, Credential: vp}},
			Link:       link.Options{LoopbackOnly: true}, Logger: log,
		})
	}, log)
	defer gw.Close()
	policy, err := cors.New([]string{pageOrigin})
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	page := web.Handler()
	if dir != "" {
		page = http.FileServerFS(os.DirFS(dir))
	}
	mux.Handle("/", page)
	api := c.Handler()
	mux.Handle("/mqtt", api)
	mux.Handle("/api/", api)
	mux.Handle("/config.json", web.ConfigHandler(web.Config{
		Autologin: &web.Login{User: viewerName, Password: viewPass}, Autoplay: []string{"demo/cam1"}}))

	fmt.Printf("listening %s/\n", pageOrigin)
	fmt.Printf("gateway http://%s/\n", gwLn.Addr())
	errc := make(chan error, 2)
	servers := []*http.Server{
		{Handler: mux, ReadHeaderTimeout: 5 * time.Second},
		{Handler: policy.Wrap(gw), ReadHeaderTimeout: 5 * time.Second},
	}
	go func() { errc <- servers[0].Serve(pageLn) }()
	go func() { errc <- servers[1].Serve(gwLn) }()
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	for _, s := range servers {
		s.Close()
	}
	if err == http.ErrServerClosed {
		err = nil
	}
	return err
}
