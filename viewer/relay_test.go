package viewer_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/cloud"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/internal/mediatest"
	"github.com/p2pcam/p2pcam/internal/nginxtest"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/mux/flv"
	"github.com/p2pcam/p2pcam/mux/rtmp"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/relay"
	"github.com/p2pcam/p2pcam/viewer"
	"github.com/p2pcam/p2pcam/viewer/gateway"
)

// relayRig is a sim camera in LAN mode with max_viewers 2 and a relay:
// a real nginx-rtmp whose on_play asks the dev cloud.
type relayRig struct {
	camera string // http://127.0.0.1:PORT
	relay  *nginxtest.Relay
	issuer ed25519.PrivateKey
	master []byte // the cloud's relay secret
	stream string // the relay stream of quality high
}

const relayDevice = "acme/cam1"

// startRelay runs the dev cloud, where device is shared with alice
// (live), and an nginx relay whose on_play asks it. It returns the relay,
// the cloud's relay secret and the cloud's token issuer.
func startRelay(t *testing.T, device string) (*nginxtest.Relay, []byte, ed25519.PrivateKey) {
	t.Helper()
	_, issuer, _ := ed25519.GenerateKey(rand.Reader)
	users, _ := cloud.AddUser(nil, device, cloud.RoleDevice, "pw-cam")
	users, _ = cloud.AddUser(users, "alice", cloud.RoleViewer, "pw-alice")
	users, _ = cloud.AddUser(users, "bob", cloud.RoleViewer, "pw-bob")
	dir, err := cloud.Directory{Users: users}.WithShare(device, "alice", auth.PermLive)
	if err != nil {
		t.Fatal(err)
	}
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	c, err := cloud.Start(cloud.Config{Directory: dir, Issuer: issuer, RelaySecret: master, Logger: testLogger(),
		MQTT: cloud.BrokerConfig{Listen: "127.0.0.1:0"}, TURN: cloud.TURNConfig{Listen: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	api := httptest.NewServer(c.Handler())
	t.Cleanup(api.Close)
	return nginxtest.Start(t, nginxtest.Config{OnPlay: api.URL + cloud.RelayOnPlayPath}), master, issuer
}

// relayConfig is the [relay] of a camera named device on nginx.
func relayConfig(nginx *nginxtest.Relay, master []byte, device string) relay.Config {
	return relay.Config{URL: "rtmp://" + nginx.RTMPAddr + "/live", StatURL: nginx.StatURL(), Secret: relay.SecretString(relay.DeviceSecret(master, device)),
		HLSURL: "http://" + nginx.HTTPAddr + "/hls/{stream}.m3u8", IdleTimeout: 3 * time.Second, PollInterval: 300 * time.Millisecond}
}

func startRelayRig(t *testing.T, maxViewers int) *relayRig {
	t.Helper()
	nginx, master, issuer := startRelay(t, relayDevice)
	cfg := agent.Config{
		Device:     relayDevice,
		MaxViewers: maxViewers,
		LAN:        agent.LANConfig{Listen: "127.0.0.1:0"},
		Auth:       agent.AuthConfig{TrustedKeys: []string{auth.MarshalPublicKey(issuer.Public().(ed25519.PublicKey))}, DeviceKey: filepath.Join(t.TempDir(), "device.key")},
		Relay:      relayConfig(nginx, master, relayDevice),
		Logger:     testLogger(),
	}
	a, _ := runAgent(t, cfg)
	actx, acancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer acancel()
	addr := a.LANAddr(actx)
	if addr == nil {
		t.Fatal("the camera never listened")
	}
	return &relayRig{camera: "http://" + addr.String(), relay: nginx, issuer: issuer, master: master, stream: relay.StreamName(relayDevice, media.QualityHigh)}
}

func (r *relayRig) token(t *testing.T, device, subject string, perms auth.Permission) string {
	now := time.Now()
	tok, err := auth.Sign(r.issuer, auth.Claims{Device: device, Subject: subject, Perms: perms, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// readSeconds reads FLV from body until it holds d of video (or 20 s
// pass), and returns it as a whole FLV file.
func readSeconds(t *testing.T, body io.ReadCloser, d time.Duration) []byte {
	t.Helper()
	timer := time.AfterFunc(20*time.Second, func() { body.Close() })
	defer timer.Stop()
	dm := flv.NewDemuxer(body)
	if _, err := dm.ReadHeader(); err != nil {
		t.Fatalf("FLV header: %v", err)
	}
	out := flv.Header{HasAudio: true, HasVideo: true}.AppendTo(nil)
	var first int64 = -1
	for {
		tag, err := dm.ReadTag()
		if err != nil {
			t.Fatalf("after %d bytes: %v", len(out), err)
		}
		out = flv.AppendTag(out, tag.Type, tag.Timestamp, tag.Data)
		if tag.Type == flv.TagTypeVideo {
			if first < 0 {
				first = int64(tag.Timestamp)
			}
			if time.Duration(int64(tag.Timestamp)-first)*time.Millisecond >= d {
				return out
			}
		}
	}
}

// watchDirect plays quality high from the camera itself (not the
// relay) until the end of the test.
func watchDirect(ctx context.Context, t *testing.T, r viewer.Requester, tok string) {
	t.Helper()
	resp, err := viewer.LiveResponse(ctx, r, 0, "high", tok)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != protocol.StatusOK || resp.Head.Location != "" {
		t.Fatalf("a direct viewer: status %d, location %q", resp.Status, resp.Head.Location)
	}
	t.Cleanup(func() { resp.Body.Close() })
	go io.Copy(io.Discard, resp.Body) //nolint:errcheck // until the test closes it
}

// waitMetric waits until the camera's /metrics has the line want.
func waitMetric(t *testing.T, camera, token, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, camera+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if slices.Contains(strings.Split(string(b), "\n"), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in /metrics within 15 s:\n%s", want, b)
		}
		time.Sleep(200 * time.Millisecond) // polling the metrics, bounded by the deadline
	}
}

// waitPushGone waits until the relay's stat page no longer lists stream.
func waitPushGone(t *testing.T, statURL, stream string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(statURL)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "<name>"+stream+"</name>") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the push of %s still runs %v after its last player left", stream, within)
		}
		time.Sleep(200 * time.Millisecond) // polling the stat page, bounded by the deadline
	}
}

// Viewers 1..N play from the camera; viewer N+1 is sent to the relay
// (302), plays valid H.264/AAC there from a keyframe, the push stops once
// nobody plays it, and the next viewer over the limit starts it again.
func TestRelayHandover(t *testing.T) {
	rig := startRelayRig(t, 2)
	tok := rig.token(t, relayDevice, "alice", auth.PermLive)
	lan := &viewer.LAN{Base: rig.camera, Token: tok}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	for range 2 {
		watchDirect(ctx, t, lan, tok)
	}

	// get_device_st says a live request is accepted: it goes to the relay.
	ops := rig.token(t, relayDevice, "ops", auth.PermCommand)
	st, err := (&viewer.LAN{Base: rig.camera, Token: ops}).Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=live")
	if err != nil {
		t.Fatal(err)
	}
	stBody, _ := io.ReadAll(st.Body)
	st.Body.Close()
	if !strings.Contains(string(stBody), `"status":"0"`) || !strings.Contains(string(stBody), "relay") {
		t.Errorf("get_device_st&type=live while full: %s, want status 0 (the relay)", stBody)
	}

	// The answer itself, on the wire: 302, Location, the Redirect body.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rig.camera+"/ipc.flv?action=live&channel=0&quality=high", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	raw, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(raw.Body)
	raw.Body.Close()
	wantURL := rig.relay.URL(rig.stream)
	if raw.StatusCode != http.StatusFound || !strings.HasPrefix(raw.Header.Get("Location"), wantURL+"?") || raw.Header.Get("X-P2pcam-Status") != "302" {
		t.Fatalf("viewer 3: HTTP %d, Location %q, X-P2pcam-Status %q; want 302 %s", raw.StatusCode, raw.Header.Get("Location"), raw.Header.Get("X-P2pcam-Status"), wantURL)
	}
	red, err := protocol.ParseRedirect(body)
	if err != nil || !strings.HasPrefix(red.URL, wantURL+"?") || !strings.Contains(red.URL, "sub=alice") || !strings.HasSuffix(red.HLS, "/hls/"+rig.stream+".m3u8") {
		t.Fatalf("redirect body %s: %+v, %v", body, red, err)
	}

	// The SDK follows it: valid H.264 and AAC from the relay, from a keyframe.
	resp, err := viewer.LiveResponse(ctx, lan, 0, "high", tok)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Head.Location != wantURL {
		t.Fatalf("viewer 3 plays %q, want the relay %s", resp.Head.Location, wantURL)
	}
	played := readSeconds(t, resp.Body, 2*time.Second)
	waitMetric(t, rig.camera, ops, "p2pcam_relay_players 1")
	resp.Body.Close()
	path := mediatest.WriteTemp(t, "relay.flv", played)
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.CodecName != "h264" || v.Width == 0 {
		t.Errorf("relay video %+v, want h264", v)
	}
	if a := p.Audio(t); a.CodecName != "aac" {
		t.Errorf("relay audio %+v, want aac", a)
	}
	if pk := p.VideoPackets(); len(pk) == 0 || !pk[0].Keyframe() {
		t.Errorf("the relay's video does not start on a keyframe: %+v", pk[:min(len(pk), 1)])
	}
	mediatest.CheckDecodes(t, path)

	// Nobody plays the relay now: the push stops within idle_timeout
	// (3 s) and a poll or two.
	waitPushGone(t, rig.relay.StatURL(), rig.stream, 15*time.Second)
	waitMetric(t, rig.camera, ops, "p2pcam_relay_pushes 0")

	// The next viewer over the limit starts it again.
	resp, err = viewer.LiveResponse(ctx, lan, 0, "high", tok)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Head.Location != wantURL {
		t.Fatalf("after the push stopped: location %q, want the relay", resp.Head.Location)
	}
	if again := readSeconds(t, resp.Body, 500*time.Millisecond); len(again) < 1000 {
		t.Fatalf("played %d bytes from the restarted push", len(again))
	}
	resp.Body.Close()
}

// A viewer without a valid token gets no ticket from the camera (401),
// and the relay's on_play (the dev cloud) refuses a play without a valid
// ticket for the stream: nginx closes it.
func TestRelayRefusesBadToken(t *testing.T) {
	rig := startRelayRig(t, 1)
	good := rig.token(t, relayDevice, "alice", auth.PermLive)
	lan := &viewer.LAN{Base: rig.camera, Token: good}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	watchDirect(ctx, t, lan, good)

	// The camera checks the token before it sends anyone to the relay.
	_, otherIssuer, _ := ed25519.GenerateKey(rand.Reader)
	now := time.Now()
	forged, _ := auth.Sign(otherIssuer, auth.Claims{Device: relayDevice, Subject: "alice", Perms: auth.PermLive, IssuedAt: now, Expiry: now.Add(time.Hour)})
	for _, tc := range []struct{ name, token string }{
		{"no token", ""}, {"another issuer", forged}, {"another device", rig.token(t, "acme/cam2", "alice", auth.PermLive)},
		{"no live permission", rig.token(t, relayDevice, "alice", auth.PermCommand)},
	} {
		resp, err := (&viewer.LAN{Base: rig.camera, Token: tc.token}).Request(ctx, "ipc.flv?action=live&channel=0&quality=high")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Status != protocol.StatusUnauthorized && resp.Status != protocol.StatusForbidden {
			t.Errorf("%s: status %d, want 401 or 403 (no redirect)", tc.name, resp.Status)
		}
	}

	// A good viewer over the limit starts the push and plays.
	first, err := viewer.LiveResponse(ctx, lan, 0, "high", good)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	go io.Copy(io.Discard, first.Body) //nolint:errcheck // until the test closes it

	secret := relay.DeviceSecret(rig.master, relayDevice)
	ticket := func(stream, sub string, exp time.Time, secret []byte) string {
		return relay.Ticket{Stream: stream, Subject: sub, Expiry: exp}.Query(secret)
	}
	later := time.Now().Add(time.Minute)
	tests := []struct{ name, query string }{
		{"no ticket", ""},
		{"the viewer's token instead", "token=" + good},
		{"another camera's secret", ticket(rig.stream, "alice", later, relay.DeviceSecret(rig.master, "acme/cam2"))},
		{"expired", ticket(rig.stream, "alice", time.Now().Add(-time.Second), secret)},
		{"another stream's", ticket(relay.StreamName(relayDevice, media.QualitySuper), "alice", later, secret)},
		{"not shared with the subject", ticket(rig.stream, "bob", later, secret)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := rig.relay.URL(rig.stream)
			if tc.query != "" {
				u += "?" + tc.query
			}
			c, err := rtmp.Play(ctx, u)
			if err == nil {
				c.Close()
				t.Fatal("the relay let the viewer play")
			}
			if !errors.Is(err, rtmp.ErrRefused) {
				t.Fatalf("play: %v, want rtmp.ErrRefused", err)
			}
		})
	}
	// The control: a good ticket plays.
	c, err := rtmp.Play(ctx, rig.relay.URL(rig.stream)+"?"+ticket(rig.stream, "alice", later, secret))
	if err != nil {
		t.Fatalf("a good ticket: %v", err)
	}
	c.Close()
}

// Over P2P the redirect comes in the data channel's head and body, and
// the SDK follows it the same way.
func TestRelayOverP2P(t *testing.T) {
	nginx, master, _ := startRelay(t, testDevice)
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.MaxViewers = 1
		c.Relay = relayConfig(nginx, master, testDevice)
	})
	c, err := r.dial(t, r.token(t, auth.PermLive))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	watchDirect(ctx, t, c, c.Token())
	// The raw answer on the data channel: 302, the location in the head.
	raw, err := c.Request(ctx, "ipc.flv?action=live&channel=0&quality=high")
	if err != nil {
		t.Fatal(err)
	}
	want := nginx.URL(relay.StreamName(testDevice, media.QualityHigh))
	if raw.Status != protocol.StatusRedirect || !strings.HasPrefix(raw.Head.Location, want+"?") {
		t.Fatalf("over the limit: status %d, location %q; want 302 to %s", raw.Status, raw.Head.Location, want)
	}
	resp, err := viewer.FollowRelay(ctx, raw, c.Token())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	path := mediatest.WriteTemp(t, "p2p-relay.flv", readSeconds(t, resp.Body, time.Second))
	p := mediatest.FFprobe(t, path)
	if v := p.Video(t); v.CodecName != "h264" {
		t.Errorf("video %+v", v)
	}
	mediatest.CheckDecodes(t, path)

	// p2pcam serve's gateway follows it too: its HTTP viewer gets FLV.
	gw := gateway.New(func(ctx context.Context) (*viewer.Conn, error) { return r.dial(t, r.token(t, auth.PermLive)) }, testLogger())
	defer gw.Close()
	srv := httptest.NewServer(gw)
	defer srv.Close()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/ipc.flv?action=live&channel=0&quality=high", nil)
	hresp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if hresp.StatusCode != http.StatusOK || hresp.Header.Get("Content-Type") != "video/x-flv" {
		t.Fatalf("gateway: HTTP %d %q, want 200 video/x-flv from the relay", hresp.StatusCode, hresp.Header.Get("Content-Type"))
	}
	if got := readSeconds(t, hresp.Body, time.Second); len(got) < 1000 {
		t.Fatalf("gateway: %d bytes", len(got))
	}
	hresp.Body.Close()
}

