package link

import (
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// OnLost calls lost, once, when pc's ICE connection has stayed
// disconnected for FailedTimeout: the peer vanished (its network went
// dark, its process died) without a word. It takes pc's ICE connection
// state callback (OnICEConnectionStateChange), so the caller must not set
// another.
//
// It stands in for pion's failed timeout, which also bounds how long a
// new session may check (see SetupTimeout) and so is set far longer.
func OnLost(pc *webrtc.PeerConnection, lost func()) {
	onLost(pc, FailedTimeout, lost)
}

func onLost(pc *webrtc.PeerConnection, after time.Duration, lost func()) {
	var (
		mu    sync.Mutex // guards timer
		timer *time.Timer
		once  sync.Once
	)
	pc.OnICEConnectionStateChange(func(st webrtc.ICEConnectionState) {
		mu.Lock()
		defer mu.Unlock()
		if st != webrtc.ICEConnectionStateDisconnected {
			if timer != nil {
				timer.Stop()
				timer = nil
			}
			return
		}
		if timer == nil {
			timer = time.AfterFunc(after, func() {
				if pc.ICEConnectionState() == webrtc.ICEConnectionStateDisconnected {
					once.Do(lost)
				}
			})
		}
	})
}
