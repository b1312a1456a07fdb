package viewer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	pionmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/capture/sim"
	"github.com/p2pcam/p2pcam/codec/g711"
	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/codec/pcm"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// accessUnit is a picture received on the video track.
type accessUnit struct {
	nalus    [][]byte
	ts       uint32
	firstSeq uint16
	at       time.Time
}

// key reports whether the access unit is an IDR with SPS and PPS ahead
// of it.
func (a accessUnit) key() bool {
	var sps, pps bool
	for _, n := range a.nalus {
		switch h264.TypeOf(n) {
		case h264.NALUTypeSPS:
			sps = true
		case h264.NALUTypePPS:
			pps = sps
		case h264.NALUTypeIDR:
			return sps && pps
		}
	}
	return false
}

// size returns the picture size its SPS gives, or 0, 0.
func (a accessUnit) size() (int, int) {
	for _, n := range a.nalus {
		if h264.TypeOf(n) == h264.NALUTypeSPS {
			if s, err := h264.ParseSPS(n); err == nil {
				return s.Width, s.Height
			}
		}
	}
	return 0, 0
}

// trackViewer is a viewer session with media tracks and what it received.
type trackViewer struct {
	*viewer.Conn
	aus   chan accessUnit
	audio chan *rtp.Packet

	mu       sync.Mutex
	videoSSR uint32
	seqs     []uint16 // every video sequence number, in arrival order
	seqCh    chan uint16
	codecs   map[string]webrtc.RTPCodecParameters
}

