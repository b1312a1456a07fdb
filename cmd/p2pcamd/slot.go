package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"syscall"

	"github.com/p2pcam/p2pcam/ota/slot"
)

// The launcher tells the daemon which slot it started, and where the
// slots are, in these environment variables.
const (
	envSlot    = "P2PCAM_SLOT"     // a, b, or empty for the factory binary
	envSlotDir = "P2PCAM_SLOT_DIR" // the slots' directory
)

const slotUsage = `usage: p2pcamd slot exec|status [flags]

  exec [--dir DIR] [--max-boots N] [--] ARGS...
         the launcher: count a start of an update on trial (or roll it back
         after N unconfirmed starts), then exec the current slot's p2pcamd,
         or this binary when no slot is current, with ARGS
  status [--dir DIR] [--json]
         which slot runs, the trial, the floor and how the last update went`

// runSlot runs "p2pcamd slot ...".
func runSlot(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(slotUsage)
	}
	fs := flag.NewFlagSet("slot "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", slot.DefaultDir, "the slots' `directory`")
	switch args[0] {
	case "exec":
		maxBoots := fs.Int("max-boots", slot.DefaultMaxBoots, "starts an update on trial gets before it is rolled back")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return slotExec(*dir, *maxBoots, fs.Args(), stderr)
	case "status":
		asJSON := fs.Bool("json", false, "print state.json as it is")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		st, err := slot.New(slot.Config{Dir: *dir}).State()
		if err != nil {
			return err
		}
		if *asJSON {
			b, _ := json.MarshalIndent(st, "", "  ")
			_, err := fmt.Fprintf(stdout, "%s\n", b)
			return err
		}
		printSlotStatus(stdout, st, *dir)
		return nil
	}
	return errors.New(slotUsage)
}

// slotExec is the launcher: Boot, then exec what it chose.
func slotExec(dir string, maxBoots int, args []string, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil)).With("launcher", "p2pcamd slot exec")
	s := slot.New(slot.Config{Dir: dir, MaxBoots: maxBoots, Logger: log})
	name, bin := s.Boot()
	if bin == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("slot exec: finding this binary: %w", err)
		}
		bin = self
	}
	env := append(os.Environ(), envSlot+"="+name, envSlotDir+"="+dir)
	return syscall.Exec(bin, append([]string{bin}, args...), env)
}

func printSlotStatus(w io.Writer, st *slot.State, dir string) {
	version := func(name string) string {
		if name == "" {
			return "the factory binary"
		}
		return fmt.Sprintf("slot %s (%s)", name, st.Slots[name].Version)
	}
	fmt.Fprintf(w, "slots:   %s\n", dir)
	fmt.Fprintf(w, "current: %s\n", version(st.Current))
	if t := st.Trial; t != nil {
		fmt.Fprintf(w, "trial:   %s, started %d time(s); rolls back to %s\n", t.Version, t.Boots, version(t.Previous))
	}
	for _, name := range []string{slot.A, slot.B} {
		if info, ok := st.Slots[name]; ok {
			fmt.Fprintf(w, "slot %s:  %s sha256 %s\n", name, info.Version, info.SHA256)
		}
	}
	if st.Floor != "" {
		fmt.Fprintf(w, "floor:   %s (no older release installs)\n", st.Floor)
	}
	if l := st.Last; l != nil {
		line := l.Version + " " + l.Outcome
		if l.Reason != "" {
			line += ": " + l.Reason
		}
		fmt.Fprintf(w, "last:    %s\n", line)
	}
	if len(st.Failed) > 0 {
		fmt.Fprintf(w, "failed:  %s (not installed again)\n", strings.Join(st.Failed, ", "))
	}
}
