package viewer_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/agent"
	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/brokertest"
	"github.com/p2pcam/p2pcam/media"
	"github.com/p2pcam/p2pcam/viewer"
)

// appConnectNum counts a P2P session and a LAN viewer alike: one app
// each, whatever they do.
func TestAppConnectNumAcrossTransports(t *testing.T) {
	r := startCameraConfig(t, brokertest.AllowAll(t), func(c *agent.Config) {
		c.LAN = agent.LANConfig{Listen: "127.0.0.1:0"}
	})
	tok := r.token(t, auth.PermLive|auth.PermCommand)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lanAddr := r.agent.LANAddr(ctx)
	if lanAddr == nil {
		t.Fatal("LAN mode did not start")
	}
	c, err := r.dial(t, tok)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	apps := func() string {
		t.Helper()
		resp, err := c.Request(ctx, "command?action=inner_define&channel=0&cmd=get_device_st&type=live")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := apps(); got != `[{"status":"0","appConnectNum":"1"}]`+"\n" {
		t.Fatalf("one P2P session: %s", got)
	}
	lan := &viewer.LAN{Base: "http://" + lanAddr.String(), Token: tok}
	body, err := viewer.Live(ctx, lan, 0, media.QualityStandard)
	if err != nil {
		t.Fatal(err)
	}
	if got := apps(); got != `[{"status":"0","appConnectNum":"2"}]`+"\n" {
		t.Errorf("a P2P session and a LAN viewer: %s", got)
	}
	body.Close()
}
