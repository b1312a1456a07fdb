package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/p2pcam/p2pcam/viewer"
)

// recordFlags are the flags of records, playback and download: how to
// reach the camera (P2P, or --lan URL) and how long to try.
type recordFlags struct {
	cf      connFlags
	lan     string
	timeout time.Duration
	channel int // an NVR channel's recordings (registerChannel)
}

func (rf *recordFlags) register(fs *flag.FlagSet, timeout time.Duration, timeoutUse string) {
	rf.cf.register(fs)
	fs.StringVar(&rf.lan, "lan", "", "ask a camera in LAN mode at this `URL` (http://HOST:PORT) instead of over P2P")
	fs.DurationVar(&rf.timeout, "timeout", timeout, timeoutUse)
}

// registerChannel adds --channel, for the commands on recordings.
func (rf *recordFlags) registerChannel(fs *flag.FlagSet) {
	fs.IntVar(&rf.channel, "channel", 0, "the `channel` whose recordings: 0, or an NVR's camera (p2pcam cmd ... 'cmd=get_nvr_list' lists them)")
}

// parse parses args, where the arguments may come before, between and
// after the flags, taking the first as PRODUCT/DEVICE when it is one,
// and returns the others.
func (rf *recordFlags) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	// A device has a slash, a recording's name never.
	if len(pos) > 0 && (strings.Contains(pos[0], "/") || rf.lan == "" && rf.cf.device == "") {
		rf.cf.device, pos = pos[0], pos[1:]
	}
	if rf.lan == "" && rf.cf.device == "" && envOr("P2PCAM_DEVICE", "") == "" {
		return nil, fmt.Errorf("which camera? p2pcam %s PRODUCT/DEVICE (or --device, $P2PCAM_DEVICE) over P2P, or --lan http://HOST:PORT", fs.Name())
	}
	return pos, nil
}

// connect returns what makes requests on the camera, and what ends it.
func (rf *recordFlags) connect(ctx context.Context) (viewer.Requester, func(), error) {
	if rf.lan != "" {
		rf.cf.secretsFromEnv()
		return rf.onChannel(&viewer.LAN{Base: rf.lan, Token: rf.cf.token}), func() {}, nil
	}
	conn, err := rf.cf.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	return rf.onChannel(conn), conn.Close, nil
}

// onChannel is r asking for --channel's recordings.
func (rf *recordFlags) onChannel(r viewer.Requester) viewer.Requester {
	if rf.channel == 0 {
		return r
	}
	return viewer.OnChannel(r, rf.channel)
}

func runRecords(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("records", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: p2pcam records PRODUCT/DEVICE [--month yyyymm | --from T --to T] [flags]")
		fmt.Fprintln(stderr, "  T is unix seconds, 2026-12-06T09:30:00 (local), an RFC 3339 time, or -DURATION (before now, e.g. -2h)")
		fs.PrintDefaults()
	}
	var rf recordFlags
	rf.register(fs, 20*time.Second, "give up after this long")
	rf.registerChannel(fs)
	month := fs.String("month", "", "show a calendar of the days of this month (`yyyymm`) with recordings")
	fromS := fs.String("from", "", "list recordings from this `time` (default: today's midnight)")
	toS := fs.String("to", "", "list recordings up to this `time` (default: now)")
	typeS := fs.String("type", "0", "list recordings of this `type`: 0 continuous, 1 motion clips, 2 input clips, 3 other event clips, or all")
	if _, err := rf.parse(fs, args); err != nil {
		return err
	}
	typ, err := parseRecordType(*typeS)
	if err != nil {
		return err
	}
	if *month != "" && (*fromS != "" || *toS != "") {
		return fmt.Errorf("give --month or --from/--to, not both")
	}
	now := time.Now()
	ctx, cancel := context.WithTimeout(ctx, rf.timeout)
	defer cancel()
	if *month != "" {
		y, m, err := parseMonth(*month)
		if err != nil {
			return err
		}
		r, done, err := rf.connect(ctx)
		if err != nil {
			return err
		}
		defer done()
		mask, err := viewer.MonthRecord(ctx, r, y, m)
		if err != nil {
			return err
		}
		printCalendar(stdout, y, m, mask, now)
		return nil
	}
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.Local)
	to := now
	if *fromS != "" {
		if from, err = parseTime(*fromS, now); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}
	if *toS != "" {
		if to, err = parseTime(*toS, now); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	if to.Before(from) {
		return fmt.Errorf("--to %v is before --from %v", to, from)
	}
	r, done, err := rf.connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	files, err := viewer.RecordFilesOfType(ctx, r, from, to, typ)
	if err != nil {
		return err
	}
	printFiles(stdout, files)
	return nil
}

