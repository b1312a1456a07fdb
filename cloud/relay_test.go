package cloud

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/relay"
)

// The on_play callback, as nginx-rtmp posts it: a ticket for the stream,
// signed with the device's secret, for a subject the device is shared
// with, plays; anything else is 403 (nginx closes the play).
func TestRelayOnPlay(t *testing.T) {
	d := Directory{Users: testUsers(t, accounts...)}
	d, err := d.WithShare("acme/cam1", "alice", auth.PermLive)
	if err != nil {
		t.Fatal(err)
	}
	master := []byte("the cloud's relay master secret!")
	c := startCloud(t, Config{Directory: d, MQTT: BrokerConfig{Users: d.Users}, RelaySecret: master})
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	noSecret := httptest.NewServer(startCloud(t, Config{Directory: d, MQTT: BrokerConfig{Users: d.Users}}).Handler())
	t.Cleanup(noSecret.Close)

	const stream = "acme~cam1~high"
	secret := relay.DeviceSecret(master, "acme/cam1")
	later := time.Now().Add(time.Minute)
	ticket := func(stream, sub string, exp time.Time, secret []byte) string {
		return relay.Ticket{Stream: stream, Subject: sub, Expiry: exp}.Query(secret)
	}
	form := func(name, query string) string {
		return "call=play&addr=127.0.0.1&app=live&name=" + url.QueryEscape(name) + "&" + query
	}
	tests := []struct {
		name   string
		server string
		method string
		body   string
		want   int
	}{
		{"good ticket", srv.URL, "POST", form(stream, ticket(stream, "alice", later, secret)), 200},
		{"no subject (a camera without auth)", srv.URL, "POST", form(stream, ticket(stream, "", later, secret)), 200},
		{"GET", srv.URL, "GET", "", 405},
		{"no ticket", srv.URL, "POST", form(stream, ""), 403},
		{"a token, no ticket", srv.URL, "POST", form(stream, "token=p2pcam1.x.y"), 403},
		{"expired", srv.URL, "POST", form(stream, ticket(stream, "alice", time.Now().Add(-time.Minute), secret)), 403},
		{"another device's secret", srv.URL, "POST", form(stream, ticket(stream, "alice", later, relay.DeviceSecret(master, "acme/cam2"))), 403},
		{"not shared", srv.URL, "POST", form(stream, ticket(stream, "bob", later, secret)), 403},
		{"bad stream name", srv.URL, "POST", form("cam1", ticket("cam1", "alice", later, secret)), 403},
		{"oversized form", srv.URL, "POST", form(stream, "pad="+strings.Repeat("x", maxOnPlayBody)), 403},
		{"no relay secret", noSecret.URL, "POST", form(stream, ticket(stream, "alice", later, secret)), 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.server+RelayOnPlayPath, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}
