package link_test

import (
	"context"
	"io"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
)

// pair connects two peer connections on loopback, exchanging
// descriptions directly (no signalling server), and serves every data
// channel the answerer receives with handle.
func pair(tb testing.TB, handle func(*link.Responder)) *webrtc.PeerConnection {
	return pairChannels(tb, func(dc *webrtc.DataChannel) { link.Serve(dc, handle) })
}

// pairChannels is pair with each request channel the answerer receives
// handed to onChannel as it is, for a camera side that is not link's.
func pairChannels(tb testing.TB, onChannel func(*webrtc.DataChannel)) *webrtc.PeerConnection {
	api := link.NewAPI(link.Options{LoopbackOnly: true})
	offerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	answerer, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_ = offerer.Close()
		_ = answerer.Close()
	})
	connectChannels(tb, offerer, answerer, onChannel)
	return offerer
}

// connect serves every request channel the answerer receives with
// handle, opens the keepalive channel, and swaps complete descriptions
// between offerer and answerer directly (no signalling server).
func connect(tb testing.TB, offerer, answerer *webrtc.PeerConnection, handle func(*link.Responder)) {
	connectChannels(tb, offerer, answerer, func(dc *webrtc.DataChannel) { link.Serve(dc, handle) })
}

// connectChannels is connect with each request channel handed to
// onChannel as it is.
func connectChannels(tb testing.TB, offerer, answerer *webrtc.PeerConnection, onChannel func(*webrtc.DataChannel)) {
	answerer.OnDataChannel(func(dc *webrtc.DataChannel) {
		if dc.Label() != "_" { // the keepalive channel carries no request
			onChannel(dc)
		}
	})
	if _, err := offerer.CreateDataChannel("_", nil); err != nil {
		tb.Fatal(err)
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
		tb.Fatal(err)
	}
}

// openBody opens a request's data channel on pc and returns the response
// body once its head arrived.
func openBody(ctx context.Context, tb testing.TB, pc *webrtc.PeerConnection, label string) io.ReadCloser {
	dc, err := pc.CreateDataChannel(label, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := link.ReadResponse(ctx, dc)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = resp.Body.Close() })
	return resp.Body
}