// dialTracks connects a viewer with media tracks; more adds options.
func (r *rig) dialTracks(t *testing.T, perms auth.Permission, more func(*viewer.Config)) *trackViewer {
	tv := &trackViewer{aus: make(chan accessUnit, 4096), seqCh: make(chan uint16, 1<<16), audio: make(chan *rtp.Packet, 4096), codecs: map[string]webrtc.RTPCodecParameters{}}
	cfg := viewer.Config{
		Broker: r.broker, Username: testViewer, Password: r.viewerPassword, Device: r.device, Token: r.token(t, perms),
		Link: link.Options{LoopbackOnly: true}, Tracks: true, OnTrack: tv.onTrack,
	}
	if more != nil {
		more(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var err error
	for range 50 { // the camera registers shortly after it starts
		tv.Conn, err = viewer.Dial(ctx, cfg)
		if !errors.Is(err, viewer.ErrOffline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tv.Close)
	return tv
}

func (tv *trackViewer) onTrack(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	tv.mu.Lock()
	tv.codecs[tr.Kind().String()] = tr.Codec()
	tv.mu.Unlock()
	if tr.Kind() == webrtc.RTPCodecTypeAudio {
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			select {
			case tv.audio <- p:
			default:
			}
		}
	}
	tv.mu.Lock()
	tv.videoSSR = uint32(tr.SSRC())
	tv.mu.Unlock()
	var depack codecs.H264Packet
	var annexB []byte
	cur := accessUnit{}
	started := false
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		tv.mu.Lock()
		tv.seqs = append(tv.seqs, p.SequenceNumber)
		tv.mu.Unlock()
		select {
		case tv.seqCh <- p.SequenceNumber:
		default:
		}
		if !started {
			cur = accessUnit{ts: p.Timestamp, firstSeq: p.SequenceNumber}
			started = true
		}
		b, err := depack.Unmarshal(p.Payload)
		if err == nil {
			annexB = append(annexB, b...)
		}
		if p.Marker {
			cur.nalus, _ = h264.SplitAnnexB(annexB)
			cur.at = time.Now()
			select {
			case tv.aus <- cur:
			default:
			}
			annexB, started = nil, false
		}
	}
}

// next returns the next access unit, failing after 5 s.
func (tv *trackViewer) next(t *testing.T) accessUnit {
	t.Helper()
	select {
	case au := <-tv.aus:
		return au
	case <-time.After(5 * time.Second):
		t.Fatal("no picture on the video track for 5 s")
	}
	return accessUnit{}
}

// request makes a request and checks its status.
func (tv *trackViewer) request(t *testing.T, line string, want protocol.Status) *link.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := tv.Request(ctx, line)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != want {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: status %d %s, want %d", line, resp.Status, body, want)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// The first picture of a track feed is an IDR with its SPS and PPS, and
// it comes at once from the camera's cached GOP, not at the next
// keyframe (the sim board's GOP is a second long).
func TestTrackStartsAtCachedKeyframe(t *testing.T) {
	r := startCamera(t)
	// Another viewer keeps the stream running, so that the camera has a
	// GOP cached and is somewhere in the middle of it.
	flvViewer, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	defer flvViewer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	flv, err := flvViewer.Request(ctx, "ipc.flv?action=live&channel=0&quality=high")
	if err != nil {
		t.Fatal(err)
	}
	defer flv.Body.Close()
	// Some of the stream first: not the first keyframe.
	if _, err := io.ReadFull(flv.Body, make([]byte, 64<<10)); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, flv.Body)

	tv := r.dialTracks(t, auth.PermLive, nil)
	asked := time.Now()
	resp := tv.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusOK)
	if resp.Head.ContentType != agent.TrackContentType || resp.Head.Quality != "high" {
		t.Errorf("head %+v", resp.Head)
	}
	if resp.Head.Width != 640 || resp.Head.Height != 360 {
		t.Errorf("head says %dx%d, want 640x360", resp.Head.Width, resp.Head.Height)
	}
	first := tv.next(t)
	took := first.at.Sub(asked)
	burst := 1
	for len(tv.aus) > 0 && (<-tv.aus).at.Sub(first.at) < 20*time.Millisecond {
		burst++
	}
	t.Logf("first picture %v after the request; %d pictures in its burst (the cached GOP)", took.Round(time.Millisecond), burst)
	if !first.key() {
		t.Errorf("first picture has NAL units %v, want SPS, PPS, IDR", types(first.nalus))
	}
	if w, h := first.size(); w != 640 || h != 360 {
		t.Errorf("first picture is %dx%d, want 640x360", w, h)
	}
	if took > 300*time.Millisecond {
		t.Errorf("first picture took %v: it should come from the cache at once", took)
	}
	tv.mu.Lock()
	vc := tv.codecs["video"]
	tv.mu.Unlock()
	if !strings.EqualFold(vc.MimeType, webrtc.MimeTypeH264) || !strings.Contains(vc.SDPFmtpLine, "packetization-mode=1") ||
		!strings.Contains(vc.SDPFmtpLine, "profile-level-id=42e0") {
		t.Errorf("video codec %s %q, want H.264 constrained baseline, packetization-mode=1", vc.MimeType, vc.SDPFmtpLine)
	}
}

func types(nalus [][]byte) []string {
	var s []string
	for _, n := range nalus {
		s = append(s, h264.TypeOf(n).String())
	}
	return s
}

// A new ipc.track request switches quality on the same connection: the
// pictures' SPS changes size, the old request's channel is closed, and
// sequence numbers and timestamps run on.
func TestTrackQualitySwitch(t *testing.T) {
	r := startCamera(t)
	tv := r.dialTracks(t, auth.PermLive, nil)
	var lastTS uint32
	var haveTS bool
	var old *link.Response
	for _, tt := range []struct {
		quality string
		w, h    int
	}{{"standard", 320, 180}, {"super", 1280, 720}, {"high", 640, 360}} {
		resp := tv.request(t, "ipc.track?action=live&channel=0&quality="+tt.quality, protocol.StatusOK)
		if old != nil {
			// The camera ends the feed it replaced.
			if _, err := io.ReadAll(old.Body); err != nil && !errors.Is(err, io.EOF) {
				t.Logf("old channel: %v", err)
			}
		}
		old = resp
		// Pictures of the old quality may still be on their way.
		var au accessUnit
		for {
			au = tv.next(t)
			if w, _ := au.size(); w == tt.w {
				break
			}
			if haveTS && int32(au.ts-lastTS) <= 0 {
				t.Errorf("timestamp went back from %d to %d", lastTS, au.ts)
			}
			lastTS = au.ts
		}
		if !au.key() {
			t.Errorf("%s: first picture is %v, want SPS, PPS, IDR", tt.quality, types(au.nalus))
		}
		if w, h := au.size(); w != tt.w || h != tt.h {
			t.Errorf("%s: %dx%d, want %dx%d", tt.quality, w, h, tt.w, tt.h)
		}
		if haveTS && int32(au.ts-lastTS) <= 0 {
			t.Errorf("%s: timestamp went back from %d to %d", tt.quality, lastTS, au.ts)
		}
		for range 10 { // a few more at this quality
			next := tv.next(t)
			if int32(next.ts-au.ts) <= 0 {
				t.Errorf("%s: timestamp went back from %d to %d", tt.quality, au.ts, next.ts)
			}
			au = next
		}
		lastTS, haveTS = au.ts, true
	}
	tv.mu.Lock()
	defer tv.mu.Unlock()
	for i := 1; i < len(tv.seqs); i++ {
		if tv.seqs[i] != tv.seqs[i-1]+1 {
			t.Errorf("sequence number %d after %d", tv.seqs[i], tv.seqs[i-1])
			break
		}
	}
	t.Logf("%d packets, sequence numbers continuous across two switches", len(tv.seqs))
}

