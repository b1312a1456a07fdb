package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud/tokenapi"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
)

// connFlags are the flags that say how to reach a camera.
type connFlags struct {
	broker, user, password, device, token, ice, deviceKey string
	cloud                                                 string // token service base URL
	loopback                                              bool
	verbose                                               bool
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.broker, "broker", envOr("P2PCAM_BROKER", "mqtt://127.0.0.1:1883"), "MQTT broker `URL` ($P2PCAM_BROKER)")
	fs.StringVar(&c.user, "user", envOr("P2PCAM_USER", ""), "viewer's broker account ($P2PCAM_USER)")
	// Secrets are read from the environment after parsing (secretsFromEnv),
	// never shown as flag defaults: a usage message would print them.
	fs.StringVar(&c.password, "password", "", "viewer's broker password ($P2PCAM_PASSWORD)")
	fs.StringVar(&c.device, "device", envOr("P2PCAM_DEVICE", ""), "camera, `PRODUCT/DEVICE` ($P2PCAM_DEVICE)")
	fs.StringVar(&c.token, "token", "", "viewer token from p2pcam token ($P2PCAM_TOKEN)")
	fs.StringVar(&c.cloud, "cloud", envOr("P2PCAM_CLOUD", ""), "log in at this dev cloud's token service (`URL`, e.g. http://127.0.0.1:8088) for a token and ICE servers, instead of --token ($P2PCAM_CLOUD)")
	fs.StringVar(&c.ice, "ice", envOr("P2PCAM_ICE", ""), "comma-separated STUN/TURN `URLs`; turn:USER:PASS@host:port for TURN ($P2PCAM_ICE)")
	fs.StringVar(&c.deviceKey, "device-key", "", "pin the camera's public `key` (base64) instead of trusting the broker's copy")
	fs.BoolVar(&c.loopback, "loopback", false, "connect over loopback only (camera on this host)")
	fs.BoolVar(&c.verbose, "v", false, "log the connection's progress")
}

// secretsFromEnv fills the password and token from the environment where
// no flag gave them.
func (c *connFlags) secretsFromEnv() {
	if c.password == "" {
		c.password = os.Getenv("P2PCAM_PASSWORD")
	}
	if c.token == "" {
		c.token = os.Getenv("P2PCAM_TOKEN")
	}
}

// config turns the flags into a viewer config.
func (c *connFlags) config() (viewer.Config, error) {
	c.secretsFromEnv()
	if c.device == "" {
		return viewer.Config{}, fmt.Errorf("--device is required: the camera, PRODUCT/DEVICE (or $P2PCAM_DEVICE)")
	}
	id, err := signal.ParseDeviceID(c.device)
	if err != nil {
		return viewer.Config{}, fmt.Errorf("--device: %w", err)
	}
	if c.user == "" || (c.token == "" && c.cloud == "") {
		return viewer.Config{}, fmt.Errorf("--user and --token, or --user, --password and --cloud, are needed (or $P2PCAM_USER, $P2PCAM_TOKEN, $P2PCAM_PASSWORD, $P2PCAM_CLOUD)")
	}
	ice, err := parseICE(c.ice)
	if err != nil {
		return viewer.Config{}, err
	}
	cfg := viewer.Config{
		Broker: c.broker, Username: c.user, Password: c.password, Device: id, Token: c.token,
		ICEServers: ice, Link: link.Options{LoopbackOnly: c.loopback},
	}
	if c.deviceKey != "" {
		if cfg.DeviceKey, err = auth.ParsePublicKey(c.deviceKey); err != nil {
			return viewer.Config{}, err
		}
	}
	level := slog.LevelWarn
	if c.verbose {
		level = slog.LevelInfo
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	return cfg, nil
}

func (c *connFlags) dial(ctx context.Context) (*viewer.Conn, error) {
	cfg, err := c.config()
	if err != nil {
		return nil, err
	}
	if c.cloud != "" && c.token == "" {
		if err := c.login(ctx, &cfg); err != nil {
			return nil, err
		}
	}
	return viewer.Dial(ctx, cfg)
}

// login gets a token for the camera, and ICE servers unless --ice gave
// some, from the token service at --cloud. Tokens are short-lived, so
// every dial logs in afresh.
func (c *connFlags) login(ctx context.Context, cfg *viewer.Config) error {
	resp, err := tokenapi.Login(ctx, strings.TrimSuffix(c.cloud, "/"), c.user, c.password)
	if err != nil {
		return err
	}
	g, ok := resp.Grant(c.device)
	if !ok {
		return fmt.Errorf("%s is not shared with %s: its owner can share it with p2pcam cloud share %s %s", c.device, c.user, c.device, c.user)
	}
	cfg.Token = g.Token
	if len(cfg.ICEServers) == 0 {
		for _, s := range resp.ICEServers {
			cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
		}
	}
	return nil
}

// parseICE parses "stun:h:p,turn:user:pass@h:p?transport=udp".
func parseICE(s string) ([]webrtc.ICEServer, error) {
	var out []webrtc.ICEServer
	for _, u := range strings.Split(s, ",") {
		u = strings.TrimSpace(u)
		if u == "" {
			continue
		}
		scheme, rest, ok := strings.Cut(u, ":")
		if !ok || (scheme != "stun" && scheme != "turn" && scheme != "turns") {
			return nil, fmt.Errorf("ICE server %q: want stun:HOST:PORT or turn:USER:PASS@HOST:PORT", u)
		}
		srv := webrtc.ICEServer{URLs: []string{u}}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			creds, host := rest[:at], rest[at+1:]
			// TURN REST user names hold a colon ("expiry:user"); the
			// base64 password never does, so it follows the last one.
			user, pass := creds, ""
			if i := strings.LastIndex(creds, ":"); i >= 0 {
				user, pass = creds[:i], creds[i+1:]
			}
			srv = webrtc.ICEServer{URLs: []string{scheme + ":" + host}, Username: user, Credential: pass}
		}
		out = append(out, srv)
	}
	return out, nil
}
