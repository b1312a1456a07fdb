package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
)

// killRuns is how many times TestRecordKill9 kills p2pcamd; killLatest
// bounds how long after it starts recording each kill comes. With 3 s
// segments a run spans up to three of them; the whole test stays under
// about a minute.
const (
	killRuns   = 4
	killLatest = 6500 * time.Millisecond
	// killLoss bounds what a kill may lose at the end of a run: the
	// write buffer (flushed when frames have waited 1 s) and a frame or
	// two of latency, with room for a loaded machine.
	killLoss = 2 * time.Second
)

// testSeed returns the seed of a randomized test: $P2PCAM_SEED when set
// (to replay a failure), else the time; it is logged either way.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("P2PCAM_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("P2PCAM_SEED=%q: want an unsigned integer", s)
		}
		seed = v
	}
	t.Logf("seed %d (replay with P2PCAM_SEED=%d)", seed, seed)
	return seed
}

// killRun is one run of p2pcamd, from its start to its SIGKILL.
type killRun struct {
	start, recording, kill time.Time
}

// TestRecordKill9 kills a recording p2pcamd with SIGKILL at random
// moments (seeded: P2PCAM_SEED replays a run), killRuns times,
// restarting it on the same directory each time. After each restart the
// index is rebuilt and get_file_list and get_record_index match the
// files; at the end every segment of a killed run is finished, decodes
// with ffmpeg -xerror and holds exactly the time its name claims, no
// two overlap, and each run lost at most its last second or so.
func TestRecordKill9(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 0))
	dir := filepath.Join(t.TempDir(), "sd")
	cfg := recordConfig(dir)
	var runs []killRun
	torn := 0 // restarts that cut a torn tail
	for i := range killRuns {
		run := killRun{start: time.Now()}
		d := startDaemon(t, cfg)
		checkRecordIndex(t, d, dir, run.start)
		if _, ok := d.waitLog(0, "cut the damaged tail"); ok {
			torn++
		}
		if _, ok := d.waitLog(20*time.Second, "msg=recording"); !ok {
			t.Fatal("not recording")
		}
		run.recording = time.Now()
		after := time.Duration(rng.Int64N(int64(killLatest)))
		d.waitLog(after, "no line matches this") // record for a while
		run.kill = time.Now()
		if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-d.done
		d.done <- nil // for the cleanup
		t.Logf("run %d: killed %v after it started recording", i, run.kill.Sub(run.recording).Round(time.Millisecond))
		runs = append(runs, run)
	}
	last := time.Now()
	d := startDaemon(t, cfg)
	files := checkRecordIndex(t, d, dir, last)

	var prev record.Name
	for _, n := range files {
		if !n.Start.Before(last) {
			continue // the last run's own
		}
		if !n.Finished() {
			t.Errorf("%s: a killed run's segment is still unfinished after the restart", n)
			continue
		}
		if prev.Finished() && n.Start.Before(prev.End()) {
			t.Errorf("%s starts before %s ends: they claim the same time", n, prev)
		}
		prev = n
		path := filepath.Join(dir, n.String())
		mediatest.CheckDecodes(t, path)
		p := mediatest.FFprobe(t, path)
		if len(p.VideoPackets()) == 0 || !p.VideoPackets()[0].Keyframe() || p.VideoPackets()[0].PTS != 0 {
			t.Errorf("%s: does not start with a keyframe at 0", n)
		}
		var end int64
		for _, pk := range p.Packets {
			end = max(end, pk.PTS)
		}
		if end != n.Duration.Milliseconds() {
			t.Errorf("%s claims %v; its last frame is at %d ms", n, n.Duration, end)
		}
	}
	for i, run := range runs {
		var recorded []record.Name
		for _, n := range files {
			if !n.Start.Before(run.start) && n.Start.Before(run.kill) {
				recorded = append(recorded, n)
			}
		}
		if len(recorded) == 0 {
			// A kill before the first flush leaves nothing to play.
			if run.kill.Sub(run.recording) > killLoss+time.Second {
				t.Errorf("run %d: recorded for %v, nothing kept", i, run.kill.Sub(run.recording))
			}
			continue
		}
		end := recorded[len(recorded)-1].End()
		t.Logf("run %d: %d segment(s), lost the last %v", i, len(recorded), run.kill.Sub(end).Round(time.Millisecond))
		if lost := run.kill.Sub(end); lost > killLoss {
			t.Errorf("run %d: the last segment ends %v before the kill: more than the last second lost", i, lost)
		}
	}
	if _, ok := d.waitLog(0, "cut the damaged tail"); ok {
		torn++
	}
	t.Logf("%d of %d restarts cut a torn tail (the others' kills came between flushes)", torn, killRuns)
}