// The browser page's default live path, ipc.track, over the limit gets
// the same 302 as ipc.flv, with the relay's HLS URL in its body; nginx
// serves that playlist (the browser SDK plays it, docs/relay.md).
func TestRelayTrackRedirect(t *testing.T) {
	nginx, master, _ := startRelay(t, testDevice)
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.MaxViewers = 1
		c.Relay = relayConfig(nginx, master, testDevice)
	})
	direct := r.dialTracks(t, auth.PermLive, nil)
	direct.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusOK)
	direct.next(t)

	other := r.dialTracks(t, auth.PermLive, nil)
	resp := other.request(t, "ipc.track?action=live&channel=0&quality=high", protocol.StatusRedirect)
	b, err := io.ReadAll(io.LimitReader(resp.Body, protocol.MaxRedirectSize+1))
	if err != nil {
		t.Fatal(err)
	}
	red, err := protocol.ParseRedirect(b)
	if err != nil {
		t.Fatal(err)
	}
	stream := relay.StreamName(testDevice, media.QualityHigh)
	if !strings.HasPrefix(red.URL, nginx.URL(stream)+"?") || resp.Head.Location != red.URL {
		t.Errorf("redirect url %q, location %q; want %s with a ticket", red.URL, resp.Head.Location, nginx.URL(stream))
	}
	wantHLS := "http://" + nginx.HTTPAddr + "/hls/" + stream + ".m3u8"
	if red.HLS != wantHLS {
		t.Fatalf("redirect hls %q, want %q", red.HLS, wantHLS)
	}
	// nginx writes the playlist once it has a fragment or two of the push.
	deadline := time.Now().Add(30 * time.Second)
	for {
		hr, err := http.Get(red.HLS)
		if err == nil {
			body, _ := io.ReadAll(hr.Body)
			hr.Body.Close()
			if hr.StatusCode == http.StatusOK && strings.Contains(string(body), "#EXTINF") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no HLS playlist at %s within 30 s (last error %v)", red.HLS, err)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition under a deadline
	}
	// Without a relay the answer stays 405 (TestTrackCountsAsViewer).
}
