package link_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/codec/h264"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// benchFrame is a 10 kB access unit, a P frame of a 2 Mbps 25 fps
// stream, in AVCC form.
func benchFrame() []byte {
	nal := make([]byte, 10_000)
	nal[0] = 0x41 // non-IDR slice, NRI 2
	for i := 1; i < len(nal); i++ {
		nal[i] = byte(i*31 + 7)
	}
	return h264.AppendAVCC(nil, [][]byte{nal})
}

// trackPair connects a viewer with a recvonly video transceiver to a
// camera with media tracks on loopback and returns the camera's tracks
// once the viewer receives them; the viewer reads and drops the RTP.
func trackPair(b *testing.B) *link.Tracks {
	api := link.NewAPI(link.Options{LoopbackOnly: true, Media: true})
	viewer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	camera, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = viewer.Close()
		_ = camera.Close()
	})
	if _, err := viewer.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		b.Fatal(err)
	}
	receiving := make(chan struct{})
	viewer.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		close(receiving)
		buf := make([]byte, 1500)
		for {
			if _, _, err := tr.Read(buf); err != nil {
				return
			}
		}
	})
	offer, _ := viewer.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(viewer)
	_ = viewer.SetLocalDescription(offer)
	<-gathered
	if err := camera.SetRemoteDescription(*viewer.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	tracks, err := link.AttachTracks(camera, nil)
	if err != nil || tracks == nil || !tracks.HasVideo() {
		b.Fatalf("AttachTracks: %v, %v", tracks, err)
	}
	answer, _ := camera.CreateAnswer(nil)
	gathered = webrtc.GatheringCompletePromise(camera)
	_ = camera.SetLocalDescription(answer)
	<-gathered
	if err := viewer.SetRemoteDescription(*camera.LocalDescription()); err != nil {
		b.Fatal(err)
	}
	// Frames go nowhere until the track is bound: send until one arrives.
	au := benchFrame()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	timeout := time.After(10 * time.Second)
	for pts := time.Duration(0); ; pts += 40 * time.Millisecond {
		_ = tracks.WriteVideo(au, pts)
		select {
		case <-receiving:
			return tracks
		case <-tick.C:
		case <-timeout:
			b.Fatal("the viewer received nothing in 10 s")
		}
	}
}

// BenchmarkLiveFrame sends one 10 kB frame per op to one viewer on
// loopback, both ends in this process: on a media track (RFC 6184
// packets, SRTP, UDP; the camera's work is done when WriteVideo returns)
// and as FLV bytes on a data channel (SCTP, DTLS; the write returns once
// queued, so the op waits for the viewer to take the frames in).
//
//	go test -run X -bench LiveFrame ./link/
func BenchmarkLiveFrame(b *testing.B) {
	au := benchFrame()
	b.Run("track", func(b *testing.B) {
		tracks := trackPair(b)
		b.SetBytes(int64(len(au)))
		b.ReportAllocs()
		pts := time.Duration(0)
		for b.Loop() {
			if err := tracks.WriteVideo(au, pts); err != nil {
				b.Fatal(err)
			}
			pts += 40 * time.Millisecond
		}
	})
	b.Run("datachannel", func(b *testing.B) {
		frames := make(chan struct{}, 64)
		pc := pair(b, func(r *link.Responder) {
			_ = r.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "video/x-flv"})
			for range frames {
				if _, err := r.Write(au); err != nil {
					return
				}
				if err := r.Flush(); err != nil {
					return
				}
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		body := openBody(ctx, b, pc, "ipc.flv?action=live&channel=0")
		buf := make([]byte, len(au))
		b.SetBytes(int64(len(au)))
		b.ReportAllocs()
		for b.Loop() {
			frames <- struct{}{}
			if _, err := io.ReadFull(body, buf); err != nil {
				b.Fatal(err)
			}
		}
		close(frames)
	})
}
