package viewer_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/protocol"
	"github.com/p2pcam/p2pcam/viewer"
)

// Playback controls over LAN mode, real HTTP on loopback: each request
// is a connection of its own, so the playback's answer names a session
// (X-P2pcam-Session) and the viewer.LAN that started it sends it with
// its playback_* commands: pause holds the position, resume moves it.
// Another LAN (no session), another viewer's token with the session,
// and a malformed session are refused; the session works as a query
// parameter too (a browser's or curl's URL).
func TestPlaybackControlsLAN(t *testing.T) {
	dir := t.TempDir()
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.Record = agent.RecordConfig{Dir: dir, SegmentLength: 2 * time.Second}
		c.LAN = agent.LANConfig{Listen: "127.0.0.1:0"}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	addr := r.agent.LANAddr(ctx)
	if addr == nil {
		t.Fatal("no LAN address")
	}
	base := "http://" + addr.String()
	tok := r.token(t, auth.PermPlayback)
	lan := &viewer.LAN{Base: base, Token: tok}

	// Two finished segments: a few seconds to play.
	var files []viewer.RecordFile
	for len(files) < 2 {
		var err error
		if files, err = viewer.RecordFiles(ctx, lan, time.Now().Add(-10*time.Minute), time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("only %d files", len(files))
		case <-time.After(200 * time.Millisecond): // a poll's pause; ctx bounds the wait
		}
	}
	if lan.Session() != "" {
		t.Errorf("a session before any playback: %q", lan.Session())
	}
	if _, err := viewer.PlaybackPause(ctx, lan); !errors.Is(err, viewer.ErrNotOK) {
		t.Errorf("pause before a playback: %v", err)
	}
	from := files[0].Start.Truncate(time.Second)
	body, err := viewer.Playback(ctx, lan, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	go io.Copy(io.Discard, body) //nolint:errcheck // read until closed
	session := lan.Session()
	if _, err := protocol.ParseSessionID(session); err != nil {
		t.Fatalf("the playback's session: %v", err)
	}

	lead := files[0].Start.Sub(from)
	waitPlayback(ctx, t, lan, "playing", func(st viewer.PlaybackState) bool { return st.Progress > lead+500*time.Millisecond })
	held, moved := pauseHoldResume(ctx, t, lan)
	t.Logf("session %s: paused at %v, resumed to %v", session, held, moved.Progress)

	// Another LAN client has no session: nothing to steer.
	if _, err := viewer.PlaybackProgress(ctx, &viewer.LAN{Base: base, Token: tok}); !errors.Is(err, viewer.ErrNotOK) || !strings.Contains(err.Error(), "no playback on this session") {
		t.Errorf("progress from another LAN client: %v", err)
	}
	// The session in the query, as a browser's URL carries it.
	get := func(token, sess string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/command?action=inner_define&channel=0&cmd=playback_progress&session="+sess, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(tok, session); code != http.StatusOK || !strings.Contains(body, `"progress"`) {
		t.Errorf("session as a query parameter: %d %s", code, body)
	}
	// Another viewer (token subject) with the session: not its playback.
	now := time.Now()
	bob, err := auth.Sign(r.issuer, auth.Claims{Issuer: "test", Device: r.device.String(), Subject: "bob", Perms: auth.PermPlayback, IssuedAt: now, Expiry: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if code, body := get(bob, session); code == http.StatusOK || !strings.Contains(body, "no playback on this session") {
		t.Errorf("bob with alice's session: %d %s", code, body)
	}
	for _, bad := range []string{"x", strings.ToUpper(session), session + "0", "..%2F..%2Fetc"} {
		if code, body := get(tok, bad); code == http.StatusOK || !strings.Contains(body, "bad session") {
			t.Errorf("session %q: %d %s", bad, code, body)
		}
	}
}
