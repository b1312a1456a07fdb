package liveedge

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/mux/flv"
)

// arrival is one tag of a test stream and when it arrives.
type arrival struct {
	at   time.Duration // since the stream began
	typ  flv.TagType
	ts   uint32 // ms
	data []byte
}

var (
	avcConfig = []byte{flv.FrameTypeKey<<4 | flv.CodecIDAVC, flv.AVCPacketSequenceHeader, 0, 0, 0, 1, 2}
	aacConfig = []byte{0xaf, flv.AACPacketSequenceHeader, 0x14, 0x08}
	script    = []byte{2, 0, 10, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a'}
)

func video(key bool) []byte {
	ft := byte(flv.FrameTypeInter)
	if key {
		ft = flv.FrameTypeKey
	}
	return []byte{ft<<4 | flv.CodecIDAVC, flv.AVCPacketNALU, 0, 0, 0, 0, 0, 0, 1, 0x65}
}

func audio() []byte { return []byte{0xaf, flv.AACPacketRaw, 0x21, 0x10} }

// liveVideo makes n video frames, 40 ms apart from ts0 with a keyframe
// every 25, arriving on time after a delay at plus their timestamp.
func liveVideo(ts0 uint32, n int, at time.Duration) []arrival {
	var a []arrival
	for i := range n {
		ts := ts0 + uint32(40*i)
		a = append(a, arrival{at + time.Duration(40*i)*time.Millisecond, flv.TagTypeVideo, ts, video(ts%1000 == 0)})
	}
	return a
}

// clockedSource serves the header, then each tag's bytes, setting the
// clock to a tag's arrival as it starts serving it.
type clockedSource struct {
	segs [][]byte
	ats  []time.Duration
	now  *time.Time
	t0   time.Time
}

func newSource(tags []arrival, now *time.Time) *clockedSource {
	s := &clockedSource{now: now, t0: *now}
	s.segs = append(s.segs, flv.Header{HasAudio: true, HasVideo: true}.AppendTo(nil))
	s.ats = append(s.ats, 0)
	for _, t := range tags {
		s.segs = append(s.segs, flv.AppendTag(nil, t.typ, t.ts, t.data))
		s.ats = append(s.ats, t.at)
	}
	return s
}

func (s *clockedSource) Read(p []byte) (int, error) {
	for len(s.segs) > 0 && len(s.segs[0]) == 0 {
		s.segs, s.ats = s.segs[1:], s.ats[1:]
		if len(s.segs) > 0 {
			*s.now = s.t0.Add(s.ats[0])
		}
	}
	if len(s.segs) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.segs[0])
	s.segs[0] = s.segs[0][n:]
	return n, nil
}

// testMaxLag is the Reader's bound in TestReader.
const testMaxLag = 600 * time.Millisecond

// run filters tags and returns the timestamps of the media tags that
// passed, the number of config tags that passed, and the stats.
func run(t *testing.T, tags []arrival, settle time.Duration) (media []uint32, configs int, st Stats) {
	t.Helper()
	now := time.Unix(1000, 0)
	r := NewReader(newSource(tags, &now))
	r.Now = func() time.Time { return now }
	r.MaxLag, r.Settle = testMaxLag, settle
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	dm := flv.NewDemuxer(bytes.NewReader(out))
	if _, err := dm.ReadHeader(); err != nil {
		t.Fatal(err)
	}
	for {
		tag, err := dm.ReadTag()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if classify(tag) == config {
			configs++
		} else {
			media = append(media, tag.Timestamp)
		}
	}
	if dm.BadPrevSizes != 0 {
		t.Errorf("output has %d bad PreviousTagSize fields", dm.BadPrevSizes)
	}
	return media, configs, r.Stats()
}

func ms(d int) time.Duration { return time.Duration(d) * time.Millisecond }

// span returns from, from+step, ... below to.
func span(from, to, step uint32) []uint32 {
	var ts []uint32
	for t := from; t < to; t += step {
		ts = append(ts, t)
	}
	return ts
}

// withAudio follows each video timestamp with its audio frame's, 20 ms on.
func withAudio(video []uint32) []uint32 {
	var ts []uint32
	for _, v := range video {
		ts = append(ts, v, v+20)
	}
	return ts
}

