package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/viewer"
)

func init() {
	commands = append(commands, command{"talk", "speak through a camera's speaker: send a WAV file (or - for stdin)", runTalk})
}

func runTalk(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("talk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	input := fs.String("input", "-", "16-bit PCM WAV `file`; - reads stdin (e.g. from arecord -f S16_LE -t wav)")
	codec := fs.String("codec", "aac", "aac (16 kHz mono, 32 kbps), g711a or g711u")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	in := io.Reader(os.Stdin)
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	wav, err := pcm.NewWAVReader(in)
	if err != nil {
		return err
	}
	conn, err := cf.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(stderr, "p2pcam: talking to %s (%d Hz, %d channels in, %s on the wire)\n", cf.device, wav.Rate, wav.Channels, *codec)
	return conn.Talk(ctx, wav, wav.Format, viewer.TalkCodec(*codec))
}
