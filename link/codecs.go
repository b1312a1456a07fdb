package link

import (
	"fmt"

	"github.com/pion/webrtc/v4"
)

// H.264 profiles a p2pcam peer accepts (packetization-mode=1 only: the
// camera fragments NAL units with FU-A). An answer keeps the offer's own
// profile-level-id lines (pion matches on profile_idc and the constraint
// flags, not the level), so listing each profile once at level 3.1 is
// enough; level-asymmetry-allowed lets the camera send a higher level.
var h264Profiles = []string{
	"42e01f", // constrained baseline: what most camera encoders make
	"42001f", // baseline
	"4d001f", // main
	"64001f", // high
}

// Payload types p2pcam offers (the Go viewer); an answer uses the
// offer's.
const (
	firstH264PayloadType = 102
	pcmaPayloadType      = 8 // RFC 3551 static payload types
	pcmuPayloadType      = 0
)

// videoFeedback is what viewers and camera ask of each other for video:
// retransmissions (NACK, added by webrtc.ConfigureNack) and keyframes.
var videoFeedback = []webrtc.RTCPFeedback{{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}

// H264Fmtp is the fmtp line of an H.264 codec with profileLevelID.
func H264Fmtp(profileLevelID string) string {
	return "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profileLevelID
}

// RegisterCodecs registers the media p2pcam sends and takes: H.264
// video (h264Profiles) and G.711 audio at 8 kHz, PCMA first.
func RegisterCodecs(m *webrtc.MediaEngine) error {
	for i, p := range h264Profiles {
		err := m.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeH264, ClockRate: 90000, SDPFmtpLine: H264Fmtp(p), RTCPFeedback: videoFeedback,
			},
			PayloadType: webrtc.PayloadType(firstH264PayloadType + 2*i),
		}, webrtc.RTPCodecTypeVideo)
		if err != nil {
			return fmt.Errorf("link: register H.264 %s: %w", p, err)
		}
	}
	for _, c := range []struct {
		mime string
		pt   webrtc.PayloadType
	}{{webrtc.MimeTypePCMA, pcmaPayloadType}, {webrtc.MimeTypePCMU, pcmuPayloadType}} {
		err := m.RegisterCodec(webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: c.mime, ClockRate: 8000, Channels: 1},
			PayloadType:        c.pt,
		}, webrtc.RTPCodecTypeAudio)
		if err != nil {
			return fmt.Errorf("link: register %s: %w", c.mime, err)
		}
	}
	return nil
}
