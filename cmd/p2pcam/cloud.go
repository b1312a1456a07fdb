package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/p2pcam/p2pcam/cloud"
)

func init() {
	commands = append(commands, command{"cloud", "run the dev cloud (MQTT broker, STUN/TURN); cloud adduser|turn-creds manage it", runCloud})
}

// cloudFiles are the dev cloud's state in its directory.
type cloudFiles struct{ dir string }

func (c cloudFiles) users() string  { return filepath.Join(c.dir, "users.toml") }
func (c cloudFiles) secret() string { return filepath.Join(c.dir, "turn.secret") }

func (c cloudFiles) loadUsers() ([]cloud.User, error) {
	users, err := cloud.LoadUsers(c.users())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return users, err
}

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
		}
	}
	fs := flag.NewFlagSet("cloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "p2pcam-cloud", "state `directory`: users.toml, turn.secret")
	mqttAddr := fs.String("mqtt", "127.0.0.1:1883", "MQTT listen `address`")
	turnAddr := fs.String("turn", "127.0.0.1:3478", "STUN/TURN UDP listen `address` (an IP, not a name)")
	relayIP := fs.String("relay-ip", "", "TURN relay `IP` given to clients (default: the listen IP)")
	public := fs.String("public-host", "", "host to print in the endpoint URLs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	files := cloudFiles{*dir}
	users, err := files.loadUsers()
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintf(stderr, "p2pcam: no accounts in %s yet: add them with p2pcam cloud adduser\n", files.users())
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
	c, err := cloud.Start(cloud.Config{
		MQTT:       cloud.BrokerConfig{Listen: *mqttAddr, Users: users},
		TURN:       tc,
		PublicHost: *public,
		Logger:     slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return err
	}
	defer c.Close()
	ep := c.Endpoints()
	fmt.Fprintf(stdout, "mqtt %s\nstun %s\nturn %s\n", ep.MQTT, ep.STUN, ep.TURN)
	<-ctx.Done()
	return nil
}

func runCloudAddUser(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud adduser", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "p2pcam-cloud", "state `directory`")
	role := fs.String("role", "viewer", "device or viewer")
	password := fs.String("password", "", "the password (default: a random one, printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one account name: PRODUCT/DEVICE for a device, a user name for a viewer")
	}
	files := cloudFiles{*dir}
	users, err := files.loadUsers()
	if err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		pw = cloud.GeneratePassword()
	}
	if users, err = cloud.AddUser(users, fs.Arg(0), cloud.Role(*role), pw); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	if err := cloud.SaveUsers(files.users(), users); err != nil {
		return err
	}
	fmt.Fprintln(stdout, pw)
	return nil
}

func runCloudTURNCreds(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cloud turn-creds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "p2pcam-cloud", "state `directory`")
	user := fs.String("user", "", "who the credentials are for")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long they are valid")
	if err := fs.Parse(args); err != nil {
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
