package mqttclient_test

import (
	"context"
	"github.com/p2pcam/p2pcam/internal/syncbuf"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/p2pcam/p2pcam/signal/mqttclient"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// An unreachable broker is named at once, never hidden behind a timeout.
func TestUnreachableBroker(t *testing.T) {
	url := "mqtt://" + closedPort(t)
	tests := []struct {
		name     string
		failFast bool
		wait     time.Duration // the caller's context
		want     []string      // in the error
	}{
		{"fail fast", true, 10 * time.Second, []string{"connection refused"}},
		{"keep trying until the deadline", false, 1500 * time.Millisecond, []string{"context deadline exceeded", "last attempt", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncbuf.Buffer
			var status mqttclient.Status
			ctx, cancel := context.WithTimeout(context.Background(), tt.wait)
			defer cancel()
			start := time.Now()
			_, err := mqttclient.Connect(ctx, mqttclient.Config{URL: url, ClientID: "cam", FailFast: tt.failFast, Status: &status,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err == nil {
				t.Fatal("connected to a closed port")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if st := status.Snapshot(); st.Connected || st.Connects != 0 || st.Failures == 0 || !strings.Contains(st.LastError, "connection refused") {
				t.Errorf("status %+v, want down after failures: connection refused", st)
			}
			if tt.failFast && time.Since(start) > 2*time.Second {
				t.Errorf("fail fast took %v", time.Since(start))
			}
			if !tt.failFast && !strings.Contains(logs.String(), `level=WARN msg="cannot reach the broker; retrying"`) {
				t.Errorf("no warning at the default level:\n%s", logs.String())
			}
		})
	}
}