func TestReader(t *testing.T) {
	head := []arrival{
		{0, flv.TagTypeScript, 0, script},
		{0, flv.TagTypeVideo, 0, avcConfig},
		{0, flv.TagTypeAudio, 0, aacConfig},
	}
	// A stall: frames 1000..1960 ms are held back and arrive together
	// at 2000 ms (up to 1 s late); then the stream goes on on time.
	stall := slices.Concat(head, liveVideo(0, 25, 0))
	for _, a := range liveVideo(1000, 25, 0) {
		a.at = ms(2000)
		stall = append(stall, a)
	}
	stall = append(stall, liveVideo(2000, 25, ms(2000))...)

	// A short stall of 400 ms: late, but within MaxLag, so all passes.
	short := slices.Concat(head, liveVideo(0, 25, 0))
	for _, a := range liveVideo(1000, 10, 0) {
		a.at = ms(1400)
		short = append(short, a)
	}
	short = append(short, liveVideo(1400, 15, ms(1400))...)

	// The GOP cache at the start: a second of frames at once, then live.
	burst := slices.Concat(head, liveVideo(0, 25, 0))
	for i := range 25 {
		burst[len(head)+i].at = 0
	}
	burst = append(burst, liveVideo(1000, 25, ms(40))...)

	// The stream falls 1 s behind for good: after GiveUp (3 s) the
	// Reader takes a late keyframe and plays on from there.
	behind := slices.Concat(head, liveVideo(0, 25, 0), liveVideo(1000, 150, ms(2000)))

	// A codec configuration tag in the middle of a skip still passes.
	reconfig := slices.Insert(slices.Clone(stall), len(head)+30, arrival{ms(2000), flv.TagTypeVideo, 1200, avcConfig})

	// Audio alongside video: held-back audio goes with the skip.
	var av []arrival
	for _, v := range stall {
		av = append(av, v)
		if v.typ == flv.TagTypeVideo && v.data[1] == flv.AVCPacketNALU {
			av = append(av, arrival{v.at, flv.TagTypeAudio, v.ts + 20, audio()})
		}
	}

	// Audio only: frames 400..880 ms arrive together at 1400 ms; those
	// more than 600 ms late go, each on its own.
	audioOnly := slices.Clone(head[:1])
	for i := range 60 {
		at := ms(20 * i)
		if i >= 20 && i < 45 {
			at = ms(1400)
		}
		audioOnly = append(audioOnly, arrival{at, flv.TagTypeAudio, uint32(20 * i), audio()})
	}

	// A slow start: the cached GOP's timestamps are compressed 8-fold
	// (5 ms apart) but the link brings a frame every 60 ms; then the
	// frames queued behind it arrive 20 ms apart until they catch up.
	var slowStart []arrival
	for i := range 25 {
		slowStart = append(slowStart, arrival{ms(60 * i), flv.TagTypeVideo, uint32(5 * i), video(i == 0)})
	}
	at := ms(60 * 24)
	for j := range 75 {
		ts := 120 + 40*(j+1)
		at = max(at+ms(20), ms(ts))
		slowStart = append(slowStart, arrival{at, flv.TagTypeVideo, uint32(ts), video((j+1)%25 == 0)})
	}

	// The camera's clock runs 0.1 % slow for 20 minutes: frames arrive
	// ever later against their timestamps, 1.2 s in all.
	var drift []arrival
	for i := range 25 * 1200 {
		drift = append(drift, arrival{ms(40*i) + ms(40*i)/1000, flv.TagTypeVideo, uint32(40 * i), video(i%25 == 0)})
	}

	for _, c := range []struct {
		name    string
		tags    []arrival
		settle  time.Duration
		want    []uint32 // media timestamps passed, in order
		configs int
		stats   Stats
	}{
		{"on time", slices.Concat(head, liveVideo(0, 75, 0)), 0, span(0, 3000, 40), 3,
			Stats{Passed: 78}},
		{"stall", stall, 0, slices.Concat(span(0, 1000, 40), span(2000, 3000, 40)), 3,
			Stats{Passed: 53, Dropped: 25, Skips: 1}},
		{"short stall", short, 0, span(0, 2000, 40), 3,
			Stats{Passed: 53, WorstLag: ms(400)}},
		{"GOP burst", burst, 0, span(0, 2000, 40), 3,
			Stats{Passed: 53}},
		{"behind for good", behind, 0, slices.Concat(span(0, 1000, 40), span(4000, 7000, 40)), 3,
			Stats{Passed: 103, Dropped: 75, Skips: 1, Rebases: 1}},
		{"config during a skip", reconfig, 0, slices.Concat(span(0, 1000, 40), span(2000, 3000, 40)), 4,
			Stats{Passed: 54, Dropped: 25, Skips: 1}},
		{"audio and video", av, 0, withAudio(slices.Concat(span(0, 1000, 40), span(2000, 3000, 40))), 3,
			Stats{Passed: 103, Dropped: 50, Skips: 1, WorstLag: ms(20)}},
		{"audio only", audioOnly, 0, slices.Concat(span(0, 400, 20), span(800, 1200, 20)), 1,
			Stats{Passed: 41, Dropped: 20, WorstLag: ms(600)}},
		// Settling, it passes the late start up to the second keyframe
		// (1120, at 1940 ms): still 820 ms late, it starts a skip, up to
		// the keyframe at 2120.
		{"slow start, settling", slowStart, 2 * time.Second, slices.Concat(span(0, 125, 5), span(160, 1120, 40), span(2120, 3160, 40)), 0,
			Stats{Passed: 75, Dropped: 25, Skips: 1, WorstLag: ms(1320)}},
		{"slow start, not settling", slowStart, 0, slices.Concat(span(0, 55, 5), span(2120, 3160, 40)), 0,
			Stats{Passed: 37, Dropped: 63, Skips: 1, WorstLag: ms(550)}},
		// Against a least delay of the last 30 to 60 s, drift adds at most
		// 60 ms of lateness.
		{"camera clock 0.1 % slow", drift, 0, span(0, 1_200_000, 40), 0,
			Stats{Passed: 30000, WorstLag: 59960 * time.Microsecond}},
	} {
		t.Run(c.name, func(t *testing.T) {
			media, configs, st := run(t, c.tags, c.settle)
			if !slices.Equal(media, c.want) {
				t.Errorf("passed %v\nwant   %v", media, c.want)
			}
			if configs != c.configs {
				t.Errorf("%d config tags passed, want %d", configs, c.configs)
			}
			if st != c.stats {
				t.Errorf("stats %+v, want %+v", st, c.stats)
			}
		})
	}
}

