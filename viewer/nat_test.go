package viewer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5/vnet"
	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"

	"github.com/p2pcam/p2pcam/agent/p2p"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/link"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/signal"
	"github.com/p2pcam/p2pcam/viewer"
)

// The NATs of RFC 4787 terms, as pion's vnet models them.
var nats = []struct {
	name string
	typ  vnet.NATType
}{
	{"full-cone", vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointIndependent}},
	{"addr-restricted", vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointAddrDependent}},
	{"port-restricted", vnet.NATType{MappingBehavior: vnet.EndpointIndependent, FilteringBehavior: vnet.EndpointAddrPortDependent}},
	{"symmetric", vnet.NATType{MappingBehavior: vnet.EndpointAddrPortDependent, FilteringBehavior: vnet.EndpointAddrPortDependent}},
}

// needsRelay says which pairs no hole punching can join: a symmetric NAT
// opposite a port-restricted or symmetric one.
func needsRelay(a, b string) bool {
	hard := func(x string) bool { return x == "port-restricted" || x == "symmetric" }
	return (a == "symmetric" && hard(b)) || (b == "symmetric" && hard(a))
}

// natWorld is a virtual internet: a WAN with a STUN/TURN server at
// 1.2.3.4, and two private networks behind NATs, one for the camera and
// one for the viewer.
type natWorld struct {
	wan              *vnet.Router
	cameraNet, vwNet *vnet.Net
	ice              []webrtc.ICEServer
}

func newNATWorld(t *testing.T, cameraNAT, viewerNAT vnet.NATType) *natWorld {
	logs := logging.NewDefaultLoggerFactory()
	logs.DefaultLogLevel = logging.LogLevelDisabled
	wan, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "1.2.3.0/24", LoggerFactory: logs})
	if err != nil {
		t.Fatal(err)
	}
	lan := func(cidr, public string, nat vnet.NATType) *vnet.Net {
		nat.Mode = vnet.NATModeNormal
		r, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: cidr, StaticIPs: []string{public}, NATType: &nat, LoggerFactory: logs})
		if err != nil {
			t.Fatal(err)
		}
		if err := wan.AddRouter(r); err != nil {
			t.Fatal(err)
		}
		n, err := vnet.NewNet(&vnet.NetConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.AddNet(n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	w := &natWorld{wan: wan,
		cameraNet: lan("10.1.0.0/24", "1.2.3.10", cameraNAT),
		vwNet:     lan("10.2.0.0/24", "1.2.3.20", viewerNAT),
	}
	serverNet, err := vnet.NewNet(&vnet.NetConfig{StaticIPs: []string{"1.2.3.4"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := wan.AddNet(serverNet); err != nil {
		t.Fatal(err)
	}
	if err := wan.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = wan.Stop() })

	pc, err := serverNet.ListenPacket("udp4", "1.2.3.4:3478")
	if err != nil {
		t.Fatal(err)
	}
	key := turn.GenerateAuthKey("cam", "p2pcam", "secret")
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm:         "p2pcam",
		LoggerFactory: logs,
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			return ra.Username, key, ra.Username == "cam"
		},
		PacketConnConfigs: []turn.PacketConnConfig{{
			PacketConn:            pc,
			RelayAddressGenerator: &turn.RelayAddressGeneratorStatic{RelayAddress: net.ParseIP("1.2.3.4"), Address: "1.2.3.4", Net: serverNet},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	w.ice = []webrtc.ICEServer{
		{URLs: []string{"stun:1.2.3.4:3478"}},
		{URLs: []string{"turn:1.2.3.4:3478?transport=udp"}, Username: "cam", Credential: "secret"},
	}
	return w
}

// natTestRelayWait is the NAT matrix's wait for a direct path before
// TURN. The matrix checks which paths ICE finds, not how fast: on a
// machine loaded by the rest of the suite, hole punching took more than
// the camera's 300 ms now and then, and the relay won.
const natTestRelayWait = 1500 * time.Millisecond

// TestNATMatrix connects a viewer to a camera across every pair of NAT
// types and checks that the session is direct where hole punching can
// work, relayed through TURN where it cannot, and carries a request.
func TestNATMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("16 sessions across virtual NATs: not in -short")
	}
	for _, cam := range nats {
		for _, vw := range nats {
			t.Run(cam.name+"/"+vw.name, func(t *testing.T) {
				wantRelay := needsRelay(cam.name, vw.name)
				w := newNATWorld(t, cam.typ, vw.typ)
				start := time.Now()
				c := dialAcrossNATs(t, w, pong)
				defer c.Close()
				p, err := c.Path()
				if err != nil {
					t.Fatal(err)
				}
				if p.Relayed() && !wantRelay {
					// On a loaded machine the relay pair can be
					// nominated before hole punching completes (seen
					// about once in six runs beside the rest of the
					// suite): one more try in a fresh world, which
					// must then go direct.
					t.Logf("relayed where a direct path should work (%v -> %v): trying once more", p.Local, p.Remote)
					c.Close()
					w = newNATWorld(t, cam.typ, vw.typ)
					start = time.Now()
					c = dialAcrossNATs(t, w, pong)
					defer c.Close()
					if p, err = c.Path(); err != nil {
						t.Fatal(err)
					}
				}
				if p.Relayed() != wantRelay {
					t.Errorf("path %s (%v -> %v), want relayed=%v", p.Kind(), p.Local, p.Remote, wantRelay)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				resp, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=ping")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				if resp.Status != protocol.StatusOK || string(body) != "pong" {
					t.Errorf("answer %d %q", resp.Status, body)
				}
				t.Logf("%s path in %v", p.Kind(), time.Since(start).Round(time.Millisecond))
			})
		}
	}
}

// pong answers every request with "pong".
func pong(ctx context.Context, v protocol.Viewer, line string, rw p2p.Responder) {
	_ = rw.WriteHead(protocol.StatusOK, protocol.Head{ContentType: "text/plain"})
	_, _ = rw.Write([]byte("pong"))
}

// dialAcrossNATs runs a P2P camera on the camera's network that serves
// requests with handle, and dials it from the viewer's.
func dialAcrossNATs(t *testing.T, w *natWorld, handle p2p.Handler) *viewer.Conn {
	broker := brokertest.AllowAll(t)
	issuerPub, issuer, _ := ed25519.GenerateKey(rand.Reader)
	_, devKey, _ := ed25519.GenerateKey(rand.Reader)
	dev := signal.DeviceID{Product: "nat", Device: "cam"}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := p2p.New(p2p.Config{
		Device: dev, Broker: broker, ICEServers: w.ice,
		Verifier:  &auth.Verifier{Keys: []ed25519.PublicKey{issuerPub}, Device: dev.String()},
		DeviceKey: devKey,
		Handle:    handle,
		Link:      link.Options{Net: w.cameraNet, RelayAcceptanceWait: natTestRelayWait},
		Logger:    quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	now := time.Now()
	tok, err := auth.Sign(issuer, auth.Claims{Device: dev.String(), Subject: "v", Perms: auth.PermAll, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer dcancel()
	var lastErr error
	for range 50 {
		c, err := viewer.Dial(dctx, viewer.Config{
			Broker: broker, Username: "v", Device: dev, Token: tok, ICEServers: w.ice,
			Link: link.Options{Net: w.vwNet, RelayAcceptanceWait: natTestRelayWait}, Logger: quiet,
		})
		if err == nil {
			return c
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal(fmt.Errorf("dial: %w", lastErr))
	return nil
}
