package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"unicode"

	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
)

func init() {
	commands = append(commands, command{"events", "print a camera's events as they come: doorbell, motion, storage, streams, PTZ (over P2P, --lan URL, or --mqtt)", runEvents})
}

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("events", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam events [flags] PRODUCT/DEVICE          (over P2P, flags as for p2pcam cmd)")
		fmt.Fprintln(stderr, "       p2pcam events --mqtt [flags] PRODUCT/DEVICE   (from the broker's events topic, no P2P session)")
		fmt.Fprintln(stderr, "       p2pcam events --lan http://HOST:8080 [--token T]")
		fs.PrintDefaults()
	}
	var cf connFlags
	cf.register(fs)
	lan := fs.String("lan", "", "listen to a camera in LAN mode at this `URL` (http://HOST:PORT) instead of over P2P")
	mqtt := fs.Bool("mqtt", false, "read the camera's events topic on the broker (--user, --password) instead of connecting to it")
	asJSON := fs.Bool("json", false, "print each event as the camera's JSON line")
	count := fs.Int("count", 0, "exit after this many events (0: run until interrupted)")
	timeout := fs.Duration("timeout", 0, "exit after this long (0: run until interrupted)")
	if err := parseCameraArgs(fs, args, &cf); err != nil {
		return err
	}
	if *count < 0 || *timeout < 0 {
		return usageError{errors.New("--count and --timeout must not be negative")}
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	s, closeConn, err := openEvents(ctx, &cf, *lan, *mqtt)
	if err != nil {
		return err
	}
	defer closeConn()
	defer s.Close()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return nil // --timeout or an interrupt: a normal end
		case e, ok := <-s.C:
			if !ok {
				if err := s.Err(); err != nil && !errors.Is(err, io.EOF) {
					return fmt.Errorf("the event stream ended: %w", err)
				}
				return errors.New("the camera ended the event stream")
			}
			if err := printEvent(stdout, e, *asJSON); err != nil {
				return err
			}
			if n++; *count > 0 && n >= *count {
				return nil
			}
		}
	}
}

// openEvents opens the event stream the flags ask for, and returns it
// with what closes its connection.
func openEvents(ctx context.Context, cf *connFlags, lan string, mqtt bool) (*viewer.EventStream, func(), error) {
	switch {
	case lan != "" && mqtt:
		return nil, nil, usageError{errors.New("--lan and --mqtt exclude each other")}
	case lan != "":
		cf.secretsFromEnv()
		s, err := viewer.Events(ctx, &viewer.LAN{Base: lan, Token: cf.token})
		return s, func() {}, err
	case mqtt:
		cf.secretsFromEnv()
		id, err := signal.ParseDeviceID(cf.device)
		if err != nil {
			return nil, nil, fmt.Errorf("which camera? %w", err)
		}
		if cf.user == "" {
			return nil, nil, errors.New("--mqtt needs --user and --password (or $P2PCAM_USER, $P2PCAM_PASSWORD)")
		}
		s, err := viewer.SubscribeEvents(ctx, viewer.MQTTConfig{Broker: cf.broker, Username: cf.user, Password: cf.password}, id)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (is %s shared with %s?)", err, id, cf.user)
		}
		return s, func() {}, nil
	}
	if cf.device == "" {
		return nil, nil, errors.New("which camera? p2pcam events PRODUCT/DEVICE (or --device, $P2PCAM_DEVICE) over P2P, or p2pcam events --lan http://HOST:PORT")
	}
	conn, err := cf.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	s, err := conn.Events(ctx)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return s, conn.Close, nil
}

// printEvent prints one event on a line: its JSON, or
//
//	2026-12-06T10:00:00.123Z input ch0 active=true name=doorbell
func printEvent(w io.Writer, e event.Event, asJSON bool) error {
	if asJSON {
		b, err := e.Marshal()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var line bytes.Buffer
	fmt.Fprintf(&line, "%s %s ch%d", e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), e.Type, e.Channel)
	var data map[string]json.RawMessage
	if json.Unmarshal(e.Data, &data) == nil {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := string(data[k])
			var s string
			if json.Unmarshal(data[k], &s) == nil && plainWord(s) {
				v = s // needs no quotes; anything else stays JSON, escapes and all
			}
			fmt.Fprintf(&line, " %s=%s", k, v)
		}
	}
	line.WriteByte('\n')
	_, err := w.Write(line.Bytes())
	return err
}

// plainWord reports whether s prints as itself in a key=value line: not
// empty, printable, without spaces, quotes or '='.
func plainWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || r == '"' || r == '=' || r == '\\' {
			return false
		}
	}
	return true
}
