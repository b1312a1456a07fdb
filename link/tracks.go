package link

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/media"
	rtppack "github.com/p2pcam/p2pcam/mux/rtp"
)

// G711PacketSamples is the audio in one PCMA packet: 20 ms at 8 kHz, the
// ptime every WebRTC stack plays.
const G711PacketSamples = 160

// talkQueue bounds the viewer's audio packets waiting for talkback: 64
// packets are over a second of 20 ms packets.
const talkQueue = 64

// Tracks are the media tracks of one session, camera side: a sendonly
// H.264 video track and a PCMA audio track (sendrecv when the viewer
// sends its microphone), attached to the answer when the viewer's offer
// has media sections. Frames are written to them by one feeder at a time
// (Claim); sequence numbers and timestamps run on across feeders, so a
// viewer switches quality without renegotiation.
type Tracks struct {
	video, audio *webrtc.TrackLocalStaticRTP
	// VideoFmtp is the fmtp line of the H.264 codec the video track was
	// negotiated with; empty without video.
	VideoFmtp string
	// ProfileMatched is false when no H.264 profile the viewer offered
	// can decode the stream the camera knew of at the answer.
	ProfileMatched bool

	keyframes chan struct{} // PLI or FIR from the viewer; one slot

	h264    rtppack.H264
	vpkt    rtp.Packet // reused by WriteVideo
	apkt    rtp.Packet
	apend   []byte // audio waiting to fill a packet, from apendTS
	apendTS uint32
	vOffset uint32 // random RTP timestamp origins (RFC 3550 5.1)
	aOffset uint32
	writeMu sync.Mutex // serializes writes: one feeder, but its video and audio may race
	talkMu  sync.Mutex // guards talker
	talker  chan AudioPacket
	feedMu  sync.Mutex // guards feeder
	feeder  *feeder
	// lastVideo is the time of the latest video frame written; guarded
	// by writeMu.
	lastVideo  time.Duration
	wroteVideo bool
}

// AudioPacket is one packet of the viewer's microphone.
type AudioPacket struct {
	Codec   media.Codec // CodecG711A or CodecG711U
	Payload []byte
	Seq     uint16
	TS      uint32
}

type feeder struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// OfferHasMedia reports whether an offer has audio or video sections.
func OfferHasMedia(offer string) bool {
	var sd sdp.SessionDescription
	if sd.UnmarshalString(offer) != nil {
		return false
	}
	for _, m := range sd.MediaDescriptions {
		if k := m.MediaName.Media; k == "video" || k == "audio" {
			return true
		}
	}
	return false
}

// offeredH264 returns the fmtp lines of the H.264 codecs in the offer's
// first video section.
func offeredH264(offer string) []string {
	var sd sdp.SessionDescription
	if sd.UnmarshalString(offer) != nil {
		return nil
	}
	var lines []string
	for _, m := range sd.MediaDescriptions {
		if m.MediaName.Media != "video" {
			continue
		}
		for _, f := range m.MediaName.Formats {
			pt, err := strconv.ParseUint(f, 10, 8)
			if err != nil {
				continue
			}
			if c, err := sd.GetCodecForPayloadType(uint8(pt)); err == nil && strings.EqualFold(c.Name, "H264") {
				lines = append(lines, c.Fmtp)
			}
		}
		break
	}
	return lines
}

// AttachTracks adds the camera's tracks to pc, whose remote description
// is the viewer's offer, before the answer is made. sps is the camera's
// H.264 sequence parameter set, for the profile (nil when unknown). It
// returns nil, nil when the offer has no media sections.
func AttachTracks(pc *webrtc.PeerConnection, sps []byte) (*Tracks, error) {
	rd := pc.RemoteDescription()
	if rd == nil || !OfferHasMedia(rd.SDP) {
		return nil, nil
	}
	t := &Tracks{
		keyframes: make(chan struct{}, 1),
		vOffset:   rand.Uint32(), aOffset: rand.Uint32(),
	}
	t.vpkt.Header = rtp.Header{Version: 2, SequenceNumber: uint16(rand.Uint32())}
	t.apkt.Header = rtp.Header{Version: 2, SequenceNumber: uint16(rand.Uint32())}
	var hasVideo, hasAudio bool
	for _, tr := range pc.GetTransceivers() {
		switch tr.Kind() {
		case webrtc.RTPCodecTypeVideo:
			hasVideo = true
		case webrtc.RTPCodecTypeAudio:
			hasAudio = true
		}
	}
	if hasVideo {
		if line, ok := ChooseH264(sps, offeredH264(rd.SDP)); line != "" {
			t.VideoFmtp, t.ProfileMatched = line, ok
			track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeH264, ClockRate: rtppack.VideoClockRate, SDPFmtpLine: line,
			}, "video", "p2pcam")
			if err != nil {
				return nil, fmt.Errorf("link: video track: %w", err)
			}
			sender, err := pc.AddTrack(track)
			if err != nil {
				return nil, fmt.Errorf("link: video track: %w", err)
			}
			t.video = track
			go t.readRTCP(sender, true)
		}
	}
	if hasAudio {
		track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypePCMA, ClockRate: rtppack.G711ClockRate, Channels: 1,
		}, "audio", "p2pcam")
		if err != nil {
			return nil, fmt.Errorf("link: audio track: %w", err)
		}
		sender, err := pc.AddTrack(track)
		if err != nil {
			return nil, fmt.Errorf("link: audio track: %w", err)
		}
		t.audio = track
		go t.readRTCP(sender, false)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if tr.Kind() == webrtc.RTPCodecTypeAudio {
			go t.readMicrophone(tr)
		}
	})
	return t, nil
}

