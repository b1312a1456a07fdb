package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/auth"
	"github.com/p2pcam/p2pcam/internal/clock"
	"github.com/p2pcam/p2pcam/ota/otatest"
	"github.com/p2pcam/p2pcam/protocol"
)

// recorder is a Responder that keeps the answer.
type recorder struct {
	status protocol.Status
	body   bytes.Buffer
}

func (r *recorder) WriteHead(st protocol.Status, _ protocol.Head) error { r.status = st; return nil }
func (r *recorder) Write(p []byte) (int, error)                         { return r.body.Write(p) }
func (r *recorder) Flush() error                                        { return nil }
func (r *recorder) Backlog() int                                        { return 0 }
func (r *recorder) SetWriteDeadline(time.Time) error                    { return nil }

// The OTA commands: refused without the update permission, 406 with
// updates off, and checked before an update starts.
func TestOTACommands(t *testing.T) {
	release := auth.MarshalPublicKey(otatest.Key(7).Public().(ed25519.PublicKey))
	newAgent := func(keys []string) *Agent {
		a, err := New(Config{Device: "acme/cam1", Version: "1.0.0", LAN: LANConfig{Listen: "off"},
			OTA: OTAConfig{TrustedKeys: keys, Dir: t.TempDir()}, Clock: clock.Real{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.closeHubs)
		return a
	}
	on, off := newAgent([]string{release}), newAgent(nil)
	const cmd = "command?action=inner_define&channel=0&cmd="
	cases := []struct {
		name  string
		a     *Agent
		perms auth.Permission
		line  string
		want  protocol.Status
		body  string
	}{
		{"status", on, auth.PermUpdate, cmd + "ota_status", protocol.StatusOK, `"state":"idle","running":"1.0.0"`},
		{"status without update", on, auth.PermCommand | auth.PermLive, cmd + "ota_status", protocol.StatusForbidden, "this one needs: update"},
		{"update without update", on, auth.PermCommand, cmd + "ota_update", protocol.StatusForbidden, "this one needs: update"},
		{"nothing announced", on, auth.PermUpdate, cmd + "ota_update", protocol.StatusBadRequest, "no release announced"},
		{"bad url", on, auth.PermUpdate, cmd + "ota_update&url=file:///etc/passwd", protocol.StatusBadRequest, "want an http:// or https:// URL"},
		{"bad hash", on, auth.PermUpdate, cmd + "ota_update&url=http://h/b&sha256=XYZ", protocol.StatusBadRequest, "64 lower-case hex"},
		{"bad size", on, auth.PermUpdate, cmd + "ota_update&url=http://h/b&size=-1", protocol.StatusBadRequest, "want 1 to"},
		{"updates off", off, auth.PermUpdate, cmd + "ota_update", protocol.StatusNotSupported, "set ota.trusted_keys"},
		{"status off", off, auth.PermUpdate, cmd + "ota_status", protocol.StatusNotSupported, "set ota.trusted_keys"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var w recorder
			tc.a.Handle(context.Background(), protocol.Viewer{Addr: "test", Subject: "ops", Perms: tc.perms}, tc.line, &w)
			if w.status != tc.want || !strings.Contains(w.body.String(), tc.body) {
				t.Errorf("status %d %s, want %d with %q", w.status, w.body.String(), tc.want, tc.body)
			}
		})
	}
}