// dropOnce is an interceptor on the camera's side that loses one
// outgoing video packet, the n-th, on its way to the wire: after the
// NACK responder has kept it, before SRTP (a packet dropped after SRTP
// took it in would be refused as a replay when it came again).
type dropOnce struct {
	interceptor.NoOp
	n       int
	mu      sync.Mutex
	seen    int
	dropped chan uint16
}

func (d *dropOnce) NewInterceptor(string) (interceptor.Interceptor, error) { return d, nil }

func (d *dropOnce) BindLocalStream(info *interceptor.StreamInfo, w interceptor.RTPWriter) interceptor.RTPWriter {
	if !strings.HasPrefix(strings.ToLower(info.MimeType), "video/") {
		return w
	}
	return interceptor.RTPWriterFunc(func(h *rtp.Header, payload []byte, a interceptor.Attributes) (int, error) {
		d.mu.Lock()
		d.seen++
		drop := d.seen == d.n
		d.mu.Unlock()
		if drop {
			d.dropped <- h.SequenceNumber
			return len(payload), nil
		}
		return w.Write(h, payload, a)
	})
}

// A video packet lost on the way is asked for again (NACK) and the
// camera sends it again.
func TestTrackNACKRetransmits(t *testing.T) {
	drop := &dropOnce{n: 40, dropped: make(chan uint16, 1)}
	r := startCameraLink(t, brokertest.AllowAll(t), agent.AudioConfig{},
		link.Options{LoopbackOnly: true, Interceptors: []interceptor.Factory{drop}})
	tv := r.dialTracks(t, auth.PermLive, nil)
	tv.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusOK)
	var lost uint16
	select {
	case lost = <-drop.dropped:
	case <-time.After(10 * time.Second):
		t.Fatal("the camera sent no 40 video packets in 10 s")
	}
	lostAt := time.Now()
	for {
		select {
		case seq := <-tv.seqCh:
			if seq == lost {
				t.Logf("packet %d lost and sent again %v later", lost, time.Since(lostAt).Round(time.Millisecond))
				return
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("packet %d lost and never sent again", lost)
		}
	}
}

// A picture loss indication gets the viewer a keyframe at once: the sim
// board's encoder cannot make one, so the camera sends its cached GOP
// again, at most once per keyframe interval.
func TestTrackPLIGetsKeyframe(t *testing.T) {
	r := startCamera(t)
	tv := r.dialTracks(t, auth.PermLive, nil)
	tv.request(t, "ipc.track?action=live&channel=0&quality=standard", protocol.StatusOK)
	if au := tv.next(t); !au.key() {
		t.Fatalf("first picture %v", types(au.nalus))
	}
	// Past the first keyframe's burst, then ask.
	for range 5 {
		tv.next(t)
	}
	tv.mu.Lock()
	ssrc := tv.videoSSR
	tv.mu.Unlock()
	asked := time.Now()
	if err := tv.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}); err != nil {
		t.Fatal(err)
	}
	for {
		au := tv.next(t)
		if au.key() {
			took := au.at.Sub(asked)
			t.Logf("keyframe %v after the PLI", took.Round(time.Millisecond))
			if took > 200*time.Millisecond {
				t.Errorf("keyframe took %v after the PLI; the GOP is 1 s: want it at once", took)
			}
			return
		}
	}
}

