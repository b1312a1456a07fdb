package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/ota"
)

// otaUsage lists the ota subcommands.
const otaUsage = `usage: p2pcam ota SUBCOMMAND [flags]
  keygen  make a release signing key (separate from the token issuer key)
  pack    make an unsigned update bundle: --version V --min-version V --product P --arch ARCH=FILE ... -o BUNDLE
  sign    sign a bundle in place: --key release.key BUNDLE
  verify  check a bundle as a camera would: --pub KEY --arch ARCH --current V BUNDLE
  announce  publish a signed bundle's release announcement (retained) with a release account: BUNDLE --url URL --broker B --user U
  update  start an update on a camera (its announced release, or --url) and follow it: DEVICE
  status  show a camera's update with a progress bar until it ends: DEVICE [--once]`

// defaultReleaseKey is the release key of ota keygen and ota sign unless
// --out or --key says otherwise.
func defaultReleaseKey() string { return configPath("release.key") }

func runOTA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "keygen":
			return runOTAKeygen(args[1:], stdout, stderr)
		case "pack":
			return runOTAPack(args[1:], stdout, stderr)
		case "sign":
			return runOTASign(args[1:], stdout, stderr)
		case "verify":
			return runOTAVerify(args[1:], stdout, stderr)
		case "announce":
			return runOTAAnnounce(ctx, args[1:], stdout, stderr)
		case "update":
			return runOTAUpdate(ctx, args[1:], stdout, stderr)
		case "status":
			return runOTAStatus(ctx, args[1:], stdout, stderr)
		case "-h", "--help", "help":
			fmt.Fprintln(stderr, otaUsage)
			return nil
		}
	}
	fmt.Fprintln(stderr, otaUsage)
	if len(args) == 0 {
		return errors.New("ota: want a subcommand")
	}
	return fmt.Errorf("ota: unknown subcommand %q", args[0])
}

func runOTAKeygen(args []string, stdout, stderr io.Writer) error {
	return keygen("ota keygen", defaultReleaseKey(), "; keep it off the build machines", "the cameras' trusted release keys", args, stdout, stderr)
}

func runOTAPack(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota pack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "release `version`, MAJOR.MINOR.PATCH")
	minVersion := fs.String("min-version", "", "oldest running `version` that may install it (the anti-rollback floor)")
	product := fs.String("product", "", "`product` the release is for (PRODUCT of PRODUCT/DEVICE)")
	out := fs.String("o", "", "bundle `file` to write")
	var boards, arches, rootfs stringList
	fs.Var(&boards, "board", "a `board` the release is for (repeatable; none: any board)")
	fs.Var(&arches, "arch", "`ARCH=FILE`: the p2pcamd binary for ARCH (repeatable)")
	fs.Var(&rootfs, "rootfs", "`ARCH=FILE`: a rootfs image for ARCH (repeatable, optional)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *version == "" || *minVersion == "" || *product == "":
		return errors.New("ota pack: --version, --min-version and --product are required")
	case *out == "":
		return errors.New("ota pack: -o BUNDLE is required")
	case len(arches) == 0:
		return errors.New("ota pack: want at least one --arch ARCH=FILE")
	case fs.NArg() > 0:
		return fmt.Errorf("ota pack: unexpected argument %q", fs.Arg(0))
	}
	rel := ota.Release{Product: *product, Boards: boards, Version: *version, MinVersion: *minVersion}
	for _, l := range []struct {
		name string
		list stringList
	}{{ota.PartAgent, arches}, {ota.PartRootfs, rootfs}} {
		for _, s := range l.list {
			arch, path, ok := strings.Cut(s, "=")
			if !ok || arch == "" || path == "" {
				return fmt.Errorf("ota pack: %q: want ARCH=FILE, e.g. armv7=dist/p2pcamd-armv7", s)
			}
			rel.Parts = append(rel.Parts, ota.PartFile{Name: l.name, Arch: arch, Path: path})
		}
	}
	err := writeAtomic(*out, func(w io.Writer) error { return ota.Pack(w, rel) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2pcam: wrote %s (unsigned; p2pcam ota sign next)\n", *out)
	return nil
}

func runOTASign(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keyPath := fs.String("key", defaultReleaseKey(), "release private key `file` (p2pcam ota keygen)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("ota sign: want one BUNDLE")
	}
	key, err := auth.LoadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	in, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer in.Close()
	var m *ota.Manifest
	err = writeAtomic(pos[0], func(w io.Writer) error {
		m, err = ota.Sign(w, in, key)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "p2pcam: signed %s (%s %s) with %s\n", pos[0], m.Product, m.Version, auth.MarshalPublicKey(key.Public().(ed25519.PublicKey)))
	return nil
}

func runOTAVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ota verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pubs stringList
	fs.Var(&pubs, "pub", "a trusted release public `key` (base64 or PEM, or a file holding one; repeatable)")
	arch := fs.String("arch", "", "the camera's `architecture` (armv7, arm64, ...)")
	current := fs.String("current", "", "the camera's running `version`")
	product := fs.String("product", "", "the camera's `product` (empty: not checked)")
	board := fs.String("board", "", "the camera's `board` (empty: not checked)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("ota verify: want one BUNDLE")
	}
	if len(pubs) == 0 || *arch == "" || *current == "" {
		return errors.New("ota verify: --pub, --arch and --current are required")
	}
	cfg := ota.Config{Arch: *arch, Current: *current, Product: *product, Board: *board}
	for _, p := range pubs {
		k, err := auth.PublicKeyArg(p)
		if err != nil {
			return fmt.Errorf("--pub: %w", err)
		}
		cfg.Trusted = append(cfg.Trusted, k)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := ota.Verify(f, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	fmt.Fprintf(stdout, "ok: %s %s (from %s up) for %s, %d parts\n", m.Product, m.Version, m.MinVersion, *arch, len(m.Parts))
	return nil
}

// writeAtomic writes path through write into a temporary file beside it
// and renames it into place only when write succeeds, so a failure leaves
// the old file (or none) and never half a bundle.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