// A malformed stream is an error, after what came before it.
func TestReaderMalformed(t *testing.T) {
	good := flv.AppendTag(flv.Header{HasVideo: true}.AppendTo(nil), flv.TagTypeVideo, 0, video(true))
	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"not FLV", []byte("HTTP/1.1 200 OK\r\n\r\n")},
		{"truncated tag", good[:len(good)-6]},
		{"huge tag", append(slices.Clone(good), 9, 0x7f, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := io.ReadAll(NewReader(bytes.NewReader(c.in)))
			if err == nil {
				t.Fatalf("no error; passed %d bytes", len(out))
			}
		})
	}
}

// FuzzReader: whatever the camera sends, the Reader neither panics nor
// lets through anything but well-formed FLV.
func FuzzReader(f *testing.F) {
	now := time.Unix(0, 0)
	var seed bytes.Buffer
	_, _ = io.Copy(&seed, newSource(liveVideo(0, 30, 0), &now))
	f.Add(seed.Bytes())
	f.Add(flv.Header{HasAudio: true}.AppendTo(nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		clock := time.Unix(0, 0)
		r := NewReader(bytes.NewReader(in))
		r.Now = func() time.Time { clock = clock.Add(7 * time.Millisecond); return clock }
		out, _ := io.ReadAll(r)
		if len(out) == 0 {
			return
		}
		dm := flv.NewDemuxer(bytes.NewReader(out))
		if _, err := dm.ReadHeader(); err != nil {
			t.Fatalf("output header: %v", err)
		}
		for {
			_, err := dm.ReadTag()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("output: %v", err)
			}
		}
		if dm.BadPrevSizes != 0 {
			t.Fatalf("output has %d bad PreviousTagSize fields", dm.BadPrevSizes)
		}
	})
}
