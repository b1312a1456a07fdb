package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/web"
)

func init() {
	commands = append(commands, command{"cloud", "run the dev cloud (MQTT broker, STUN/TURN, token service); cloud adduser|share|issuer|turn-creds manage it", runCloud})
}

// cloudFiles are the dev cloud's state in its directory.
type cloudFiles struct{ dir string }

func (c cloudFiles) users() string  { return filepath.Join(c.dir, "users.toml") }
func (c cloudFiles) secret() string { return filepath.Join(c.dir, "turn.secret") }
func (c cloudFiles) issuer() string { return filepath.Join(c.dir, "issuer.key") }

// load reads the users file; a missing one is an empty directory.
func (c cloudFiles) load() (cloud.Directory, error) {
	d, err := cloud.LoadDirectory(c.users())
	if errors.Is(err, fs.ErrNotExist) {
		return cloud.Directory{}, nil
	}
	return d, err
}

// save writes the users file, making the state directory if needed.
func (c cloudFiles) save(d cloud.Directory) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	return cloud.SaveDirectory(c.users(), d)
}

// watch reloads the users file into c whenever it changes, until ctx
// ends, so that adduser and share take effect without a restart.
func (c cloudFiles) watch(ctx context.Context, cl *cloud.Cloud, log *slog.Logger) {
	onChange(ctx, c.users(), func() {
		d, err := c.load()
		if err == nil {
			err = cl.SetDirectory(d)
		}
		if err != nil {
			log.Error("cloud: users file not reloaded; the previous accounts stay in force", "file", c.users(), "err", err)
			return
		}
		log.Info("cloud: users file reloaded", "file", c.users(), "users", len(d.Users), "shares", len(d.Shares))
	})
}

// onChange calls f each time path's modification time changes (looked at
// every cloudReload), until ctx ends.
func onChange(ctx context.Context, path string, f func()) {
	modTime := func() time.Time {
		fi, err := os.Stat(path)
		if err != nil {
			return time.Time{}
		}
		return fi.ModTime()
	}
	last := modTime()
	t := time.NewTicker(cloudReload)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if m := modTime(); !m.Equal(last) {
			last = m
			f()
		}
	}
}

// cloudReload is how often a running cloud looks for a changed users file.
const cloudReload = 2 * time.Second

