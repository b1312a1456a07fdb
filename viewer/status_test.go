package viewer_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// askStatus sends the status command on c.
func askStatus(t *testing.T, c *viewer.Conn) protocol.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Request(ctx, protocol.StatusRequest)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxReportSize))
	if err != nil || resp.Status != protocol.StatusOK {
		t.Fatalf("status: %d %v %s", resp.Status, err, body)
	}
	r, err := protocol.DecodeReport(body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// awaitStatus asks until ok accepts the report, for up to 20 s.
func awaitStatus(t *testing.T, c *viewer.Conn, what string, ok func(protocol.Report) bool) protocol.Report {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := askStatus(t, c)
		if ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("no status with %s within 20 s; the last: %+v", what, r)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, bounded by the deadline
	}
}

// The status command over P2P, through the dev cloud's broker and a real
// mosquitto: the P2P viewer with its path, and the broker connection,
// which counts a reconnect after the broker restarts. /metrics counts the
// session's path and setup time.
func TestStatusOverP2P(t *testing.T) {
	brokers := []struct {
		name    string
		start   func(t *testing.T) (url string, restart func())
		restart bool
	}{
		{"embedded", func(t *testing.T) (string, func()) {
			ba := &brokerAt{t: t, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(brokertest.FreeTCPPort(t)))}
			ba.start()
			return "mqtt://" + ba.addr, func() { _ = ba.b.Close(); ba.start() }
		}, true},
		{"mosquitto", func(t *testing.T) (string, func()) {
			return "mqtt://" + brokertest.Mosquitto(t, []brokertest.Account{
				{Name: testDevice, Password: testDevicePass}, {Name: testViewer, Password: testViewerPass},
			}, cloud.MosquittoACL(testUsers(t))), nil
		}, false},
	}
	for _, b := range brokers {
		t.Run(b.name, func(t *testing.T) {
			url, restart := b.start(t)
			r := startCameraConfig(t, url, func(c *agent.Config) { c.LAN.Listen = "127.0.0.1:0" })
			c, err := r.dial(t, r.token(t, auth.PermLive|auth.PermCommand))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			resp, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=standard")
			if err != nil || resp.Status != protocol.StatusOK {
				t.Fatalf("live: %v %+v", err, resp)
			}
			defer resp.Body.Close()
			go io.Copy(io.Discard, resp.Body) //nolint:errcheck // until the test closes it

			rep := awaitStatus(t, c, "a P2P viewer that has been sent bytes", func(r protocol.Report) bool {
				return len(r.Viewers) == 1 && r.Viewers[0].Bytes > 0
			})
			v := rep.Viewers[0]
			// A direct path: on loopback the camera's server-reflexive
			// candidate (from the test's STUN server) is its host
			// address too, and ICE may nominate either pair.
			direct := v.Path == "host" || v.Path == "srflx"
			if v.Transport != "p2p" || !direct || v.Who != "alice" || v.Kind != "live" || v.Quality != "standard" || !strings.HasPrefix(v.Addr, "p2p:") {
				t.Errorf("viewer %+v", v)
			}
			if br := rep.Broker; !br.Enabled || !br.Connected || br.URL != url || br.Reconnects != 0 || br.Since.IsZero() {
				t.Errorf("broker %+v", br)
			}
			if rep.P2PSessions != 1 || rep.Device != testDevice {
				t.Errorf("sessions %d, device %q", rep.P2PSessions, rep.Device)
			}

			metrics := lanGet(t, r, "metrics")
			for _, want := range []string{
				`p2pcam_p2p_paths_total{path="` + v.Path + `"} 1` + "\n",
				"p2pcam_p2p_connect_seconds_count 1\n",
				`p2pcam_p2p_connect_seconds_bucket{le="15"} 1` + "\n",
				"p2pcam_broker_connected 1\n",
				"p2pcam_broker_reconnects_total 0\n",
				`p2pcam_sent_bytes_total{transport="p2p",kind="live"} `,
			} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %q", want)
				}
			}
			if restart == nil {
				return
			}
			restart()
			if err := awaitOnline(ctx, url, r.device); err != nil {
				t.Fatal(err)
			}
			rep = awaitStatus(t, c, "a reconnect", func(r protocol.Report) bool { return r.Broker.Connected && r.Broker.Reconnects == 1 })
			if rep.Broker.LastError == "" || len(rep.Viewers) != 1 {
				t.Errorf("after a broker restart: broker %+v, %d viewers", rep.Broker, len(rep.Viewers))
			}
			if m := lanGet(t, r, "metrics"); !strings.Contains(m, "p2pcam_broker_reconnects_total 1\n") {
				t.Errorf("metrics do not count the reconnect")
			}
		})
	}
}

// lanGet fetches a path from the rig's camera in LAN mode.
func lanGet(t *testing.T, r *rig, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addr := r.agent.LANAddr(ctx)
	if addr == nil {
		t.Fatal("no LAN listener")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr.String()+"/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+r.token(t, auth.PermCommand))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /%s: %s %s", path, resp.Status, b)
	}
	return string(b)
}
