package main

import (
	"context"
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/signal"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyPath := fs.String("key", defaultIssuerKey(), "issuer private key `file` (p2pcam keygen)")
	device := fs.String("device", "", "camera the token is for, `PRODUCT/DEVICE`")
	perms := fs.String("perm", "live,command", "permissions: live, playback, voice, command, download, update")
	subject := fs.String("subject", "viewer", "who the token is for: the viewer's broker user name (the camera answers only that user's inbox)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *device == "" {
		return fmt.Errorf("--device is required: the camera the token is for, PRODUCT/DEVICE")
	}
	if _, err := signal.ParseDeviceID(*device); err != nil {
		return fmt.Errorf("--device: %w", err)
	}
	if *ttl <= 0 {
		return fmt.Errorf("--ttl %v: want a positive duration such as 1h or 30m", *ttl)
	}
	p, err := auth.ParsePermissions(*perms)
	if err != nil {
		return err
	}
	key, err := auth.LoadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	now := time.Now()
	tok, err := auth.Sign(key, auth.Claims{Issuer: "p2pcam", Device: *device, Subject: *subject, Perms: p, IssuedAt: now, Expiry: now.Add(*ttl)})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func runKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return keygen("keygen", defaultIssuerKey(), "", "the cameras' auth.trusted_keys", args, stdout, stderr)
}

// keygen is a key-making command: it creates the Ed25519 key file named by
// --out (default def) unless it exists, and prints its public half, which
// goes to where says.
func keygen(name, def, hint, where string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", def, "private key `file` to create (mode 0600)"+hint)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	key, created, err := auth.LoadOrCreateDeviceKey(*out)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stderr, "p2pcam: made %s (keep it secret; --out for elsewhere); its public key, for %s:\n", *out, where)
	} else {
		fmt.Fprintf(stderr, "p2pcam: %s exists; its public key:\n", *out)
	}
	fmt.Fprintln(stdout, auth.MarshalPublicKey(key.Public().(ed25519.PublicKey)))
	return nil
}