// HasVideo reports whether the session has a video track.
func (t *Tracks) HasVideo() bool { return t.video != nil }

// HasAudio reports whether the session has an audio track.
func (t *Tracks) HasAudio() bool { return t.audio != nil }

// readRTCP reads a sender's RTCP, which runs the interceptors (NACKs are
// answered as they are read), and passes keyframe requests on.
func (t *Tracks) readRTCP(s *webrtc.RTPSender, video bool) {
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			return
		}
		if !video {
			continue
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				select {
				case t.keyframes <- struct{}{}:
				default:
				}
			}
		}
	}
}

// KeyframeRequests signals when the viewer asks for a keyframe (PLI or
// FIR): it lost pictures it cannot conceal.
func (t *Tracks) KeyframeRequests() <-chan struct{} { return t.keyframes }

// readMicrophone hands the viewer's audio to the talker, if any, and
// drops it otherwise.
func (t *Tracks) readMicrophone(tr *webrtc.TrackRemote) {
	codec := media.CodecG711A
	if strings.EqualFold(tr.Codec().MimeType, webrtc.MimeTypePCMU) {
		codec = media.CodecG711U
	}
	for {
		p, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		t.talkMu.Lock()
		ch := t.talker
		t.talkMu.Unlock()
		if ch == nil {
			continue
		}
		select {
		case ch <- AudioPacket{Codec: codec, Payload: p.Payload, Seq: p.SequenceNumber, TS: p.Timestamp}:
		default: // the talker does not keep up: drop
		}
	}
}

// Listen returns the viewer's microphone packets as they arrive, until
// stop is called. One listener at a time: a second Listen replaces the
// first.
func (t *Tracks) Listen() (packets <-chan AudioPacket, stop func()) {
	ch := make(chan AudioPacket, talkQueue)
	t.talkMu.Lock()
	t.talker = ch
	t.talkMu.Unlock()
	return ch, func() {
		t.talkMu.Lock()
		if t.talker == ch {
			t.talker = nil
		}
		t.talkMu.Unlock()
	}
}

// Claim makes the caller the tracks' feeder. It stops the previous
// feeder and waits for it to call its done. The returned context ends
// when ctx does or a later Claim takes over; call done when feeding
// stops.
func (t *Tracks) Claim(ctx context.Context) (feedCtx context.Context, done func()) {
	fctx, cancel := context.WithCancel(ctx)
	f := &feeder{cancel: cancel, done: make(chan struct{})}
	t.feedMu.Lock()
	prev := t.feeder
	t.feeder = f
	t.feedMu.Unlock()
	if prev != nil {
		prev.cancel()
		select {
		case <-prev.done:
		case <-ctx.Done():
		}
	}
	var once sync.Once
	return fctx, func() {
		once.Do(func() {
			cancel()
			t.feedMu.Lock()
			if t.feeder == f {
				t.feeder = nil
			}
			t.feedMu.Unlock()
			close(f.done)
		})
	}
}

// ErrNoTrack means the session has no track of that kind.
var ErrNoTrack = errors.New("link: the session has no such track")

// WriteVideo sends an H.264 access unit in AVCC form, stamped pts on the
// agent's time base.
func (t *Tracks) WriteVideo(au []byte, pts time.Duration) error {
	if t.video == nil {
		return ErrNoTrack
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	t.vpkt.Timestamp = rtppack.Timestamp(pts, rtppack.VideoClockRate, t.vOffset)
	t.lastVideo, t.wroteVideo = pts, true
	return t.h264.Packetize(au, func(payload []byte, last bool) error {
		t.vpkt.Marker = last
		t.vpkt.Payload = payload
		err := t.video.WriteRTP(&t.vpkt)
		t.vpkt.SequenceNumber++
		return err
	})
}

// LastVideo returns the time of the latest video frame written, by any
// feeder; ok is false before the first.
func (t *Tracks) LastVideo() (pts time.Duration, ok bool) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	return t.lastVideo, t.wroteVideo
}

// WriteAudio sends G.711 A-law audio at 8 kHz that starts at pts, in
// packets of G711PacketSamples: what does not fill a packet waits for the
// next call, unless that one does not follow on (a gap of more than a
// millisecond), when it goes out short.
func (t *Tracks) WriteAudio(alaw []byte, pts time.Duration) error {
	if t.audio == nil {
		return ErrNoTrack
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	ts := rtppack.Timestamp(pts, rtppack.G711ClockRate, t.aOffset)
	if len(t.apend) > 0 {
		if d := int32(ts - (t.apendTS + uint32(len(t.apend)))); d > 8 || d < -8 {
			if err := t.sendAudio(t.apend, t.apendTS); err != nil {
				return err
			}
			t.apend = t.apend[:0]
		}
	}
	if len(t.apend) == 0 {
		t.apendTS = ts
	}
	t.apend = append(t.apend, alaw...)
	n := 0
	for ; len(t.apend)-n >= G711PacketSamples; n += G711PacketSamples {
		if err := t.sendAudio(t.apend[n:n+G711PacketSamples], t.apendTS); err != nil {
			return err
		}
		t.apendTS += G711PacketSamples
	}
	t.apend = t.apend[:copy(t.apend, t.apend[n:])]
	return nil
}

// sendAudio sends one audio packet. t.writeMu must be held.
func (t *Tracks) sendAudio(payload []byte, ts uint32) error {
	t.apkt.Timestamp = ts
	t.apkt.Payload = payload
	err := t.audio.WriteRTP(&t.apkt)
	t.apkt.SequenceNumber++
	return err
}