// turnSecret returns the TURN secret, made on first use.
func (c cloudFiles) turnSecret() ([]byte, error) {
	b, err := os.ReadFile(c.secret())
	if err == nil {
		return hex.DecodeString(strings.TrimSpace(string(b)))
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	return secret, os.WriteFile(c.secret(), []byte(hex.EncodeToString(secret)+"\n"), 0o600)
}

func runCloud(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "adduser":
			return runCloudAddUser(args[1:], stdout, stderr)
		case "turn-creds":
			return runCloudTURNCreds(args[1:], stdout, stderr)
		case "share":
			return runCloudShare(args[1:], stdout, stderr)
		case "issuer":
			return runCloudIssuer(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("cloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultCloudDir(), "state `directory`: users.toml, turn.secret, issuer.key")
	mqttAddr := fs.String("mqtt", "127.0.0.1:1883", "MQTT listen `address`")
	turnAddr := fs.String("turn", "127.0.0.1:3478", "STUN/TURN UDP listen `address` (an IP, not a name)")
	relayIP := fs.String("relay-ip", "", "TURN relay `IP` given to clients (default: the listen IP)")
	public := fs.String("public-host", "", "host to print in the endpoint URLs")
	httpAddr := fs.String("http", "127.0.0.1:8088", "HTTP listen `address`: the player page, MQTT over WebSocket (/mqtt), the token service (/api); \"off\" for none")
	otaDir := fs.String("ota-dir", "", "serve the update bundles (*.p2pota) in this `directory` at /ota/ and announce the newest signed one of each product on its release topic")
	otaURL := fs.String("ota-url", "", "the bundles' base `URL` in announcements, for a CDN or proxy in front (default: http://HTTP-ADDRESS/ota/)")
	var origins stringList
	fs.Var(&origins, "allow-origin", "an `origin` (https://host[:port]) whose pages may call the API from elsewhere; \"*\" for any (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := cloudFiles{*dir}
	d, err := files.load()
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2pcam: cloud state in %s (--dir)\n", files.dir)
	if len(d.Users) == 0 {
		fmt.Fprintf(stderr, "p2pcam: no accounts in %s yet: add them with p2pcam cloud adduser\n", files.users())
	}
	issuer, _, err := auth.LoadOrCreateDeviceKey(files.issuer())
	if err != nil {
		return fmt.Errorf("token issuer key: %w", err)
	}
	secret, err := files.turnSecret()
	if err != nil {
		return err
	}
	tc := cloud.TURNConfig{Listen: *turnAddr, Secret: secret}
	if *relayIP != "" {
		if tc.RelayIP = net.ParseIP(*relayIP); tc.RelayIP == nil {
			return fmt.Errorf("--relay-ip %q is not an IP", *relayIP)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	c, err := cloud.Start(cloud.Config{
		Directory:      d,
		MQTT:           cloud.BrokerConfig{Listen: *mqttAddr},
		TURN:           tc,
		PublicHost:     *public,
		Issuer:         issuer,
		AllowedOrigins: origins,
		Logger:         log,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	go files.watch(ctx, c, log)
	ep := c.Endpoints()
	fmt.Fprintf(stdout, "mqtt %s\nstun %s\nturn %s\n", ep.MQTT, ep.STUN, ep.TURN)
	fmt.Fprintf(stdout, "issuer %s  (put it in the cameras' auth.trusted_keys)\n", auth.MarshalPublicKey(c.IssuerPublicKey()))
	if *httpAddr == "off" {
		if *otaDir != "" {
			return fmt.Errorf("--ota-dir serves bundles over --http: give it an address")
		}
		<-ctx.Done()
		return nil
	}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("--http: %w", err)
	}
	fmt.Fprintf(stdout, "web  http://%s/  (the player page; MQTT over WebSocket at /mqtt, tokens at /api/login)\n", ln.Addr())
	var rel *cloud.Releases
	if *otaDir != "" {
		host := ln.Addr().String()
		if *public != "" {
			_, port, _ := net.SplitHostPort(host)
			host = net.JoinHostPort(*public, port)
		}
		base := "http://" + host + "/ota/"
		if *otaURL != "" {
			base = *otaURL
		}
		rel = cloud.NewReleases(*otaDir, base, log)
		if err := announceReleases(c, rel); err != nil {
			ln.Close()
			return err
		}
		fmt.Fprintf(stdout, "ota  http://%s/ota/  (bundles of %s, announced at %s; the newest signed one per product is announced on p2pcam/ota/PRODUCT/release)\n", host, *otaDir, base)
		go watchReleases(ctx, *otaDir, c, rel, log)
	}
	return serveHTTP(ctx, ln, cloudMux(c, rel))
}

// announceReleases scans the bundle directory and announces what it
// holds.
func announceReleases(c *cloud.Cloud, rel *cloud.Releases) error {
	anns, err := rel.Scan()
	if err != nil {
		return err
	}
	return c.Announce(anns)
}

// watchReleases scans the bundle directory again whenever it changes
// (a bundle added, renamed into place or removed), until ctx ends.
func watchReleases(ctx context.Context, dir string, c *cloud.Cloud, rel *cloud.Releases, log *slog.Logger) {
	onChange(ctx, dir, func() {
		if err := announceReleases(c, rel); err != nil {
			log.Error("cloud: bundle directory not rescanned", "dir", dir, "err", err)
		}
	})
}

// cloudMux is the cloud's HTTP side: its API, the bundles (if rel is
// set) and the player page.
func cloudMux(c *cloud.Cloud, rel *cloud.Releases) http.Handler {
	mux := http.NewServeMux()
	if rel != nil {
		mux.Handle("/ota/", rel)
	}
	api := c.Handler()
	mux.Handle("/mqtt", api)
	mux.Handle("/api/", api)
	mux.Handle("/", web.Handler())
	return mux
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func runCloudAddUser(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud adduser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultCloudDir(), "state `directory`")
	role := fs.String("role", "viewer", "device, viewer, or release (may only publish release announcements: p2pcam ota announce)")
	password := fs.String("password", "", "the password (default: a random one, printed)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("want one account name: PRODUCT/DEVICE for a device, a user name for a viewer or release account")
	}
	files := cloudFiles{*dir}
	d, err := files.load()
	if err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		pw = cloud.GeneratePassword()
	}
	if d.Users, err = cloud.AddUser(d.Users, pos[0], cloud.Role(*role), pw); err != nil {
		return err
	}
	if err := files.save(d); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2pcam: added %s (%s) to %s; its password:\n", pos[0], *role, files.users())
	fmt.Fprintln(stdout, pw)
	return nil
}

func runCloudShare(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud share", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam cloud share DEVICE USER [--perm live,voice,command,playback,download] (--perm \"\" unshares)")
		fs.PrintDefaults()
	}
	dir := fs.String("dir", defaultCloudDir(), "state `directory`")
	perm := fs.String("perm", "live", "what USER may do with DEVICE: `list` of live, playback, voice, command, download, update; empty to unshare")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return fmt.Errorf("want DEVICE and USER")
	}
	perms, err := auth.ParsePermissions(*perm)
	if err != nil {
		return fmt.Errorf("--perm: %w", err)
	}
	files := cloudFiles{*dir}
	d, err := files.load()
	if err != nil {
		return err
	}
	if d, err = d.WithShare(pos[0], pos[1], perms); err != nil {
		return err
	}
	if err := files.save(d); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2pcam: saved %s\n", files.users())
	if perms == 0 {
		fmt.Fprintf(stdout, "%s is no longer shared with %s\n", pos[0], pos[1])
	} else {
		fmt.Fprintf(stdout, "%s shared with %s: %s\n", pos[0], pos[1], perms)
	}
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runCloudTURNCreds(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud turn-creds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultCloudDir(), "state `directory`")
	user := fs.String("user", "", "who the credentials are for")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long they are valid")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	secret, err := cloudFiles{*dir}.turnSecret()
	if err != nil {
		return err
	}
	u, p := cloud.TURNCredentials(secret, *user, *ttl, time.Now())
	fmt.Fprintf(stdout, "%s\n%s\n", u, p)
	return nil
}

// runCloudIssuer prints the public key of the cloud's token issuer, made
// on first use: the value of the cameras' auth.trusted_keys.
func runCloudIssuer(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud issuer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultCloudDir(), "state `directory`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	path := cloudFiles{*dir}.issuer()
	key, created, err := auth.LoadOrCreateDeviceKey(path)
	if err != nil {
		return fmt.Errorf("token issuer key: %w", err)
	}
	if created {
		fmt.Fprintf(stderr, "p2pcam: made the cloud's token issuer key, %s; its public key:\n", path)
	}
	fmt.Fprintln(stdout, auth.MarshalPublicKey(key.Public().(ed25519.PublicKey)))
	return nil
}