// parseRecordType parses --type: a record type 0 to 255, or "all"
// (viewer.AllTypes).
func parseRecordType(s string) (int, error) {
	if s == "all" {
		return viewer.AllTypes, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("--type %q: want 0 (continuous), 1 (motion), 2 (input), 3 (other events), up to 255, or all", s)
	}
	return n, nil
}

// printFiles prints a table of recorded files and a total line.
func printFiles(w io.Writer, files []viewer.RecordFile) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSTART\tEND\tLENGTH\tSIZE")
	var total int64
	var length time.Duration
	for _, f := range files {
		d := f.End.Sub(f.Start)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", f.Name, f.Start.Format("2006-01-02 15:04:05"), f.End.Format("15:04:05"), d, size(f.Size))
		total += f.Size
		length += d
	}
	tw.Flush()
	fmt.Fprintf(w, "%d files, %v, %s\n", len(files), length, size(total))
}

// printCalendar prints month as a calendar, weeks from Monday, with a *
// after each day that has recordings and today in brackets.
func printCalendar(w io.Writer, y int, m time.Month, mask uint32, now time.Time) {
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.Local)
	days := first.AddDate(0, 1, -1).Day()
	title := fmt.Sprintf("%s %d", m, y)
	fmt.Fprintf(w, "%*s\n", (28+len(title))/2, title)
	fmt.Fprintln(w, " Mo  Tu  We  Th  Fr  Sa  Su")
	col := (int(first.Weekday()) + 6) % 7 // Monday is column 0
	fmt.Fprint(w, strings.Repeat("    ", col))
	for d := 1; d <= days; d++ {
		mark := " "
		if mask&(1<<(d-1)) != 0 {
			mark = "*"
		}
		cell := fmt.Sprintf(" %2d%s", d, mark)
		if y == now.Year() && m == now.Month() && d == now.Day() {
			cell = fmt.Sprintf("[%2d%s", d, mark)
			if mark == " " {
				cell = fmt.Sprintf("[%2d]", d)
			}
		}
		fmt.Fprint(w, cell)
		if col++; col == 7 {
			fmt.Fprintln(w)
			col = 0
		}
	}
	if col != 0 {
		fmt.Fprintln(w)
	}
	n := 0
	for d := 0; d < days; d++ {
		n += int(mask >> d & 1)
	}
	fmt.Fprintf(w, "* recordings (%d days)   [ today\n", n)
}

// parseMonth parses yyyymm.
func parseMonth(s string) (int, time.Month, error) {
	t, err := time.Parse("200601", s)
	if err != nil || len(s) != 6 {
		return 0, 0, fmt.Errorf("--month %q: want yyyymm, e.g. 202612", s)
	}
	return t.Year(), t.Month(), nil
}

// timeLayouts are the local-time spellings parseTime takes.
var timeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// parseTime parses unix seconds, an RFC 3339 time, a local time in one
// of timeLayouts, or -DURATION before now.
func parseTime(s string, now time.Time) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0), nil
	}
	if strings.HasPrefix(s, "-") {
		if d, err := time.ParseDuration(s[1:]); err == nil {
			return now.Add(-d), nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q: want unix seconds, 2026-12-06T09:30:00 (local), RFC 3339 or -DURATION such as -2h", s)
}
