package viewer_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/event"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/record"
	"github.com/p2pcam/p2pcam/viewer"
)

// Clip timing of the clip tests.
const (
	testPreRoll  = 2 * time.Second
	testPostRoll = time.Second
	// frameSlack is how much later than its capture a frame reaches
	// the recorder on a loaded machine.
	frameSlack = 100 * time.Millisecond
	// lagSlack is how much short of the post-roll a clip's end may read.
	// The end is its name's start (when the first frame arrived) plus
	// the frames' time span, and the sim source stamps frames with its
	// schedule: when a loaded machine makes it fall further behind
	// during the clip (up to a second, capture.File), the span is that
	// much shorter than the wall-clock time the clip was recorded for
	// (0.2 s seen with the race detector and two packages' tests
	// thrice over).
	lagSlack = 300 * time.Millisecond
)

// clipCamera starts a sim camera recording event clips only (motion,
// input, trigger), with a doorbell on a fake GPIO line and the motion
// detector on or off, and returns it, the chip and the record directory.
func clipCamera(t *testing.T, broker string, lan, motion bool) (*rig, interface{ Drive(int, bool) }, string) {
	t.Helper()
	chip, open := fakeInputs()
	chip.Drive(17, true) // pulled up: not pressed
	dir := filepath.Join(t.TempDir(), "sd")
	r := startCameraConfig(t, broker, func(c *agent.Config) {
		if lan {
			c.LAN.Listen = "127.0.0.1:0"
		}
		if !motion {
			// The scene's visitor would make motion clips that the
			// trigger's and the doorbell's would join.
			c.Events.Motion = "off"
		}
		c.Events.Inputs = []agent.InputConfig{{Name: "doorbell", Chip: "pinctrl-test", Line: 17, ActiveLow: true}}
		c.OpenInput = open
		c.Record = agent.RecordConfig{Dir: dir, Clips: []string{"motion", "input", "trigger"}, ClipsOnly: true,
			PreRoll: testPreRoll, PostRoll: testPostRoll}
	})
	return r, chip, dir
}

// waitClip waits up to 30s for a finished clip of type typ that starts
// after since, listed by get_file_list&file_type=typ, and returns it.
func waitClip(ctx context.Context, t *testing.T, req viewer.Requester, typ int, since time.Time) viewer.RecordFile {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		files, err := viewer.RecordFilesOfType(ctx, req, since.Add(-time.Minute), since.Add(time.Hour), typ)
		if err != nil {
			t.Fatalf("get_file_list&file_type=%d: %v", typ, err)
		}
		for _, f := range files {
			n, err := record.ParseName(f.Name)
			if err != nil || f.Type != typ || n.Type != typ {
				t.Fatalf("get_file_list&file_type=%d listed %+v (%v)", typ, f, err)
			}
			if n.Finished() && !f.End.Before(since) {
				return f
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no finished clip of type %d after %v: %+v", typ, since, files)
		case <-tick.C:
		}
	}
}