// The audio track carries the microphone as PCMA at 8 kHz, 20 ms a
// packet: the sim board's voice, syllables four times a second with a
// pause after each.
func TestTrackAudioIsPCMA(t *testing.T) {
	// The sim voice is the same from its start every time: make 3 s of
	// it, as the camera's microphone makes it, to compare with.
	refDone := make(chan []int16, 1)
	go func() {
		v := sim.NewVoice()
		defer v.Close()
		rs := pcm.NewResampler(sim.VoiceRate, 1, 8000, 1)
		buf := make([]int16, sim.VoiceRate/50)
		var ref []int16
		for len(ref) < 3*8000 {
			n, err := v.Read(buf)
			if err != nil {
				break
			}
			ref = rs.Convert(ref, buf[:n])
		}
		refDone <- ref
	}()
	r := startCamera(t)
	tv := r.dialTracks(t, auth.PermLive, nil)
	tv.request(t, "ipc.track?action=live&channel=0&quality=standard", protocol.StatusOK)
	var heard []int16
	var last *rtp.Packet
	for len(heard) < 2*8000 {
		var p *rtp.Packet
		select {
		case p = <-tv.audio:
		case <-time.After(5 * time.Second):
			t.Fatalf("no audio for 5 s (%d samples so far)", len(heard))
		}
		if len(p.Payload) != 160 {
			t.Errorf("packet of %d samples, want 160", len(p.Payload))
		}
		if last != nil && (p.SequenceNumber != last.SequenceNumber+1 || p.Timestamp-last.Timestamp != 160) {
			t.Errorf("packet seq %d ts %d after seq %d ts %d", p.SequenceNumber, p.Timestamp, last.SequenceNumber, last.Timestamp)
		}
		last = p
		heard = g711.DecodeALaw(heard, p.Payload)
	}
	tv.mu.Lock()
	ac := tv.codecs["audio"]
	tv.mu.Unlock()
	if !strings.EqualFold(ac.MimeType, webrtc.MimeTypePCMA) || ac.ClockRate != 8000 {
		t.Errorf("audio codec %s/%d, want PCMA/8000", ac.MimeType, ac.ClockRate)
	}
	// The voice's envelope: 10 ms blocks, loud while a syllable lasts
	// (80%), silent in the pause.
	var loud, quiet int
	for i := 0; i+80 <= len(heard); i += 80 {
		var e float64
		for _, s := range heard[i : i+80] {
			e += float64(s) * float64(s)
		}
		switch rms := math.Sqrt(e / 80); {
		case rms > 300:
			loud++
		case rms < 30:
			quiet++
		}
	}
	n := len(heard) / 80
	t.Logf("%d blocks of 10 ms: %d loud, %d quiet", n, loud, quiet)
	if loud < n/2 || quiet < n/10 || quiet > n/3 {
		t.Errorf("%d loud and %d quiet blocks of %d: not the sim voice (80%% syllables, 20%% pauses)", loud, quiet, n)
	}
	// Sample for sample: the camera's microphone started with the
	// request, so its first second is somewhere in the first 2 s of the
	// voice; find it and compare.
	ref := <-refDone
	got := heard[:8000]
	best, bestLag := -1.0, 0
	for lag := 0; lag+len(got) <= len(ref); lag++ {
		if c := correlation(got, ref[lag:lag+len(got)]); c > best {
			best, bestLag = c, lag
		}
	}
	t.Logf("the track's audio is the sim voice from %v on: correlation %.3f", time.Duration(bestLag)*time.Second/8000, best)
	if best < 0.95 {
		t.Errorf("correlation with the sim voice %.3f, want at least 0.95", best)
	}
}