// checkRecordIndex checks a freshly started camera's index against the
// files in dir: get_file_list names every segment file with its size
// (whole, for a finished one), nothing else, no segment from before
// since is unfinished, and get_record_index's spans are the files'
// times joined where less than a second apart. It returns the segments'
// names, oldest first.
func checkRecordIndex(t *testing.T, d *daemon, dir string, since time.Time) []record.Name {
	t.Helper()
	for try := 0; ; try++ {
		before := segmentFiles(t, dir)
		fl := d.files(t)
		spans := d.spans(t)
		after := segmentFiles(t, dir)
		if !slices.Equal(names(before), names(after)) {
			if try == 10 {
				t.Fatalf("the directory keeps changing: %v, then %v", before, after)
			}
			continue // a segment began or was finished meanwhile
		}
		var listed []string
		for _, f := range fl.FileList {
			listed = append(listed, f.FileName)
			n, err := record.ParseName(f.FileName)
			if err != nil {
				t.Errorf("listed %q: %v", f.FileName, err)
				continue
			}
			start, _ := strconv.ParseInt(f.StartTime, 10, 64)
			end, _ := strconv.ParseInt(f.EndTime, 10, 64)
			if start != n.Start.Unix() || n.Finished() && end != n.End().Unix() {
				t.Errorf("%s listed from %d to %d", n, start, end)
			}
			if !n.Finished() {
				if n.Start.Before(since) {
					t.Errorf("%s: unfinished after the restart", n)
				}
				continue
			}
			size, _ := strconv.ParseInt(f.FileSize, 10, 64)
			if fi, err := os.Stat(filepath.Join(dir, f.FileName)); err != nil || fi.Size() != size {
				t.Errorf("%s: listed %d bytes, stat %v %v", f.FileName, size, fi.Size(), err)
			}
		}
		if !slices.Equal(listed, names(before)) {
			t.Errorf("get_file_list names %v; the directory holds %v", listed, names(before))
		}
		checkSpans(t, spans, before)
		return before
	}
}

// checkSpans checks get_record_index's spans against the segments: each
// span starts at its first segment's start and ends at its last's end
// (in unix seconds), its segments are less than a second apart, and
// every segment is in a span. The open segment's end is not known from
// its name: it may end a span anywhere after its start.
func checkSpans(t *testing.T, spans []viewer.RecordSpan, segs []record.Name) {
	t.Helper()
	i := 0
	for _, sp := range spans {
		if i == len(segs) {
			t.Errorf("span %v: no segment left for it (segments %v)", sp, segs)
			return
		}
		if segs[i].Start.Unix() != sp.Start.Unix() {
			t.Errorf("span %v starts at %d: its first segment %s", sp, segs[i].Start.Unix(), segs[i])
		}
		end := segs[i].End()
		for i++; i < len(segs) && segs[i].Start.Sub(end) <= time.Second; i++ {
			end = segs[i].End()
		}
		if open := !segs[i-1].Finished(); open && sp.End.Unix() < segs[i-1].Start.Unix() || !open && end.Unix() != sp.End.Unix() {
			t.Errorf("span %v ends at %d: its last segment %s", sp, sp.End.Unix(), segs[i-1])
		}
	}
	if i != len(segs) {
		t.Errorf("segments %v are in no span of %v", segs[i:], spans)
	}
}

// segmentFiles lists the segments in dir, oldest first.
func segmentFiles(t *testing.T, dir string) []record.Name {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []record.Name
	for _, e := range es {
		n, err := record.ParseName(e.Name())
		if err != nil {
			t.Errorf("%q in the recording directory: %v", e.Name(), err)
			continue
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b record.Name) int { return a.Start.Compare(b.Start) })
	return out
}

func names(ns []record.Name) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.String()
	}
	return out
}

// spans asks the camera for get_record_index in the hour around now.
func (d *daemon) spans(t *testing.T) []viewer.RecordSpan {
	t.Helper()
	now := time.Now().Unix()
	st, body := d.get(t, fmt.Sprintf("command?action=inner_define&channel=0&cmd=get_record_index&start_time=%d&end_time=%d", now-3600, now+3600))
	spans, err := viewer.ParseRecordIndex([]byte(body))
	if st != 200 || err != nil {
		t.Fatalf("get_record_index: %d %s %v", st, body, err)
	}
	return spans
}
