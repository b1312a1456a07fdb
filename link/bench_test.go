package link_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

// pair connects two peer connections on loopback, exchanging
// descriptions directly (no signalling server), and serves every data
// channel the answerer receives with handle.
func pair(b *testing.B, handle func(*link.Responder)) *webrtc.PeerConnection {
	api := link.NewAPI(link.Options{LoopbackOnly: true})
	offerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	answerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = offerer.Close()
		_ = answerer.Close()
	})
	connect(b, offerer, answerer, handle)
	return offerer
}

// connect serves every request channel the answerer receives with
// handle, opens the keepalive channel, and swaps complete descriptions
// between offerer and answerer directly (no signalling server).
func connect(b *testing.B, offerer, answerer *webrtc.PeerConnection, handle func(*link.Responder)) {
	answerer.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() != "_" { // the keepalive channel carries no request
			link.Serve(dc, handle)
		}
	})
	if _, err := offerer.CreateDataChannel("_", nil); err != nil {
		b.Fatal(err)
	}
	offer, _ := offerer.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(offerer)
	_ = offerer.SetLocalDescription(offer)
	<-gathered
	_ = answerer.SetRemoteDescription(*offerer.LocalDescription())
	answer, _ := answerer.CreateAnswer(nil)
	gathered = webrtc.GatheringCompletePromise(answerer)
	_ = answerer.SetLocalDescription(answer)
	<-gathered
	if err := offerer.SetRemoteDescription(*answerer.LocalDescription()); err != nil {
		b.Fatal(err)
	}
}

// openBody opens a request's data channel on pc and returns the response
// body once its head arrived.
func openBody(ctx context.Context, b *testing.B, pc *webrtc.PeerConnection, label string) io.ReadCloser {
	dc, err := pc.CreateDataChannel(label, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := link.ReadResponse(ctx, dc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = resp.Body.Close() })
	return resp.Body
}

// BenchmarkDataChannelThroughput sends a body through one request's data
// channel on loopback (DTLS and SCTP included, both ends in this process)
// and reports the rate the viewer reads it at.
func BenchmarkDataChannelThroughput(b *testing.B) {
	chunk := make([]byte, 64<<10)
	pc := pair(b, func(r *link.Responder) {
		_ = r.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "application/octet-stream"})
		for {
			if _, err := r.Write(chunk); err != nil {
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body := openBody(ctx, b, pc, "ipc.flv?action=live&channel=0")
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := io.ReadFull(body, buf); err != nil {
			b.Fatal(err)
		}
	}
}
