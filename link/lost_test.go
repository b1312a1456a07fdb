package link_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/link"
)

// darkable is a viewer (offerer) and a camera (answerer) on a pion vnet
// whose network can be switched off.
type darkable struct {
	viewer, camera *webrtc.PeerConnection
	dark           atomic.Bool // drop every packet
}

// newDarkable builds the pair. The camera's API is link.NewAPI's; the
// viewer keeps checking for 30 s, as Chromium does, where pion stops
// after seven tries. The network starts dark when dark is set.
func newDarkable(t *testing.T, dark bool) *darkable {
	t.Helper()
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelDisabled
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "10.0.0.0/24", LoggerFactory: logs})
	if err != nil {
		t.Fatal(err)
	}
	d := &darkable{}
	d.dark.Store(dark)
	wan.AddChunkFilter(func(vnet.Chunk) bool { return !d.dark.Load() })
	var se webrtc.SettingEngine
	se.SetNet(vnetHost(t, wan, "10.0.0.1"))
	se.SetICEMaxBindingRequests(150) // 30 s at pion's 200 ms
	se.LoggerFactory = logs
	if d.viewer, err = webrtc.NewAPI(webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{}); err != nil {
		t.Fatal(err)
	}
	if d.camera, err = link.NewAPI(link.Options{Net: vnetHost(t, wan, "10.0.0.2")}).NewPeerConnection(webrtc.Configuration{}); err != nil {
		t.Fatal(err)
	}
	if err := wan.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = d.viewer.Close()
		_ = d.camera.Close()
		_ = wan.Stop()
	})
	if _, err := d.viewer.CreateDataChannel("_", nil); err != nil {
		t.Fatal(err)
	}
	offer, _ := d.viewer.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(d.viewer)
	_ = d.viewer.SetLocalDescription(offer)
	<-gathered
	if err := d.camera.SetRemoteDescription(*d.viewer.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	answer, _ := d.camera.CreateAnswer(nil)
	gathered = webrtc.GatheringCompletePromise(d.camera)
	_ = d.camera.SetLocalDescription(answer)
	<-gathered
	if err := d.viewer.SetRemoteDescription(*d.camera.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	return d
}

// vnetHost is a host with address ip on the vnet router wan.
func vnetHost(tb testing.TB, wan *vnet.Router, ip string) *vnet.Net {
	tb.Helper()
	n, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{ip}})
	if err != nil {
		tb.Fatal(err)
	}
	if err := wan.AddNet(n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// waitICE waits until the camera's ICE state is want, or fails the test
// after limit.
func (d *darkable) waitICE(t *testing.T, want webrtc.ICEConnectionState, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for d.camera.ICEConnectionState() != want {
		if time.Since(start) > limit {
			t.Fatalf("the camera's ICE is %v after %v, want %v", d.camera.ICEConnectionState(), limit, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// A viewer whose checks reach the camera only after 6 s (a browser on a
// loaded machine gathering TURN relays) still connects: the camera keeps
// checking for link.SetupTimeout. With pion's failed timeout at 2 s the
// camera gave up after 4 s.
func TestLateViewerConnects(t *testing.T) {
	const late = 6 * time.Second
	d := newDarkable(t, true)
	lost := make(chan struct{})
	link.OnLost(d.camera, func() { close(lost) })
	start := time.Now()
	time.AfterFunc(late, func() { d.dark.Store(false) })
	took := d.waitICE(t, webrtc.ICEConnectionStateConnected, link.SetupTimeout+5*time.Second)
	t.Logf("connected %v after the start, %v after the network came up", took.Round(time.Millisecond), (time.Since(start) - late).Round(time.Millisecond))
	select {
	case <-lost:
		t.Error("OnLost fired for a session that never was up")
	default:
	}
}

// A viewer that vanishes is reported lost after DisconnectedTimeout +
// FailedTimeout (and pion's keepalive granularity), within the 5 s a
// camera may hold its resources; one that comes back within FailedTimeout
// of the disconnect is not.
func TestOnLost(t *testing.T) {
	t.Run("vanished", func(t *testing.T) {
		d := newDarkable(t, false)
		lost := make(chan time.Time, 1)
		link.OnLost(d.camera, func() { lost <- time.Now() })
		d.waitICE(t, webrtc.ICEConnectionStateConnected, 10*time.Second)
		dark := time.Now()
		d.dark.Store(true)
		select {
		case at := <-lost:
			took := at.Sub(dark)
			t.Logf("lost %v after the network went dark", took.Round(time.Millisecond))
			if min := link.DisconnectedTimeout + link.FailedTimeout - link.KeepaliveInterval; took < min {
				t.Errorf("lost after %v, want at least %v", took, min)
			}
			if took > 5*time.Second {
				t.Errorf("lost after %v, want within 5s", took)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("not lost 10 s after the network went dark; ICE %v", d.camera.ICEConnectionState())
		}
	})
	t.Run("back in time", func(t *testing.T) {
		d := newDarkable(t, false)
		lost := make(chan struct{})
		link.OnLost(d.camera, func() { close(lost) })
		d.waitICE(t, webrtc.ICEConnectionStateConnected, 10*time.Second)
		d.dark.Store(true)
		d.waitICE(t, webrtc.ICEConnectionStateDisconnected, 10*time.Second)
		d.dark.Store(false)
		d.waitICE(t, webrtc.ICEConnectionStateConnected, link.FailedTimeout)
		select {
		case <-lost:
			t.Error("OnLost fired for a session that came back")
		case <-time.After(link.FailedTimeout + time.Second):
		}
	})
}
