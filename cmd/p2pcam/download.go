package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/p2pcam/p2pcam/viewer"
)

func runDownload(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("download", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam download PRODUCT/DEVICE FILE_NAME [-o FILE] [--mp4] [flags]")
		fmt.Fprintln(stderr, "  FILE_NAME is a name from p2pcam records. An existing FILE is resumed from its size.")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 0, "give up after this long (0: never); run again to resume")
	rf.registerChannel(fs)
	out := fs.String("o", "", "output `file` (default: FILE_NAME, with .mp4 for --mp4); an existing one is resumed")
	mp4 := fs.Bool("mp4", false, "download as MP4 (phones play it) instead of the FLV as recorded")
	quiet := fs.Bool("q", false, "no progress bar")
	rest, err := rf.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("want one FILE_NAME (from p2pcam records), got %q", rest)
	}
	name := rest[0]
	if _, err := viewer.RecordFileStart(name); err != nil {
		return fmt.Errorf("%w: p2pcam records lists them", err)
	}
	if *out == "" {
		*out = name
		if *mp4 {
			*out = strings.TrimSuffix(name, ".flv") + ".mp4"
		}
	}
	if *out == "-" {
		return fmt.Errorf("-o -: a download resumes from its file, give -o FILE")
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	offset := fi.Size()
	if rf.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rf.timeout)
		defer cancel()
	}
	r, done, err := rf.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	// The size of the FLV comes from the listing; the MP4's is known only
	// at its end.
	total := int64(-1)
	if !*mp4 {
		f, err := viewer.FindRecordFile(ctx, r, name)
		if err != nil {
			return fmt.Errorf("%w (deleted by retention?)", err)
		}
		total = f.Size
		if offset == total {
			fmt.Fprintf(stderr, "p2pcam: %s is complete (%s)\n", *out, size(total))
			return nil
		}
		if offset > total {
			return fmt.Errorf("%s has %d bytes, more than the recording's %d: not a part of it; remove it or give another -o", *out, offset, total)
		}
	}
	body, err := viewer.Download(ctx, r, name, offset, *mp4)
	if err != nil {
		return err
	}
	defer body.Close()
	stopClose := context.AfterFunc(ctx, func() { body.Close() })
	defer stopClose()

	var w io.Writer = f
	var bar *progressbar.ProgressBar
	if !*quiet {
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
		)
		_ = bar.Set64(offset)
		w = io.MultiWriter(f, bar)
	}
	n, err := io.Copy(w, body)
	if bar != nil {
		if err == nil {
			_ = bar.Finish()
		} else {
			fmt.Fprintln(stderr)
		}
	}
	got := offset + n
	if err == nil && total >= 0 && got < total {
		err = errors.New("the camera ended the download early")
	}
	if err != nil || ctx.Err() != nil {
		if err == nil {
			err = ctx.Err()
		}
		return fmt.Errorf("download stopped at %d bytes of %s: %w; run the same command again to resume", got, *out, err)
	}
	if offset > 0 {
		fmt.Fprintf(stderr, "p2pcam: resumed %s at %d: %s in all\n", *out, offset, size(got))
	} else {
		fmt.Fprintf(stderr, "p2pcam: %s: %s\n", *out, size(got))
	}
	return nil
}
