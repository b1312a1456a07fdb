package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/eclipse/paho.golang/paho"

	"github.com/p2pcam/p2pcam/ota"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// runOTAAnnounce publishes a signed bundle's announcement, retained, on
// its product's release topic: what p2pcam cloud --ota-dir does on its
// own broker, for a release pipeline publishing to mosquitto with a
// release account.
func runOTAAnnounce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota announce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam ota announce BUNDLE --url URL --broker mqtt://HOST:PORT --user RELEASE-ACCOUNT --password PW")
		fs.PrintDefaults()
	}
	bundleURL := fs.String("url", "", "where cameras fetch the bundle (`URL`, http:// or https://)")
	broker := fs.String("broker", envOr("P2PCAM_BROKER", ""), "MQTT broker `URL` ($P2PCAM_BROKER)")
	user := fs.String("user", envOr("P2PCAM_USER", ""), "a release account (role release) ($P2PCAM_USER)")
	password := fs.String("password", "", "its password ($P2PCAM_PASSWORD)")
	timeout := fs.Duration("timeout", 20*time.Second, "give up after this long")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *bundleURL == "" || *broker == "" || *user == "" {
		fs.Usage()
		return errors.New("ota announce: want one BUNDLE, --url, --broker and --user")
	}
	if *password == "" {
		*password = envOr("P2PCAM_PASSWORD", "")
	}
	a, err := ota.AnnounceFile(pos[0], *bundleURL)
	if err != nil {
		return err
	}
	payload, err := a.Marshal()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := mqttclient.Connect(ctx, mqttclient.Config{URL: *broker, ClientID: signal.ViewerClientID(*user, "announce"),
		Username: *user, Password: *password, FailFast: true, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	defer c.Close()
	topic := signal.ReleaseTopic(a.Product)
	if err := c.Publish(ctx, &paho.Publish{Topic: topic, Payload: payload, Retain: true}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "announced %s %s on %s: %s (%d bytes, sha256 %s)\n", a.Product, a.Version, topic, a.URL, a.Size, a.SHA256)
	return nil
}