// correlation returns the normalized correlation of a and b.
func correlation(a, b []int16) float64 {
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab, aa, bb = ab+x*y, aa+x*x, bb+y*y
	}
	return ab / math.Sqrt(aa*bb+1)
}

// pacedTone writes a tone of freq Hz as PCMA on track in 20 ms samples,
// paced in real time, for d.
func pacedTone(ctx context.Context, track *webrtc.TrackLocalStaticSample, freq float64, d time.Duration) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	buf := make([]int16, 160)
	for i := 0; time.Duration(i)*20*time.Millisecond < d; i++ {
		for j := range buf {
			buf[j] = int16(12000 * math.Sin(2*math.Pi*freq*float64(i*160+j)/8000))
		}
		if err := track.WriteSample(pionmedia.Sample{Data: g711.EncodeALaw(nil, buf), Duration: 20 * time.Millisecond}); err != nil {
			return err
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Talkback over the audio track: while "voice?...&transport=track" is
// open the camera's speaker plays the viewer's track; another talker is
// turned away; closing the request frees the speaker.
func TestTalkOverTrack(t *testing.T) {
	out := filepath.Join(t.TempDir(), "speaker.wav")
	r := startCameraWith(t, brokertest.AllowAll(t), agent.AudioConfig{Speaker: "wav:" + out})
	mic, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}, "mic", "viewer")
	if err != nil {
		t.Fatal(err)
	}
	tv := r.dialTracks(t, auth.PermVoice|auth.PermLive, func(c *viewer.Config) { c.Microphone = mic })
	talk := tv.request(t, "voice?channel=0&transport=track", protocol.StatusOK)
	// Only one talker, whatever the transport.
	tv.request(t, "voice?channel=0&transport=track", protocol.StatusBusy)
	tv.request(t, "voice?channel=0", protocol.StatusBusy)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := pacedTone(ctx, mic, 440, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	talk.Body.Close()
	checkSpeaker(t, out, 1700*time.Millisecond)
	// The speaker is free again.
	tv.request(t, "voice?channel=0&transport=track", protocol.StatusOK).Body.Close()
}

// A session without media sections cannot use ipc.track: 406.
func TestTrackWithoutTracks(t *testing.T) {
	r := startCamera(t)
	c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermVoice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, line := range []string{"ipc.track?action=live&channel=0&quality=high", "voice?channel=0&transport=track"} {
		resp, err := c.Request(ctx, line)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != protocol.StatusNotSupported {
			t.Errorf("%s: status %d, want 406", line, resp.Status)
		}
		resp.Body.Close()
	}
}

// ipc.track needs the live permission and channel 0.
func TestTrackRefusals(t *testing.T) {
	r := startCamera(t)
	tv := r.dialTracks(t, auth.PermCommand, nil)
	tv.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusForbidden)
	tv2 := r.dialTracks(t, auth.PermLive, nil)
	tv2.request(t, "ipc.track?action=live&channel=3&quality=high", protocol.StatusBadRequest)
}

// Track sessions that come and go leak no goroutines on either side.
func TestTrackSessionsLeakNothing(t *testing.T) {
	r := startCamera(t)
	cycle := func() {
		tv := r.dialTracks(t, auth.PermLive, nil)
		resp := tv.request(t, "ipc.track?action=live&channel=0&quality=standard", protocol.StatusOK)
		tv.next(t)
		resp.Body.Close()
		tv.Close()
	}
	for range 3 {
		cycle()
	}
	settle()
	before := runtime.NumGoroutine()
	for range 10 {
		cycle()
	}
	var g int
	for range 50 { // sessions close asynchronously
		settle()
		if g = runtime.NumGoroutine(); g <= before+5 {
			return
		}
	}
	t.Errorf("goroutines %d -> %d after 10 track sessions", before, g)
}

