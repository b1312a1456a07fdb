// Command trackcheck plays a sim camera's WebRTC media tracks in
// Chromium: a manual check that a browser decodes what ipc.track sends.
// It serves a page and takes its offer over plain HTTP (no MQTT, no
// tokens), answers with link.AttachTracks and serves the page's data
// channels with the agent. The page asks for high, switches to super and
// back, and reports Chromium's own stats (first frame, size, frames
// decoded and dropped, freezes, audio energy). It also talks back for
// 2 s from Chromium's fake microphone; the camera's log
// (talkback done played=...) says what it played. run.sh runs it
// headless:
//
//	scripts/trackcheck/run.sh   # needs chromium and npm's playwright-core
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
)

//go:embed page.html
var page []byte

func main() {
	// The speaker writes what the page says (its fake microphone) to
	// $TRACKCHECK_SPEAKER, a WAV file, if set.
	speaker := "null"
	if f := os.Getenv("TRACKCHECK_SPEAKER"); f != "" {
		speaker = "wav:" + f
	}
	a, err := agent.New(agent.Config{Board: "sim", LAN: agent.LANConfig{Listen: "off"}, Audio: agent.AudioConfig{Speaker: speaker},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	// The agent does not Run: no LAN or P2P mode, only Handle.
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	api := link.NewAPI(link.Options{LoopbackOnly: true, Media: true})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(page)
	})
	http.HandleFunc("/offer", func(w http.ResponseWriter, r *http.Request) {
		offer, _ := io.ReadAll(r.Body)
		pc, err := api.NewPeerConnection(webrtc.Configuration{})
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: string(offer)}); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		tracks, err := link.AttachTracks(pc, nil)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprintln(os.Stderr, "h264:", tracks.VideoFmtp, tracks.ProfileMatched)
		pc.OnDataChannel(func(dc *webrtc.DataChannel) {
			if dc.Label() == "_" {
				return
			}
			link.ServeSession(dc, tracks, func(rw *link.Responder) {
				c, cancel := context.WithCancel(ctx)
				go func() { <-rw.Done(); cancel() }()
				a.Handle(c, protocol.Viewer{Addr: "chromium", Perms: auth.PermAll}, dc.Label(), rw)
				_ = rw.Flush()
				_ = rw.Close()
			})
		})
		ans, _ := pc.CreateAnswer(nil)
		g := webrtc.GatheringCompletePromise(pc)
		_ = pc.SetLocalDescription(ans)
		<-g
		_, _ = io.WriteString(w, pc.LocalDescription().SDP)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr().String())
	panic(http.Serve(ln, nil))
}
