package natlab_test

import (
	"context"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/internal/mediatest"
)

// TestNATBehaviour checks what the lab's NAT modes really are, with UDP
// probes from the camera's host to servers in pub: the public port the
// router maps one socket to towards two destinations (mapping), and
// whether the router lets in a packet from an endpoint the socket never
// sent to (filtering).
func TestNATBehaviour(t *testing.T) {
	for _, mode := range []string{"cone", "symmetric"} {
		t.Run(mode, func(t *testing.T) {
			requireLab(t)
			env := upLab(t, "-T", "-c", mode, "-v", mode)
			pub, cam := env["NATLAB_PUB"], env["NATLAB_CAM"]
			open := func(ns, addr string) *net.UDPConn {
				c, err := listenUDPIn(ns, addr)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return c
			}
			s := open(cam, "10.1.0.2:0")
			local := s.LocalAddr().(*net.UDPAddr)
			r1 := open(pub, "203.0.113.2:4001")
			r2 := open(pub, "203.0.113.3:4002")
			other := open(pub, "203.0.113.2:4003") // same IP as r1, another port

			// mapped sends from s to r and returns the source r sees.
			mapped := func(r *net.UDPConn) *net.UDPAddr {
				t.Helper()
				if _, err := s.WriteToUDP([]byte("probe"), r.LocalAddr().(*net.UDPAddr)); err != nil {
					t.Fatal(err)
				}
				_ = r.SetReadDeadline(time.Now().Add(2 * time.Second))
				buf := make([]byte, 64)
				_, from, err := r.ReadFromUDP(buf)
				if err != nil {
					t.Fatalf("probe to %v: %v", r.LocalAddr(), err)
				}
				return from
			}
			// arrives sends from r to addr and reports whether s gets it.
			arrives := func(r *net.UDPConn, addr *net.UDPAddr) bool {
				t.Helper()
				if _, err := r.WriteToUDP([]byte("in"), addr); err != nil {
					t.Fatal(err)
				}
				_ = s.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
				buf := make([]byte, 64)
				_, _, err := s.ReadFromUDP(buf)
				return err == nil
			}

			m1 := mapped(r1)
			m2 := mapped(r2)
			t.Logf("%s: local %v maps to %v towards %v and to %v towards %v", mode, local, m1, r1.LocalAddr(), m2, r2.LocalAddr())
			if !m1.IP.Equal(net.IPv4(203, 0, 113, 10)) || !m2.IP.Equal(m1.IP) {
				t.Errorf("mapped to %v and %v, want the router's WAN address 203.0.113.10", m1, m2)
			}
			if !arrives(r1, m1) {
				t.Errorf("the reply from %v to %v did not come through", r1.LocalAddr(), m1)
			}
			if arrives(other, m1) {
				t.Errorf("an unsolicited packet from %v to %v came through: filtering is not port-dependent", other.LocalAddr(), m1)
			}
			m3 := mapped(other)
			switch mode {
			case "cone":
				// Endpoint-independent mapping, with the port kept; and the
				// unsolicited packet (dropped) did not take the 5-tuple.
				if m1.Port != local.Port || m2.Port != m1.Port || m3.Port != m1.Port {
					t.Errorf("cone: local port %d mapped to %d, %d, %d: want the same port to every destination", local.Port, m1.Port, m2.Port, m3.Port)
				}
			case "symmetric":
				if m1.Port == m2.Port || m3.Port == m1.Port {
					t.Errorf("symmetric: ports %d, %d, %d: want a new port per destination", m1.Port, m2.Port, m3.Port)
				}
			}
			if !arrives(other, m3) {
				t.Errorf("the reply from %v to %v did not come through", other.LocalAddr(), m3)
			}
		})
	}
}

// TestPaths watches the camera for 5 s across each pair of NAT modes and
// checks the path ICE took and the FLV that arrived.
func TestPaths(t *testing.T) {
	for _, c := range []struct {
		cam, view string
		want      string // path kind: "direct" (not relay) or "relay"; "" to report only
	}{
		{"cone", "cone", "direct"},
		{"symmetric", "symmetric", "relay"},
		{"cone", "symmetric", ""},
	} {
		t.Run(c.cam+"/"+c.view, func(t *testing.T) {
			l := newLab(t, labOptions{camNAT: c.cam, viewNAT: c.view})
			out := filepath.Join(t.TempDir(), "view.flv")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			argv := l.viewArgs("--duration", "5s", "-o", out)
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			var stderr syncbuf.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			if err != nil {
				t.Fatalf("p2pcam view: %v\n%s", err, stderr.String())
			}
			kind, remote, after, ok := viewPath(stderr.String())
			if !ok {
				t.Fatalf("p2pcam view did not say it connected:\n%s", stderr.String())
			}
			t.Logf("%s/%s: path %s (%s), connected in %v", c.cam, c.view, kind, remote, after)
			switch {
			case c.want == "direct" && kind == "relay":
				t.Errorf("path relay (%s): want direct", remote)
			case c.want == "relay" && kind != "relay":
				t.Errorf("path %s (%s): want relay", kind, remote)
			}
			if c.want == "direct" && strings.HasPrefix(remote, "203.0.113.3:") {
				t.Errorf("direct path through the TURN server's address %s", remote)
			}
			// The 5 s include connecting: count the frames of the rest.
			checkFLV(t, out, 5*time.Second-after)
			if t.Failed() {
				t.Logf("viewer stderr:\n%s", stderr.String())
			}
		})
	}
}

// checkFLV checks a viewer's FLV: H.264 640x360 (the sim board's high
// stream), monotonic timestamps, at least 75% of the frames of d at 25 fps,
// d being how long it played.
func checkFLV(t *testing.T, path string, d time.Duration) {
	t.Helper()
	p := mediatest.FFprobe(t, path)
	v := p.Video(t)
	if v.CodecName != "h264" || v.Width != 640 || v.Height != 360 {
		t.Errorf("video %s %dx%d, want h264 640x360", v.CodecName, v.Width, v.Height)
	}
	want := int(d.Seconds() * 25 * 3 / 4)
	if n := len(p.VideoPackets()); n < want {
		t.Errorf("%d video frames, want at least %d (75%% of %v at 25 fps)", n, want, d)
	} else {
		t.Logf("%d video frames in %v of playing (want at least %d)", n, d, want)
	}
	p.CheckMonotonic(t)
}