// checkClipPlays downloads a clip and checks that it decodes
// (ffmpeg -xerror) and starts with a keyframe.
func checkClipPlays(ctx context.Context, t *testing.T, req viewer.Requester, f viewer.RecordFile) {
	t.Helper()
	body, err := viewer.Download(ctx, req, f.Name, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(body)
	body.Close()
	if err != nil || int64(len(b)) != f.Size {
		t.Fatalf("download of %s: %d bytes, %v; listed %d", f.Name, len(b), err, f.Size)
	}
	path := filepath.Join(t.TempDir(), f.Name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if v := mediatest.FFprobe(t, path).VideoPackets(); len(v) == 0 || !v[0].Keyframe() {
		t.Errorf("%s does not start with a keyframe", f.Name)
	}
	mediatest.CheckDecodes(t, path)
}

// clipNameStart returns the start of a clip to the millisecond, from
// its name (the listing has whole seconds).
func clipNameStart(t *testing.T, f viewer.RecordFile) (start, end time.Time) {
	t.Helper()
	n, err := record.ParseName(f.Name)
	if err != nil {
		t.Fatal(err)
	}
	return n.Start, n.End()
}

// TestEventClipsMotion: the sim scene's visitor, who walks 2 s after the
// camera starts, makes a motion clip (type 1) that plays.
func TestEventClipsMotion(t *testing.T) {
	r, _, _ := clipCamera(t, brokertest.AllowAll(t), true, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	lan := clipLAN(ctx, t, r)
	began := time.Now()
	motion := waitClip(ctx, t, lan, viewer.TypeMotion, began.Add(-time.Minute))
	start, end := clipNameStart(t, motion)
	if d := end.Sub(start); d < sim.VisitLength/2 {
		t.Errorf("motion clip %s lasts %v: the visitor walks for %v", motion.Name, d, sim.VisitLength)
	}
	checkClipPlays(ctx, t, lan, motion)
}

// clipLAN returns the LAN requester of r with every permission clips need.
func clipLAN(ctx context.Context, t *testing.T, r *rig) *viewer.LAN {
	t.Helper()
	addr := r.agent.LANAddr(ctx)
	if addr == nil {
		t.Fatal("no LAN listener")
	}
	return &viewer.LAN{Base: "http://" + addr.String(), Token: r.token(t, auth.PermLive|auth.PermCommand|auth.PermPlayback|auth.PermDownload)}
}

// TestEventClipsLAN drives event clips on the sim board over LAN mode: a trigger_event
// makes a clip (type 3) from the keyframe at or before the event minus
// the pre-roll to the post-roll after it; a doorbell press on a GPIO
// input makes one (type 2) that lasts the press and the post-roll, and
// a trigger_event during the press extends it rather than making
// another. Each clip is listed by get_record_index and get_file_list
// with its type only, and downloads and decodes.
func TestEventClipsLAN(t *testing.T) {
	r, chip, dir := clipCamera(t, brokertest.AllowAll(t), true, false)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	lan := clipLAN(ctx, t, r)
	evs, err := viewer.Events(ctx, lan)
	if err != nil {
		t.Fatal(err)
	}
	defer evs.Close()
	began := time.Now()
	// The pre-roll fills while the camera runs: wait it out (the time
	// passing is what is needed).
	time.Sleep(testPreRoll + time.Second)

	// A trigger_event.
	trig := triggerClip(ctx, t, lan, evs)
	checkClipPlays(ctx, t, lan, trig)

	// A doorbell press, with a trigger_event during it.
	chip.Drive(17, false)
	press := nextInput(t, evs, true)
	lanGet(t, r, "command?action=user_define&cmd=trigger_event&during=press")
	nextEvent(t, evs, event.TypeTrigger)
	time.Sleep(1500 * time.Millisecond) // the press lasts: what is tested is its length
	chip.Drive(17, true)
	release := nextInput(t, evs, false)
	bell := waitClip(ctx, t, lan, viewer.TypeInput, press.Time)
	start, end := clipNameStart(t, bell)
	if start.After(press.Time.Add(-testPreRoll+frameSlack)) || end.Before(release.Time.Add(testPostRoll-lagSlack)) {
		t.Errorf("doorbell clip %s from %v to %v; pressed %v, released %v", bell.Name, start, end, press.Time, release.Time)
	}
	checkClipPlays(ctx, t, lan, bell)
	// The trigger during the press made no clip of its own.
	if files, err := viewer.RecordFilesOfType(ctx, lan, trig.End.Add(time.Second), time.Now().Add(time.Hour), viewer.TypeEvent); err != nil || len(files) != 0 {
		t.Errorf("type 3 clips after the first: %+v, %v; want none (the press's clip took the trigger)", files, err)
	}

	// get_record_index: each type lists its own; clips only: no type 0.
	for _, c := range []struct {
		typ  int
		want int
	}{{viewer.TypeContinuous, 0}, {viewer.TypeMotion, 0}, {viewer.TypeInput, 1}, {viewer.TypeEvent, 1}, {viewer.AllTypes, 2}} {
		spans, err := viewer.RecordIndexOfType(ctx, lan, began.Add(-time.Minute), time.Now().Add(time.Minute), c.typ)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range spans {
			if c.typ >= 0 && s.Type != c.typ {
				t.Errorf("get_record_index&type=%d listed %+v", c.typ, s)
			}
			n++
		}
		if n != c.want {
			t.Errorf("get_record_index&type=%d: %d spans %+v, want %d", c.typ, n, spans, c.want)
		}
	}
	// The month mask has today; the files are in record.dir/clips.
	now := time.Now()
	if mask, err := viewer.MonthRecord(ctx, lan, now.Year(), now.Month()); err != nil || mask&(1<<(now.Day()-1)) == 0 {
		t.Errorf("month mask %b, %v: want today", mask, err)
	}
	if _, err := os.Stat(filepath.Join(dir, agent.ClipsDir, bell.Name)); err != nil {
		t.Error(err)
	}
	// A playback of the trigger clip's time plays it.
	pb, err := viewer.Playback(ctx, lan, trig.Start, trig.End)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 13)
	_, err = io.ReadFull(pb, head)
	pb.Close()
	if err != nil || string(head[:3]) != "FLV" {
		t.Errorf("playback of the clip: %q, %v", head, err)
	}
}

// triggerClip sends a trigger_event once the camera has run longer than
// the pre-roll and checks its clip: type 3, from the keyframe at or
// before the event minus the pre-roll (the sim board's GOP is 1 s) to
// the post-roll after it.
func triggerClip(ctx context.Context, t *testing.T, req viewer.Requester, evs *viewer.EventStream) viewer.RecordFile {
	t.Helper()
	if _, err := clipCommand(ctx, req, "trigger_event&type=trigger"); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, evs, event.TypeTrigger)
	f := waitClip(ctx, t, req, viewer.TypeEvent, e.Time)
	start, end := clipNameStart(t, f)
	// The clip starts at the keyframe at or before the event minus the
	// pre-roll: within a GOP (1 s) and the event's way to the
	// recorder (slack for a loaded machine) before it. A name's time is
	// when the newest frame reached the recorder (as for continuous
	// recording), later than its capture by the hub's latency: up to
	// frameSlack.
	if start.After(e.Time.Add(-testPreRoll+frameSlack)) || start.Before(e.Time.Add(-testPreRoll-time.Second-500*time.Millisecond)) {
		t.Errorf("trigger clip %s starts at %v; the event was at %v, the pre-roll %v", f.Name, start, e.Time, testPreRoll)
	}
	if end.Before(e.Time.Add(testPostRoll - lagSlack)) {
		t.Errorf("trigger clip %s ends at %v; the event was at %v, the post-roll %v", f.Name, end, e.Time, testPostRoll)
	}
	return f
}

// nextInput waits for the doorbell's input event with the given state.
func nextInput(t *testing.T, evs *viewer.EventStream, active bool) event.Event {
	t.Helper()
	for {
		e := nextEvent(t, evs, event.TypeInput)
		if (string(e.Data) == `{"name":"doorbell","active":true}`) == active {
			return e
		}
	}
}

// command sends a user_define command and returns its answer.
func clipCommand(ctx context.Context, req viewer.Requester, cmd string) ([]byte, error) {
	resp, err := req.Request(ctx, "command?action=user_define&channel=0&cmd="+cmd)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// TestEventClipsP2P: a trigger_event sent over P2P makes a clip listed
// and downloaded over P2P, through the embedded broker and mosquitto.
func TestEventClipsP2P(t *testing.T) {
	for _, b := range eventBrokers() {
		t.Run(b.name, func(t *testing.T) {
			r, _, _ := clipCamera(t, b.start(t), false, false)
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermCommand|auth.PermPlayback|auth.PermDownload))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			evs, err := c.Events(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer evs.Close()
			// The pre-roll fills while the camera runs: wait it out
			// (the time passing is what is needed).
			time.Sleep(testPreRoll + time.Second)
			f := triggerClip(ctx, t, c, evs)
			checkClipPlays(ctx, t, c, f)
		})
	}
}
