package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os/signal"
	"syscall"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota/slot"
)

// runOTAInstall runs "p2pcamd ota-install BUNDLE": install an update
// from a local file into the inactive slot, on trial from the next start.
func runOTAInstall(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota-install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcamd ota-install --pub KEY [flags] BUNDLE\n\n"+
			"Checks BUNDLE in full, writes its p2pcamd into the inactive slot and makes it\n"+
			"current on trial; restart p2pcamd to run it (S60p2pcamd install BUNDLE does both).")
		fs.PrintDefaults()
	}
	dir := fs.String("dir", slot.DefaultDir, "the slots' `directory`")
	var pubs []string
	fs.Func("pub", "a trusted release public `key` (base64 or PEM, or a file holding one; repeatable)", func(s string) error {
		pubs = append(pubs, s)
		return nil
	})
	product := fs.String("product", "", "this camera's `product`, which the bundle must name (empty: not checked)")
	board := fs.String("board", "", "this camera's `board`, which the bundle must list when it lists boards (empty: not checked)")
	arch := fs.String("arch", slot.HostArch(), "this camera's `architecture` as bundles name it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("ota-install: want one BUNDLE; see p2pcamd ota-install --help")
	}
	var trusted []ed25519.PublicKey
	for _, p := range pubs {
		k, err := auth.PublicKeyArg(p)
		if err != nil {
			return fmt.Errorf("ota-install: --pub: %w", err)
		}
		trusted = append(trusted, k)
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	in, err := slot.NewInstaller(slot.InstallerConfig{
		Store:   slot.New(slot.Config{Dir: *dir, Logger: log}),
		Trusted: trusted, Version: version, Arch: *arch, Product: *product, Board: *board,
	})
	if err != nil {
		return fmt.Errorf("ota-install: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := in.Install(ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("ota-install: %s: %w", fs.Arg(0), err)
	}
	st, err := slot.New(slot.Config{Dir: *dir}).State()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed %s into slot %s, on trial: restart p2pcamd to run it\n", st.Running(), st.Current)
	return nil
}