// A track feed counts as a viewer: at the limit, ipc.track gets 405 and
// so does ipc.flv while a feed runs; switching quality does not need a
// second place.
func TestTrackCountsAsViewer(t *testing.T) {
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) { c.MaxViewers = 1 })
	tv := r.dialTracks(t, auth.PermLive|auth.PermCommand, nil)
	tv.request(t, "ipc.track?action=live&channel=0&quality=standard", protocol.StatusOK)
	tv.next(t)
	tv.request(t, "ipc.flv?action=live&channel=0&quality=standard", protocol.StatusTooMany)
	// The switch takes the place the feed it replaces gives up.
	tv.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusOK)
	st := tv.request(t, "command?action=inner_define&channel=0&cmd=get_device_st&type=live", protocol.StatusOK)
	body, _ := io.ReadAll(st.Body)
	if !strings.Contains(string(body), `"appConnectNum":"1"`) {
		t.Errorf("get_device_st with one track viewer: %s", body)
	}
	other := r.dialTracks(t, auth.PermLive, nil)
	other.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusTooMany)
}

// An offer may name the first ipc.track request (Config.Live): the
// camera starts it as soon as the connection is up, and the request for
// the same line takes that stream over, with no second start (one
// "track viewer joined"); a request for another quality replaces it; a
// refusal is kept for the request; a live line that is not a track
// request fails the offer.
func TestTrackStartsWithOffer(t *testing.T) {
	const high = "ipc.track?action=live&channel=0&quality=high"
	tests := []struct {
		name    string
		live    string
		perms   auth.Permission
		request string
		status  protocol.Status
		joins   int // track feeds started
	}{
		{name: "taken over", live: high, perms: auth.PermLive, request: high, status: protocol.StatusOK, joins: 1},
		{name: "another quality", live: "ipc.track?action=live&channel=0&quality=standard", perms: auth.PermLive, request: high, status: protocol.StatusOK, joins: 2},
		{name: "not permitted", live: high, perms: auth.PermVoice, request: high, status: protocol.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncbuf.Buffer{}
			r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
				c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			})
			tv := r.dialTracks(t, tt.perms, func(c *viewer.Config) { c.Live = tt.live })
			if tt.status == protocol.StatusOK {
				// Pictures before any request: the offer's live request.
				if first := tv.next(t); !first.key() {
					t.Errorf("first picture before the request has NAL units %v, want SPS, PPS, IDR", types(first.nalus))
				}
			}
			resp := tv.request(t, tt.request, tt.status)
			if tt.status != protocol.StatusOK {
				return
			}
			if resp.Head.ContentType != agent.TrackContentType || resp.Head.Quality != "high" {
				t.Errorf("head %+v, want the high stream's track head", resp.Head)
			}
			for len(tv.aus) > 0 {
				<-tv.aus
			}
			for range 10 {
				tv.next(t)
			}
			if w, _ := lastKey(t, tv).size(); w != 640 {
				t.Errorf("the stream after the request is %d wide, want the high stream's 640", w)
			}
			if got := strings.Count(logs.String(), "track viewer joined"); got != tt.joins {
				t.Errorf("%d track feeds started, want %d", got, tt.joins)
			}
			// Closing the request ends the stream it took over.
			resp.Body.Close()
			if _, ok := logs.WaitFor(5*time.Second, "track viewer left", "stream=high"); !ok {
				t.Errorf("the high stream's feed did not end with its request; log:\n%s", logs)
			}
		})
	}
	t.Run("bad live line", func(t *testing.T) {
		r := startCamera(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := viewer.Dial(ctx, viewer.Config{
			Broker: r.broker, Username: testViewer, Password: r.viewerPassword, Device: r.device, Token: r.token(t, auth.PermLive),
			Link: link.Options{LoopbackOnly: true}, Tracks: true, Live: "ipc.track?action=playback&channel=0",
		})
		if err == nil || !strings.Contains(err.Error(), "live request") {
			t.Fatalf("Dial = %v, want the camera to refuse the offer's live request", err)
		}
	})
}

// lastKey returns the next keyframe on tv's video track.
func lastKey(t *testing.T, tv *trackViewer) accessUnit {
	t.Helper()
	for range 100 {
		if au := tv.next(t); au.key() {
			return au
		}
	}
	t.Fatal("no keyframe in 100 pictures")
	return accessUnit{}
}
