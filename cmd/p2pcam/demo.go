//go:build !nodemo

package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/gateway"
	"github.com/p2pcam/p2pcam/web"
)

// demoDevice is the demo's camera.
const demoDevice = "demo/cam1"

func init() {
	commands = append(commands, command{"demo", "run a dev cloud, a sim camera and a local gateway in one process", runDemo})
}

// runDemo runs the whole P2P path on one machine: the dev cloud (MQTT
// broker, STUN/TURN), a camera on the sim board registered with it, and a
// gateway that watches the camera over P2P and re-serves it as HTTP-FLV.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8090", "the gateway's HTTP `address`")
	verbose := fs.Bool("v", false, "log everything")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	dir, err := os.MkdirTemp("", "p2pcam-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Accounts, the demo viewer's share of the camera, and the token
	// issuer the camera trusts.
	devPass, viewPass := cloud.GeneratePassword(), cloud.GeneratePassword()
	var d cloud.Directory
	d.Users, err = cloud.AddUser(nil, demoDevice, cloud.RoleDevice, devPass)
	if err == nil {
		d.Users, err = cloud.AddUser(d.Users, demoViewer, cloud.RoleViewer, viewPass)
	}
	if err == nil {
		d, err = d.WithShare(demoDevice, demoViewer, auth.PermAll)
	}
	if err != nil {
		return err
	}
	issuer, _, err := auth.LoadOrCreateDeviceKey(filepath.Join(dir, "issuer.key"))
	if err != nil {
		return err
	}

	c, err := cloud.Start(cloud.Config{
		Directory: d,
		MQTT:      cloud.BrokerConfig{Listen: "127.0.0.1:0"},
		TURN:      cloud.TURNConfig{Listen: "127.0.0.1:0"},
		Issuer:    issuer,
		Logger:    log,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	ep := c.Endpoints()
	turnUser, turnPass := c.TURNCredentials(demoDevice, 24*time.Hour)

	cam, err := agent.New(agent.Config{
		Device: demoDevice,
		Auth: agent.AuthConfig{
			TrustedKeys: []string{auth.MarshalPublicKey(issuer.Public().(ed25519.PublicKey))},
			DeviceKey:   filepath.Join(dir, "device.key"),
		},
		P2P: agent.P2PConfig{Broker: ep.MQTT, Password: devPass, BrokerVouches: true, ICEServers: []agent.ICEServer{
			{URLs: []string{ep.STUN}}, {URLs: []string{ep.TURN}, Username: turnUser, Credential: turnPass},
		}},
		LAN:  agent.LANConfig{Listen: "off"},
		Link: link.Options{LoopbackOnly: true},
		// Recordings for the page's timeline, gone with the demo.
		Record:  agent.RecordConfig{Dir: filepath.Join(dir, "records"), SegmentLength: 10 * time.Second},
		Version: version,
		Logger:  log,
	})
	if err != nil {
		return err
	}
	camCtx, stopCam := context.WithCancel(ctx)
	camDone := make(chan error, 1)
	go func() { camDone <- cam.Run(camCtx) }()
	defer func() {
		stopCam()
		<-camDone
	}()

	now := time.Now()
	token, err := auth.Sign(issuer, auth.Claims{Issuer: "p2pcam-demo", Device: demoDevice, Subject: demoViewer,
		Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(24 * time.Hour)})
	if err != nil {
		return err
	}
	id, _ := signal.ParseDeviceID(demoDevice)
	vUser, vPass := c.TURNCredentials(demoViewer, 24*time.Hour)
	dial := func(ctx context.Context) (*viewer.Conn, error) {
		return viewer.Dial(ctx, viewer.Config{
			Broker: ep.MQTT, Username: demoViewer, Password: viewPass, Device: id, Token: token,
			ICEServers: []webrtc.ICEServer{{URLs: []string{ep.STUN}}, {URLs: []string{ep.TURN}, Username: vUser, Credential: vPass}},
			Link:       link.Options{LoopbackOnly: true},
			Logger:     log,
		})
	}
	gw := gateway.New(dial, log)
	defer gw.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	mux := demoMux(c, gw, web.Config{Autologin: &web.Login{User: demoViewer, Password: viewPass}, Autoplay: []string{demoDevice}})
	fmt.Fprintf(stdout, "p2pcam demo: dev cloud at %s, camera %s on the sim board, watched over P2P.\n", ep.MQTT, demoDevice)
	fmt.Fprintf(stdout, "open:      http://%s/   (the player page: plays the camera in the browser, over P2P)\n", ln.Addr())
	fmt.Fprintf(stdout, "watch it:  ffplay 'http://%s/ipc.flv?action=live&channel=0&quality=high'\n", ln.Addr())
	fmt.Fprintf(stdout, "command:   curl 'http://%s/command?action=inner_define&channel=0&cmd=get_device_st&type=live'\n", ln.Addr())
	fmt.Fprintf(stdout, "status:    curl 'http://%s/%s'\n", ln.Addr(), protocol.StatusRequest)
	fmt.Fprintf(stdout, "Ctrl-C to stop.\n")
	return serveHTTP(ctx, ln, mux)
}

// demoViewer is the demo's viewer account.
const demoViewer = "demo-viewer"

// demoMux serves everything on one origin: the player page and its
// configuration (which logs the page in and plays the camera with no
// clicks: only the demo, on loopback, serves a password so), the dev
// cloud's API and MQTT over WebSocket, and the gateway's HTTP-FLV and
// commands.
func demoMux(c *cloud.Cloud, gw http.Handler, cfg web.Config) *http.ServeMux {
	mux := http.NewServeMux()
	api := c.Handler()
	mux.Handle("/mqtt", api)
	mux.Handle("/api/", api)
	mux.Handle("/config.json", web.ConfigHandler(cfg))
	mux.Handle("/ipc.flv", gw)
	mux.Handle("/command", gw)
	mux.Handle("/", web.Handler())
	return mux
}
